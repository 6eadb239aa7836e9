// What a run measured, and its two renderings: the human summary line(s) and the --json object.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "bench/latency_histogram.h"

namespace mtjson::bench {

// Counters of the measured phase (requests sent after the warm-up), plus the exactly-once and
// connection checks, which hold for the whole run.
struct Counters {
  std::uint64_t sent = 0;      // measured requests written
  std::uint64_t ok = 0;        // ... answered with a result (these give the latency and req/s)
  std::map<std::string, std::uint64_t> rpc_errors;       // by error_message
  std::uint64_t rpc_timeouts = 0;
  std::map<std::string, std::uint64_t> protocol_errors;  // `error` lines by kind
  std::uint64_t duplicates = 0;     // a second answer to an answered id
  std::uint64_t unexpected_ids = 0; // an answer to an id never sent
  std::uint64_t bad_lines = 0;      // not JSON, or no integer id
  std::uint64_t disconnects = 0;    // connections the daemon closed or broke
  std::uint64_t unanswered = 0;     // requests still in flight at the end (or on a lost connection)
  std::uint64_t updates = 0;        // id 0 lines while measuring
  std::uint64_t warmup_answers = 0;

  std::uint64_t rpc_error_total() const;
  std::uint64_t protocol_error_total() const;
  std::uint64_t errors() const;
};

struct MemoryFigure {
  int pid = 0;
  std::string name;
  std::uint64_t peak_kib = 0;       // VmHWM (the process's lifetime peak)
  std::uint64_t start_rss_kib = 0;  // VmRSS when the bench connected
  std::uint64_t max_rss_kib = 0;    // largest VmRSS sampled (every 100 ms) during the run
  std::uint64_t setup_rss_kib = 0;  // VmRSS once every connection finished its setup
};

struct Summary {
  std::string host;
  int port = 0;
  std::string method;
  int clients = 0;
  int inflight = 0;
  int idle_clients = 0;
  std::optional<double> duration_s;
  std::optional<std::uint64_t> requests;
  double warmup_s = 0;
  double elapsed_s = 0;  // first measured request sent .. last measured answer received
  Counters counters;
  LatencyHistogram latency;  // of the measured requests answered with a result
  std::optional<MemoryFigure> daemon;
  std::optional<MemoryFigure> testdc;

  double requests_per_second() const;
  // The daemon's VmRSS growth from before the first connect to the end of the setup, divided
  // by the connections (load and idle); nullopt without daemon figures.
  std::optional<double> daemon_kib_per_connection() const;
};

// "clients 10 x 32 in flight, help.getConfig: 48213 requests in 10.00 s = 4821 req/s; latency p50
// 1.9 ms p90 3.1 ms p99 5.0 ms max 12 ms; errors 0; daemon peak RSS 14.2 MiB; testdc peak RSS
// 20.1 MiB", then a line per kind of error and one for updates when there are any.
std::string human_summary(const Summary& s);
nlohmann::json json_summary(const Summary& s);

// "1.9 ms", "0.42 ms", "12 ms": two significant digits or whole milliseconds.
std::string format_ms(std::uint64_t ns);

}  // namespace mtjson::bench
