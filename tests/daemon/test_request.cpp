// The request line parser (src/daemon/front/request.h): every key, every error and where it
// is kept, ids, timeouts, repeated keys, and the sub-objects' check order.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "daemon/front/request.h"
#include "daemon/front/session_json.h"

using namespace mtjson;
using namespace mtjson::daemon;

namespace {

struct Parsed {
  simdjson::dom::parser parser;
  Result<Request> r = Status::error("not parsed");
  explicit Parsed(std::string_view line) : r(parse_request_line(line, parser)) {}
};

// The line's error when it fails as a whole, "" otherwise.
std::string line_error(std::string_view line) {
  Parsed p(line);
  return p.r ? std::string() : p.r.message();
}

std::string invalid(std::string_view line) {
  Parsed p(line);
  REQUIRE(p.r);
  return p.r->invalid.message();
}

std::int64_t id_of(std::string_view line) {
  Parsed p(line);
  REQUIRE(p.r);
  return p.r->id;
}

std::string key_256() {
  return base64_encode(std::vector<std::uint8_t>(256, 7));
}

ServerFields server_of(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  REQUIRE(!parser.parse(text).get(e));
  return parse_server_fields(e);
}

Result<SessionFields> session_of(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  REQUIRE(!parser.parse(text).get(e));
  return parse_session_fields(e);
}

}  // namespace

TEST_CASE("request: lines that fail as a whole", "[daemon][request]") {
  CHECK(line_error("{") .rfind("not valid JSON (", 0) == 0);
  CHECK(line_error("") .rfind("not valid JSON (", 0) == 0);
  CHECK(line_error("nope").rfind("not valid JSON (", 0) == 0);
  CHECK(line_error("{\"id\":1}{\"id\":2}").rfind("not valid JSON (", 0) == 0);
  // Invalid UTF-8 inside a string.
  CHECK(line_error("{\"id\":1,\"message\":\"\xff\xfe\"}").rfind("not valid JSON (", 0) == 0);
  // An integer beyond 64 bits is not JSON the daemon takes.
  CHECK(line_error("{\"id\":123456789012345678901234567890}").rfind("not valid JSON (", 0) == 0);
  CHECK(line_error("[1,2]") == "expected a JSON object");
  CHECK(line_error("5") == "expected a JSON object");
  CHECK(line_error("\"x\"") == "expected a JSON object");
  CHECK(line_error("null") == "expected a JSON object");
  CHECK(line_error("  {\"id\":3}  ").empty());
}

TEST_CASE("request: blank lines", "[daemon][request]") {
  CHECK(is_blank_line(""));
  CHECK(is_blank_line(" \t "));
  CHECK_FALSE(is_blank_line(" {} "));
  CHECK_FALSE(is_blank_line("\r"));  // the reader strips one \r before the newline only
}

TEST_CASE("request: ids", "[daemon][request]") {
  CHECK(id_of("{\"message\":{}}") == 1);
  CHECK(id_of("{\"id\":0,\"session\":{}}") == 0);
  CHECK(id_of("{\"id\":-5,\"session\":{}}") == -5);
  CHECK(id_of("{\"id\":9223372036854775807}") == 9223372036854775807LL);
  CHECK(id_of("{\"id\":-9223372036854775808}") == std::numeric_limits<std::int64_t>::min());
  for (const char* bad : {"{\"id\":\"ten\"}", "{\"id\":1.5}", "{\"id\":null}", "{\"id\":true}", "{\"id\":[1]}",
                          "{\"id\":{}}", "{\"id\":9223372036854775808}", "{\"id\":1e3}"}) {
    INFO(bad);
    CHECK(id_of(bad) == -2);
    CHECK(invalid(bad) == "'id' must be an integer");
  }
  // A bad id wins over an unknown key; a repeated id counts with its first value.
  CHECK(invalid("{\"zzz\":1,\"id\":\"x\"}") == "'id' must be an integer");
  CHECK(id_of("{\"id\":4,\"id\":\"x\",\"session\":{}}") == 4);
  CHECK(invalid("{\"id\":4,\"id\":\"x\",\"session\":{}}").empty());
}

TEST_CASE("request: unknown keys", "[daemon][request]") {
  const std::string expected = " (expected id, auth, options, server, session, message, timeout)";
  CHECK(invalid("{\"id\":9,\"mesage\":{}}") == "unknown key 'mesage'" + expected);
  CHECK(id_of("{\"id\":9,\"mesage\":{}}") == 9);
  CHECK(id_of("{\"mesage\":{}}") == 1);
  // The first unknown key in the line is named.
  CHECK(invalid("{\"b\":1,\"a\":2}") == "unknown key 'b'" + expected);
  CHECK(invalid("{\"Message\":{}}") == "unknown key 'Message'" + expected);
  CHECK(invalid("{\"\":1}") == "unknown key ''" + expected);
}

TEST_CASE("request: every key", "[daemon][request]") {
  Parsed p("{\"id\":7,\"auth\":{\"token\":\"secret-1\"},\"options\":{\"raw_updates\":true},"
           "\"server\":{\"dc\":1,\"host\":\"127.0.0.1\",\"port\":4431},\"session\":{},"
           "\"message\":{\"_cons\":\"help.getConfig\"},\"timeout\":2.5}");
  REQUIRE(p.r);
  const Request& r = *p.r;
  CHECK(r.id == 7);
  CHECK(r.invalid.ok());
  REQUIRE(r.auth_token);
  CHECK(r.auth_token->value() == "secret-1");
  REQUIRE(r.raw_updates);
  CHECK(r.raw_updates->value() == std::optional<bool>(true));
  REQUIRE(r.server);
  CHECK(r.server->invalid.ok());
  CHECK(r.server->dc == 1);
  CHECK(r.server->host == "127.0.0.1");
  CHECK(r.server->port == 4431);
  CHECK_FALSE(r.server->test);
  REQUIRE(r.session);
  REQUIRE(*r.session);
  CHECK((*r.session)->empty);
  CHECK_FALSE((*r.session)->name);
  REQUIRE(r.timeout_seconds);
  CHECK(r.timeout_seconds->value() == 2.5);
  REQUIRE(r.message);
  std::string_view cons;
  CHECK(!(*r.message)["_cons"].get(cons));
  CHECK(cons == "help.getConfig");
  CHECK(r.nothing_to_do().ok());
}

TEST_CASE("request: nothing to do", "[daemon][request]") {
  const std::string msg = "nothing to do (expected auth, options, server, session or message)";
  CHECK(Parsed("{}").r->nothing_to_do().message() == msg);
  CHECK(Parsed("{\"id\":3,\"timeout\":5}").r->nothing_to_do().message() == msg);
  for (const char* some : {"{\"options\":{}}", "{\"server\":{}}", "{\"session\":{}}", "{\"auth\":{}}",
                           "{\"message\":5}"}) {
    INFO(some);
    CHECK(Parsed(some).r->nothing_to_do().ok());
  }
}

TEST_CASE("request: repeated keys take their last value", "[daemon][request]") {
  Parsed p("{\"timeout\":1,\"timeout\":2,\"message\":{\"a\":1},\"message\":{\"b\":2}}");
  REQUIRE(p.r);
  CHECK(p.r->timeout_seconds->value() == 2);
  simdjson::dom::element b;
  CHECK(!(*p.r->message)["b"].get(b));
  CHECK(Parsed("{\"auth\":{\"token\":\"a\",\"token\":\"b\"}}").r->auth_token->value() == "b");
  CHECK(Parsed("{\"options\":{\"raw_updates\":1,\"raw_updates\":false}}").r->raw_updates->value() ==
        std::optional<bool>(false));
  CHECK(server_of("{\"dc\":\"x\",\"dc\":3}").dc == 3);
}

TEST_CASE("request: timeout", "[daemon][request]") {
  const std::string msg = "'timeout' must be a number of seconds in (0, 86400]";
  auto timeout = [](const std::string& v) { return Parsed("{\"timeout\":" + v + "}").r->timeout_seconds.value(); };
  CHECK(timeout("86400").value() == 86400);
  CHECK(timeout("0.001").value() == 0.001);
  CHECK(timeout("1").value() == 1);
  for (const char* bad : {"0", "-1", "86400.5", "1e10", "\"5\"", "null", "true", "{}", "[]", "-0.0"}) {
    INFO(bad);
    CHECK(timeout(bad).message() == msg);
  }
}

TEST_CASE("request: auth", "[daemon][request]") {
  const std::string msg = "expected {\"auth\":{\"token\":\"...\"}}";
  auto auth = [](const std::string& v) { return Parsed("{\"auth\":" + v + "}").r->auth_token.value(); };
  CHECK(auth("{\"token\":\"t\"}").value() == "t");
  CHECK(auth("{\"token\":\"\"}").value().empty());
  for (const char* bad : {"{}", "{\"token\":5}", "{\"token\":null}", "{\"token\":\"t\",\"x\":1}", "{\"tok\":\"t\"}",
                          "\"t\"", "null", "[]"}) {
    INFO(bad);
    CHECK(auth(bad).message() == msg);
  }
}

TEST_CASE("request: options", "[daemon][request]") {
  auto options = [](const std::string& v) { return Parsed("{\"options\":" + v + "}").r->raw_updates.value(); };
  CHECK(options("{}").value() == std::nullopt);
  CHECK(options("{\"raw_updates\":false}").value() == std::optional<bool>(false));
  CHECK(options("[]").message() == "'options' must be an object");
  CHECK(options("true").message() == "'options' must be an object");
  CHECK(options("{\"raw_updates\":1}").message() == "options.raw_updates: expected true or false");
  CHECK(options("{\"raw\":true}").message() == "options: unknown key 'raw' (expected raw_updates)");
  // Sorted key order: 'a' before raw_updates, 'z' after it.
  CHECK(options("{\"raw_updates\":1,\"a\":true}").message() == "options: unknown key 'a' (expected raw_updates)");
  CHECK(options("{\"z\":true,\"raw_updates\":1}").message() == "options.raw_updates: expected true or false");
}

TEST_CASE("request: server fields", "[daemon][request]") {
  auto error = [](const std::string& v) { return server_of(v).invalid.message(); };
  const ServerFields all = server_of(
      "{\"host\":\"h\",\"port\":443,\"dc\":2,\"test\":true,\"rsa\":\"PEM\",\"transport\":\"padded\","
      "\"obfuscated\":true,\"proxy\":\"socks5://p:1\"}");
  CHECK(all.invalid.ok());
  CHECK(all.host == "h");
  CHECK(all.port == 443);
  CHECK(all.dc == 2);
  CHECK(all.test == true);
  CHECK(all.rsa == "PEM");
  CHECK(all.transport == "padded");
  CHECK(all.obfuscated == true);
  CHECK(all.proxy == "socks5://p:1");
  CHECK(server_of("{\"proxy\":null}").proxy == "");
  CHECK(server_of("{\"proxy\":\"\"}").proxy == "");
  CHECK(error("5") == "server: expected an object");
  CHECK(error("[]") == "server: expected an object");
  CHECK(error("{\"host\":\"\"}") == "server.host: expected a non-empty string");
  CHECK(error("{\"host\":1}") == "server.host: expected a non-empty string");
  CHECK(error("{\"port\":0}") == "server.port: expected an integer 1..65535");
  CHECK(error("{\"port\":65536}") == "server.port: expected an integer 1..65535");
  CHECK(error("{\"port\":\"443\"}") == "server.port: expected an integer 1..65535");
  CHECK(error("{\"port\":443.0}") == "server.port: expected an integer 1..65535");
  CHECK(error("{\"port\":18446744073709551615}") == "server.port: expected an integer 1..65535");
  CHECK(error("{\"dc\":1001}") == "server.dc: expected a DC id (1..1000)");
  CHECK(error("{\"dc\":-1}") == "server.dc: expected a DC id (1..1000)");
  CHECK(error("{\"test\":1}") == "server.test: expected true or false");
  CHECK(error("{\"rsa\":{}}") == "server.rsa: expected PEM text");
  CHECK(error("{\"transport\":1}") == "server.transport: expected abridged|intermediate|padded|full");
  CHECK(error("{\"transport\":\"tcp\"}") == "server.transport: 'tcp' is not abridged|intermediate|padded|full");
  CHECK(error("{\"obfuscated\":\"yes\"}") == "server.obfuscated: expected true or false");
  CHECK(error("{\"proxy\":5}") == "server.proxy: expected a string");
  CHECK(error("{\"hots\":\"h\"}") == "server: unknown key 'hots'");
  // The first bad key in sorted order; the keys before it are kept for ServerSettings::apply.
  const ServerFields two = server_of("{\"test\":1,\"port\":0,\"dc\":3}");
  CHECK(two.invalid.message() == "server.port: expected an integer 1..65535");
  CHECK(two.dc == 3);
  CHECK_FALSE(two.test);
}

TEST_CASE("request: server fields applied", "[daemon][request]") {
  ServerSettings s;
  CHECK(apply_server_fields(s, server_of("{\"host\":\"127.0.0.1\",\"port\":4431,\"dc\":1}")).ok());
  CHECK(s.host == "127.0.0.1");
  CHECK(s.port == 4431);
  CHECK(s.dc == 1);
  // What only ServerSettings::apply knows: reported with its message, nothing changed.
  const ServerSettings before = s;
  CHECK(apply_server_fields(s, server_of("{\"rsa\":\"not a key\"}")).message().rfind("server.rsa: ", 0) == 0);
  CHECK(apply_server_fields(s, server_of("{\"proxy\":\"nonsense\"}")).message() ==
        "server.proxy: expected socks5://host:port, http://host:port or host:port:secret");
  CHECK(apply_server_fields(s, server_of("{\"obfuscated\":true,\"transport\":\"full\"}")).message() ==
        "server: the full transport has no obfuscated form (use abridged, intermediate or padded)");
  // A bad proxy sorts before a badly typed test: the proxy's error comes first.
  CHECK(apply_server_fields(s, server_of("{\"test\":1,\"proxy\":\"nonsense\"}")).message() ==
        "server.proxy: expected socks5://host:port, http://host:port or host:port:secret");
  CHECK(apply_server_fields(s, server_of("{\"dc\":4,\"test\":1}")).message() == "server.test: expected true or false");
  CHECK(s.to_json() == before.to_json());
  CHECK(s.dc == 1);
}

TEST_CASE("request: session fields", "[daemon][request]") {
  const std::string key = key_256();
  CHECK(session_of("5").message() == "'session' must be an object");
  CHECK(session_of("[]").message() == "'session' must be an object");
  CHECK(session_of("null").message() == "'session' must be an object");
  CHECK(session_of("{}")->empty);

  auto restore = session_of("{\"auth_key\":\"" + key + "\",\"dc\":3,\"user_id\":42,\"bot\":true,"
                            "\"server_salt\":18364758544493064720,\"time_offset\":-5,\"server\":{\"dc\":3}}");
  REQUIRE(restore);
  CHECK_FALSE(restore->empty);
  CHECK_FALSE(restore->name);
  CHECK(restore->late_error.ok());
  CHECK(restore->auth_key->at(0) == 7);
  CHECK(restore->dc == 3);
  CHECK(restore->user_id == 42);
  CHECK(restore->bot == true);
  CHECK(restore->server_salt == 18364758544493064720ull);
  CHECK(restore->time_offset == -5);
  CHECK(restore->server->dc == 3);

  auto late = [](const std::string& v) { return session_of(v)->late_error.message(); };
  CHECK(late("{\"dc\":2}") == "session: 'auth_key' is required to restore a session");
  CHECK(late("{\"since\":2,\"auth_key\":\"" + key + "\"}") == "session: unknown key 'since'");
  CHECK(late("{\"auth_key\":\"AAAA\"}") == "session.auth_key: expected 256 bytes, got 3");
  CHECK(late("{\"auth_key\":5}") == "session.auth_key: expected base64");
  // Sorted order: auth_key before bot before zzz.
  CHECK(late("{\"zzz\":1,\"bot\":1,\"auth_key\":\"AAAA\"}") == "session.auth_key: expected 256 bytes, got 3");
  CHECK(late("{\"zzz\":1,\"bot\":1,\"auth_key\":\"" + key + "\"}") == "session.bot: expected true or false");
  CHECK(late("{\"aaa\":1,\"auth_key\":\"AAAA\"}") == "session: unknown key 'aaa'");
}

TEST_CASE("request: named session fields", "[daemon][request]") {
  auto named = session_of("{\"name\":\"alice\",\"since\":12}");
  REQUIRE(named);
  CHECK(named->name == "alice");
  CHECK(named->since == 12u);
  CHECK(named->name_error.ok());
  CHECK(named->early_error.ok());
  CHECK(named->late_error.ok());
  CHECK(session_of("{\"name\":\"a\",\"since\":18446744073709551615}")->since == 18446744073709551615ull);

  CHECK(session_of("{\"name\":5}")->name_error.message() == "session.name: expected a string");
  CHECK(session_of("{\"name\":null}")->name == "");
  CHECK(session_of("{\"name\":\"a b\"}")->name_error.message().rfind("session.name: character ' ' at offset 1", 0) == 0);
  CHECK(session_of("{\"name\":\"\"}")->name_error.message().rfind("session.name: 0 characters", 0) == 0);
  const std::string since = "session.since: expected the seq of the last update seen (an integer >= 0)";
  CHECK(session_of("{\"name\":\"a\",\"since\":-1}")->early_error.message() == since);
  CHECK(session_of("{\"name\":\"a\",\"since\":1.5}")->early_error.message() == since);
  CHECK(session_of("{\"name\":\"a\",\"since\":\"1\"}")->early_error.message() == since);
  // Without auth_key only server and dc may come along.
  CHECK(session_of("{\"name\":\"a\",\"user_id\":5}")->early_error.message() ==
        "session: 'user_id' needs 'auth_key' (expected name, since, auth_key, dc, user_id, bot, server_salt, "
        "time_offset, server)");
  auto first = session_of("{\"name\":\"a\",\"dc\":4,\"server\":{\"port\":4431}}");
  CHECK(first->dc == 4);
  CHECK(first->server->port == 4431);
  CHECK(session_of("{\"name\":\"a\",\"dc\":0}")->late_error.message() == "session.dc: expected a DC id");
  // With auth_key: the restore object's rules (since and name are not its keys).
  auto with_key = session_of("{\"name\":\"a\",\"since\":3,\"auth_key\":\"" + key_256() + "\",\"user_id\":9}");
  CHECK(with_key->late_error.ok());
  CHECK(with_key->user_id == 9);
  CHECK(session_of("{\"name\":\"a\",\"auth_key\":\"" + key_256() + "\",\"user_id\":\"9\"}")->late_error.message() ==
        "session.user_id: expected an integer");
}

TEST_CASE("request: restoring a session applies its server first", "[daemon][request]") {
  SessionState s;
  ServerSettings srv;
  // Both wrong: the server object's error is the one reported.
  auto both = session_of("{\"auth_key\":\"AAAA\",\"server\":{\"port\":0}}");
  CHECK(restore_session(*both, s, srv).message() == "session.server.port: expected an integer 1..65535");
  auto ok = session_of("{\"auth_key\":\"" + key_256() + "\",\"server\":{\"dc\":5},\"user_id\":1}");
  REQUIRE(restore_session(*ok, s, srv).ok());
  CHECK(s.dc == 5);
  CHECK(srv.dc == 5);
  CHECK(s.user_id == 1);
  REQUIRE(s.key);
  CHECK(s.key->auth_key.key[0] == 7);
}
