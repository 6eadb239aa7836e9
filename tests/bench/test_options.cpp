// mtjson-bench's flags: defaults, every flag, and one line naming the flag for bad input.
#include <catch2/catch.hpp>

#include "bench/options.h"

using mtjson::bench::Method;
using mtjson::bench::Options;
using mtjson::bench::parse_options;

namespace {

Options ok(std::vector<std::string> args) {
  auto p = parse_options(args);
  INFO(p.message());
  REQUIRE(p);
  REQUIRE(p.message().empty());
  return *p;
}

std::string bad(std::vector<std::string> args) {
  auto p = parse_options(args);
  REQUIRE_FALSE(p);
  REQUIRE_FALSE(p.message().empty());
  CHECK(p.message().find('\n') == std::string::npos);  // one line
  return p.message();
}

bool starts(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("defaults") {
  Options o = ok({});
  CHECK(o.host == "127.0.0.1");
  CHECK(o.port == 1543);
  CHECK(o.clients == 1);
  CHECK(o.inflight == 32);
  REQUIRE(o.duration_s);
  CHECK(*o.duration_s == 10);
  CHECK_FALSE(o.requests);
  CHECK(o.method == Method::get_config);
  CHECK(o.method_name() == "help.getConfig");
  CHECK(o.init);
  CHECK_FALSE(o.signs_in());
  CHECK(o.idle_clients == 0);
  CHECK_FALSE(o.idle_call);
  CHECK_FALSE(o.json);
  CHECK_FALSE(o.verbose);
  CHECK_FALSE(o.pid_daemon);
}

TEST_CASE("every flag, in both spellings") {
  Options o = ok({"--host", "::1", "--port=1600", "--clients", "10", "--inflight=4", "--requests", "5000",
                  "--warmup", "1.5", "--drain=3", "--method", "ping", "--timeout", "5", "--pid-daemon", "123",
                  "--pid-testdc=456", "--idle-clients", "1000", "--idle-call", "--json", "--verbose", "--no-init", "--layer", "144",
                  "--api-id", "17", "--api-hash", "abc", "--setup-timeout", "30"});
  CHECK(o.host == "::1");
  CHECK(o.port == 1600);
  CHECK(o.clients == 10);
  CHECK(o.inflight == 4);
  CHECK_FALSE(o.duration_s);
  CHECK(o.requests == 5000u);
  CHECK(o.warmup_s == 1.5);
  CHECK(o.drain_s == 3);
  CHECK(o.method == Method::ping);
  CHECK(o.timeout_s == 5);
  CHECK(o.pid_daemon == 123);
  CHECK(o.pid_testdc == 456);
  CHECK(o.idle_clients == 1000);
  CHECK(o.idle_call);
  CHECK(o.json);
  CHECK(o.verbose);
  CHECK_FALSE(o.init);
  CHECK(o.layer == 144);
  CHECK(o.api_id == 17);
  CHECK(o.api_hash == "abc");
  CHECK(o.setup_timeout_s == 30);
}

TEST_CASE("methods") {
  CHECK(ok({"--method", "getConfig"}).method == Method::get_config);
  CHECK(ok({"--method", "help.getConfig"}).method == Method::get_config);
  CHECK(ok({"--method", "server"}).method == Method::server);
  Options raw = ok({"--method", "raw", "--message", R"( { "_cons" : "help.getNearestDc" } )"});
  CHECK(raw.method == Method::raw);
  CHECK(raw.message == R"({"_cons":"help.getNearestDc"})");
  CHECK(raw.method_name() == "help.getNearestDc");
}

TEST_CASE("sendMessage signs in, by default from 9996620000, one number per client") {
  Options o = ok({"--method", "sendMessage", "--clients", "3"});
  CHECK(o.method == Method::send_message);
  CHECK(o.method_name() == "messages.sendMessage");
  REQUIRE(o.signs_in());
  CHECK(o.phone_for(0) == "9996620000");
  CHECK(o.phone_for(2) == "9996620002");
  Options p = ok({"--method", "messages.sendMessage", "--signin", "+999 66 3 1234"});
  CHECK(p.phone_for(0) == "9996631234");
  CHECK(p.phone_for(7) == "9996631241");
  CHECK(ok({"--signin", "9996629999"}).phone_for(0) == "9996629999");
}

TEST_CASE("bad flags name the flag") {
  CHECK(starts(bad({"--frobnicate"}), "--frobnicate: unknown flag"));
  CHECK(starts(bad({"--port"}), "--port: missing value"));
  CHECK(bad({"--port", "0"}) == "--port: '0' is not a port number (1..65535)");
  CHECK(starts(bad({"--port", "65536"}), "--port:"));
  CHECK(bad({"--port", "12a"}) == "--port: '12a' is not a port number (1..65535)");
  CHECK(starts(bad({"--clients", "0"}), "--clients:"));
  CHECK(starts(bad({"--clients", "-3"}), "--clients:"));
  CHECK(starts(bad({"--inflight", "x"}), "--inflight:"));
  CHECK(starts(bad({"--duration", "0"}), "--duration:"));
  CHECK(starts(bad({"--duration", "-1"}), "--duration:"));
  CHECK(starts(bad({"--duration", "nan"}), "--duration:"));
  CHECK(starts(bad({"--warmup", "soon"}), "--warmup:"));
  CHECK(starts(bad({"--requests", "0"}), "--requests:"));
  CHECK(starts(bad({"--duration", "5", "--requests", "10"}), "--requests: give either"));
  CHECK(starts(bad({"--method", "getconfig"}), "--method: unknown method"));
  CHECK(starts(bad({"--method", "raw"}), "--method: raw needs --message"));
  CHECK(starts(bad({"--message", R"({"_cons":"ping"})"}), "--message: only with --method raw"));
  CHECK(starts(bad({"--method", "raw", "--message", "{"}), "--message: not valid JSON"));
  CHECK(starts(bad({"--method", "raw", "--message", "[1]"}), "--message: expected a TL object"));
  CHECK(starts(bad({"--method", "raw", "--message", R"({"x":1})"}), "--message: expected a TL object"));
  CHECK(starts(bad({"--signin", "12345"}), "--signin:"));
  CHECK(starts(bad({"--signin", "9996601234"}), "--signin:"));  // DC 0
  CHECK(starts(bad({"--signin", "99966a1234"}), "--signin:"));
  CHECK(starts(bad({"--signin", "9996629999", "--clients", "2"}), "--signin: 9996629999 + 2 clients"));
  CHECK(starts(bad({"--method", "server", "--signin", "9996621234"}), "--signin:"));
  CHECK(starts(bad({"--json=yes"}), "--json: takes no value"));
  CHECK(starts(bad({"--no-init=1"}), "--no-init: takes no value"));
  CHECK(starts(bad({"--pid-daemon", "0"}), "--pid-daemon:"));
  CHECK(starts(bad({"--idle-clients", "-1"}), "--idle-clients:"));
  CHECK(starts(bad({"--text", ""}), "--text:"));
  CHECK(starts(bad({"--host", ""}), "--host:"));
  CHECK(starts(bad({"localhost"}), "localhost: unknown flag"));
}

TEST_CASE("--help wins over the rest") {
  Options o = ok({"--help", "--clients", "3"});
  CHECK(o.help);
  CHECK_FALSE(mtjson::bench::usage_text().empty());
}
