// Property test: random and mutated bodies fed to both roles in every state never crash (run it
// under -Dsanitize=true) and, when they cannot be valid, return an error and fail the machine.
#include <catch2/catch.hpp>

#include "mtproto/handshake/ids.h"
#include "mtproto/handshake/messages.h"
#include "test_util.h"

using namespace mtjson;
using namespace mtjson::mtproto::handshake;
using namespace mtjson::mtproto::handshake::test;

namespace {

// Deterministic client/server pair driven to `stage` (0: client waits resPQ / server waits req_pq,
// 1: second message, 2: third).
struct Driven {
  SeededRandom crandom, srandom;
  ClientHandshake client;
  ServerHandshake server;
  Bytes to_server, to_client;

  Driven(int stage, std::uint64_t seed)
      : crandom(seed), srandom(seed + 1),
        client(client_config_for(selfmade_private_key()), crandom, fixed_clock(kNow)),
        server(server_config_with(selfmade_private_key()), srandom, fixed_clock(kNow)) {
    to_server = client.start();
    for (int i = 0; i <= stage; ++i) {
      to_client = server.on_message(to_server).value().send;
      if (i < stage) to_server = client.on_message(to_client).value().send;
    }
  }
};

const std::uint32_t kClientExpects[] = {ids::resPQ, ids::server_DH_params_ok, ids::dh_gen_ok};
const std::uint32_t kServerExpects[] = {ids::req_pq_multi, ids::req_DH_params, ids::set_client_DH_params};

Bytes random_body(SeededRandom& rnd, std::uint32_t constructor) {
  std::uint8_t len_byte[2];
  rnd.fill(len_byte);
  Bytes body((std::size_t(len_byte[0]) << 2 | (len_byte[1] & 3)) % 800);
  rnd.fill(body);
  // Half of the bodies start with the constructor the state expects, to get past the dispatch.
  if (body.size() >= 4 && (len_byte[1] & 4)) {
    for (int i = 0; i < 4; ++i) body[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(constructor >> (8 * i));
  }
  return body;
}

}  // namespace

TEST_CASE("random bodies are rejected by both roles in every state", "[handshake][fuzz]") {
  SeededRandom rnd(4242);
  for (int stage = 0; stage < 3; ++stage) {
    for (int i = 0; i < 100; ++i) {
      INFO("stage " << stage << " iteration " << i);
      // Each attempt fails the machine: drive a fresh pair (same seed) every time.
      const Bytes cbody = random_body(rnd, kClientExpects[stage]);
      const Bytes sbody = random_body(rnd, kServerExpects[stage]);
      {
        Driven d(stage, 900 + static_cast<std::uint64_t>(stage));
        auto c = d.client.on_message(cbody);
        CHECK_FALSE(c);
        CHECK(d.client.state() == ClientHandshake::State::Failed);
        CHECK_FALSE(c.message().empty());
        if (sbody != d.to_server) {
          auto s = d.server.on_message(sbody);
          if (stage == 0) {
            // Any 20-byte req_pq(_multi) is a valid query.
            CHECK((s.ok() || d.server.state() == ServerHandshake::State::Failed));
          } else {
            CHECK_FALSE(s);
            CHECK(d.server.state() == ServerHandshake::State::Failed);
          }
        }
      }
    }
  }
}

TEST_CASE("mutated genuine bodies never crash either role", "[handshake][fuzz]") {
  SeededRandom rnd(777);
  for (int stage = 0; stage < 3; ++stage) {
    for (int i = 0; i < 25; ++i) {
      INFO("stage " << stage << " iteration " << i);
      Driven d(stage, 500 + static_cast<std::uint64_t>(stage));
      Bytes c = d.to_client, s = d.to_server;
      std::uint8_t pick[4];
      rnd.fill(pick);
      c[pick[0] % c.size()] ^= static_cast<std::uint8_t>(pick[1] | 1);
      s[pick[2] % s.size()] ^= static_cast<std::uint8_t>(pick[3] | 1);
      auto cr = d.client.on_message(c);
      if (!cr) CHECK(d.client.state() == ClientHandshake::State::Failed);
      auto sr = d.server.on_message(s);
      if (!sr) CHECK(d.server.state() == ServerHandshake::State::Failed);
    }
  }
}
