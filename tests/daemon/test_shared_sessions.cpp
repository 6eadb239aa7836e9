// Named shared sessions' sans-I/O pieces: session names, the update ring (seq, since, missed),
// --token parsing and checking, loopback detection, session files (round trip, validation,
// atomic 0600 writes) and the session directory lock.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon/options.h"
#include "daemon/sessions/access.h"
#include "daemon/sessions/session_file.h"
#include "daemon/sessions/session_name.h"
#include "daemon/sessions/update_ring.h"

using namespace mtjson::daemon;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/mtjson-sessions-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

KeyState key_of(std::uint8_t fill, std::uint64_t salt) {
  KeyState k;
  k.auth_key.key.fill(fill);
  k.auth_key.id = 0x1122334455667788ull;  // recomputed on load
  k.server_salt = salt;
  k.time_offset = std::chrono::seconds(-3);
  return k;
}

}  // namespace

TEST_CASE("session names: 1..64 of [A-Za-z0-9_.-], no leading dot") {
  CHECK(valid_session_name("alice"));
  CHECK(valid_session_name("A-b_c.9"));
  CHECK(valid_session_name(std::string(64, 'x')));
  CHECK(valid_session_name(std::string(65, 'x')).message().find("65 characters") != std::string::npos);
  CHECK_FALSE(valid_session_name(""));
  CHECK(valid_session_name(".hidden").message().find("starts with '.'") != std::string::npos);
  CHECK_FALSE(valid_session_name("../etc"));
  CHECK(valid_session_name("a b").message().find("' ' at offset 1") != std::string::npos);
  CHECK_FALSE(valid_session_name("a/b"));
  CHECK(valid_session_name(std::string("a\0b", 3)).message().find("byte 0") != std::string::npos);
}

TEST_CASE("update ring: seq grows, since replays in order, missed when evicted") {
  UpdateRing ring(3);
  CHECK(ring.since(0).updates.empty());
  CHECK_FALSE(ring.since(0).missed);
  for (int i = 1; i <= 5; ++i) CHECK(ring.push("u" + std::to_string(i)) == static_cast<std::uint64_t>(i));
  CHECK(ring.size() == 3);
  CHECK(ring.last_seq() == 5);

  auto r = ring.since(3);  // 4, 5 held
  CHECK_FALSE(r.missed);
  REQUIRE(r.updates.size() == 2);
  CHECK(r.updates[0] == std::make_pair(std::uint64_t{4}, std::string("u4")));
  CHECK(r.updates[1] == std::make_pair(std::uint64_t{5}, std::string("u5")));

  r = ring.since(2);  // 3 is the oldest held: nothing lost
  CHECK_FALSE(r.missed);
  CHECK(r.updates.size() == 3);

  r = ring.since(1);  // 2 was evicted
  CHECK(r.missed);
  CHECK(r.oldest == 3);
  CHECK(r.updates.size() == 3);  // what is still held comes anyway

  r = ring.since(5);
  CHECK_FALSE(r.missed);
  CHECK(r.updates.empty());

  r = ring.since(9);  // from another numbering
  CHECK(r.missed);
  CHECK(r.updates.empty());
}

TEST_CASE("update ring: numbering continues after a restart; capacity 0 keeps nothing") {
  UpdateRing resumed(10, 1000);
  CHECK(resumed.since(1000).updates.empty());
  CHECK_FALSE(resumed.since(1000).missed);
  auto r = resumed.since(998);  // 999 and 1000 were before the restart
  CHECK(r.missed);
  CHECK(r.oldest == 1001);
  CHECK(resumed.push("x") == 1001);

  UpdateRing none(0);
  none.push("a");
  none.push("b");
  CHECK(none.size() == 0);
  CHECK(none.since(1).missed);
  CHECK_FALSE(none.since(2).missed);
}

TEST_CASE("--token specs: plain, limited to names, rejected forms") {
  auto e = parse_token_spec("s3cret-token");
  REQUIRE(e);
  CHECK(e->grant.all);
  CHECK(e->token == "s3cret-token");
  e = parse_token_spec("limited-token:alice,bob.2");
  REQUIRE(e);
  CHECK_FALSE(e->grant.all);
  CHECK(e->grant.allows("alice"));
  CHECK(e->grant.allows("bob.2"));
  CHECK_FALSE(e->grant.allows("carol"));
  e = parse_token_spec("short");
  CHECK_FALSE(e);
  CHECK(e.message().find("8..256") != std::string::npos);
  CHECK(e.message().find("short") == std::string::npos);  // the token is never echoed
  CHECK_FALSE(parse_token_spec("has space token"));
  CHECK_FALSE(parse_token_spec("good-token:"));
  CHECK_FALSE(parse_token_spec("good-token:alice,,bob"));
  e = parse_token_spec("good-token:al/ice");
  CHECK_FALSE(e);
  CHECK(e.message().find("session.name") != std::string::npos);
}

TEST_CASE("token set: exact match only, grants per token") {
  TokenSet set;
  CHECK(set.empty());
  auto a = parse_token_spec("full-access-1");
  auto b = parse_token_spec("only-alice-2:alice");
  REQUIRE(a);
  REQUIRE(b);
  set.add(*a);
  set.add(*b);
  CHECK_FALSE(set.empty());
  auto g = set.check("full-access-1");
  REQUIRE(g);
  CHECK(g->all);
  g = set.check("only-alice-2");
  REQUIRE(g);
  CHECK_FALSE(g->all);
  CHECK(g->allows("alice"));
  CHECK_FALSE(set.check("full-access-"));
  CHECK_FALSE(set.check("full-access-12"));
  CHECK_FALSE(set.check(""));
  CHECK_FALSE(set.check("only-alice-2:alice"));
}

TEST_CASE("loopback addresses") {
  CHECK(is_loopback_address("127.0.0.1"));
  CHECK(is_loopback_address("127.1.2.3"));
  CHECK(is_loopback_address("::1"));
  CHECK(is_loopback_address("::ffff:127.0.0.1"));
  CHECK_FALSE(is_loopback_address("0.0.0.0"));
  CHECK_FALSE(is_loopback_address("::"));
  CHECK_FALSE(is_loopback_address("192.168.1.10"));
  CHECK_FALSE(is_loopback_address("localhost"));  // not an address: the daemon rejects it anyway
}

TEST_CASE("options: session and access flags") {
  auto p = parse_options({"--session-dir", "/tmp/x", "--session-idle-timeout", "0", "--session-buffer", "5",
                          "--token", "abcdefgh1", "--token", "abcdefgh2:alice", "--insecure"});
  REQUIRE(p);
  const DaemonConfig& d = p->daemon;
  CHECK(d.session_dir == "/tmp/x");
  CHECK(d.session_idle_timeout == Duration::zero());
  CHECK(d.session_buffer == 5);
  CHECK(d.insecure);
  CHECK(d.tokens.check("abcdefgh1"));
  CHECK_FALSE(d.tokens.check("abcdefgh2")->all);
  auto defaults = parse_options({});
  REQUIRE(defaults);
  CHECK(defaults->daemon.session_idle_timeout == std::chrono::minutes(15));
  CHECK(defaults->daemon.session_buffer == 10000);
  CHECK(defaults->daemon.tokens.empty());
  CHECK(parse_options({"--token", "x"}).message().find("--token") == 0);
  CHECK(parse_options({"--session-buffer", "-1"}).message().find("--session-buffer") == 0);
  CHECK(parse_options({"--session-idle-timeout", "soon"}).message().find("--session-idle-timeout") == 0);
  CHECK(usage_text().find("--session-dir") != std::string::npos);
  CHECK(usage_text().find("--token") != std::string::npos);
}

TEST_CASE("options: integer and HOST:PORT values name the flag, the text and the range") {
  CHECK(parse_options({"--port", "x"}).message() == "--port: 'x' is not a port number (0..65535)");
  CHECK(parse_options({"--testdc-port", "65534"}).message() == "--testdc-port: '65534' is not a port number (0..65533)");
  CHECK(parse_options({"--dc", "0"}).message() == "--dc: '0' is not a DC id (1..1000)");
  CHECK(parse_options({"--dc"}).message() == "--dc needs a DC id");
  CHECK(parse_options({"--max-line", "10"}).message() == "--max-line: '10' is not a size in bytes (1024..2147483648)");
  CHECK(parse_options({"--server", "::1:443"}).message() == "--server: '::1:443' is not HOST:PORT ([ADDR]:PORT for IPv6)");
  auto v6 = parse_options({"--server", "[::1]:4430"});
  REQUIRE(v6);
  CHECK(v6->daemon.server.host == "::1");
  CHECK(v6->daemon.server.port == 4430);
  auto ok = parse_options({"--port", "0", "--testdc-admin", "0", "--dc", "4", "--api-id", "7"});
  REQUIRE(ok);
  CHECK(ok->daemon.port == 0);
  CHECK(ok->daemon.testdc_admin == -1);
  CHECK(ok->daemon.server.dc == 4);
  CHECK(ok->daemon.account.init.api_id == 7);
}

TEST_CASE("session records: round trip of every DC's key, server, update_state and seq") {
  SessionRecord r;
  r.name = "alice";
  r.state.dc = 2;
  r.state.key = key_of(7, 99);
  r.state.other_keys[1] = key_of(9, 5);
  r.state.user_id = 1000001;
  r.state.bot = true;
  r.server = {{"dc", 2}, {"host", "127.0.0.1"}, {"port", 4431}};
  r.update_state = {{"pts", 12}};
  r.seq = 4242;
  const nlohmann::json j = session_record_to_json(r);
  CHECK(j["version"] == 1);
  CHECK(j["dcs"].contains("2"));
  CHECK(j["dcs"].contains("1"));
  auto read = session_record_from_json(j);
  REQUIRE(read);
  SessionRecord back = *read;
  CHECK(back.name == "alice");
  CHECK(back.state.dc == 2);
  REQUIRE(back.state.key);
  CHECK(back.state.key->auth_key.key == r.state.key->auth_key.key);
  CHECK(back.state.key->server_salt == 99);
  CHECK(back.state.key->time_offset == std::chrono::seconds(-3));
  CHECK(back.state.key->auth_key.id != 0x1122334455667788ull);  // SHA1-derived, not taken from the file
  REQUIRE(back.state.other_keys.count(1));
  CHECK(back.state.other_keys[1].auth_key.key[0] == 9);
  CHECK(back.state.user_id == 1000001);
  CHECK(back.state.bot);
  CHECK(back.server == r.server);
  CHECK(back.update_state == r.update_state);
  CHECK(back.seq == 4242);
}

TEST_CASE("session records: bad files are named precisely") {
  auto error = [](const nlohmann::json& j) {
    auto r = session_record_from_json(j);
    return r ? std::string("(accepted)") : r.message();
  };
  CHECK(error(nlohmann::json::array()) == "expected a JSON object");
  CHECK(error({{"name", "a"}}).find("version") == 0);
  CHECK(error({{"version", 2}, {"name", "a"}, {"home_dc", 2}}).find("not supported") != std::string::npos);
  CHECK(error({{"version", 1}, {"name", "a"}, {"home_dc", 2}, {"dcs", {{"2", {{"auth_key", "AAAA"}}}}}}) ==
        "dcs.2.auth_key: expected 256 bytes, got 3");
  CHECK(error({{"version", 1}, {"name", "a"}, {"home_dc", 2}, {"dcs", {{"x", {}}}}}).find("'x' is not a DC id") !=
        std::string::npos);
  CHECK(error({{"version", 1}, {"name", "a"}, {"home_dc", 2}, {"seq", -1}}).find("seq") == 0);
}

TEST_CASE("session store: atomic 0600 files, load by name, missing is not an error") {
  TempDir tmp;
  const std::string dir = (tmp.path / "sessions").string();
  auto store = SessionStore::open(dir);
  REQUIRE(store);
  CHECK((fs::status(dir).permissions() & fs::perms::all) == fs::perms::owner_all);
  auto nobody = (*store)->load("nobody");
  REQUIRE(nobody);  // no file: not an error
  CHECK_FALSE(*nobody);

  SessionRecord r;
  r.name = "bob";
  r.state.dc = 1;
  r.state.key = key_of(3, 1);
  r.seq = 17;
  REQUIRE((*store)->save(r));
  const std::string path = (*store)->path_of("bob");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  r.seq = 18;
  REQUIRE((*store)->save(r));  // replaces
  auto loaded = (*store)->load("bob");
  REQUIRE(loaded);
  REQUIRE(*loaded);
  CHECK((*loaded)->seq == 18);
  CHECK((*loaded)->state.dc == 1);
  for (auto& e : fs::directory_iterator(dir)) CHECK(e.path().filename().string().find(".tmp") == std::string::npos);

  std::ofstream(dir + "/broken.json") << "{not json";
  CHECK((*store)->load("broken").message().find("broken.json: not valid JSON") != std::string::npos);
  std::ofstream(dir + "/other.json") << session_record_to_json(r).dump();
  CHECK((*store)->load("other").message().find("holds session 'bob'") != std::string::npos);
}

TEST_CASE("session store: a second open of the same directory reports the lock and the pid") {
  TempDir tmp;
  const std::string dir = tmp.path.string();
  auto first = SessionStore::open(dir);
  REQUIRE(first);
  auto second = SessionStore::open(dir);
  REQUIRE_FALSE(second);
  CHECK(second.message().find(dir) != std::string::npos);
  CHECK(second.message().find("in use by another mtjson (pid " + std::to_string(::getpid()) + ")") != std::string::npos);
  first->reset();
  auto third = SessionStore::open(dir);
  CHECK(third);  // released with the first
}

TEST_CASE("update ring: restore takes back a saved ring only when it ends at last_seq, consecutively") {
  UpdateRing ring(3, 12);
  CHECK_FALSE(ring.restore({}));
  CHECK_FALSE(ring.restore({{10, "a"}, {11, "b"}}));              // ends before last_seq: a hole
  CHECK_FALSE(ring.restore({{9, "a"}, {11, "b"}, {12, "c"}}));    // not consecutive
  CHECK(ring.size() == 0);
  REQUIRE(ring.restore({{8, "w"}, {9, "x"}, {10, "a"}, {11, "b"}, {12, "c"}}));
  CHECK(ring.size() == 3);  // the newest `capacity`
  auto r = ring.since(10);
  CHECK_FALSE(r.missed);
  REQUIRE(r.updates.size() == 2);
  CHECK(r.updates[0] == UpdateRing::Entry{11, "b"});
  CHECK(r.updates[1] == UpdateRing::Entry{12, "c"});
  CHECK(ring.since(8).missed);  // 9 was dropped for capacity
  CHECK(ring.push("d") == 13);
}

TEST_CASE("session store: the update ring is saved beside the session and read back verbatim") {
  TempDir tmp;
  const std::string dir = tmp.path.string();
  auto store = SessionStore::open(dir);
  REQUIRE(store);
  auto none = (*store)->load_updates("carol");
  REQUIRE(none);  // no file: nothing to restore, not an error
  CHECK_FALSE(*none);

  UpdateRing ring(10, 40);
  ring.push(R"({"_cons":"updateShort","update":{"_cons":"updateUserStatus","user_id":1},"date":5})");
  ring.push(R"({"_cons":"updates","text":"caf\u00e9 \"quoted\" é","n":1.5})");
  REQUIRE((*store)->save_updates("carol", ring));
  const std::string path = (*store)->updates_path_of("carol");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  auto read = (*store)->load_updates("carol");
  REQUIRE(read);
  auto& saved = *read;
  REQUIRE(saved);
  CHECK(saved->last_seq == 42);
  REQUIRE(saved->entries.size() == 2);
  CHECK(saved->entries[0].first == 41);
  CHECK(saved->entries[1] == ring.entries()[1]);  // byte for byte

  UpdateRing back(10, 42);
  CHECK(back.restore(saved->entries));
  CHECK(back.since(40).updates.size() == 2);

  // Damaged files are named with the line at fault.
  std::ofstream(dir + "/dave.updates.jsonl") << R"({"version":1,"name":"dave","last_seq":3})" << "\n"
                                             << R"({"seq":3,"message":[1]})" << "\n";
  CHECK((*store)->load_updates("dave").message().find("dave.updates.jsonl:2: message: expected an object") != std::string::npos);
  std::ofstream(dir + "/erin.updates.jsonl") << R"({"version":1,"name":"dave","last_seq":3})" << "\n";
  CHECK((*store)->load_updates("erin").message().find("erin.updates.jsonl:1: name: expected 'erin'") != std::string::npos);
}
