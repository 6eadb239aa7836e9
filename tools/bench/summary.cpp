#include "bench/summary.h"

#include <cstdio>

namespace mtjson::bench {

namespace {

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string mib(std::uint64_t kib) { return fixed(static_cast<double>(kib) / 1024.0, 1) + " MiB"; }

double ms(std::uint64_t ns) { return static_cast<double>(ns) / 1e6; }

nlohmann::json memory_json(const std::optional<MemoryFigure>& m) {
  if (!m) return nullptr;
  return {{"pid", m->pid},
          {"name", m->name},
          {"peak_rss_kib", m->peak_kib},
          {"start_rss_kib", m->start_rss_kib},
          {"max_sampled_rss_kib", m->max_rss_kib},
          {"after_setup_rss_kib", m->setup_rss_kib}};
}

}  // namespace

std::uint64_t Counters::rpc_error_total() const {
  std::uint64_t n = 0;
  for (const auto& [k, v] : rpc_errors) n += v;
  return n;
}

std::uint64_t Counters::protocol_error_total() const {
  std::uint64_t n = 0;
  for (const auto& [k, v] : protocol_errors) n += v;
  return n;
}

std::uint64_t Counters::errors() const {
  return rpc_error_total() + rpc_timeouts + protocol_error_total() + duplicates + unexpected_ids + bad_lines +
         disconnects + unanswered;
}

std::optional<double> Summary::daemon_kib_per_connection() const {
  const int connections = clients + idle_clients;
  if (!daemon || !daemon->setup_rss_kib || connections <= 0) return std::nullopt;
  const double growth = static_cast<double>(daemon->setup_rss_kib) - static_cast<double>(daemon->start_rss_kib);
  return growth / connections;
}

double Summary::requests_per_second() const {
  return elapsed_s > 0 ? static_cast<double>(counters.ok) / elapsed_s : 0.0;
}

std::string format_ms(std::uint64_t ns) {
  double v = ms(ns);
  if (v < 1) return fixed(v, 2) + " ms";
  if (v < 10) return fixed(v, 1) + " ms";
  return fixed(v, 0) + " ms";
}

std::string human_summary(const Summary& s) {
  const Counters& c = s.counters;
  std::string out = "clients " + std::to_string(s.clients) + " x " + std::to_string(s.inflight) + " in flight";
  if (s.idle_clients) out += " + " + std::to_string(s.idle_clients) + " idle";
  out += ", " + s.method + ": " + std::to_string(c.ok) + " requests in " + fixed(s.elapsed_s, 2) + " s = " +
         fixed(s.requests_per_second(), 0) + " req/s; latency";
  if (s.latency.count()) {
    out += " p50 " + format_ms(s.latency.percentile(50)) + " p90 " + format_ms(s.latency.percentile(90)) + " p99 " +
           format_ms(s.latency.percentile(99)) + " max " + format_ms(s.latency.max());
  } else {
    out += " n/a";
  }
  out += "; errors " + std::to_string(c.errors());
  out += "; daemon peak RSS " + (s.daemon ? mib(s.daemon->peak_kib) : std::string("n/a"));
  if (s.testdc) out += "; testdc peak RSS " + mib(s.testdc->peak_kib);
  out += '\n';

  if (c.errors()) {
    std::string e = "errors:";
    auto item = [&e](const std::string& what, std::uint64_t n) {
      if (n) e += " " + what + " x" + std::to_string(n) + ",";
    };
    for (const auto& [msg, n] : c.rpc_errors) item("rpc_error " + msg, n);
    item("rpc_timeout", c.rpc_timeouts);
    for (const auto& [kind, n] : c.protocol_errors) item("error " + kind, n);
    item("duplicate", c.duplicates);
    item("unexpected id", c.unexpected_ids);
    item("bad line", c.bad_lines);
    item("disconnect", c.disconnects);
    item("unanswered", c.unanswered);
    e.back() = '\n';
    out += e;
  }
  if (c.updates) out += "updates (id 0 lines) " + std::to_string(c.updates) + "\n";
  if (auto per = s.daemon_kib_per_connection(); per && s.idle_clients) {
    out += "daemon RSS " + mib(s.daemon->start_rss_kib) + " before connecting, " + mib(s.daemon->setup_rss_kib) +
           " after the setup of " + std::to_string(s.clients + s.idle_clients) + " connections: " + fixed(*per, 1) +
           " KiB per connection\n";
  }
  return out;
}

nlohmann::json json_summary(const Summary& s) {
  const Counters& c = s.counters;
  nlohmann::json j;
  j["host"] = s.host;
  j["port"] = s.port;
  j["method"] = s.method;
  j["clients"] = s.clients;
  j["inflight"] = s.inflight;
  j["idle_clients"] = s.idle_clients;
  j["duration_s"] = s.duration_s ? nlohmann::json(*s.duration_s) : nlohmann::json(nullptr);
  j["requests_limit"] = s.requests ? nlohmann::json(*s.requests) : nlohmann::json(nullptr);
  j["warmup_s"] = s.warmup_s;
  j["elapsed_s"] = s.elapsed_s;
  j["sent"] = c.sent;
  j["ok"] = c.ok;
  j["requests_per_s"] = s.requests_per_second();
  if (s.latency.count()) {
    j["latency_ms"] = {{"count", s.latency.count()},
                       {"min", ms(s.latency.min())},
                       {"mean", s.latency.mean() / 1e6},
                       {"p50", ms(s.latency.percentile(50))},
                       {"p90", ms(s.latency.percentile(90))},
                       {"p99", ms(s.latency.percentile(99))},
                       {"p999", ms(s.latency.percentile(99.9))},
                       {"max", ms(s.latency.max())}};
  } else {
    j["latency_ms"] = nullptr;
  }
  j["errors"] = {{"total", c.errors()},
                 {"rpc_error", c.rpc_errors},
                 {"rpc_timeout", c.rpc_timeouts},
                 {"protocol", c.protocol_errors},
                 {"duplicate", c.duplicates},
                 {"unexpected_id", c.unexpected_ids},
                 {"bad_line", c.bad_lines},
                 {"disconnects", c.disconnects},
                 {"unanswered", c.unanswered}};
  j["updates"] = c.updates;
  j["warmup_answers"] = c.warmup_answers;
  j["daemon"] = memory_json(s.daemon);
  j["testdc"] = memory_json(s.testdc);
  auto per = s.daemon_kib_per_connection();
  j["daemon_rss_kib_per_connection"] = per ? nlohmann::json(*per) : nlohmann::json(nullptr);
  return j;
}

}  // namespace mtjson::bench
