// Property test: random byte streams (fixed seeds, bounded sizes) fed in random chunks to every
// decoder and to both connection ends. Nothing may crash or hang; the only outcomes are
// frames/events or an error with a non-empty reason, after which the decoder stays failed.
#include <catch2/catch.hpp>

#include "test_util.h"
#include "transport/client_connection.h"
#include "transport/server_connection.h"

using namespace mtjson;
using namespace mtjson::transport;
using namespace mtjson::transport::test;

namespace {

template <class Next>
void drain_checked(Next&& next, bool& failed, std::string& first_reason) {
  for (int guard = 0; guard < 100000; ++guard) {
    Decoded d = next();
    if (d.kind == Decoded::Kind::need_more) return;
    if (d.kind == Decoded::Kind::error) {
      REQUIRE_FALSE(d.reason.empty());
      if (failed) REQUIRE(d.reason == first_reason);
      failed = true;
      first_reason = d.reason;
      return;
    }
    REQUIRE_FALSE(failed);
  }
  FAIL("decoder did not stop producing events");
}

std::vector<std::uint8_t> random_stream(std::mt19937_64& gen) {
  // Mostly short streams; a biased first byte sometimes hits the interesting headers.
  auto v = random_bytes(gen, gen() % 600);
  if (!v.empty() && gen() % 3 == 0) {
    static const std::uint8_t firsts[] = {0xef, 0xee, 0xdd, 0x16, 0x7f, 0xff, 0x00};
    v[0] = firsts[gen() % std::size(firsts)];
    if (v.size() >= 4 && (v[0] == 0xee || v[0] == 0xdd)) v[1] = v[2] = v[3] = v[0];
    if (v.size() >= 3 && v[0] == 0x16) v[1] = 0x03, v[2] = 0x01;
  }
  return v;
}

}  // namespace

TEST_CASE("fuzz: codecs never crash on random streams", "[fuzz]") {
  std::mt19937_64 gen(2024);
  SeededRandom rng(1);
  Limits limits;
  limits.max_frame = 1 << 16;  // keeps "need more" streams bounded
  for (int i = 0; i < 4000; ++i) {
    const auto stream = random_stream(gen);
    for (Mode mode : {Mode::abridged, Mode::intermediate, Mode::padded_intermediate, Mode::full}) {
      for (Role role : {Role::client, Role::server}) {
        auto codec = make_codec(mode, role, limits, rng.as_fill());
        bool failed = false;
        std::string reason;
        for (auto piece : chunks(stream, gen, 1 + gen() % 64)) {
          codec->feed(piece);
          drain_checked([&] { return codec->next(); }, failed, reason);
        }
      }
    }
  }
}

TEST_CASE("fuzz: connections never crash on random streams", "[fuzz]") {
  std::mt19937_64 gen(77);
  SeededRandom rng(2);
  ServerOptions s;
  s.secrets = {*parse_proxy_secret("ee0123456789abcdef0123456789abcdef6578616d706c652e636f6d"),
               *parse_proxy_secret("dd99999999999999999999999999999999")};
  s.clock = [] { return std::int64_t{1707425104}; };
  s.limits.max_frame = 1 << 16;
  for (int i = 0; i < 3000; ++i) {
    const auto stream = random_stream(gen);
    ServerConnection server(s, rng);
    bool failed = false;
    std::string reason;
    for (auto piece : chunks(stream, gen, 1 + gen() % 64)) {
      server.on_bytes_received(piece);
      drain_checked([&] { return server.next(); }, failed, reason);
    }
    CHECK((server.established() || server.failed() || stream.size() < 600));

    // A client (each kind) receiving garbage from its server.
    ClientOptions c;
    c.mode = static_cast<Mode>(i % 4);
    if (i % 5 == 1) c.obfuscated = c.mode != Mode::full;
    if (i % 5 == 2) c.secret = s.secrets[0];
    if (i % 5 == 3) c.secret = s.secrets[1];
    ClientConnection client(c, rng);
    REQUIRE(client.start().ok());
    failed = false;
    for (auto piece : chunks(stream, gen, 1 + gen() % 64)) {
      client.on_bytes_received(piece);
      drain_checked([&] { return client.next(); }, failed, reason);
    }
  }
}
