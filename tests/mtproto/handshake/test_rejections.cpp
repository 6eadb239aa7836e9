// Every check of both roles, each with a forged value, rejects with its own message and moves the
// machine to Failed.
#include <catch2/catch.hpp>

#include "crypto/aes_ige.h"
#include "crypto/dh.h"
#include "crypto/kdf.h"
#include "crypto/pq.h"
#include "crypto/rsa_pad.h"
#include "crypto/sha.h"
#include "mtproto/handshake/ids.h"
#include "mtproto/handshake/inner_cipher.h"
#include "mtproto/handshake/messages.h"
#include "test_util.h"

using namespace mtjson;
using namespace mtjson::mtproto::handshake;
using namespace mtjson::mtproto::handshake::test;

namespace {

// ---- client side: the sample's flow, forged server replies ----

struct SampleClient {
  crypto::ReplayRandom random;
  std::unique_ptr<ClientHandshake> client;

  explicit SampleClient(int stage) {
    random.push(sample("req_pq_multi.nonce"));
    random.push(sample("new_nonce"));
    random.push(sample("b"));
    random.push(sample("client_DH_inner_data.padding"));
    ClientConfig c;
    c.keys = crypto::PublicKeyRing::builtin(crypto::DcKind::production).value();
    client = std::make_unique<ClientHandshake>(std::move(c), random, fixed_clock(kNow));
    client->set_rsa_encrypt([](auto, const auto&, auto&) -> mtjson::Result<Bytes> { return sample("rsa_pad.encrypted_data"); });
    client->start();
    if (stage >= 1) REQUIRE(client->on_message(sample_body("resPQ")));
    if (stage >= 2) REQUIRE(client->on_message(sample_body("server_DH_params_ok")));
  }
  std::string reject(const Bytes& body) {
    auto r = client->on_message(body);
    REQUIRE_FALSE(r);
    CHECK(client->state() == ClientHandshake::State::Failed);
    CHECK(client->on_message(body).message() == "client handshake: already failed");
    return r.message();
  }
};

Int128 nonce() { return hex_array<16>(to_hex(sample("req_pq_multi.nonce"))); }
Int128 server_nonce() { return hex_array<16>(to_hex(sample("resPQ.server_nonce"))); }
Int256 new_nonce() { return hex_array<32>(to_hex(sample("new_nonce"))); }
crypto::AesKeyIv sample_tmp() { return crypto::tmp_aes_key_iv(new_nonce(), server_nonce()); }

ServerDhInnerData sample_inner() { return parse_server_dh_inner_data(sample("server_DH_inner_data.payload")).value(); }

// server_DH_params_ok around `with_hash` (SHA1 + answer + padding), encrypted with the sample's tmp key.
Bytes params_ok_raw(Bytes with_hash) {
  crypto::aes_ige_encrypt(sample_tmp().key, sample_tmp().iv, std::span<std::uint8_t>(with_hash));
  return serialize(ServerDhParams{true, nonce(), server_nonce(), with_hash, {}});
}
Bytes with_hash_of(const Bytes& answer, std::size_t padding) {
  Bytes out;
  auto h = crypto::sha1(answer);
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), answer.begin(), answer.end());
  out.resize(out.size() + padding, 0xAB);
  return out;
}
Bytes params_ok(const ServerDhInnerData& inner) {
  const Bytes answer = serialize(inner);
  return params_ok_raw(with_hash_of(answer, (16 - (20 + answer.size()) % 16) % 16));
}

Bytes dh_gen(DhGenAnswer::Kind kind, const std::string& hash_key, int flip_byte = -1) {
  DhGenAnswer a{kind, nonce(), server_nonce(), hex_array<16>(to_hex(sample(hash_key)))};
  if (flip_byte >= 0) a.new_nonce_hash[static_cast<std::size_t>(flip_byte)] ^= 1;
  return serialize(a);
}

}  // namespace

TEST_CASE("client rejects forged resPQ", "[handshake][client][reject]") {
  auto res = [] { return parse_res_pq(sample_body("resPQ")).value(); };
  SECTION("nonce") {
    auto r = res();
    r.nonce[3] ^= 1;
    CHECK(SampleClient(0).reject(serialize(r)) == "client handshake: resPQ: nonce mismatch");
  }
  SECTION("pq not a product of two primes") {
    auto r = res();
    r.pq = crypto::u64_to_be_bytes(1000000007ULL * 3 * 5);
    CHECK(SampleClient(0).reject(serialize(r)).rfind("client handshake: resPQ: pq not factorizable: ", 0) == 0);
    r.pq = crypto::u64_to_be_bytes(2305843009213693951ULL);  // prime
    CHECK(SampleClient(0).reject(serialize(r)).rfind("client handshake: resPQ: pq not factorizable: ", 0) == 0);
    r.pq = Bytes(9, 0xff);  // longer than 64 bits
    CHECK(SampleClient(0).reject(serialize(r)).rfind("client handshake: resPQ: pq not factorizable: ", 0) == 0);
  }
  SECTION("no known fingerprint") {
    auto r = res();
    r.fingerprints = {1, 2, 3};
    CHECK(SampleClient(0).reject(serialize(r)) == "client handshake: resPQ: no known server public key fingerprint");
    r.fingerprints.clear();
    CHECK(SampleClient(0).reject(serialize(r)) == "client handshake: resPQ: no known server public key fingerprint");
  }
  SECTION("wrong constructor") {
    CHECK(SampleClient(0).reject(sample_body("dh_gen_ok")) == "client handshake: resPQ: unexpected constructor 0x3bcbf734");
  }
}

TEST_CASE("client rejects forged Server_DH_Params", "[handshake][client][reject]") {
  SECTION("the genuine answer re-encrypted by the test is accepted (control)") {
    SampleClient c(1);
    CHECK(c.client->on_message(params_ok(sample_inner())));
  }
  SECTION("nonce / server_nonce in the clear") {
    auto p = parse_server_dh_params(sample_body("server_DH_params_ok")).value();
    p.nonce[0] ^= 1;
    CHECK(SampleClient(1).reject(serialize(p)) == "client handshake: Server_DH_Params: nonce mismatch");
    p = parse_server_dh_params(sample_body("server_DH_params_ok")).value();
    p.server_nonce[15] ^= 1;
    CHECK(SampleClient(1).reject(serialize(p)) == "client handshake: Server_DH_Params: server_nonce mismatch");
  }
  SECTION("server_DH_params_fail, genuine or not") {
    auto h = crypto::sha1(new_nonce());
    ServerDhParams f{false, nonce(), server_nonce(), {}, {}};
    std::copy(h.begin() + 4, h.end(), f.new_nonce_hash.begin());
    CHECK(SampleClient(1).reject(serialize(f)) == "client handshake: server_DH_params_fail received");
    f.new_nonce_hash[0] ^= 1;
    CHECK(SampleClient(1).reject(serialize(f)) ==
          "client handshake: server_DH_params_fail received with a wrong new_nonce_hash");
  }
  SECTION("bad SHA1 of the answer") {
    Bytes wh = with_hash_of(serialize(sample_inner()), 8);
    wh[5] ^= 1;
    CHECK(SampleClient(1).reject(params_ok_raw(wh)) == "client handshake: server_DH_inner_data: SHA1 mismatch");
    // Any bit flipped in the ciphertext garbles the answer.
    auto p = parse_server_dh_params(sample_body("server_DH_params_ok")).value();
    p.encrypted_answer[300] ^= 1;
    CHECK(SampleClient(1).reject(serialize(p)).find("client handshake: server_DH_inner_data") == 0);
  }
  SECTION("bad padding length") {
    CHECK(SampleClient(1).reject(params_ok_raw(with_hash_of(serialize(sample_inner()), 24))) ==
          "client handshake: server_DH_inner_data: bad padding length 24 (must be 0..15)");
  }
  SECTION("encrypted_answer not a multiple of 16") {
    auto p = parse_server_dh_params(sample_body("server_DH_params_ok")).value();
    p.encrypted_answer.resize(p.encrypted_answer.size() - 4);
    CHECK(SampleClient(1).reject(serialize(p)) ==
          "client handshake: server_DH_params_ok: encrypted_answer: encrypted length 588 is not a positive multiple of 16 holding a SHA1");
  }
  SECTION("nonces inside the answer") {
    auto inner = sample_inner();
    inner.nonce[1] ^= 1;
    CHECK(SampleClient(1).reject(params_ok(inner)) == "client handshake: server_DH_inner_data: nonce mismatch");
    inner = sample_inner();
    inner.server_nonce[1] ^= 1;
    CHECK(SampleClient(1).reject(params_ok(inner)) == "client handshake: server_DH_inner_data: server_nonce mismatch");
  }
  SECTION("wrong dh_prime or g") {
    auto inner = sample_inner();
    inner.dh_prime.back() ^= 2;  // not the known prime and not a safe prime
    CHECK(SampleClient(1).reject(params_ok(inner)).rfind("client handshake: server_DH_inner_data: dh params invalid: ", 0) == 0);
    inner = sample_inner();
    inner.g = 2;  // the known prime is 3 mod 8: 2 is not a quadratic residue
    CHECK(SampleClient(1).reject(params_ok(inner)).rfind("client handshake: server_DH_inner_data: dh params invalid: ", 0) == 0);
    inner = sample_inner();
    inner.dh_prime.resize(128);
    CHECK(SampleClient(1).reject(params_ok(inner)).rfind("client handshake: server_DH_inner_data: dh params invalid: ", 0) == 0);
  }
  SECTION("g_a out of range") {
    auto inner = sample_inner();
    inner.g_a = {1};
    CHECK(SampleClient(1).reject(params_ok(inner)).rfind("client handshake: server_DH_inner_data: g_a out of range: ", 0) == 0);
    inner.g_a = inner.dh_prime;
    inner.g_a.back() -= 1;  // p - 1
    CHECK(SampleClient(1).reject(params_ok(inner)).rfind("client handshake: server_DH_inner_data: g_a out of range: ", 0) == 0);
    inner.g_a = Bytes(256, 0);
    inner.g_a[8] = 1;  // 2^(2048-72): below 2^(2048-64)
    CHECK(SampleClient(1).reject(params_ok(inner)).rfind("client handshake: server_DH_inner_data: g_a out of range: ", 0) == 0);
  }
}

TEST_CASE("client rejects forged Set_client_DH_params_answer", "[handshake][client][reject]") {
  SECTION("wrong new_nonce_hash1") {
    CHECK(SampleClient(2).reject(dh_gen(DhGenAnswer::Kind::ok, "dh_gen_ok.new_nonce_hash1", 0)) ==
          "client handshake: dh_gen_ok: new_nonce_hash1 mismatch");
    // hash2 in a dh_gen_ok (an attacker turning retry into ok)
    CHECK(SampleClient(2).reject(dh_gen(DhGenAnswer::Kind::ok, "derived.new_nonce_hash2")) ==
          "client handshake: dh_gen_ok: new_nonce_hash1 mismatch");
  }
  SECTION("nonces") {
    auto a = parse_dh_gen_answer(sample_body("dh_gen_ok")).value();
    a.nonce[0] ^= 1;
    CHECK(SampleClient(2).reject(serialize(a)) == "client handshake: Set_client_DH_params_answer: nonce mismatch");
    a = parse_dh_gen_answer(sample_body("dh_gen_ok")).value();
    a.server_nonce[0] ^= 1;
    CHECK(SampleClient(2).reject(serialize(a)) == "client handshake: Set_client_DH_params_answer: server_nonce mismatch");
  }
  SECTION("dh_gen_fail, and dh_gen_retry with a wrong hash") {
    CHECK(SampleClient(2).reject(dh_gen(DhGenAnswer::Kind::fail, "derived.new_nonce_hash3")) ==
          "client handshake: dh_gen_fail received");
    CHECK(SampleClient(2).reject(dh_gen(DhGenAnswer::Kind::fail, "derived.new_nonce_hash1")) ==
          "client handshake: dh_gen_fail: new_nonce_hash3 mismatch");
    CHECK(SampleClient(2).reject(dh_gen(DhGenAnswer::Kind::retry, "derived.new_nonce_hash1")) ==
          "client handshake: dh_gen_retry: new_nonce_hash2 mismatch");
  }
  SECTION("genuine dh_gen_retry: a new set_client_DH_params with retry_id = auth_key_aux_hash") {
    SampleClient c(2);
    auto next = c.client->on_message(dh_gen(DhGenAnswer::Kind::retry, "derived.new_nonce_hash2"));
    REQUIRE(next);
    CHECK_FALSE(next->done);
    auto set = parse_set_client_dh_params(next->send).value();
    auto wh = decrypt_with_hash(set.encrypted_data, sample_tmp(), "test").value();
    std::size_t len = 0;
    auto inner = parse_client_dh_inner_data(std::span(wh).subspan(20), &len).value();
    CHECK(check_with_hash(wh, len, "test").ok());
    CHECK(inner.retry_id == le64(sample("derived.auth_key_aux_hash")));
    CHECK(to_hex(inner.g_b) != to_hex(sample("g_b")));  // a new b
    // The old dh_gen_ok no longer matches the new key.
    CHECK(c.reject(sample_body("dh_gen_ok")) == "client handshake: dh_gen_ok: new_nonce_hash1 mismatch");
  }
}

TEST_CASE("client rejects truncated messages in every state, and calls out of order", "[handshake][client][reject]") {
  const char* bodies[] = {"resPQ", "server_DH_params_ok", "dh_gen_ok"};
  for (int stage = 0; stage < 3; ++stage) {
    const Bytes body = sample_body(bodies[stage]);
    for (std::size_t n : {std::size_t{0}, std::size_t{3}, std::size_t{4}, body.size() / 2, body.size() - 1}) {
      INFO(bodies[stage] << " cut to " << n);
      const std::string err = SampleClient(stage).reject(Bytes(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n)));
      const bool expected = err.find("truncated or malformed") != std::string::npos ||
                            err == "client handshake: resPQ: fingerprint count beyond the message";
      CHECK(expected);
    }
  }
  crypto::ReplayRandom r;
  ClientHandshake fresh(ClientConfig{}, r, fixed_clock(kNow));
  CHECK(fresh.on_message(sample_body("resPQ")).message() == "client handshake: start() was not called");
  SampleClient done(2);
  REQUIRE(done.client->on_message(sample_body("dh_gen_ok")));
  CHECK(done.client->on_message(sample_body("dh_gen_ok")).message() == "client handshake: already done");
}

// ---- server side: a real client, forged queries ----

namespace {

struct Pair {
  SeededRandom crandom{101}, srandom{102};
  Bytes new_nonce_seen;
  std::unique_ptr<ClientHandshake> client;
  std::unique_ptr<ServerHandshake> server;
  Bytes next;  // the client's next query

  explicit Pair(int stage, ClientHandshake::RsaEncrypt hook = nullptr, std::int32_t client_dc = 2) {
    client = std::make_unique<ClientHandshake>(client_config_for(selfmade_private_key(), client_dc), crandom, fixed_clock(kNow));
    client->set_observer([this](std::string_view name, std::span<const std::uint8_t> v) {
      if (name == "new_nonce") new_nonce_seen.assign(v.begin(), v.end());
    });
    if (hook) client->set_rsa_encrypt(hook);
    server = std::make_unique<ServerHandshake>(server_config_with(selfmade_private_key()), srandom, fixed_clock(kNow));
    next = client->start();
    for (int i = 0; i < stage; ++i) {
      auto reply = server->on_message(next);
      REQUIRE(reply);
      auto q = client->on_message(reply->send);
      REQUIRE(q);
      next = q->send;
    }
  }
  std::string reject(const Bytes& body) {
    auto r = server->on_message(body);
    REQUIRE_FALSE(r);
    CHECK(server->state() == ServerHandshake::State::Failed);
    CHECK(server->on_message(body).message() == "server handshake: already failed");
    return r.message();
  }
  crypto::AesKeyIv tmp() const {
    auto req = parse_set_client_dh_params(next).value();
    return crypto::tmp_aes_key_iv(hex_array<32>(to_hex(new_nonce_seen)), req.server_nonce);
  }
  // set_client_DH_params around a forged client_DH_inner_data.
  Bytes forged_set(ClientDhInnerData inner, int corrupt_sha = -1) {
    auto req = parse_set_client_dh_params(next).value();
    crypto::ReplayRandom pad;
    Bytes wh;
    encrypt_with_hash(serialize(inner), tmp(), pad, &wh);
    if (corrupt_sha >= 0) wh[static_cast<std::size_t>(corrupt_sha)] ^= 1;
    crypto::aes_ige_encrypt(tmp().key, tmp().iv, std::span<std::uint8_t>(wh));
    req.encrypted_data = wh;
    return serialize(req);
  }
  ClientDhInnerData genuine_inner() {
    auto req = parse_set_client_dh_params(next).value();
    auto wh = decrypt_with_hash(req.encrypted_data, tmp(), "test").value();
    std::size_t len = 0;
    return parse_client_dh_inner_data(std::span(wh).subspan(20), &len).value();
  }
};

// A hook that flips one byte of p_q_inner_data before RSA_PAD.
ClientHandshake::RsaEncrypt flip_inner(std::size_t offset) {
  return [offset](std::span<const std::uint8_t> data, const crypto::RsaPublicKey& key,
                  crypto::RandomSource& rnd) -> mtjson::Result<Bytes> {
    Bytes d(data.begin(), data.end());
    d.at(offset) ^= 1;
    return crypto::rsa_pad_encrypt(d, key, rnd);
  };
}

}  // namespace

TEST_CASE("server rejects forged req_pq", "[handshake][server][reject]") {
  CHECK(Pair(0).reject(sample_body("dh_gen_ok")) == "server handshake: req_pq: unexpected constructor 0x3bcbf734");
  CHECK(Pair(0).reject(Bytes{0xf1, 0x8e, 0x7e, 0xbe, 1, 2}).find("req_pq: truncated or malformed at offset 4") !=
        std::string::npos);
  crypto::ReplayRandom r;
  ServerHandshake keyless(ServerConfig{}, r, fixed_clock(kNow));
  CHECK(keyless.on_message(sample_body("req_pq_multi")).message() == "server handshake: no RSA private key configured");
}

TEST_CASE("server rejects forged req_DH_params", "[handshake][server][reject]") {
  SECTION("control: the genuine query is accepted") {
    Pair p(1);
    CHECK(p.server->on_message(p.next));
  }
  SECTION("nonce / server_nonce") {
    Pair p(1);
    auto req = parse_req_dh_params(p.next).value();
    req.nonce[0] ^= 1;
    CHECK(p.reject(serialize(req)) == "server handshake: req_DH_params: nonce mismatch");
    Pair p2(1);
    req = parse_req_dh_params(p2.next).value();
    req.server_nonce[0] ^= 1;
    CHECK(p2.reject(serialize(req)) == "server handshake: req_DH_params: server_nonce mismatch");
  }
  SECTION("p and q") {
    Pair p(1);
    auto req = parse_req_dh_params(p.next).value();
    std::swap(req.p, req.q);
    CHECK(p.reject(serialize(req)) == "server handshake: req_DH_params: p, q do not factor pq");
  }
  SECTION("unknown fingerprint") {
    Pair p(1);
    auto req = parse_req_dh_params(p.next).value();
    req.public_key_fingerprint ^= 1;
    CHECK(p.reject(serialize(req)) == "server handshake: req_DH_params: unknown public_key_fingerprint");
  }
  SECTION("encrypted_data: wrong size, garbage, encrypted for another key") {
    Pair p(1);
    auto req = parse_req_dh_params(p.next).value();
    req.encrypted_data.pop_back();
    CHECK(p.reject(serialize(req)) == "server handshake: req_DH_params: encrypted_data is not 256 bytes");
    Pair p2(1);
    req = parse_req_dh_params(p2.next).value();
    req.encrypted_data[100] ^= 1;
    CHECK(p2.reject(serialize(req)).rfind("server handshake: req_DH_params: encrypted_data does not decrypt (", 0) == 0);
    Pair p3(1, [](std::span<const std::uint8_t> data, const crypto::RsaPublicKey&, crypto::RandomSource& rnd) {
      return crypto::rsa_pad_encrypt(data, other_private_key().public_key(), rnd);
    });
    req = parse_req_dh_params(p3.next).value();
    CHECK(p3.reject(serialize(req)).rfind("server handshake: req_DH_params: encrypted_data does not decrypt (", 0) == 0);
  }
  SECTION("fields inside p_q_inner_data") {
    // p_q_inner_data_dc layout here: id 4, pq 12, p 8, q 8, nonce @32, server_nonce @48, new_nonce @64, dc @96.
    Pair a(1, flip_inner(8));
    CHECK(a.reject(a.next) == "server handshake: p_q_inner_data: pq, p, q do not match");
    Pair b(1, flip_inner(32));
    CHECK(b.reject(b.next) == "server handshake: p_q_inner_data: nonce mismatch");
    Pair c(1, flip_inner(48));
    CHECK(c.reject(c.next) == "server handshake: p_q_inner_data: server_nonce mismatch");
    Pair d(1, flip_inner(0));
    CHECK(d.reject(d.next) == "server handshake: req_DH_params: p_q_inner_data: unexpected constructor 0xa9f55f94");
    Pair e(1, nullptr, 5);
    CHECK(e.reject(e.next) == "server handshake: p_q_inner_data: dc 5 is not this DC (2)");
  }
  SECTION("a req_pq where req_DH_params is expected") {
    Pair p(1);
    CHECK(p.reject(serialize(ReqPq{true, Int128{9}})) == "server handshake: expected req_DH_params");
  }
}

TEST_CASE("server rejects forged set_client_DH_params", "[handshake][server][reject]") {
  SECTION("control: the genuine query, and the test's re-encryption of it, are accepted") {
    Pair p(2);
    CHECK(p.server->on_message(p.forged_set(p.genuine_inner())));
  }
  SECTION("nonce / server_nonce in the clear") {
    Pair p(2);
    auto s = parse_set_client_dh_params(p.next).value();
    s.nonce[0] ^= 1;
    CHECK(p.reject(serialize(s)) == "server handshake: set_client_DH_params: nonce mismatch");
    Pair p2(2);
    s = parse_set_client_dh_params(p2.next).value();
    s.server_nonce[0] ^= 1;
    CHECK(p2.reject(serialize(s)) == "server handshake: set_client_DH_params: server_nonce mismatch");
  }
  SECTION("bad SHA1, bad ciphertext length") {
    Pair p(2);
    CHECK(p.reject(p.forged_set(p.genuine_inner(), 3)) == "server handshake: client_DH_inner_data: SHA1 mismatch");
    Pair p2(2);
    auto s = parse_set_client_dh_params(p2.next).value();
    s.encrypted_data.resize(s.encrypted_data.size() - 1);
    CHECK(p2.reject(serialize(s)).rfind("server handshake: set_client_DH_params: encrypted_data: encrypted length", 0) == 0);
  }
  SECTION("nonces inside, retry_id") {
    Pair p(2);
    auto inner = p.genuine_inner();
    inner.nonce[2] ^= 1;
    CHECK(p.reject(p.forged_set(inner)) == "server handshake: client_DH_inner_data: nonce mismatch");
    Pair p2(2);
    inner = p2.genuine_inner();
    inner.server_nonce[2] ^= 1;
    CHECK(p2.reject(p2.forged_set(inner)) == "server handshake: client_DH_inner_data: server_nonce mismatch");
    Pair p3(2);
    inner = p3.genuine_inner();
    inner.retry_id = 5;
    CHECK(p3.reject(p3.forged_set(inner)) == "server handshake: client_DH_inner_data: retry_id mismatch");
  }
  SECTION("g_b out of range") {
    for (Bytes g_b : {Bytes{1}, Bytes{}, Bytes(256, 0xff)}) {
      Pair p(2);
      auto inner = p.genuine_inner();
      inner.g_b = g_b;
      CHECK(p.reject(p.forged_set(inner)).rfind("server handshake: client_DH_inner_data: g_b out of range: ", 0) == 0);
    }
  }
}

TEST_CASE("server rejects truncated messages in every state", "[handshake][server][reject]") {
  for (int stage = 0; stage < 3; ++stage) {
    Pair probe(stage);
    const Bytes body = probe.next;
    for (std::size_t n : {std::size_t{0}, std::size_t{3}, std::size_t{4}, body.size() / 2, body.size() - 1}) {
      INFO("stage " << stage << " cut to " << n);
      Pair p(stage);
      const std::string err = p.reject(Bytes(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(n)));
      const bool expected = err.find("truncated or malformed") != std::string::npos ||
                            err.find("expected ") != std::string::npos;  // cut inside the constructor id
      CHECK(expected);
    }
  }
}
