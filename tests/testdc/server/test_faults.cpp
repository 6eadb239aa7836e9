// Fault injection end to end: every admin command and fault flag, observed through our own
// client stack (test_client.h) on real loopback connections.
#include <catch2/catch.hpp>
#include <openssl/sha.h>

#include <asio/read_until.hpp>
#include <asio/streambuf.hpp>
#include <atomic>
#include <istream>

#include "mtproto/session/packet_crypto.h"
#include "test_client.h"
#include "testdc/server/admin_listener.h"
#include "testdc/server/options.h"

using namespace mtjson;
using namespace mtjson::testdc::server;
using namespace mtjson::testdc::server::test;
using nlohmann::json;

namespace {

const char* kNearestDc = R"({"_cons":"help.getNearestDc"})";
const char* kGetConfig = R"({"_cons":"help.getConfig"})";

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Acks only ride along with other messages: one query = exactly one encrypted packet.
mtproto::session::ClientConfig piggyback_acks() {
  mtproto::session::ClientConfig cfg;
  cfg.ack_delay = std::chrono::hours(1);
  return cfg;
}

struct Faults {
  explicit Faults(const std::function<void(ServerConfig&)>& configure = {}) : server({}, {}, true, configure) {}

  TestServer server;
  ClientCodec c228{load_api("scheme.tl")};

  std::unique_ptr<TestClient> connect(int dc = 2, transport::ClientOptions options = {}) {
    auto c = std::make_unique<TestClient>(server.port(dc), dc, std::move(options));
    c->handshake(test_rsa_key().public_key());
    c->start_session(piggyback_acks());
    return c;
  }
  json admin(const json& command) {
    json a = server.server->admin(command);
    INFO(command.dump() << " -> " << a.dump());
    REQUIRE(a["ok"] == true);
    return a;
  }
  json stats() { return admin({{"stats", json::object()}})["stats"]; }
  // Waits until a stats counter reaches `value`.
  bool wait_stat(const std::string& name, std::uint64_t value, int ms = 5000) {
    for (int waited = 0; waited < ms; waited += 10) {
      if (stats()[name].get<std::uint64_t>() >= value) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
};

// Sends a query; true when answered, false when the connection was cut first.
bool answered_or_cut(TestClient& c, Bytes body, std::uint64_t token) {
  c.send_query(std::move(body), token);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!c.has_reply(token) && !c.closed) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("neither answer nor close");
    c.pump(20);
  }
  return c.has_reply(token);
}

void pump_until_pong(TestClient& c, std::size_t pongs) {
  for (int i = 0; i < 500 && c.pongs < pongs; ++i) c.pump(10);
  REQUIRE(c.pongs >= pongs);
}

}  // namespace

TEST_CASE_METHOD(Faults, "drop_connections cuts client connections; sessions and keys survive", "[testdc][faults]") {
  auto c1 = connect(1);
  auto c2 = connect(2);
  REQUIRE(c1->call(c228.encode(kNearestDc)).ok);
  REQUIRE(c2->call(c228.encode(kNearestDc)).ok);

  json a = admin({{"drop_connections", {{"dc", 1}}}});
  CHECK(a["closed"] == 1);
  CHECK(c1->wait_closed());
  CHECK(c2->call(c228.encode(kNearestDc)).ok);  // DC 2 untouched

  a = admin({{"drop_connections", json::object()}});
  CHECK(a["closed"] == 1);  // only DC 2's connection was still open
  CHECK(c2->wait_closed());
  CHECK(server.wait_logged("fault drop_connections: 1 connection(s) cut on dc1"));

  // Same key, same session, new TCP connection: no new handshake needed.
  c1->reconnect();
  Reply r = c1->call(c228.encode(kNearestDc));
  REQUIRE(r.ok);
  CHECK(c228.decode_result(r.body, "help.getNearestDc")["this_dc"] == 1);
  json s = stats();
  CHECK(s["handshakes_completed"] == 2);
  CHECK(s["connections_accepted"] == 3);
  CHECK(s["dropped_by_faults"] == 2);
}

TEST_CASE_METHOD(Faults, "drop_after cuts each connection right after N encrypted packets", "[testdc][faults]") {
  auto c = connect(2);
  REQUIRE(c->call(c228.encode(kNearestDc)).ok);  // before the fault: not counted

  admin({{"drop_after", {{"messages", 3}}}});
  const std::size_t base = c->packets_sent;
  CHECK(answered_or_cut(*c, c228.encode(kNearestDc), 101));
  CHECK(answered_or_cut(*c, c228.encode(kNearestDc), 102));
  CHECK_FALSE(answered_or_cut(*c, c228.encode(kGetConfig), 103));  // processed, then cut
  CHECK(c->packets_sent - base == 3);
  CHECK(server.wait_logged("fault drop_after: cut after 3 encrypted packets"));

  // New connections are counted too; the answer to the third query comes on the next one.
  const std::size_t base2 = c->packets_sent;
  c->reconnect();
  for (std::uint64_t token = 200; answered_or_cut(*c, c228.encode(kNearestDc), token); ++token) REQUIRE(token < 210);
  CHECK(c->packets_sent - base2 == 3);
  CHECK(c->has_reply(103));

  // Cleared: no more cuts.
  admin({{"drop_after", nullptr}});
  c->reconnect();
  for (std::uint64_t token = 300; token < 306; ++token) CHECK(answered_or_cut(*c, c228.encode(kNearestDc), token));
  CHECK(stats()["dropped_by_faults"] == 2);
}

TEST_CASE_METHOD(Faults, "drop_after on one DC leaves the others alone", "[testdc][faults]") {
  auto c1 = connect(1);
  auto c2 = connect(2);
  admin({{"drop_after", {{"messages", 1}, {"dc", 2}}}});
  CHECK_FALSE(answered_or_cut(*c2, c228.encode(kNearestDc), 1));
  for (std::uint64_t token = 1; token < 4; ++token) CHECK(answered_or_cut(*c1, c228.encode(kNearestDc), token));
}

TEST_CASE_METHOD(Faults, "drop_rate 1 loses the packet with its connection; the client sends it again", "[testdc][faults]") {
  auto c = connect(2);
  REQUIRE(c->call(c228.encode(kGetConfig)).ok);
  admin({{"drop_rate", {{"p", 1.0}}}});
  CHECK_FALSE(answered_or_cut(*c, c228.encode(kNearestDc), 7));
  CHECK(server.wait_logged("fault drop_rate: packet lost, connection cut"));
  json s = stats();
  CHECK_FALSE(s["calls"].contains("help.getNearestDc"));  // never processed
  CHECK(s["dropped_by_faults"] == 1);

  admin({{"drop_rate", {{"p", 0}}}});
  c->reconnect();
  REQUIRE(c->wait(7).ok);
  CHECK(stats()["calls"]["help.getNearestDc"] == 1);
}

TEST_CASE_METHOD(Faults, "delay holds API answers but not service answers", "[testdc][faults]") {
  auto c = connect(2);
  REQUIRE(c->call(c228.encode(kNearestDc)).ok);
  admin({{"delay", {{"ms", 300}}}});
  const auto t0 = std::chrono::steady_clock::now();
  c->send_query(c228.encode(kNearestDc), 1);
  c->session->send_ping(42, now_tp());
  pump_until_pong(*c, 1);
  CHECK_FALSE(c->has_reply(1));  // the pong overtook the held answer
  REQUIRE(c->wait(1).ok);
  CHECK(std::chrono::steady_clock::now() - t0 >= std::chrono::milliseconds(300));  // coarse lower bound
  CHECK(server.wait_logged("fault delay: answer to msg_id"));
  // Errors are held as well, and order is kept.
  admin({{"error", {{"method", "help.getConfig"}, {"code", 500}, {"message", "INTERNAL"}}}});
  c->send_query(c228.encode(kGetConfig), 2);
  c->send_query(c228.encode(kNearestDc), 3);
  Reply e = c->wait(2);
  CHECK(e.code == 500);
  CHECK(c->wait(3).ok);
  admin({{"delay", {{"ms", 0}}}});
  CHECK(c->call(c228.encode(kNearestDc)).ok);
}

TEST_CASE_METHOD(Faults, "rotate_salt: bad_server_salt with the new salt, the request answered after the retry",
                 "[testdc][faults]") {
  auto c = connect(2);
  REQUIRE(c->call(c228.encode(kNearestDc)).ok);
  const std::uint64_t s0 = c->session->server_salt();
  json a = admin({{"rotate_salt", json::object()}});
  CHECK(a["sessions"] == 1);
  REQUIRE(c->call(c228.encode(kNearestDc)).ok);
  // The client only learns a salt from bad_server_salt here (no new session, no future_salts).
  const std::uint64_t s1 = c->session->server_salt();
  CHECK(s1 != s0);
  CHECK(stats()["salt_rotations"] == 1);
  CHECK(server.wait_logged("fault rotate_salt (admin): new salt for 1 auth key(s), 1 session(s)"));
  // A new session on the same key starts with the key's new salt.
  TestClient c2(server.port(2), 2);
  c2.start_session(c->key, s1);
  CHECK(c2.call(c228.encode(kNearestDc)).ok);
  CHECK(c2.session->server_salt() == s1);
}

TEST_CASE("--salt-rotate rotates every auth key's salt periodically", "[testdc][faults]") {
  Faults f([](ServerConfig& cfg) { cfg.faults.salt_rotate = std::chrono::seconds(1); });
  auto c = f.connect(2);
  REQUIRE(c->call(f.c228.encode(kNearestDc)).ok);
  const std::uint64_t s0 = c->session->server_salt();
  REQUIRE(f.wait_stat("salt_rotations", 1, 10000));
  REQUIRE(c->call(f.c228.encode(kNearestDc)).ok);
  CHECK(c->session->server_salt() != s0);
  CHECK(f.server.logged("fault rotate_salt (every 1 s)"));
  // reset stops it.
  f.admin({{"reset", json::object()}});
  const auto n = f.stats()["salt_rotations"].get<std::uint64_t>();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(f.stats()["salt_rotations"] == n);
}

TEST_CASE_METHOD(Faults, "flood_wait, error, migrate: forced rpc_errors by method name inside the wrappers",
                 "[testdc][faults]") {
  auto c = connect(2);
  admin({{"flood_wait", {{"method", "help.getConfig"}, {"seconds", 3}, {"count", 1}}}});
  Reply r = c->call(c228.encode(wrap_layer(228, kGetConfig)));  // invokeWithLayer(initConnection(...))
  CHECK_FALSE(r.ok);
  CHECK(r.code == 420);
  CHECK(r.message == "FLOOD_WAIT_3");
  CHECK(c->call(c228.encode(wrap_layer(228, kGetConfig))).ok);  // count 1: used up
  CHECK(server.wait_logged("fault error: help.getConfig -> 420 FLOOD_WAIT_3"));

  admin({{"flood_wait", {{"method", "*"}, {"seconds", 7}, {"count", 2}}}});
  r = c->call(c228.encode(R"({"_cons":"invokeWithoutUpdates","query":{"_cons":"help.getNearestDc"}})"));
  CHECK(r.message == "FLOOD_WAIT_7");
  const std::uint64_t after = c->send_query(c228.encode(kNearestDc), 50);
  REQUIRE(c->wait(50).code == 420);
  r = c->call(c228.encode(R"({"_cons":"invokeAfterMsg","msg_id":)" + std::to_string(after) +
                          R"(,"query":{"_cons":"help.getNearestDc"}})"));
  CHECK(r.code == 400);  // the awaited query failed: MSG_WAIT_FAILED, the fault is used up
  CHECK(r.message == "MSG_WAIT_FAILED");
  CHECK(c->call(c228.encode(kNearestDc)).ok);

  admin({{"error", {{"method", "help.getNearestDc"}, {"code", 500}, {"message", "INTERNAL"}}}});
  r = c->call(c228.encode(kNearestDc));
  CHECK(r.code == 500);
  CHECK(r.message == "INTERNAL");

  admin({{"migrate", {{"method", "help.getConfig"}, {"error", "NETWORK_MIGRATE_3"}}}});
  r = c->call(c228.encode(kGetConfig));
  CHECK(r.code == 303);
  CHECK(r.message == "NETWORK_MIGRATE_3");

  // Every call counts, faulted or not; every rpc_error is counted once.
  json s = stats();
  CHECK(s["calls"]["help.getConfig"] == 3);
  CHECK(s["calls"]["help.getNearestDc"] == 4);  // the MSG_WAIT_FAILED one never ran
  CHECK(s["rpc_errors_sent"] == 6);

  // Count -1: every call until reset.
  admin({{"error", {{"method", "help.getConfig"}, {"code", 401}, {"message", "AUTH_KEY_UNREGISTERED"}, {"count", -1}}}});
  for (int i = 0; i < 3; ++i) CHECK(c->call(c228.encode(kGetConfig)).code == 401);
  admin({{"reset", json::object()}});
  CHECK(c->call(c228.encode(kGetConfig)).ok);
}

TEST_CASE("--flood-wait METHOD:SECONDS:COUNT applies from the start", "[testdc][faults]") {
  auto fault = parse_flood_wait("help.getNearestDc:5:2");
  REQUIRE(fault);
  Faults f([&](ServerConfig& cfg) { cfg.faults.methods.push_back(*fault); });
  auto c = f.connect(2);
  for (int i = 0; i < 2; ++i) {
    Reply r = c->call(f.c228.encode(kNearestDc));
    CHECK(r.code == 420);
    CHECK(r.message == "FLOOD_WAIT_5");
  }
  CHECK(c->call(f.c228.encode(kNearestDc)).ok);
}

TEST_CASE_METHOD(Faults, "swallow: the call is acknowledged but never answered; later ones are", "[testdc][faults]") {
  auto c = connect(2);
  admin({{"swallow", {{"method", "help.getConfig"}}}});
  c->send_query(c228.encode(wrap_layer(228, kGetConfig)), 1);
  REQUIRE(c->call(c228.encode(kNearestDc)).ok);
  c->session->send_ping(9, now_tp());
  pump_until_pong(*c, 1);
  CHECK_FALSE(c->has_reply(1));
  // The server acknowledged it (msgs_ack), so the client will not send it again by itself.
  bool acked = false;
  for (const auto& [key, req] : c->session->table().all())
    if (req.token == 1) acked = req.state == mtproto::session::RequestState::acked;
  CHECK(acked);
  CHECK(server.wait_logged("fault swallow: help.getConfig"));
  CHECK(c->call(c228.encode(kGetConfig)).ok);  // count 1: the next one is answered
  CHECK_FALSE(c->has_reply(1));
}

TEST_CASE_METHOD(Faults, "destroy_keys: the next packet gets transport error -404; a new key works", "[testdc][faults]") {
  auto c = connect(2);
  REQUIRE(c->call(c228.encode(kNearestDc)).ok);
  json a = admin({{"destroy_keys", json::object()}});
  CHECK(a["destroyed"] == 1);
  c->send_query(c228.encode(kNearestDc), 5);
  for (int i = 0; i < 200 && !c->transport_error; ++i) c->pump(20);
  REQUIRE(c->transport_error);
  CHECK(*c->transport_error == -404);
  CHECK(c->wait_closed());
  // Still forgotten on a new connection.
  c->reconnect();
  for (int i = 0; i < 200 && !c->transport_error; ++i) c->pump(20);
  CHECK(c->transport_error == -404);
  CHECK(stats()["transport_errors_sent"] == 2);
  auto fresh = connect(2);
  CHECK(fresh->call(c228.encode(kNearestDc)).ok);
}

TEST_CASE_METHOD(Faults, "clock_skew: server_time, msg_ids and dates run ahead", "[testdc][faults]") {
  json a = admin({{"clock_skew", {{"seconds", 600}}}});
  CHECK(std::abs(a["server_time"].get<std::int64_t>() - (unix_now() + 600)) <= 5);
  auto c = connect(2);
  CHECK(std::abs(c->server_time_offset - 600) <= 5);  // the handshake's server_time
  c->session->set_time_offset(std::chrono::seconds(c->server_time_offset));
  Reply r = c->call(c228.encode(kGetConfig));
  REQUIRE(r.ok);
  CHECK(std::abs(c228.decode_result(r.body, "help.getConfig")["date"].get<std::int64_t>() - (unix_now() + 600)) <= 5);

  // A client that ignores the offset is corrected by bad_msg_notification 16 and still answered.
  auto naive = connect(2);
  naive->session->set_time_offset(std::chrono::seconds(0));
  CHECK(naive->call(c228.encode(kNearestDc)).ok);

  admin({{"reset", json::object()}});
  auto after = connect(2);
  CHECK(std::abs(after->server_time_offset) <= 5);
  CHECK(after->call(c228.encode(kNearestDc)).ok);
}

TEST_CASE("--clock-skew: a server behind the client", "[testdc][faults]") {
  Faults f([](ServerConfig& cfg) { cfg.faults.clock_skew = -600; });
  auto c = f.connect(2);
  CHECK(std::abs(c->server_time_offset + 600) <= 5);
  c->session->set_time_offset(std::chrono::seconds(c->server_time_offset));
  Reply r = c->call(f.c228.encode(kGetConfig));
  REQUIRE(r.ok);  // the key's salt is valid in the server's past too
  CHECK(std::abs(f.c228.decode_result(r.body, "help.getConfig")["date"].get<std::int64_t>() - (unix_now() - 600)) <= 5);
}

TEST_CASE_METHOD(Faults, "stats: connections, handshakes, calls by method, errors, drops", "[testdc][faults]") {
  json s = stats();
  CHECK(s["connections_open"] == 0);
  CHECK(s["connections_accepted"] == 0);
  CHECK(s["calls"].empty());
  auto c = connect(2);
  REQUIRE(c->call(c228.encode(wrap_layer(228, kGetConfig))).ok);
  REQUIRE(c->call(c228.encode(kGetConfig)).ok);
  admin({{"flood_wait", {{"method", "help.getConfig"}, {"seconds", 1}}}});
  REQUIRE(c->call(c228.encode(kGetConfig)).code == 420);
  s = stats();
  CHECK(s["connections_open"] == 1);
  CHECK(s["connections_accepted"] == 1);
  CHECK(s["handshakes_completed"] == 1);
  CHECK(s["calls"] == json{{"help.getConfig", 3}});
  CHECK(s["rpc_errors_sent"] == 1);
  CHECK(s["faults_fired"] == 1);
  CHECK(s["auth_keys"] == 1);
  CHECK(s["sessions"] == 1);
  admin({{"drop_connections", json::object()}});
  CHECK(c->wait_closed());
  s = stats();
  CHECK(s["connections_open"] == 0);
  CHECK(s["dropped_by_faults"] == 1);
  // reset clears faults, not counters.
  admin({{"reset", json::object()}});
  CHECK(stats()["rpc_errors_sent"] == 1);
}

TEST_CASE("admin TCP endpoint: JSON lines; bad lines get errors and the connection stays open", "[testdc][faults]") {
  Faults f([](ServerConfig& cfg) { cfg.admin_port = kAdminEphemeralPort; });
  const std::uint16_t port = f.server.server->admin_port();
  REQUIRE(port != 0);
  asio::io_context io;
  asio::ip::tcp::socket s(io);
  s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  std::string text = "not json\n{\"nope\":{}}\n\n{\"delay\":{\"ms\":\"x\"}}\r\n{\"stats\":{},\"reset\":{}}\n[]\n";
  text += "{\"flood_wait\":{\"method\":\"help.getConfig\",\"seconds\":2,\"count\":0,\"x\":1}}\n";
  text += std::string(AdminListener::kMaxLine + 10, 'x') + "\n";
  text += "{\"flood_wait\":{\"method\":\"help.getConfig\",\"seconds\":2}}\n{\"stats\":{}}\n";
  asio::write(s, asio::buffer(text));
  asio::streambuf buf;
  std::istream in(&buf);
  std::vector<json> answers;
  for (int i = 0; i < 9; ++i) {
    asio::read_until(s, buf, '\n');
    std::string line;
    std::getline(in, line);
    answers.push_back(json::parse(line));
  }
  auto error_of = [&](int i) { return answers[i]["ok"] == false ? answers[i]["error"].get<std::string>() : "(ok)"; };
  CHECK(error_of(0).rfind("not JSON: ", 0) == 0);
  CHECK(error_of(1) == "unknown command 'nope'");
  CHECK(error_of(2) == "delay.ms must be an integer (0..600000)");  // the blank line got no answer
  CHECK(error_of(3) == "a command object has exactly one key (the command), this one has 2");
  CHECK(error_of(4) == "a command is a JSON object, e.g. {\"stats\":{}}");
  CHECK(error_of(5) == "flood_wait: unknown field 'x'");
  CHECK(error_of(6) == "line longer than 1048576 bytes");
  CHECK(answers[7] == json{{"ok", true}});
  CHECK(answers[8]["ok"] == true);
  CHECK(answers[8]["stats"]["connections_open"] == 0);
  // The command took effect.
  auto c = f.connect(2);
  CHECK(c->call(f.c228.encode(kGetConfig)).message == "FLOOD_WAIT_2");
  // More validation, through the in-process API.
  auto err = [&](const json& cmd) { return f.server.server->admin(cmd)["error"].get<std::string>(); };
  CHECK(err({{"drop_after", {{"messages", 0}}}}) == "drop_after.messages is out of range (1..1000000000)");
  CHECK(err({{"drop_after", {{"messages", 1}, {"dc", 4}}}}) == "drop_after.dc is out of range (1..3)");
  CHECK(err({{"drop_rate", {{"p", 1.5}}}}) == "drop_rate.p is out of range (0..1)");
  CHECK(err({{"flood_wait", {{"method", "help.getConfg"}, {"seconds", 1}}}}) ==
        "flood_wait.method: 'help.getConfg' is not a method of any loaded layer (or \"*\")");
  CHECK(err({{"flood_wait", {{"method", "help.getConfig"}}}}) == "flood_wait: missing field 'seconds'");
  CHECK(err({{"migrate", {{"method", "*"}, {"error", "FLOOD_WAIT_3"}}}}) ==
        "migrate.error: 'FLOOD_WAIT_3' is not X_MIGRATE_N (e.g. NETWORK_MIGRATE_3)");
  CHECK(err({{"error", {{"method", "*"}, {"code", 0}, {"message", "X"}}}}) == "error.code must not be 0");
  CHECK(err({{"swallow", {{"method", "*"}, {"count", 0}}}}) == "swallow.count must be >= 1, or -1 for every call");
  CHECK(err({{"clock_skew", {{"seconds", 1e12}}}}).rfind("clock_skew.seconds must be an integer", 0) == 0);
  CHECK(err({{"destroy_keys", 1}}) == "destroy_keys: the arguments must be an object");
}

TEST_CASE("quick ack: the token is SHA-256(auth_key[88..120] + plaintext)[0..4] with the MSB set", "[testdc][faults]") {
  Faults f;
  for (auto mode : {transport::Mode::abridged, transport::Mode::intermediate, transport::Mode::padded_intermediate}) {
    INFO(transport::mode_name(mode));
    transport::ClientOptions o;
    o.mode = mode;
    auto c = f.connect(2, o);
    const Bytes packet = c->send_query_quick_ack(f.c228.encode(kNearestDc), 1);
    REQUIRE(c->wait(1).ok);
    for (int i = 0; i < 50 && c->quick_acks.empty(); ++i) c->pump(10);
    REQUIRE(c->quick_acks.size() == 1);

    // Independently: decrypt, then OpenSSL's SHA-256 over the key part and the whole plaintext.
    mtproto::session::DecryptedMessage m;
    REQUIRE_FALSE(mtproto::session::decrypt_packet(c->key, crypto::Side::client, packet, m));
    std::vector<std::uint8_t> input(c->key.key.begin() + 88, c->key.key.begin() + 120);
    input.insert(input.end(), m.plaintext.begin(), m.plaintext.end());
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(input.data(), input.size(), digest);
    const std::uint32_t expected = (std::uint32_t(digest[0]) | std::uint32_t(digest[1]) << 8 |
                                    std::uint32_t(digest[2]) << 16 | std::uint32_t(digest[3]) << 24) |
                                   0x80000000u;
    CHECK(c->quick_acks[0] == expected);
    // Packets without the flag get none.
    REQUIRE(c->call(f.c228.encode(kNearestDc)).ok);
    c->pump(20);
    CHECK(c->quick_acks.size() == 1);
  }
  CHECK(f.stats()["quick_acks_sent"] == 3);
}

TEST_CASE("Server::admin is thread-safe before, during and after run()", "[testdc][faults]") {
  ServerConfig cfg;
  cfg.port = 0;
  cfg.dcs = 1;
  cfg.rsa_keys.push_back(test_rsa_key());
  cfg.layers = default_layers();
  auto created = Server::create(std::move(cfg));
  REQUIRE(created);
  Server& server = **created;
  // Not running yet: runs in the caller.
  CHECK(server.admin({{"delay", {{"ms", 5}}}})["ok"] == true);
  std::thread runner([&] { (void)server.run(); });
  std::atomic<int> ok{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t)
    callers.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        if (server.admin({{"flood_wait", {{"method", "*"}, {"seconds", 1}}}})["ok"] == true) ++ok;
        if (server.admin({{"stats", json::object()}})["ok"] == true) ++ok;
      }
    });
  for (auto& t : callers) t.join();
  CHECK(ok == 400);
  server.stop();
  runner.join();
  // Stopped: runs in the caller again.
  CHECK(server.admin({{"reset", json::object()}})["ok"] == true);
}

// A signed-in account on one connection, talking to @echo (each message is answered by a push).
struct EchoChat {
  Faults& f;
  std::unique_ptr<TestClient> c;
  json echo;

  EchoChat(Faults& faults, const std::string& phone) : f(faults), c(faults.connect(2)) {
    json sent = result("auth.sendCode", R"({"_cons":"auth.sendCode","phone_number":")" + phone +
                                            R"(","api_id":1,"api_hash":"x","settings":{"_cons":"codeSettings"}})");
    const std::string hash = sent["phone_code_hash"];
    const std::string code = std::string(5, phone[5]);  // 99966XYYYY lives on DC X, code XXXXX
    json auth = result("auth.signIn", R"({"_cons":"auth.signIn","phone_number":")" + phone +
                                          R"(","phone_code_hash":")" + hash + R"(","phone_code":")" + code + "\"}");
    if (auth["_cons"] == "auth.authorizationSignUpRequired")
      result("auth.signUp", R"({"_cons":"auth.signUp","phone_number":")" + phone + R"(","phone_code_hash":")" + hash +
                                R"(","first_name":"Gap","last_name":""})");
    echo = result("contacts.resolveUsername", R"({"_cons":"contacts.resolveUsername","username":"echo"})")["users"][0];
  }
  json result(const std::string& method, const std::string& text) {
    Reply r = c->call(f.c228.encode(text));
    INFO(method << ": " << r.code << " " << r.message);
    REQUIRE(r.ok);
    return f.c228.decode_result(r.body, method);
  }
  json send(const std::string& text, int random_id) {
    return result("messages.sendMessage",
                  R"({"_cons":"messages.sendMessage","peer":{"_cons":"inputPeerUser","user_id":)" + echo["id"].dump() +
                      R"(,"access_hash":)" + echo["access_hash"].dump() + R"(},"message":")" + text +
                      R"(","random_id":)" + std::to_string(random_id) + "}");
  }
  // Reads until `n` pushes in all have come (or 2 s).
  void wait_updates(std::size_t n) {
    for (int i = 0; i < 100 && c->updates.size() < n; ++i) c->pump(20);
  }
};

TEST_CASE_METHOD(Faults, "skip_updates: the next N update pushes are lost while pts advances", "[testdc][faults]") {
  EchoChat chat(*this, "9996620042");
  auto& c = chat.c;
  auto result = [&](const std::string& method, const std::string& text) { return chat.result(method, text); };
  auto send = [&](const std::string& text, int random_id) { return chat.send(text, random_id); };

  // Bad counts are refused.
  json bad = server.server->admin({{"skip_updates", {{"count", -1}}}});
  CHECK(bad["ok"] == false);
  CHECK(bad["error"] == "skip_updates.count is out of range (0..1000000000)");

  // @echo answers each message with a push: the first answer's push (pts 2) is lost.
  admin({{"skip_updates", {{"count", 1}}}});
  CHECK(send("one", 1)["pts"] == 1);
  CHECK(send("two", 2)["pts"] == 3);
  for (int i = 0; i < 100 && c->updates.empty(); ++i) c->pump(20);
  c->pump(100);  // anything else that might come
  REQUIRE(c->updates.size() == 1);
  json got = c228.decode_boxed(c->updates[0]);
  CHECK(got["_cons"] == "updateShortMessage");
  CHECK(got["pts"] == 4);
  CHECK(got["message"] == "two");
  CHECK(stats()["updates_skipped"] == 1);
  CHECK(server.wait_logged("fault skip_updates: update for session"));
  // The world still has it: getDifference from the client's pts 1 returns the lost message.
  json d = result("updates.getDifference", R"({"_cons":"updates.getDifference","pts":1,"date":0,"qts":0})");
  REQUIRE(d["new_messages"].size() == 3);
  CHECK(d["new_messages"][0]["message"] == "one");
  CHECK(d["state"]["pts"] == 4);

  // Used up: later pushes arrive; 0 (or reset) clears a pending count.
  send("three", 3);
  for (int i = 0; i < 100 && c->updates.size() < 2; ++i) c->pump(20);
  CHECK(c->updates.size() == 2);
  admin({{"skip_updates", {{"count", 5}}}});
  admin({{"skip_updates", {{"count", 0}}}});
  send("four", 4);
  for (int i = 0; i < 100 && c->updates.size() < 3; ++i) c->pump(20);
  CHECK(c->updates.size() == 3);
  admin({{"skip_updates", {{"count", 5}}}});
  admin({{"reset", json::object()}});
  send("five", 5);
  for (int i = 0; i < 100 && c->updates.size() < 4; ++i) c->pump(20);
  CHECK(c->updates.size() == 4);
  CHECK(stats()["updates_skipped"] == 1);
}

TEST_CASE_METHOD(Faults, "too_long_updates: the next N pushes become updatesTooLong", "[testdc][faults]") {
  EchoChat chat(*this, "9996620043");
  json bad = server.server->admin({{"too_long_updates", {{"count", "x"}}}});
  CHECK(bad["ok"] == false);
  CHECK(bad["error"].get<std::string>().find("too_long_updates.count") != std::string::npos);

  admin({{"too_long_updates", {{"count", 1}}}});
  CHECK(chat.send("one", 1)["pts"] == 1);
  chat.wait_updates(1);
  chat.send("two", 2);
  chat.wait_updates(2);
  chat.c->pump(100);
  REQUIRE(chat.c->updates.size() == 2);
  CHECK(c228.decode_boxed(chat.c->updates[0]) == json{{"_cons", "updatesTooLong"}});
  json second = c228.decode_boxed(chat.c->updates[1]);
  CHECK(second["_cons"] == "updateShortMessage");
  CHECK(second["message"] == "two");
  CHECK(stats()["updates_too_long"] == 1);
  CHECK(server.wait_logged("fault too_long_updates: updatesTooLong sent to session"));
  // What the replaced push held is in the difference.
  json d = chat.result("updates.getDifference", R"({"_cons":"updates.getDifference","pts":1,"date":0,"qts":0})");
  REQUIRE(d["new_messages"].size() == 3);
  CHECK(d["new_messages"][0]["message"] == "one");  // @echo's answer to "one", which became updatesTooLong
}

TEST_CASE_METHOD(Faults, "forget_sessions: keys stay, the next packet starts a new session without updates meanwhile",
                 "[testdc][faults]") {
  EchoChat chat(*this, "9996620044");
  chat.send("before", 1);
  chat.wait_updates(1);
  REQUIRE(chat.c->updates.size() == 1);
  const int sessions_before = chat.c->new_sessions;
  CHECK(admin({{"forget_sessions", json::object()}})["forgotten"].get<int>() >= 1);
  CHECK(stats()["sessions_forgotten"].get<int>() >= 1);
  CHECK(server.wait_logged("fault forget_sessions:"));
  // Same auth key, same session_id: the server no longer knows the session, so it starts one.
  json me = chat.result("users.getUsers", R"({"_cons":"users.getUsers","id":[{"_cons":"inputUserSelf"}]})");
  CHECK(me[0]["self"] == true);  // still signed in: the authorization hangs off the key
  CHECK(chat.c->new_sessions == sessions_before + 1);
}
