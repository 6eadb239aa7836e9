// RSA_PAD through both roles against the self-made vector (data/rsa_pad_selfmade.json): the
// official page omits temp_key, so this is where the client's encrypted_data is checked byte for
// byte, and where the server shows it decrypts it back to the sample's p_q_inner_data_dc.
#include <catch2/catch.hpp>

#include "crypto/kdf.h"
#include "mtproto/handshake/inner_cipher.h"
#include "mtproto/handshake/messages.h"
#include "test_util.h"

using namespace mtjson;
using namespace mtjson::mtproto::handshake;
using namespace mtjson::mtproto::handshake::test;

namespace {

constexpr std::int64_t kServerTime = 1707425105;

// The sample resPQ, offering the self-made key instead of Telegram's.
Bytes selfmade_res_pq() {
  auto res = parse_res_pq(sample_body("resPQ"));
  REQUIRE(res);
  res->fingerprints = {selfmade_private_key().public_key().fingerprint()};
  return serialize(*res);
}

crypto::ReplayRandom selfmade_client_random() {
  crypto::ReplayRandom r;
  r.push(sample("req_pq_multi.nonce"));
  r.push(sample("new_nonce"));
  r.push(rsa_pad_value("random_padding_bytes"));
  r.push(rsa_pad_value("temp_key"));
  return r;
}

// server_nonce, then p and q as the little-endian 4-byte draws of generate_pq().
crypto::ReplayRandom sample_server_random() {
  crypto::ReplayRandom r;
  r.push(sample("resPQ.server_nonce"));
  Bytes p = sample("p"), q = sample("q");
  r.push(Bytes(p.rbegin(), p.rend()));
  r.push(Bytes(q.rbegin(), q.rend()));
  return r;
}

}  // namespace

TEST_CASE("self-made key fingerprint matches the vector", "[handshake][rsa_pad]") {
  CHECK(selfmade_private_key().public_key().fingerprint() == le64(rsa_pad_value("rsa_fingerprint")));
}

TEST_CASE("client RSA_PAD reproduces rsa_pad_selfmade.json's encrypted_data", "[handshake][rsa_pad][client]") {
  crypto::ReplayRandom random = selfmade_client_random();
  ClientHandshake client(client_config_for(selfmade_private_key()), random, fixed_clock(kServerTime));
  CHECK(to_hex(client.start()) == to_hex(sample_body("req_pq_multi")));
  auto req = client.on_message(selfmade_res_pq());
  REQUIRE(req);
  CHECK(random.remaining() == 0);
  CHECK_FALSE(random.exhausted());
  auto parsed = parse_req_dh_params(req->send);
  REQUIRE(parsed);
  CHECK(parsed->public_key_fingerprint == le64(rsa_pad_value("rsa_fingerprint")));
  CHECK(to_hex(parsed->encrypted_data) == to_hex(rsa_pad_value("encrypted_data")));
  // Everything else is the sample's req_DH_params.
  auto sample_req = parse_req_dh_params(sample_body("req_DH_params"));
  REQUIRE(sample_req);
  sample_req->public_key_fingerprint = parsed->public_key_fingerprint;
  sample_req->encrypted_data = rsa_pad_value("encrypted_data");
  CHECK(to_hex(req->send) == to_hex(serialize(*sample_req)));
}

TEST_CASE("server decrypts the self-made RSA_PAD vector and answers with the sample's tmp key", "[handshake][rsa_pad][server]") {
  crypto::ReplayRandom random = sample_server_random();
  ServerHandshake server(server_config_with(selfmade_private_key()), random, fixed_clock(kServerTime));
  auto res = server.on_message(sample_body("req_pq_multi"));
  REQUIRE(res);
  // The server's resPQ is the sample's, with the self-made key's fingerprint.
  CHECK(to_hex(res->send) == to_hex(selfmade_res_pq()));

  auto req = parse_req_dh_params(sample_body("req_DH_params"));
  REQUIRE(req);
  req->public_key_fingerprint = selfmade_private_key().public_key().fingerprint();
  req->encrypted_data = rsa_pad_value("encrypted_data");
  auto ok = server.on_message(serialize(*req));
  REQUIRE(ok);
  CHECK(server.state() == ServerHandshake::State::WaitSetClientDhParams);
  CHECK_FALSE(server.result().legacy_encryption);
  CHECK(server.result().has_dc);
  CHECK(server.result().dc == 2);

  // The client's new_nonce reached the server: its answer opens with the sample's tmp_aes_key/iv.
  auto params = parse_server_dh_params(ok->send);
  REQUIRE(params);
  REQUIRE(params->ok);
  crypto::AesKeyIv tmp;
  tmp.key = hex_array<32>(to_hex(sample("tmp_aes_key")));
  tmp.iv = hex_array<32>(to_hex(sample("tmp_aes_iv")));
  auto with_hash = decrypt_with_hash(params->encrypted_answer, tmp, "test");
  REQUIRE(with_hash);
  std::size_t len = 0;
  auto inner = parse_server_dh_inner_data(std::span(*with_hash).subspan(20), &len);
  REQUIRE(inner);
  CHECK(check_with_hash(*with_hash, len, "test").ok());
  CHECK(to_hex(inner->nonce) == to_hex(sample("req_pq_multi.nonce")));
  CHECK(to_hex(inner->server_nonce) == to_hex(sample("resPQ.server_nonce")));
  CHECK(inner->g == 3);
  CHECK(to_hex(inner->dh_prime) == to_hex(sample("dh_prime")));
  CHECK(inner->server_time == kServerTime);
  CHECK(crypto::check_dh_public_value(inner->g_a, inner->dh_prime, "g_a").ok());
}

TEST_CASE("client and server with the sample's randomness and the self-made key agree", "[handshake][rsa_pad]") {
  crypto::ReplayRandom crandom = selfmade_client_random();
  crypto::ReplayRandom srandom = sample_server_random();
  ClientHandshake client(client_config_for(selfmade_private_key()), crandom, fixed_clock(kServerTime - 10));
  ServerHandshake server(server_config_with(selfmade_private_key()), srandom, fixed_clock(kServerTime));
  Bytes to_server = client.start();
  while (true) {
    auto reply = server.on_message(to_server);
    REQUIRE(reply);
    auto next = client.on_message(reply->send);
    REQUIRE(next);
    if (next->done) break;
    to_server = next->send;
  }
  REQUIRE(server.done());
  CHECK(client.result().auth_key.key == server.result().auth_key.key);
  CHECK(client.result().auth_key.id == server.result().auth_key.id);
  // Same new_nonce and server_nonce as the sample, hence the sample's first salt.
  CHECK(static_cast<std::uint64_t>(client.result().server_salt) == le64(sample("derived.server_salt")));
  CHECK(server.result().server_salt == client.result().server_salt);
  CHECK(client.result().server_time_offset == 10);
}
