// Framing codecs: known answers from case1 of the vector file, round trips in both roles fed
// in chunks, quick ACKs, transport errors and every rejection with its message.
#include <catch2/catch.hpp>

#include "test_util.h"
#include "transport/abridged.h"
#include "transport/full.h"
#include "transport/intermediate.h"
#include "transport/padded_intermediate.h"

using namespace mtjson::transport;
using namespace mtjson::transport::test;

namespace {

std::vector<std::uint8_t> concat(std::vector<std::uint8_t> a, const std::vector<std::uint8_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<Decoded> drain(Codec& c) {
  std::vector<Decoded> out;
  for (;;) {
    Decoded d = c.next();
    if (d.kind == Decoded::Kind::need_more) break;
    bool stop = d.kind == Decoded::Kind::error;
    out.push_back(std::move(d));
    if (stop) break;
  }
  return out;
}

Decoded decode_one(Mode mode, Role role, const std::vector<std::uint8_t>& wire, Limits limits = {}) {
  auto c = make_codec(mode, role, limits);
  c->feed(wire);
  return c->next();
}

}  // namespace

TEST_CASE("codec: case1 client framings are byte-exact", "[codec][vectors]") {
  const auto payload = vec("case1_client_to_server", "payload");
  REQUIRE(payload.size() == 120);

  struct Case {
    Mode mode;
    const char* key;
  };
  for (auto [mode, key] : {Case{Mode::abridged, "transport_abridged_first_packet"},
                           Case{Mode::intermediate, "transport_intermediate_first_packet"},
                           Case{Mode::full, "transport_full_first_packet_seq0"}}) {
    INFO(mode_name(mode));
    auto client = make_codec(mode, Role::client);
    std::vector<std::uint8_t> wire = protocol_tag(mode);
    REQUIRE(client->encode(payload, wire).ok());
    CHECK(hex(wire) == hex(vec("case1_client_to_server", key)));

    // The server side (tag already consumed by detection) gets the payload back.
    auto server = make_codec(mode, Role::server);
    server->feed(std::span(wire).subspan(protocol_tag(mode).size()));
    Decoded d = server->next();
    REQUIRE(d.kind == Decoded::Kind::frame);
    CHECK(d.payload == payload);
    CHECK_FALSE(d.quick_ack_requested);
    CHECK(server->next().kind == Decoded::Kind::need_more);
  }
}

TEST_CASE("codec: round trip in both directions, any chunking", "[codec]") {
  std::mt19937_64 gen(42);
  SeededRandom rng(7);
  for (Mode mode : {Mode::abridged, Mode::intermediate, Mode::padded_intermediate, Mode::full}) {
    for (std::size_t max_chunk : {std::size_t{1}, std::size_t{3}, std::size_t{17}, std::size_t{5000}}) {
      INFO(mode_name(mode) << " max_chunk " << max_chunk);
      for (Role from : {Role::client, Role::server}) {
        const Role to = from == Role::client ? Role::server : Role::client;
        auto sender = make_codec(mode, from, {}, rng.as_fill());
        auto receiver = make_codec(mode, to, {}, rng.as_fill());
        std::vector<std::vector<std::uint8_t>> sent;
        std::vector<std::uint8_t> wire;
        // Sizes around the abridged 1-byte/4-byte boundary (127 words) and a big one.
        // Frames from a server shorter than any MTProto message (24 bytes) are read as transport
        // errors / quick ACKs, so the smallest here is 24.
        for (std::size_t words : {6, 7, 126, 127, 128, 300, 20000}) {
          auto p = random_bytes(gen, words * 4);
          REQUIRE(sender->encode(p, wire).ok());
          sent.push_back(std::move(p));
        }
        std::vector<std::vector<std::uint8_t>> got;
        for (auto piece : chunks(wire, gen, max_chunk)) {
          receiver->feed(piece);
          for (auto& d : drain(*receiver)) {
            INFO(d.reason);
            REQUIRE(d.kind == Decoded::Kind::frame);
            got.push_back(std::move(d.payload));
          }
        }
        REQUIRE(got.size() == sent.size());
        for (std::size_t i = 0; i < sent.size(); ++i) {
          if (mode == Mode::padded_intermediate) {
            // Up to 12 padding bytes may remain after the payload (see padded_intermediate.h).
            REQUIRE(got[i].size() >= sent[i].size());
            CHECK(got[i].size() - sent[i].size() <= 12);
            got[i].resize(sent[i].size());
          }
          CHECK(got[i] == sent[i]);
        }
        CHECK(receiver->buffered() == 0);
      }
    }
  }
}

TEST_CASE("codec: quick ACK request and token", "[codec][quick_ack]") {
  const std::uint32_t token = 0xb9d1aedaU;  // case1 quick_ack_token_uint32
  SeededRandom rng(1);
  for (Mode mode : {Mode::abridged, Mode::intermediate, Mode::padded_intermediate}) {
    INFO(mode_name(mode));
    auto client = make_codec(mode, Role::client, {}, rng.as_fill());
    auto server = make_codec(mode, Role::server, {}, rng.as_fill());
    std::vector<std::uint8_t> up;
    const std::vector<std::uint8_t> payload(600, 0x11);  // long abridged header too
    REQUIRE(client->encode(payload, up, true).ok());
    server->feed(up);
    Decoded d = server->next();
    REQUIRE(d.kind == Decoded::Kind::frame);
    CHECK(d.quick_ack_requested);

    std::vector<std::uint8_t> down;
    REQUIRE(server->encode_quick_ack(token, down).ok());
    client->feed(down);
    d = client->next();
    REQUIRE(d.kind == Decoded::Kind::quick_ack);
    CHECK(d.quick_ack_token == token);
    CHECK(client->next().kind == Decoded::Kind::need_more);
  }
  // Byte layouts from the spec: abridged sends the token byte-swapped, intermediate as is.
  std::vector<std::uint8_t> out;
  REQUIRE(AbridgedCodec(Role::server, {}).encode_quick_ack(token, out).ok());
  CHECK(hex(out) == "B9D1AEDA");
  out.clear();
  REQUIRE(IntermediateCodec(Role::server, {}).encode_quick_ack(token, out).ok());
  CHECK(hex(out) == "DAAED1B9");
  out.clear();
  REQUIRE(PaddedIntermediateCodec(Role::server, {}, {}).encode_quick_ack(token, out).ok());
  CHECK(hex(out) == "08000000FFFFFFFFDAAED1B9");
  // The abridged quick-ACK bit in the one-byte and the 0xff long header.
  out.clear();
  REQUIRE(AbridgedCodec(Role::client, {}).encode(std::vector<std::uint8_t>(8, 0), out, true).ok());
  CHECK(out[0] == 0x82);
  out.clear();
  REQUIRE(AbridgedCodec(Role::client, {}).encode(std::vector<std::uint8_t>(508, 0), out, true).ok());
  CHECK(hex(std::span(out).first(4)) == "FF7F0000");

  // Refusals.
  CHECK(FullCodec(Role::client, {}).encode(std::vector<std::uint8_t>(8, 0), out, true).message() ==
        "full: this transport has no quick ACK");
  CHECK(IntermediateCodec(Role::server, {}).encode(std::vector<std::uint8_t>(8, 0), out, true).message() ==
        "intermediate: only a client may request a quick ACK");
  CHECK(AbridgedCodec(Role::server, {}).encode_quick_ack(0x12345678, out).message() ==
        "abridged: quick ACK token must have its MSB set");
  CHECK(IntermediateCodec(Role::client, {}).encode_quick_ack(token, out).message() ==
        "intermediate: only a server sends quick ACKs");
}

TEST_CASE("codec: transport errors reach the client", "[codec][transport_error]") {
  SeededRandom rng(3);
  for (Mode mode : {Mode::abridged, Mode::intermediate, Mode::padded_intermediate, Mode::full}) {
    for (std::int32_t code : {-404, -429, -444}) {
      INFO(mode_name(mode) << " " << code);
      auto server = make_codec(mode, Role::server, {}, rng.as_fill());
      auto client = make_codec(mode, Role::client, {}, rng.as_fill());
      std::vector<std::uint8_t> down;
      REQUIRE(server->encode_transport_error(code, down).ok());
      client->feed(down);
      Decoded d = client->next();
      REQUIRE(d.kind == Decoded::Kind::transport_error);
      CHECK(d.error_code == code);
    }
  }
  // -404 in intermediate: length 4, then 6C FE FF FF.
  std::vector<std::uint8_t> out;
  REQUIRE(IntermediateCodec(Role::server, {}).encode_transport_error(-404, out).ok());
  CHECK(hex(out) == "040000006CFEFFFF");
  // A positive 4-byte payload is not a transport error.
  Decoded d = decode_one(Mode::intermediate, Role::client, unhex("0400000001000000"));
  REQUIRE(d.kind == Decoded::Kind::error);
  CHECK(d.reason == "intermediate: 4-byte frame is not a transport error (code 1)");
}

TEST_CASE("codec: malformed frames are rejected with a reason", "[codec][errors]") {
  Limits small;
  small.max_frame = 1024;
  struct Case {
    Mode mode;
    Role role;
    const char* wire;
    const char* reason;
    Limits limits;
  };
  const std::vector<Case> cases = {
      {Mode::abridged, Role::server, "00", "abridged: zero-length frame", {}},
      {Mode::abridged, Role::server, "7F000000", "abridged: zero-length frame", {}},
      {Mode::abridged, Role::server, "7F010100", "abridged: frame of 1028 bytes exceeds the limit of 1024", small},
      {Mode::abridged, Role::server, "7FFFFFFF", "abridged: frame of 67108860 bytes exceeds the limit of 16777216", {}},
      {Mode::intermediate, Role::server, "00000000", "intermediate: zero-length frame", {}},
      {Mode::intermediate, Role::server, "05000000", "intermediate: length 5 is not a multiple of 4", {}},
      {Mode::intermediate, Role::server, "04040000", "intermediate: frame of 1028 bytes exceeds the limit of 1024", small},
      {Mode::intermediate, Role::server, "FCFFFF7F", "intermediate: frame of 2147483644 bytes exceeds the limit of 16777216", {}},
      {Mode::padded_intermediate, Role::server, "03000000", "padded intermediate: frame of 3 bytes is too short", {}},
      {Mode::padded_intermediate, Role::server, "10040000",
       "padded intermediate: frame of 1040 bytes exceeds the limit of 1024", small},
      {Mode::padded_intermediate, Role::client, "04000080",
       "padded intermediate: server frame length has the quick-ACK bit set", {}},
      {Mode::padded_intermediate, Role::client, "0800000001000000AAAAAAAA",
       "padded intermediate: 8-byte frame is neither a quick ACK nor a transport error", {}},
      {Mode::full, Role::server, "08000000", "full: length 8 is shorter than the envelope plus 4 bytes", {}},
      {Mode::full, Role::server, "11000000", "full: length 17 is not a multiple of 4", {}},
      {Mode::full, Role::server, "10040000", "full: frame of 1028 bytes exceeds the limit of 1024", small},
  };
  for (const auto& c : cases) {
    INFO(mode_name(c.mode) << " " << c.wire);
    auto codec = make_codec(c.mode, c.role, c.limits);
    codec->feed(unhex(c.wire));
    Decoded d = codec->next();
    REQUIRE(d.kind == Decoded::Kind::error);
    CHECK(d.reason == c.reason);
    // Sticky: the connection is done, later bytes change nothing.
    codec->feed(unhex("0400000011111111"));
    d = codec->next();
    REQUIRE(d.kind == Decoded::Kind::error);
    CHECK(d.reason == c.reason);
  }
}

TEST_CASE("codec: full transport checks CRC32 and seqno", "[codec][full]") {
  const auto frame = vec("case1_client_to_server", "transport_full_first_packet_seq0");
  SECTION("bad CRC") {
    auto bad = frame;
    bad.back() ^= 0x01;
    Decoded d = decode_one(Mode::full, Role::server, bad);
    REQUIRE(d.kind == Decoded::Kind::error);
    CHECK(d.reason.rfind("full: CRC32 mismatch (got 0x", 0) == 0);
  }
  SECTION("corrupted payload") {
    auto bad = frame;
    bad[40] ^= 0x80;
    Decoded d = decode_one(Mode::full, Role::server, bad);
    REQUIRE(d.kind == Decoded::Kind::error);
    CHECK(d.reason.find("CRC32 mismatch") != std::string::npos);
  }
  SECTION("replayed frame: seqno 0 twice") {
    Decoded d = decode_one(Mode::full, Role::server, concat(frame, frame));
    auto codec = make_codec(Mode::full, Role::server);
    codec->feed(concat(frame, frame));
    REQUIRE(codec->next().kind == Decoded::Kind::frame);
    d = codec->next();
    REQUIRE(d.kind == Decoded::Kind::error);
    CHECK(d.reason == "full: seqno 0, expected 1");
  }
  SECTION("seqno counts per direction") {
    FullCodec client(Role::client, {});
    FullCodec server(Role::server, {});
    std::vector<std::uint8_t> wire;
    for (int i = 0; i < 3; ++i) REQUIRE(client.encode(std::vector<std::uint8_t>(16, 1), wire).ok());
    CHECK(client.send_seqno() == 3);
    server.feed(wire);
    for (int i = 0; i < 3; ++i) REQUIRE(server.next().kind == Decoded::Kind::frame);
    CHECK(server.recv_seqno() == 3);
    CHECK(server.send_seqno() == 0);
  }
}

TEST_CASE("codec: encode refuses bad payloads", "[codec][errors]") {
  std::vector<std::uint8_t> out;
  CHECK(AbridgedCodec(Role::client, {}).encode(std::vector<std::uint8_t>(6, 0), out).message() ==
        "abridged: payload of 6 bytes is not a positive multiple of 4");
  CHECK(IntermediateCodec(Role::client, {}).encode({}, out).message() ==
        "intermediate: payload of 0 bytes is not a positive multiple of 4");
  Limits small;
  small.max_frame = 16;
  CHECK(FullCodec(Role::client, small).encode(std::vector<std::uint8_t>(20, 0), out).message() ==
        "full: payload of 20 bytes exceeds the frame limit");
  CHECK(out.empty());
}
