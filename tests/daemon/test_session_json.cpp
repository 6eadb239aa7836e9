// The `session` object (src/daemon/front/session_json.h, read through request.h): written, read back, checked, and
// kept out of logs.
#include <catch2/catch.hpp>

#include "base/base64.h"
#include "crypto/kdf.h"
#include "crypto/sha.h"
#include "daemon/front/session_json.h"

using namespace mtjson;
using namespace mtjson::daemon;
using nlohmann::json;

namespace {

KeyState sample_key() {
  KeyState k;
  for (std::size_t i = 0; i < k.auth_key.key.size(); ++i) k.auth_key.key[i] = static_cast<std::uint8_t>(255 - i);
  k.auth_key.id = crypto::auth_key_id_u64(crypto::AuthKeyView(k.auth_key.key.data(), k.auth_key.key.size()));
  k.server_salt = 0xfedcba9876543210ull;  // above INT64_MAX: must survive as unsigned
  k.time_offset = std::chrono::seconds(-42);
  return k;
}

std::string b64(std::span<const std::uint8_t> bytes) { return base64_encode(bytes); }

// A session object as a client line carries it: text, parsed, then restored.
Status restore_from_json(const json& j, SessionState& s, ServerSettings& srv) {
  simdjson::dom::parser parser;
  simdjson::dom::element e;
  const std::string text = j.dump();
  if (parser.parse(text).get(e)) return Status::error("(not JSON)");
  auto fields = parse_session_fields(e);
  return fields ? restore_session(*fields, s, srv) : fields.status();
}

std::string read_error(const json& j) {
  SessionState s;
  ServerSettings srv;
  const Status st = restore_from_json(j, s, srv);
  if (st) return "(accepted)";
  return st.message();
}

}  // namespace

TEST_CASE("session json: round trip", "[daemon][session_json]") {
  SessionState s;
  s.dc = 4;
  s.key = sample_key();
  s.user_id = 777000123;
  s.bot = true;
  ServerSettings server;
  const json j = session_to_json(s, server);
  CHECK(j["dc"] == 4);
  CHECK(j["auth_key"] == b64(s.key->auth_key.key));
  CHECK(j["server_salt"].get<std::uint64_t>() == 0xfedcba9876543210ull);
  CHECK(j["time_offset"] == -42);
  CHECK(j["user_id"] == 777000123);
  CHECK(j["bot"] == true);
  // The server object from the home DC's side: production DC 4's address.
  CHECK(j["server"]["dc"] == 4);
  CHECK(j["server"]["host"] == "149.154.167.91");
  CHECK(j["server"]["port"] == 443);

  // Through text, as a client stores it.
  const json back = json::parse(j.dump());
  SessionState r;
  ServerSettings rs;
  const Status st = restore_from_json(back, r, rs);
  REQUIRE(st);
  CHECK(st.message().empty());
  CHECK(r.dc == 4);
  CHECK(r.user_id == 777000123);
  CHECK(r.bot);
  REQUIRE(r.key);
  CHECK(r.key->auth_key.key == s.key->auth_key.key);
  CHECK(r.key->auth_key.id == s.key->auth_key.id);
  CHECK(r.key->server_salt == s.key->server_salt);
  CHECK(r.key->time_offset == s.key->time_offset);
  CHECK(rs.dc == 4);
  CHECK(session_to_json(r, rs) == j);
}

TEST_CASE("session json: auth_key_id is the low 64 bits of SHA1(auth_key)", "[daemon][session_json]") {
  std::array<std::uint8_t, 256> key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i * 31 + 7);
  SessionState s;
  ServerSettings srv;
  REQUIRE(restore_from_json({{"auth_key", b64(key)}}, s, srv));
  REQUIRE(s.key);
  // "Mobile Protocol: Detailed Description": "the 64 lower-order bits of the SHA1 hash of the authorization key",
  // i.e. SHA1 bytes 12..19 read little-endian.
  const auto h = crypto::sha1(key);
  std::uint64_t expected = 0;
  for (int i = 19; i >= 12; --i) expected = expected << 8 | h[static_cast<std::size_t>(i)];
  CHECK(s.key->auth_key.id == expected);
  CHECK(s.key->auth_key.id == crypto::auth_key_id_u64(crypto::AuthKeyView(key.data(), key.size())));
  // Nothing else given: defaults.
  CHECK(s.dc == 2);
  CHECK(s.user_id == 0);
  CHECK(!s.bot);
  CHECK(s.key->server_salt == 0);
  CHECK(s.key->time_offset == Duration{});
}

TEST_CASE("session json: errors name the key", "[daemon][session_json]") {
  const std::string key = b64(sample_key().auth_key.key);
  CHECK(read_error(json::array()) == "'session' must be an object");
  CHECK(read_error(json::object()) == "session: 'auth_key' is required to restore a session");
  CHECK(read_error({{"dc", 2}}) == "session: 'auth_key' is required to restore a session");
  CHECK(read_error({{"auth_key", key}, {"phone", "+1"}}) == "session: unknown key 'phone'");
  CHECK(read_error({{"auth_key", 5}}) == "session.auth_key: expected base64");
  CHECK(read_error({{"auth_key", "!!!not base64!!!"}}).rfind("session.auth_key: expected base64 (", 0) == 0);
  CHECK(read_error({{"auth_key", "AAAA"}}) == "session.auth_key: expected 256 bytes, got 3");
  const std::array<std::uint8_t, 255> short_key{};
  CHECK(read_error({{"auth_key", b64(short_key)}}) == "session.auth_key: expected 256 bytes, got 255");
  CHECK(read_error({{"auth_key", key}, {"dc", 0}}) == "session.dc: expected a DC id");
  CHECK(read_error({{"auth_key", key}, {"dc", "2"}}) == "session.dc: expected a DC id");
  CHECK(read_error({{"auth_key", key}, {"user_id", "12"}}) == "session.user_id: expected an integer");
  CHECK(read_error({{"auth_key", key}, {"bot", 1}}) == "session.bot: expected true or false");
  CHECK(read_error({{"auth_key", key}, {"server_salt", "1"}}) == "session.server_salt: expected an integer");
  CHECK(read_error({{"auth_key", key}, {"time_offset", 1.5}}) == "session.time_offset: expected an integer");
  CHECK(read_error({{"auth_key", key}, {"server", {{"port", 0}}}}) ==
        "session.server.port: expected an integer 1..65535");
  CHECK(read_error({{"auth_key", key}, {"server", 5}}) == "session.server: expected an object");
  // "name" is a label a client may keep with its session.
  CHECK(read_error({{"auth_key", key}, {"name", "alice"}}) == "(accepted)");
}

TEST_CASE("session json: a failed read leaves session and server as they were", "[daemon][session_json]") {
  SessionState s;
  s.dc = 3;
  s.user_id = 5;
  ServerSettings srv;
  srv.host = "127.0.0.1";
  CHECK(!restore_from_json({{"auth_key", "AAAA"}, {"server", {{"host", "10.0.0.1"}}}}, s, srv));
  CHECK(s.dc == 3);
  CHECK(s.user_id == 5);
  CHECK(srv.host == "127.0.0.1");
}

TEST_CASE("session json: a custom server with several DCs points at the home DC", "[daemon][session_json]") {
  ServerSettings server;
  REQUIRE(server.apply({{"host", "127.0.0.1"}, {"port", 4431}, {"dc", 1}}));
  server.dc_addresses = {{1, {"127.0.0.1", 4431}}, {2, {"127.0.0.1", 4432}}, {3, {"127.0.0.1", 4433}}};
  SessionState s;
  s.dc = 2;
  s.key = sample_key();
  const json j = session_to_json(s, server);
  CHECK(j["server"]["dc"] == 2);
  CHECK(j["server"]["host"] == "127.0.0.1");
  CHECK(j["server"]["port"] == 4432);

  SECTION("restored on the same server: its DC list stays") {
    ServerSettings same = server;
    SessionState r;
    REQUIRE(restore_from_json(j, r, same));
    CHECK(r.dc == 2);
    CHECK(same.dc == 2);
    CHECK(same.dc_addresses.size() == 3);
    CHECK(same.address(2)->port == 4432);
    CHECK(same.address(1)->port == 4431);
  }
  SECTION("restored on a fresh daemon: the home DC is reachable") {
    ServerSettings fresh;
    SessionState r;
    REQUIRE(restore_from_json(j, r, fresh));
    REQUIRE(fresh.address(2));
    CHECK(fresh.address(2)->host == "127.0.0.1");
    CHECK(fresh.address(2)->port == 4432);
  }
  SECTION("an MTProxy is kept as it is (it reaches every DC)") {
    ServerSettings proxied = server;
    REQUIRE(proxied.apply({{"proxy", "proxy.example:443:0123456789abcdef0123456789abcdef"}}));
    const json p = session_to_json(s, proxied);
    CHECK(p["server"]["port"] == 4431);
    CHECK(p["server"]["proxy"] == "proxy.example:443:0123456789abcdef0123456789abcdef");
  }
  SECTION("the session's own dc wins over the server object's") {
    json k = j;
    k["dc"] = 3;
    ServerSettings fresh;
    SessionState r;
    REQUIRE(restore_from_json(k, r, fresh));
    CHECK(r.dc == 3);
    CHECK(fresh.dc == 3);
  }
}

TEST_CASE("session json: redact_secrets hides every auth_key", "[daemon][session_json]") {
  CHECK(redact_secrets(R"({"session":{"auth_key":"c2VjcmV0","dc":2}})") ==
        R"({"session":{"auth_key":"<redacted>","dc":2}})");
  CHECK(redact_secrets(R"([{"auth_key":"a"},{"auth_key":"b"}])") ==
        R"([{"auth_key":"<redacted>"},{"auth_key":"<redacted>"}])");
  CHECK(redact_secrets(R"({"auth_key":""})") == R"({"auth_key":"<redacted>"})");
  // Clients write JSON with spaces (Python's json.dumps does): still hidden.
  CHECK(redact_secrets(R"({"session": {"auth_key": "c2VjcmV0", "dc": 2}})") ==
        R"({"session": {"auth_key": "<redacted>", "dc": 2}})");
  CHECK(redact_secrets("{\"auth_key\" :\n\t\"c2VjcmV0\"}") == "{\"auth_key\" :\n\t\"<redacted>\"}");
  // Escapes inside the value (a JSON writer may write "\/") do not end it early.
  CHECK(redact_secrets(R"({"auth_key":"ab\/cd\"ef","x":1})") == R"({"auth_key":"<redacted>","x":1})");
  // Unchanged: no auth_key, a key that only looks similar, a non-string value.
  CHECK(redact_secrets(R"({"message":{"_cons":"help.getConfig"}})") == R"({"message":{"_cons":"help.getConfig"}})");
  CHECK(redact_secrets(R"({"auth_key_id":"5"})") == R"({"auth_key_id":"5"})");
  CHECK(redact_secrets(R"({"auth_key":null})") == R"({"auth_key":null})");
  // A line cut off inside the value: what is there is still hidden.
  CHECK(redact_secrets(R"({"auth_key":"c2Vj)") == R"({"auth_key":"<redacted>)");
  CHECK(redact_secrets(R"({"auth_key":"c2Vj\)") == R"({"auth_key":"<redacted>)");
  CHECK(redact_secrets(R"({"auth_key")") == R"({"auth_key")");
  // session_to_json output never leaks through.
  SessionState s;
  s.key = sample_key();
  const std::string text = session_to_json(s, ServerSettings{}).dump();
  const std::string red = redact_secrets(text);
  CHECK(red.find(b64(s.key->auth_key.key)) == std::string::npos);
  CHECK(red.find("<redacted>") != std::string::npos);
}
