// Client and server connections end to end through an in-memory pipe: every transport stack
// (plain, obfuscated2, MTProxy plain/dd/ee secrets), chunked delivery, detection results, and
// each rejection with its reason.
#include <catch2/catch.hpp>

#include "test_util.h"
#include "transport/client_connection.h"
#include "transport/fake_tls.h"
#include "transport/server_connection.h"

using namespace mtjson;
using namespace mtjson::transport;
using namespace mtjson::transport::test;

namespace {

constexpr std::int64_t kNow = 1707425104;

ProxySecret secret(const char* text) {
  auto p = parse_proxy_secret(text);
  REQUIRE(p);
  return *p;
}

const char* kPlain = "0123456789abcdef0123456789abcdef";
const char* kDd = "ddfedcba9876543210fedcba9876543210";
const char* kDdKeyAsPlain = "fedcba9876543210fedcba9876543210";
const char* kEe = "ee0123456789abcdef0123456789abcdef" "6578616d706c652e636f6d";  // example.com

struct Pipe {
  std::mt19937_64 gen{99};
  std::size_t max_chunk = 64;
  void pump(ClientConnection& c, ServerConnection& s) {
    for (int round = 0; round < 8; ++round) {
      auto up = c.take_output();
      for (auto piece : chunks(up, gen, max_chunk)) s.on_bytes_received(piece);
      auto down = s.take_output();
      for (auto piece : chunks(down, gen, max_chunk)) c.on_bytes_received(piece);
      if (up.empty() && down.empty()) return;
    }
  }
};

std::vector<std::uint8_t> payload(std::size_t words, std::uint8_t fill) { return std::vector<std::uint8_t>(words * 4, fill); }

// Checks a received frame against what was sent, allowing padded intermediate's leftover padding.
void check_frame(Decoded d, const std::vector<std::uint8_t>& sent) {
  INFO(d.reason);
  REQUIRE(d.kind == Decoded::Kind::frame);
  REQUIRE(d.payload.size() >= sent.size());
  CHECK(d.payload.size() - sent.size() <= 12);
  d.payload.resize(sent.size());
  CHECK(d.payload == sent);
}

struct Setup {
  const char* name;
  ClientOptions client;
  ServerOptions server;
  const char* layers;
  int secret_index;
  std::optional<std::int16_t> dc;
};

std::vector<Setup> setups() {
  std::vector<Setup> v;
  ServerOptions open;
  open.clock = [] { return kNow; };
  ServerOptions proxy = open;
  proxy.secrets = {secret(kEe), secret(kPlain), secret(kDd)};
  for (Mode m : {Mode::abridged, Mode::intermediate, Mode::padded_intermediate, Mode::full}) {
    ClientOptions c;
    c.mode = m;
    v.push_back({mode_name(m), c, open, layer_name(layer_of(m)), -1, std::nullopt});
  }
  for (Mode m : {Mode::abridged, Mode::intermediate, Mode::padded_intermediate}) {
    ClientOptions c;
    c.mode = m;
    c.obfuscated = true;
    c.dc_id = 2;
    v.push_back({"obfuscated", c, open, nullptr, -1, std::int16_t{2}});
  }
  ClientOptions c;
  c.mode = Mode::intermediate;
  c.dc_id = -4;
  c.secret = secret(kPlain);
  v.push_back({"plain secret", c, proxy, "obfuscated2 > intermediate", 1, std::int16_t{-4}});
  c.secret = secret(kDd);
  c.dc_id = 10002;
  v.push_back({"dd secret", c, proxy, "obfuscated2 > padded intermediate", 2, std::int16_t{10002}});
  c.secret = secret(kEe);
  c.dc_id = 2;
  c.clock = [] { return kNow - 30; };
  v.push_back({"ee secret", c, proxy, "fake TLS > obfuscated2 > padded intermediate", 0, std::int16_t{2}});
  return v;
}

}  // namespace

TEST_CASE("connection: every stack round-trips, whatever the chunking", "[connection]") {
  for (const auto& setup : setups()) {
    for (std::size_t max_chunk : {std::size_t{1}, std::size_t{7}, std::size_t{100000}}) {
      INFO(setup.name << " / " << mode_name(setup.client.mode) << " / max_chunk " << max_chunk);
      SeededRandom crng(1), srng(2);
      ClientConnection client(setup.client, crng);
      ServerConnection server(setup.server, srng);
      Pipe pipe;
      pipe.max_chunk = max_chunk;

      REQUIRE(client.start().ok());
      const bool quick_ack = setup.client.mode != Mode::full;
      const auto p1 = payload(30, 0xa1), p2 = payload(5000, 0xa2), p3 = payload(200, 0xa3);
      REQUIRE(client.send_frame(p1, quick_ack).ok());
      REQUIRE(client.send_frame(p2).ok());
      pipe.pump(client, server);
      INFO(server.error().message());
      REQUIRE(server.established());
      if (setup.layers) CHECK(describe_layers(server.layers()) == setup.layers);
      CHECK(server.secret_index() == setup.secret_index);
      if (setup.dc) CHECK(server.dc_id() == setup.dc);

      Decoded d = server.next();
      CHECK(d.quick_ack_requested == quick_ack);
      check_frame(std::move(d), p1);
      check_frame(server.next(), p2);
      CHECK(server.next().kind == Decoded::Kind::need_more);

      REQUIRE(server.send_frame(p3).ok());
      if (quick_ack) REQUIRE(server.send_quick_ack(0x80abcdefU).ok());
      REQUIRE(server.send_transport_error(-429).ok());
      pipe.pump(client, server);
      CHECK(client.handshake_done());
      check_frame(client.next(), p3);
      if (quick_ack) {
        d = client.next();
        REQUIRE(d.kind == Decoded::Kind::quick_ack);
        CHECK(d.quick_ack_token == 0x80abcdefU);
      }
      d = client.next();
      REQUIRE(d.kind == Decoded::Kind::transport_error);
      CHECK(d.error_code == -429);
      CHECK(client.next().kind == Decoded::Kind::need_more);
    }
  }
}

TEST_CASE("connection: fake-TLS wire shape", "[connection][fake_tls]") {
  SeededRandom crng(3), srng(4);
  ClientOptions c;
  c.secret = secret(kEe);
  c.clock = [] { return kNow; };
  ServerOptions s;
  s.secrets = {secret(kEe)};
  s.clock = [] { return kNow; };
  ClientConnection client(c, crng);
  ServerConnection server(s, srng);
  REQUIRE(client.start().ok());
  REQUIRE(client.send_frame(payload(10, 1)).ok());
  auto hello = client.take_output();
  // Only the ClientHello goes out before the server has answered.
  CHECK(hello.size() == 517);
  CHECK(hex(std::span(hello).first(3)) == "160301");
  CHECK(fake_tls_sni(hello) == "example.com");
  server.on_bytes_received(hello);
  auto answer = server.take_output();
  CHECK(hex(std::span(answer).first(11)) == "160303007A020000760303");
  CHECK(hex(std::span(answer).subspan(127, 9)) == "140303000101170303");
  client.on_bytes_received(answer);
  auto data = client.take_output();
  // ChangeCipherSpec, then one application-data record: 64-byte init + 4 + 40 framed bytes.
  CHECK(hex(std::span(data).first(9)) == "140303000101170303");
  REQUIRE(data.size() >= 11);
  const std::size_t record = (std::size_t{data[9]} << 8) | data[10];
  CHECK(record >= 64 + 44);
  CHECK(record <= 64 + 44 + 15);
  CHECK(data.size() == 11 + record);
  server.on_bytes_received(data);
  check_frame(server.next(), payload(10, 1));
}

TEST_CASE("connection: rejections close with a reason", "[connection][errors]") {
  SeededRandom crng(5), srng(6);
  Pipe pipe;
  ServerOptions proxy;
  proxy.clock = [] { return kNow; };
  proxy.secrets = {secret(kEe), secret(kDd)};
  proxy.allow_plain = false;
  proxy.allow_obfuscated_without_secret = false;

  auto run = [&](ClientOptions c, ServerOptions s) {
    ClientConnection client(c, crng);
    ServerConnection server(s, srng);
    REQUIRE(client.start().ok());
    REQUIRE(client.send_frame(payload(10, 1)).ok());
    pipe.pump(client, server);
    Decoded d = server.next();
    if (d.kind != Decoded::Kind::error) {
      // Not the server's fault: let the client tell.
      d = client.next();
    }
    REQUIRE(d.kind == Decoded::Kind::error);
    return d.reason;
  };

  ClientOptions plain;
  plain.mode = Mode::intermediate;
  CHECK(run(plain, proxy) == "detect: unobfuscated intermediate is not accepted here");

  ClientOptions wrong_secret;
  wrong_secret.secret = secret("dd00000000000000000000000000000000");
  CHECK(run(wrong_secret, proxy) == "obfuscated2: no accepted secret yields a known protocol tag");

  ClientOptions obf;
  obf.obfuscated = true;
  CHECK(run(obf, proxy) == "obfuscated2: no accepted secret yields a known protocol tag");

  // The dd secret's key used as a plain secret with intermediate framing.
  ClientOptions dd_as_plain;
  dd_as_plain.secret = secret(kDdKeyAsPlain);
  dd_as_plain.mode = Mode::intermediate;
  CHECK(run(dd_as_plain, proxy) == "obfuscated2: this secret requires padded intermediate, got intermediate");

  ClientOptions tls;
  tls.secret = secret("ee00000000000000000000000000000000" "6578616d706c652e636f6d");
  tls.clock = [] { return kNow; };
  CHECK(run(tls, proxy) == "fake TLS: ClientHello HMAC matches no secret");

  tls.secret = secret(kEe);
  tls.clock = [] { return kNow - 1000; };
  CHECK(run(tls, proxy) == "fake TLS: ClientHello timestamp is 1000 s away from the server clock");

  tls.secret = secret("ee0123456789abcdef0123456789abcdef" "6f746865722e6f7267");  // other.org
  tls.clock = [] { return kNow; };
  CHECK(run(tls, proxy) == "fake TLS: server_name \"other.org\" is not the secret's domain");

  ServerOptions no_tls = proxy;
  no_tls.secrets = {secret(kDd)};
  tls.secret = secret(kEe);
  CHECK(run(tls, no_tls) == "detect: TLS ClientHello but no fake-TLS secret is configured");

  ClientOptions full_obf;
  full_obf.mode = Mode::full;
  full_obf.obfuscated = true;
  ClientConnection bad(full_obf, crng);
  CHECK(bad.start().message() == "client: the full transport cannot be obfuscated");
}

TEST_CASE("connection: client rejects a forged ServerHello", "[connection][fake_tls][errors]") {
  SeededRandom crng(7), srng(8);
  ClientOptions c;
  c.secret = secret(kEe);
  c.clock = [] { return kNow; };
  ServerOptions s;
  s.secrets = {secret(kEe)};
  s.clock = [] { return kNow; };
  ClientConnection client(c, crng);
  ServerConnection server(s, srng);
  REQUIRE(client.start().ok());
  server.on_bytes_received(client.take_output());
  auto answer = server.take_output();
  answer[20] ^= 1;  // inside the server random
  client.on_bytes_received(answer);
  Decoded d = client.next();
  REQUIRE(d.kind == Decoded::Kind::error);
  CHECK(d.reason == "fake TLS: ServerHello HMAC mismatch (wrong secret or not an MTProxy)");
  CHECK(client.take_output().empty());

  ClientConnection client2(c, crng);
  REQUIRE(client2.start().ok());
  client2.on_bytes_received(unhex("485454502F312E3120343030"));  // "HTTP/1.1 400"
  d = client2.next();
  REQUIRE(d.kind == Decoded::Kind::error);
  CHECK(d.reason == "fake TLS: the server's answer does not start like a ServerHello");
}

TEST_CASE("connection: malformed stream after the handshake", "[connection][errors]") {
  SeededRandom crng(9), srng(10);
  ClientOptions c;
  c.secret = secret(kEe);
  c.clock = [] { return kNow; };
  ServerOptions s;
  s.secrets = {secret(kEe)};
  s.clock = [] { return kNow; };
  ClientConnection client(c, crng);
  ServerConnection server(s, srng);
  Pipe pipe;
  REQUIRE(client.start().ok());
  REQUIRE(client.send_frame(payload(10, 1)).ok());
  pipe.pump(client, server);
  check_frame(server.next(), payload(10, 1));
  server.on_bytes_received(unhex("1503030002022F"));  // a TLS alert record
  Decoded d = server.next();
  REQUIRE(d.kind == Decoded::Kind::error);
  CHECK(d.reason == "fake TLS: unexpected record type 0x15");
  CHECK(server.failed());
  CHECK_FALSE(server.send_frame(payload(2, 0)).ok());
}
