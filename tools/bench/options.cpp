#include "bench/options.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <functional>
#include <map>

#include "cli/flag_value.h"

namespace mtjson::bench {

namespace {

// "User Authorization", "Test Accounts": test numbers are 99966XYYYY, X the DC.
constexpr const char* kDefaultSigninPhone = "9996620000";

struct Bad {
  std::string line;
};

// An integer flag in lo..hi, `what` naming it in the error line ("a client count").
std::int64_t integer(const std::string& flag, const std::string& v, const char* what, std::int64_t lo, std::int64_t hi) {
  auto n = cli::int_value(flag, v, what, lo, hi);
  if (!n) throw Bad{n.message()};
  return *n;
}

double seconds(const std::string& flag, const std::string& v, bool zero_ok) {
  double out = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), out);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size() || !std::isfinite(out))
    throw Bad{flag + ": expected seconds, got '" + v + "'"};
  if (out < 0 || (!zero_ok && out == 0) || out > 1e7)
    throw Bad{flag + ": " + v + " seconds is out of range"};
  return out;
}

std::string digits_of_phone(const std::string& flag, const std::string& v) {
  std::string d;
  for (char c : v) {
    if (c == '+' || c == ' ' || c == '-') continue;
    if (c < '0' || c > '9') throw Bad{flag + ": '" + v + "' is not a phone number"};
    d += c;
  }
  if (d.size() != 10 || d.compare(0, 5, "99966") != 0 || d[5] == '0')
    throw Bad{flag + ": '" + v + "' is not a test number 99966XYYYY (X = DC 1..9)"};
  return d;
}

// YYYY of a test number 99966XYYYY as digits_of_phone returns it; nullopt for anything else.
std::optional<int> test_number_tail(const std::string& phone) {
  if (phone.size() != 10) return std::nullopt;
  auto tail = cli::parse_int(std::string_view(phone).substr(6), 0, 9999);
  if (!tail) return std::nullopt;
  return static_cast<int>(*tail);
}

Method method_of(const std::string& v) {
  if (v == "getConfig" || v == "help.getConfig") return Method::get_config;
  if (v == "ping") return Method::ping;
  if (v == "sendMessage" || v == "messages.sendMessage") return Method::send_message;
  if (v == "raw") return Method::raw;
  if (v == "server") return Method::server;
  throw Bad{"--method: unknown method '" + v + "' (getConfig, ping, sendMessage, raw, server)"};
}

std::string minified_message(const std::string& v) {
  nlohmann::json j = nlohmann::json::parse(v, nullptr, false);
  if (j.is_discarded()) throw Bad{"--message: not valid JSON"};
  if (!j.is_object() || !j.contains("_cons") || !j["_cons"].is_string())
    throw Bad{"--message: expected a TL object like {\"_cons\":\"help.getNearestDc\"}"};
  return j.dump();
}

}  // namespace

std::string Options::method_name() const {
  switch (method) {
    case Method::get_config: return "help.getConfig";
    case Method::ping: return "ping";
    case Method::send_message: return "messages.sendMessage";
    case Method::server: return "server";
    case Method::raw: {
      auto j = nlohmann::json::parse(message, nullptr, false);
      if (j.is_object() && j.contains("_cons") && j["_cons"].is_string()) return j["_cons"].get<std::string>();
      return "raw";
    }
  }
  return "?";
}

std::string Options::phone_for(int index) const {
  if (!signin) return {};
  // The last four digits count up; parse_options checked that they do not run past 9999.
  auto first = test_number_tail(*signin);
  if (!first) return {};
  int yyyy = *first + index;
  std::string tail = std::to_string(yyyy);
  return signin->substr(0, 6) + std::string(4 - tail.size(), '0') + tail;
}

Result<Options> parse_options(const std::vector<std::string>& args) {
  Options o;
  bool have_message = false;
  try {
    using Setter = std::function<void(const std::string& flag, const std::string& value)>;
    const std::map<std::string, Setter> with_value = {
        {"--host", [&](auto&, auto& v) {
           if (v.empty()) throw Bad{"--host: empty"};
           o.host = v;
         }},
        {"--port", [&](auto& f, auto& v) { o.port = static_cast<int>(integer(f, v, "a port number", 1, 65535)); }},
        {"--clients", [&](auto& f, auto& v) { o.clients = static_cast<int>(integer(f, v, "a client count", 1, 100000)); }},
        {"--inflight", [&](auto& f, auto& v) {
           o.inflight = static_cast<int>(integer(f, v, "a request count", 1, 1000000));
         }},
        {"--duration", [&](auto& f, auto& v) { o.duration_s = seconds(f, v, false); }},
        {"--requests", [&](auto& f, auto& v) {
           o.requests = static_cast<std::uint64_t>(integer(f, v, "a request count", 1, std::int64_t{1} << 53));
         }},
        {"--warmup", [&](auto& f, auto& v) { o.warmup_s = seconds(f, v, true); }},
        {"--drain", [&](auto& f, auto& v) { o.drain_s = seconds(f, v, false); }},
        {"--setup-timeout", [&](auto& f, auto& v) { o.setup_timeout_s = seconds(f, v, false); }},
        {"--method", [&](auto&, auto& v) { o.method = method_of(v); }},
        {"--message", [&](auto&, auto& v) {
           o.message = minified_message(v);
           have_message = true;
         }},
        {"--timeout", [&](auto& f, auto& v) { o.timeout_s = static_cast<int>(integer(f, v, "seconds", 1, 86400)); }},
        {"--signin", [&](auto& f, auto& v) { o.signin = digits_of_phone(f, v); }},
        {"--layer", [&](auto& f, auto& v) { o.layer = static_cast<int>(integer(f, v, "a layer", 1, 100000)); }},
        {"--api-id", [&](auto& f, auto& v) { o.api_id = static_cast<int>(integer(f, v, "an api_id", 1, INT32_MAX)); }},
        {"--api-hash", [&](auto&, auto& v) { o.api_hash = v; }},
        {"--text", [&](auto&, auto& v) {
           if (v.empty()) throw Bad{"--text: empty (Telegram rejects empty messages)"};
           o.text = v;
         }},
        {"--pid-daemon", [&](auto& f, auto& v) {
           o.pid_daemon = static_cast<int>(integer(f, v, "a process id", 1, INT32_MAX));
         }},
        {"--pid-testdc", [&](auto& f, auto& v) {
           o.pid_testdc = static_cast<int>(integer(f, v, "a process id", 1, INT32_MAX));
         }},
        {"--idle-clients", [&](auto& f, auto& v) {
           o.idle_clients = static_cast<int>(integer(f, v, "a client count", 0, 1000000));
         }},
    };
    const std::map<std::string, bool*> switches = {
        {"--json", &o.json}, {"--verbose", &o.verbose}, {"--help", &o.help}, {"-h", &o.help},
        {"--idle-call", &o.idle_call}};
    bool no_init = false;

    cli::ArgReader args_in(args);
    while (args_in.next()) {
      const std::string& flag = args_in.flag();
      if (flag == "--no-init") {
        if (args_in.has_inline_value()) throw Bad{flag + ": takes no value"};
        no_init = true;
        continue;
      }
      if (auto s = switches.find(flag); s != switches.end()) {
        if (args_in.has_inline_value()) throw Bad{flag + ": takes no value"};
        *s->second = true;
        continue;
      }
      auto w = with_value.find(flag);
      if (w == with_value.end()) throw Bad{flag + ": unknown flag (see --help)"};
      auto value = args_in.value();
      if (!value) throw Bad{flag + ": missing value"};
      w->second(flag, *value);
    }
    if (o.help) return o;

    o.init = !no_init;
    if (o.duration_s && o.requests) throw Bad{"--requests: give either --duration or --requests, not both"};
    if (!o.duration_s && !o.requests) o.duration_s = 10;
    if (o.method == Method::raw && !have_message) throw Bad{"--method: raw needs --message JSON"};
    if (o.method != Method::raw && have_message) throw Bad{"--message: only with --method raw"};
    if (o.method == Method::send_message && !o.signin) o.signin = kDefaultSigninPhone;
    if (o.method == Method::server && o.signin) throw Bad{"--signin: not with --method server (no Telegram calls)"};
    if (o.signin && test_number_tail(*o.signin).value_or(0) + o.clients - 1 > 9999)
      throw Bad{"--signin: " + *o.signin + " + " + std::to_string(o.clients) +
                " clients runs past the test number range (the last 4 digits count up per client)"};
  } catch (const Bad& bad) {
    return Result<Options>::error(bad.line);
  }
  return o;
}

std::string usage_text() {
  return R"(usage: mtjson-bench [flags]
Load generator for an mtjson (mtproto2json-compatible) JSON-lines daemon.

  --host H             daemon address (127.0.0.1)
  --port P             daemon port (1543)
  --clients N          concurrent JSON clients, one connection each (1)
  --inflight K         requests each client keeps in flight (32)
  --duration S         measure for S seconds (default 10), or
  --requests R         measure exactly R requests in total
  --warmup S           run the load S seconds before measuring (0)
  --drain S            at the end wait up to S seconds for answers in flight (10)
  --setup-timeout S    limit for connecting, initConnection and sign-in (120)
  --method M           getConfig (default) | ping | sendMessage (to @echo) | raw | server
                       (server = {"server":{}}, answered by the daemon without Telegram)
  --message JSON       the TL object for --method raw, e.g. '{"_cons":"help.getNearestDc"}'
  --timeout S          add "timeout": S to every request
  --signin PHONE       sign every client in first (client i uses PHONE + i; test numbers
                       99966XYYYY, code = X five times); default 9996620000 for sendMessage
  --no-init            skip invokeWithLayer(initConnection(help.getConfig)) at connect
  --layer L            layer for invokeWithLayer (228); --api-id, --api-hash for initConnection
  --text T             the sendMessage text (mtjson-bench)
  --pid-daemon PID     process to sample VmHWM/VmRSS of (default: the one listening on --port)
  --pid-testdc PID     test DC process to sample (default: a process named *testdc* that is the
                       daemon's child or that the daemon is connected to)
  --idle-clients N     extra connections that send {"id":1,"server":{}} once, then idle
  --idle-call          the idle clients make one Telegram call instead (initConnection +
                       help.getConfig: a session and DC connection each in the daemon); the
                       summary gives the daemon's RSS growth per connection through the setup
  --json               machine-readable summary on stdout (the human one goes to stderr)
  --verbose            progress on stderr
Exit status: 0 no errors, 1 the run counted errors (or sign-in failed), 2 bad flags or cannot connect.
)";
}

}  // namespace mtjson::bench
