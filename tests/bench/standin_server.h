// A tiny stand-in for the mtjson daemon, for testing mtjson-bench: a JSON-lines server (Asio, its
// own thread) that answers each request line with the same id after a small random delay, so
// answers come out of order, pushes an id 0 line now and then, and plays the few Telegram calls
// the bench makes (initConnection, sign-in, resolveUsername, sendMessage to "echo"). A mode makes
// it break the protocol on purpose, once, so the bench's checks can be seen to work.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace mtjson::bench::test {

enum class StandinMode {
  normal,
  duplicate,   // answers the 3rd plain request twice
  unknown_id,  // sends one answer with an id nobody used
  drop_one,    // never answers the 3rd plain request
  errors,      // per connection: 5th plain getConfig rpc_error, 6th an error line, 7th rpc_timeout
  bad_line,    // sends one line that is not JSON
  disconnect,  // closes the first connection after its 10th plain request
  refuse_signin,  // auth.sendCode gets rpc_error 400 PHONE_NUMBER_BANNED
};

struct StandinStats {
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> lines{0};          // request lines received
  std::atomic<std::uint64_t> plain_requests{0}; // help.getConfig / ping / sendMessage not wrapped
  std::atomic<std::uint64_t> server_gets{0};    // {"server":{}} lines
  std::atomic<std::uint64_t> updates_sent{0};
  std::atomic<std::uint64_t> id_reused{0};      // the client sent an id twice on a connection
  std::atomic<std::uint64_t> out_of_order{0};   // answers written with a lower id than the previous
  std::atomic<std::uint64_t> send_codes{0}, sign_ins{0}, sign_ups{0}, resolves{0}, send_messages{0};
  std::atomic<std::uint64_t> bad_peer{0};       // sendMessage to something else than the resolved echo
  std::atomic<std::uint64_t> random_id_reused{0};
};

class StandinServer {
 public:
  explicit StandinServer(StandinMode mode, int max_delay_us = 2000);
  ~StandinServer();

  int port() const { return port_; }
  const StandinStats& stats() const;
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace mtjson::bench::test
