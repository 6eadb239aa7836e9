// One JSON-lines client connection (the daemon's front end): reads request lines, answers
// server/session at once, hands messages to its account, writes answers and updates as they
// come. Output is a bounded queue: a client that stops reading is disconnected with a logged
// reason instead of growing the daemon's memory (issue: bounded output queue).
#pragma once

#include <cstdint>

#include <asio/awaitable.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <simdjson.h>
#include <string>

#include "daemon/account/account.h"
#include "daemon/front/method_call.h"

namespace mtjson::daemon {

class Daemon;

class ClientPeer : public AccountClient, public std::enable_shared_from_this<ClientPeer> {
 public:
  ClientPeer(Daemon& daemon, asio::ip::tcp::socket socket, std::uint64_t number);
  ~ClientPeer() override;

  void start();
  // Finish writing what is queued, then close (daemon shutdown).
  void shutdown();
  std::uint64_t number() const { return number_; }

  // AccountClient
  void on_answer(std::int64_t id, std::string message_json) override;
  void on_failure(std::int64_t id, std::string kind, std::string what) override;
  void on_update(std::string message_json) override;

 private:
  asio::awaitable<void> reader();
  void handle_line(std::string_view line, std::uint64_t line_number);
  void error_line(std::optional<std::int64_t> id, const std::string& kind, const std::string& what);
  void write(std::string line);
  void write_some();
  void close(const std::string& reason);
  // After the client's half-close: close once every request read is answered and written.
  void finish_if_done();
  void release_account(const std::string& reason = {});
  Account& account();

  Daemon& daemon_;
  asio::ip::tcp::socket socket_;
  std::uint64_t number_;
  std::string peer_;
  simdjson::dom::parser parser_;
  MethodEncoder encoder_;
  ServerSettings server_;
  std::optional<SessionState> restore_;  // set by {"session": {...}}, used by the next account
  std::shared_ptr<Account> account_;
  std::deque<std::string> out_;
  std::size_t out_bytes_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  bool shutting_down_ = false;
  bool input_ended_ = false;    // the client shut down its sending side
  std::size_t in_flight_ = 0;   // message requests submitted and not answered yet
  // Extra keys ("server", "session") to add to the answer line of a message request, by id.
  std::multimap<std::int64_t, std::string> extras_;
};

}  // namespace mtjson::daemon
