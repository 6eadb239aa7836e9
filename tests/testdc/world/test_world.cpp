// Dispatch, malformed input, fault hooks, persistence.
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "world_fixture.h"

using namespace mtjson::testdc;
using namespace mtjson::testdc::test;

namespace {
std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("mtjson-world-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}
}  // namespace

TEST_CASE("world: unknown methods and malformed requests", "[testdc][dispatch]") {
  Fixture f;
  Caller c = Fixture::caller(1, 0x1);
  CHECK(f.err(c, {{"_cons", "messages.sendMedia"}}) == "400 METHOD_INVALID");
  CHECK(f.err(c, {{"_cons", "ping"}, {"ping_id", 1}}) == "400 METHOD_INVALID");
  CHECK(f.err(c, json::array()) == "400 INPUT_METHOD_INVALID");
  CHECK(f.err(c, {{"phone_number", "1"}}) == "400 INPUT_METHOD_INVALID");
  CHECK(f.err(c, {{"_cons", 5}}) == "400 INPUT_METHOD_INVALID");
  CHECK(f.err(c, {{"_cons", "auth.sendCode"}}) == "400 INPUT_REQUEST_INVALID");
  json bad = Fixture::send_code("9996611111");
  bad["api_id"] = 4294967296LL;  // not an int
  CHECK(f.err(c, bad) == "400 INPUT_REQUEST_INVALID");
  CHECK(f.err(Fixture::caller(9, 0x1), {{"_cons", "help.getConfig"}}) == "500 DC_ID_INVALID");
  // Methods that need a user, before sign-in.
  CHECK(f.err(c, {{"_cons", "users.getUsers"}, {"id", json::array()}}) == "401 AUTH_KEY_UNREGISTERED");
}

TEST_CASE("world: longs as decimal strings and bytes as URL-safe base64 are accepted", "[testdc][dispatch]") {
  Fixture f;
  json a = f.login("9996611601", 0x61);
  Caller c = Fixture::caller(1, 0x61);
  json peer = {{"_cons", "inputPeerUser"}, {"user_id", std::to_string(a["id"].get<std::int64_t>())},
               {"access_hash", std::to_string(static_cast<std::uint64_t>(a["access_hash"].get<std::int64_t>()))}};
  json r = f.ok(c, {{"_cons", "messages.sendMessage"}, {"peer", peer}, {"message", "x"}, {"random_id", "18446744073709551615"}});
  CHECK(r["id"] == 1);
  json again = f.ok(c, {{"_cons", "messages.sendMessage"}, {"peer", peer}, {"message", "x"}, {"random_id", -1}});
  CHECK(again == r);  // 2^64-1 is the 64-bit pattern of -1
  json ex = f.ok(c, {{"_cons", "auth.exportAuthorization"}, {"dc_id", 2}});
  std::string bytes = ex["bytes"];
  for (auto& ch : bytes) ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
  while (!bytes.empty() && bytes.back() == '=') bytes.pop_back();
  CHECK(f.ok(Fixture::caller(2, 0x62), {{"_cons", "auth.importAuthorization"}, {"id", ex["id"]}, {"bytes", bytes}})
            ["_cons"] == "auth.authorization");
}

TEST_CASE("world: forced errors (FLOOD_WAIT) for a method", "[testdc][faults]") {
  Fixture f;
  Caller c = Fixture::caller(1, 0x1);
  f.world.force_flood_wait("help.getConfig", 7, 2);
  CHECK(f.err(c, {{"_cons", "help.getConfig"}}) == "420 FLOOD_WAIT_7");
  CHECK(f.err(c, {{"_cons", "help.getConfig"}}) == "420 FLOOD_WAIT_7");
  f.ok(c, {{"_cons", "help.getConfig"}});
  f.ok(c, {{"_cons", "help.getNearestDc"}});

  f.world.force_error("help.getNearestDc", 500, "INTERNAL", -1);
  for (int i = 0; i < 3; ++i) CHECK(f.err(c, {{"_cons", "help.getNearestDc"}}) == "500 INTERNAL");
  f.world.clear_forced_errors();
  f.ok(c, {{"_cons", "help.getNearestDc"}});
  f.world.force_error("help.getNearestDc", 500, "INTERNAL", -1);
  f.world.force_error("help.getNearestDc", 0, "", 0);  // count 0 removes it
  f.ok(c, {{"_cons", "help.getNearestDc"}});
}

TEST_CASE("world: clock offset", "[testdc][faults]") {
  Fixture f;
  CHECK(f.world.now() == 1700000000);
  f.world.set_clock_offset(-100);
  CHECK(f.world.now() == 1699999900);
  CHECK(f.ok(Fixture::caller(1, 1), {{"_cons", "help.getConfig"}})["date"] == 1699999900);
  // Without an injected clock the system clock is used.
  World w{WorldOptions{}};
  CHECK(w.now() > 1700000000);
}

TEST_CASE("world: save/load round trip keeps accounts, keys, messages and pts; file is 0600", "[testdc][persist]") {
  std::string dir = temp_dir("roundtrip");
  json a, b;
  std::int64_t state_pts = 0;
  json history_before;
  {
    Fixture f({SeedAccount{"9996621777", "Seeded", "", "", "pw"}});
    a = f.login("9996611701", 0x71, "Ann");
    b = f.login("9996611702", 0x72, "Ben");
    Caller ca = Fixture::caller(1, 0x71);
    f.ok(ca, Fixture::send(b, "persist me", 42));
    f.ok(ca, Fixture::send(b, "and me", 43));
    f.world.put_auth_key(AuthKeyRecord{0x71, 1, std::vector<std::uint8_t>(256, 0xAB)});
    state_pts = f.ok(Fixture::caller(1, 0x72), {{"_cons", "updates.getState"}})["pts"];
    history_before = f.ok(Fixture::caller(1, 0x72),
                          {{"_cons", "messages.getHistory"}, {"peer", Fixture::input_peer(a)}, {"offset_id", 0},
                           {"offset_date", 0}, {"add_offset", 0}, {"limit", 10}, {"max_id", 0}, {"min_id", 0}, {"hash", 0}});
    REQUIRE(f.world.save(dir).ok());
    REQUIRE(f.world.save(dir).ok());  // overwriting works too
  }
  struct stat st {};
  REQUIRE(::stat(World::file_path(dir).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  for (const auto& e : std::filesystem::directory_iterator(dir))  // no temporary file left behind
    CHECK(e.path().filename() == "world.json");

  Fixture g;
  auto loaded = World::load(dir, g.options({SeedAccount{"9996621777", "Other", "", "", ""}}));
  REQUIRE(loaded.ok());
  World& w = loaded.value();
  CHECK(w.user_of(0x71) == a["id"].get<std::int64_t>());
  auto key = w.find_auth_key(0x71);
  REQUIRE(key.has_value());
  CHECK(key->dc_id == 1);
  CHECK(key->key == std::vector<std::uint8_t>(256, 0xAB));
  CHECK_FALSE(w.find_auth_key(0x99).has_value());

  Caller cb = Fixture::caller(1, 0x72);
  CHECK(w.call(cb, {{"_cons", "updates.getState"}}).result["pts"] == state_pts);
  CallResult h = w.call(cb, {{"_cons", "messages.getHistory"}, {"peer", Fixture::input_peer(a)}, {"offset_id", 0},
                             {"offset_date", 0}, {"add_offset", 0}, {"limit", 10}, {"max_id", 0}, {"min_id", 0}, {"hash", 0}});
  REQUIRE(h.ok);
  CHECK(h.result == history_before);
  // random_id dedup survives the restart.
  CallResult again = w.call(Fixture::caller(1, 0x71), Fixture::send(b, "persist me", 42));
  REQUIRE(again.ok);
  CHECK(again.result["id"] == 1);
  // getDifference from 0 still has every message.
  CallResult d = w.call(cb, {{"_cons", "updates.getDifference"}, {"pts", 0}, {"date", 0}, {"qts", 0}});
  REQUIRE(d.ok);
  CHECK(d.result["new_messages"].size() == 2);
  // The seeded account kept its name and its 2FA password (the seed for an existing phone is ignored).
  Caller cs = Fixture::caller(2, 0x73);
  CallResult sent = w.call(cs, Fixture::send_code("9996621777"));
  REQUIRE(sent.ok);
  CallResult in = w.call(cs, Fixture::sign_in("9996621777", sent.result["phone_code_hash"], "22222"));
  CHECK(in.error_message == "SESSION_PASSWORD_NEEDED");
  // New users do not reuse ids.
  CallResult s2 = w.call(Fixture::caller(3, 0x74), Fixture::send_code("9996631703"));
  REQUIRE(s2.ok);
  w.call(Fixture::caller(3, 0x74), Fixture::sign_in("9996631703", s2.result["phone_code_hash"], "33333"));
  CallResult up = w.call(Fixture::caller(3, 0x74), Fixture::sign_up("9996631703", s2.result["phone_code_hash"], "New"));
  REQUIRE(up.ok);
  CHECK(up.result["user"]["id"] != a["id"]);
  CHECK(up.result["user"]["id"] != b["id"]);
  std::filesystem::remove_all(dir);
}

TEST_CASE("world: load of a missing, corrupt or foreign file", "[testdc][persist]") {
  std::string dir = temp_dir("bad");
  Fixture f;
  auto fresh = World::load(dir, f.options({SeedAccount{"9996611801", "S", "", "", ""}}));
  REQUIRE(fresh.ok());  // no file yet: a new seeded world
  CHECK(fresh->user_by_phone("+9996611801").has_value());

  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& text) { std::ofstream(World::file_path(dir)) << text; };
  write("{not json");
  auto r = World::load(dir, f.options({}));
  REQUIRE_FALSE(r.ok());
  CHECK(r.message().find("world.json") != std::string::npos);
  write(R"({"format":"something-else","version":1})");
  r = World::load(dir, f.options({}));
  REQUIRE_FALSE(r.ok());
  CHECK(r.message().find("not a mtjson-testdc world file") != std::string::npos);
  write(R"({"format":"mtjson-testdc-world","version":2})");
  r = World::load(dir, f.options({}));
  REQUIRE_FALSE(r.ok());
  CHECK(r.message().find("unsupported version 2") != std::string::npos);
  write(R"({"format":"mtjson-testdc-world","version":1,"next_user_id":5,"accounts":[{"id":"x"}],"authorizations":[],"auth_keys":[]})");
  r = World::load(dir, f.options({}));
  CHECK_FALSE(r.ok());
  std::filesystem::remove_all(dir);
}
