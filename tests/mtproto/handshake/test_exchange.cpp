// Client vs server in memory through plain-message envelopes.
#include <catch2/catch.hpp>

#include <set>

#include "crypto/kdf.h"
#include "crypto/rsa_pad.h"
#include "mtproto/handshake/ids.h"
#include "mtproto/handshake/messages.h"
#include "test_util.h"

using namespace mtjson;
using namespace mtjson::mtproto::handshake;
using namespace mtjson::mtproto::handshake::test;

namespace {
}

TEST_CASE("100 client/server exchanges with different seeds all agree", "[handshake][exchange]") {
  std::set<std::uint64_t> key_ids;
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    INFO("seed " << seed);
    SeededRandom crandom(seed * 2), srandom(seed * 2 + 1);
    const auto skew = static_cast<std::int64_t>(seed) - 50;  // server clock ahead or behind
    ClientHandshake client(client_config_for(selfmade_private_key()), crandom, fixed_clock(kNow));
    ServerHandshake server(server_config_with(selfmade_private_key()), srandom, fixed_clock(kNow + skew));
    auto st = run_pipe(client, server, fixed_clock(kNow));
    REQUIRE(st.ok());
    REQUIRE(client.done());
    REQUIRE(server.done());
    const auto& c = client.result();
    const auto& s = server.result();
    CHECK(c.auth_key.key == s.auth_key.key);
    CHECK(c.auth_key.id == s.auth_key.id);
    CHECK(c.auth_key.id == crypto::auth_key_id_u64(c.auth_key.key));
    CHECK(c.server_salt == s.server_salt);
    CHECK(c.server_time_offset == skew);
    CHECK(c.expires_at == 0);
    CHECK_FALSE(s.temp);
    key_ids.insert(c.auth_key.id);
  }
  CHECK(key_ids.size() == 100);
}

TEST_CASE("temporary keys: p_q_inner_data_temp_dc and expires_in end to end", "[handshake][exchange][temp]") {
  SeededRandom crandom(11), srandom(12);
  ClientConfig cc = client_config_for(selfmade_private_key());
  cc.expires_in = 3600;
  ClientHandshake client(std::move(cc), crandom, fixed_clock(kNow));
  std::uint32_t inner_id = 0;
  client.set_observer([&](std::string_view name, std::span<const std::uint8_t> v) {
    if (name == "p_q_inner_data") inner_id = peek_constructor(v);
  });
  ServerHandshake server(server_config_with(selfmade_private_key()), srandom, fixed_clock(kNow + 3));
  REQUIRE(run_pipe(client, server, fixed_clock(kNow)).ok());
  CHECK(inner_id == ids::p_q_inner_data_temp_dc);
  CHECK(client.result().expires_at == kNow + 3600);
  CHECK(server.result().temp);
  CHECK(server.result().expires_in == 3600);
  CHECK(server.result().expires_at == kNow + 3 + 3600);
  CHECK(client.result().auth_key.key == server.result().auth_key.key);
}

TEST_CASE("dc id: test and media DCs, mismatch rejected, or accepted and recorded", "[handshake][exchange][dc]") {
  CHECK(wire_dc_id(2, false, false) == 2);
  CHECK(wire_dc_id(2, true, false) == 10002);
  CHECK(wire_dc_id(4, false, true) == -4);
  CHECK(wire_dc_id(4, true, true) == -10004);

  SeededRandom crandom(21), srandom(22);
  ClientConfig cc = client_config_for(selfmade_private_key(), 2);
  cc.test_dc = true;
  {
    ClientHandshake client(cc, crandom, fixed_clock(kNow));
    ServerHandshake server(server_config_with(selfmade_private_key(), 10002), srandom, fixed_clock(kNow));
    REQUIRE(run_pipe(client, server, fixed_clock(kNow)).ok());
    CHECK(server.result().dc == 10002);
  }
  {
    ClientHandshake client(cc, crandom, fixed_clock(kNow));
    ServerHandshake server(server_config_with(selfmade_private_key(), 2), srandom, fixed_clock(kNow));
    auto st = run_pipe(client, server, fixed_clock(kNow));
    CHECK(st.message() == "server handshake: p_q_inner_data: dc 10002 is not this DC (2)");
    CHECK(server.state() == ServerHandshake::State::Failed);
  }
  {
    ClientHandshake client(cc, crandom, fixed_clock(kNow));
    ServerConfig sc = server_config_with(selfmade_private_key(), 2);
    sc.require_dc_match = false;
    ServerHandshake server(std::move(sc), srandom, fixed_clock(kNow));
    REQUIRE(run_pipe(client, server, fixed_clock(kNow)).ok());
    CHECK(server.result().has_dc);
    CHECK(server.result().dc == 10002);
  }
}

TEST_CASE("server accepts the legacy req_DH_params encryption, unless disabled", "[handshake][exchange][legacy]") {
  auto legacy = [](std::span<const std::uint8_t> data, const crypto::RsaPublicKey& key,
                   crypto::RandomSource& rnd) -> mtjson::Result<Bytes> { return crypto::rsa_legacy_encrypt(data, key, rnd); };
  for (bool accept : {true, false}) {
    SeededRandom crandom(31), srandom(32);
    ClientHandshake client(client_config_for(selfmade_private_key()), crandom, fixed_clock(kNow));
    client.set_rsa_encrypt(legacy);
    ServerConfig sc = server_config_with(selfmade_private_key());
    sc.accept_legacy_encryption = accept;
    ServerHandshake server(std::move(sc), srandom, fixed_clock(kNow));
    auto st = run_pipe(client, server, fixed_clock(kNow));
    if (accept) {
      REQUIRE(st.ok());
      CHECK(server.result().legacy_encryption);
      CHECK(client.result().auth_key.key == server.result().auth_key.key);
    } else {
      CHECK(st.message().rfind("server handshake: req_DH_params: encrypted_data: rsa_pad", 0) == 0);
    }
  }
}

TEST_CASE("legacy p_q_inner_data without dc (old clients) is accepted", "[handshake][exchange][legacy]") {
  // A client hook that re-encodes the inner data as plain p_q_inner_data (no dc).
  SeededRandom crandom(33), srandom(34);
  ClientHandshake client(client_config_for(selfmade_private_key()), crandom, fixed_clock(kNow));
  client.set_rsa_encrypt([](std::span<const std::uint8_t> data, const crypto::RsaPublicKey& key,
                            crypto::RandomSource& rnd) -> mtjson::Result<Bytes> {
    auto inner = parse_p_q_inner_data(data);
    if (!inner) return inner.status();
    inner->has_dc = false;
    return crypto::rsa_legacy_encrypt(serialize(*inner), key, rnd);
  });
  ServerHandshake server(server_config_with(selfmade_private_key()), srandom, fixed_clock(kNow));
  REQUIRE(run_pipe(client, server, fixed_clock(kNow)).ok());
  CHECK_FALSE(server.result().has_dc);
  CHECK(server.result().legacy_encryption);
}

TEST_CASE("req_pq (not _multi) is accepted", "[handshake][exchange]") {
  SeededRandom crandom(41), srandom(42);
  ClientConfig cc = client_config_for(selfmade_private_key());
  cc.req_pq_multi = false;
  ClientHandshake client(std::move(cc), crandom, fixed_clock(kNow));
  ServerHandshake server(server_config_with(selfmade_private_key()), srandom, fixed_clock(kNow));
  CHECK(client.last_sent().empty());
  {
    SeededRandom r(0);
    ClientConfig old_style;
    old_style.req_pq_multi = false;
    ClientHandshake probe(std::move(old_style), r, fixed_clock(kNow));
    CHECK(peek_constructor(probe.start()) == ids::req_pq);
  }
  REQUIRE(run_pipe(client, server, fixed_clock(kNow)).ok());
  CHECK(client.result().auth_key.key == server.result().auth_key.key);
}

TEST_CASE("client picks the one key it trusts among several offered", "[handshake][exchange]") {
  SeededRandom crandom(51), srandom(52);
  ClientHandshake client(client_config_for(selfmade_private_key()), crandom, fixed_clock(kNow));
  ServerConfig sc = server_config_with(other_private_key());
  sc.keys.push_back(selfmade_private_key());
  ServerHandshake server(std::move(sc), srandom, fixed_clock(kNow));
  REQUIRE(run_pipe(client, server, fixed_clock(kNow)).ok());
  CHECK(server.result().rsa_fingerprint == selfmade_private_key().public_key().fingerprint());
}

TEST_CASE("server configured from PEM", "[handshake][exchange]") {
  ServerConfig sc;
  CHECK(sc.add_key_pem(read_file("rsa_pad_selfmade_private.pem")).ok());
  CHECK_FALSE(sc.add_key_pem("not a pem").ok());
  REQUIRE(sc.keys.size() == 1);
  SeededRandom crandom(53), srandom(54);
  ClientHandshake client(client_config_for(selfmade_private_key()), crandom, fixed_clock(kNow));
  ServerHandshake server(std::move(sc), srandom, fixed_clock(kNow));
  REQUIRE(run_pipe(client, server, fixed_clock(kNow)).ok());
}

TEST_CASE("dh_gen_retry: a taken auth_key_id makes the client retry with retry_id", "[handshake][exchange][retry]") {
  SECTION("one collision, then ok") {
    SeededRandom crandom(61), srandom(62);
    ClientHandshake client(client_config_for(selfmade_private_key()), crandom, fixed_clock(kNow));
    ServerConfig sc = server_config_with(selfmade_private_key());
    std::vector<std::uint64_t> asked;
    sc.key_id_taken = [&](std::uint64_t id) {
      asked.push_back(id);
      return asked.size() == 1;
    };
    ServerHandshake server(std::move(sc), srandom, fixed_clock(kNow));
    REQUIRE(run_pipe(client, server, fixed_clock(kNow)).ok());
    CHECK(client.result().dh_gen_retries == 1);
    REQUIRE(asked.size() == 2);
    CHECK(asked[0] != asked[1]);  // a new b gave a new key
    CHECK(asked[1] == client.result().auth_key.id);
    CHECK(client.result().auth_key.key == server.result().auth_key.key);
  }
  SECTION("server gives up first: dh_gen_fail") {
    SeededRandom crandom(63), srandom(64);
    ClientHandshake client(client_config_for(selfmade_private_key()), crandom, fixed_clock(kNow));
    ServerConfig sc = server_config_with(selfmade_private_key());
    sc.max_dh_gen_retries = 2;
    sc.key_id_taken = [](std::uint64_t) { return true; };
    ServerHandshake server(std::move(sc), srandom, fixed_clock(kNow));
    CHECK(run_pipe(client, server, fixed_clock(kNow)).message() == "client handshake: dh_gen_fail received");
    CHECK(server.state() == ServerHandshake::State::Failed);
    CHECK(client.state() == ClientHandshake::State::Failed);
  }
  SECTION("client gives up first") {
    SeededRandom crandom(65), srandom(66);
    ClientConfig cc = client_config_for(selfmade_private_key());
    cc.max_dh_gen_retries = 1;
    ClientHandshake client(std::move(cc), crandom, fixed_clock(kNow));
    ServerConfig sc = server_config_with(selfmade_private_key());
    sc.key_id_taken = [](std::uint64_t) { return true; };
    ServerHandshake server(std::move(sc), srandom, fixed_clock(kNow));
    CHECK(run_pipe(client, server, fixed_clock(kNow)).message() == "client handshake: dh_gen_retry: too many retries");
  }
}

TEST_CASE("a repeated query gets the same answer; the client can re-send its last query", "[handshake][exchange]") {
  SeededRandom crandom(71), srandom(72);
  ClientHandshake client(client_config_for(selfmade_private_key()), crandom, fixed_clock(kNow));
  ServerHandshake server(server_config_with(selfmade_private_key()), srandom, fixed_clock(kNow));
  Bytes q = client.start();
  auto a1 = server.on_message(q);
  REQUIRE(a1);
  auto a2 = server.on_message(client.last_sent());  // the answer was "lost"
  REQUIRE(a2);
  CHECK(a1->send == a2->send);
  auto req = client.on_message(a2->send);
  REQUIRE(req);
  CHECK(client.last_sent() == req->send);
  auto b1 = server.on_message(req->send);
  auto b2 = server.on_message(req->send);
  REQUIRE(b1);
  REQUIRE(b2);
  CHECK(b1->send == b2->send);
  auto set = client.on_message(b1->send);
  REQUIRE(set);
  auto c1 = server.on_message(set->send);
  REQUIRE(c1);
  CHECK(c1->done);
  auto c2 = server.on_message(set->send);
  REQUIRE(c2);
  CHECK(c2->send == c1->send);
  auto done = client.on_message(c2->send);
  REQUIRE(done);
  CHECK(done->done);
}
