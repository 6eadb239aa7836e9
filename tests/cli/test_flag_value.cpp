// src/cli: flag splitting, integers in a range, ports and HOST:PORT, with the one error-line
// format every tool gives.
#include <catch2/catch.hpp>

#include "cli/flag_value.h"

using namespace mtjson::cli;

TEST_CASE("ArgReader: --flag=value and --flag value", "[cli]") {
  const std::vector<std::string> args = {"--port=1543", "--host", "h", "-x=1", "--json", "--dc"};
  ArgReader r(args);
  REQUIRE(r.next());
  CHECK(r.flag() == "--port");
  CHECK(r.arg() == "--port=1543");
  CHECK(r.has_inline_value());
  CHECK(r.value() == "1543");
  REQUIRE(r.next());
  CHECK(r.flag() == "--host");
  CHECK_FALSE(r.has_inline_value());
  CHECK(r.value() == "h");  // consumed: the next flag is -x=1
  REQUIRE(r.next());
  CHECK(r.flag() == "-x=1");  // only "--" flags take the "=" form
  CHECK_FALSE(r.has_inline_value());
  REQUIRE(r.next());
  CHECK(r.flag() == "--json");  // a switch: its value is not asked for
  REQUIRE(r.next());
  CHECK(r.flag() == "--dc");
  CHECK_FALSE(r.value());  // the command line ended
  CHECK_FALSE(r.next());

  const std::vector<std::string> empty_inline = {"--host="};
  ArgReader e(empty_inline);
  REQUIRE(e.next());
  CHECK(e.has_inline_value());
  CHECK(e.value() == "");
}

TEST_CASE("parse_int: the whole text, in range", "[cli]") {
  CHECK(parse_int("42", 0, 100) == 42);
  CHECK(parse_int("-600", -600, 600) == -600);
  CHECK(parse_int("0", 0, 0) == 0);
  CHECK(parse_int("9007199254740992", 1, std::int64_t{1} << 53) == (std::int64_t{1} << 53));
  for (const char* bad : {"", " 1", "1 ", "+1", "1e3", "0x10", "12a", "1.0", "-"}) {
    INFO(bad);
    CHECK_FALSE(parse_int(bad, -1000, 1000));
  }
  CHECK_FALSE(parse_int("101", 0, 100));
  CHECK_FALSE(parse_int("-1", 0, 100));
  CHECK_FALSE(parse_int("99999999999999999999", 0, INT64_MAX));  // does not fit
}

TEST_CASE("int_value and port_value: one line naming the flag, the text and the range", "[cli]") {
  auto dcs = int_value("--dcs", "3", "a DC count", 1, 5);
  CHECK(dcs);
  CHECK(*dcs == 3);
  CHECK(dcs.message().empty());
  auto zero = int_value("--dcs", "0", "a DC count", 1, 5);
  CHECK_FALSE(zero);
  CHECK(zero.message() == "--dcs: '0' is not a DC count (1..5)");
  CHECK(int_value("--clock-skew", "10y", "seconds", -10, 10).message() == "--clock-skew: '10y' is not seconds (-10..10)");

  CHECK(port_value("--port", "0", true).value() == 0);
  CHECK(port_value("--port", "65535", false).value() == 65535);
  CHECK(port_value("--port", "0", false).message() == "--port: '0' is not a port number (1..65535)");
  CHECK(port_value("--admin", "70000", true).message() == "--admin: '70000' is not a port number (0..65535)");
}

TEST_CASE("parse_host_port: HOST:PORT and [IPv6]:PORT", "[cli]") {
  auto v4 = parse_host_port("10.0.0.1:443");
  REQUIRE(v4);
  CHECK(v4->host == "10.0.0.1");
  CHECK(v4->port == 443);
  auto v6 = parse_host_port("[::1]:8443");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->port == 8443);
  CHECK(parse_host_port("example.org:1")->host == "example.org");
  for (const char* bad : {"host", ":443", "::1:443", "[]:443", "[::1:443", "a:0", "a:70000", "a:", "a:x"}) {
    INFO(bad);
    CHECK_FALSE(parse_host_port(bad));
  }
}
