// One JSON-lines connection to the daemon (Asio glue, one thread): connects, runs the setup flow
// (or, for an idle client, the one hello), then keeps up to --inflight requests pipelined.
// Writes are batched: requests issued while a write is under way go out together in the next
// one. Every line read is classified and counted; the run (ConnectionHost) decides the phases.
#pragma once

#include <cstdint>
#include <asio.hpp>
#include <simdjson.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench/answer_parser.h"
#include "bench/latency_histogram.h"
#include "bench/options.h"
#include "bench/request_ledger.h"
#include "bench/setup_flow.h"
#include "bench/summary.h"
#include "bench/workload.h"

namespace mtjson::bench {

class Connection;

// What a connection needs from the run that owns it.
class ConnectionHost {
 public:
  virtual ~ConnectionHost() = default;
  virtual void on_connected(Connection& c, const std::error_code& ec) = 0;
  virtual void on_ready(Connection& c) = 0;  // setup done, or the idle hello answered
  virtual void on_setup_failed(Connection& c, const std::string& why) = 0;
  virtual void on_disconnect(Connection& c, const std::string& why) = 0;
  // Whether one more load request may go out now, and what it counts as.
  virtual bool may_issue(Tag& tag) = 0;
  // After the lines of one read were handled (the run checks whether it is done).
  virtual void after_batch() = 0;
  virtual bool measuring() const = 0;  // updates count from the start of the measured phase
  virtual void measured_answer_at(Clock::time_point t) = 0;
  virtual Counters& counters() = 0;
  virtual LatencyHistogram& latency() = 0;
  virtual bool verbose() const = 0;
};

class Connection {
 public:
  enum class Role { load, idle };

  Connection(asio::io_context& io, ConnectionHost& host, const Options& options, int index, Role role,
             std::uint64_t random_base);

  void connect(const asio::ip::tcp::endpoint& endpoint);
  void start();  // after on_connected: the setup flow, or the idle hello
  void fill();   // top up the load to --inflight requests in flight
  void close();

  int index() const { return index_; }
  Role role() const { return role_; }
  bool alive() const { return alive_; }
  std::size_t in_flight() const { return ledger_.in_flight(); }
  std::size_t in_flight(Tag tag) const { return ledger_.in_flight(tag); }

 private:
  void read_more();
  void on_read(const std::error_code& ec, std::size_t n);
  void handle_line(const char* data, std::size_t len, bool padded, Clock::time_point now);
  void handle_control(const char* data, std::size_t len);
  void apply(const SetupFlow::Step& step);
  void flush();
  void broken(const std::string& why);

  asio::ip::tcp::socket socket_;
  ConnectionHost& host_;
  const Options& options_;
  int index_;
  Role role_;
  Workload workload_;
  SetupFlow setup_;
  RequestLedger ledger_;
  AnswerParser parser_;
  bool alive_ = false;
  bool ready_ = false;

  std::vector<char> rbuf_;  // read buffer with SIMDJSON_PADDING slack: lines are parsed in place
  std::string partial_;     // a line cut by the end of a read
  std::string out_;         // requests waiting for the next write
  std::string writing_;     // the write under way
  bool write_busy_ = false;
};

}  // namespace mtjson::bench
