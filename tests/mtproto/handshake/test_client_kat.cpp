// Known-answer test: the client fed the official example's server replies and randomness
// ("Auth key generation example", data/auth_key_sample.json) reproduces every value the page fixes.
#include <catch2/catch.hpp>

#include <map>

#include "crypto/kdf.h"
#include "mtproto/handshake/plain_message.h"
#include "test_util.h"

using namespace mtjson;
using namespace mtjson::mtproto::handshake;
using namespace mtjson::mtproto::handshake::test;

namespace {

constexpr std::int64_t kLocalTime = 1707425104;  // the upper half of the sample's first msg_id

crypto::ReplayRandom sample_client_random() {
  crypto::ReplayRandom r;
  r.push(sample("req_pq_multi.nonce"));
  r.push(sample("new_nonce"));
  r.push(sample("b"));
  r.push(sample("client_DH_inner_data.padding"));
  return r;
}

ClientConfig sample_client_config() {
  ClientConfig c;
  c.dc_id = 2;  // p_q_inner_data_dc.dc = 2
  auto ring = crypto::PublicKeyRing::builtin(crypto::DcKind::production);
  REQUIRE(ring);
  c.keys = *ring;
  return c;
}

}  // namespace

TEST_CASE("client reproduces the official auth_key sample at every step", "[handshake][client][kat]") {
  crypto::ReplayRandom random = sample_client_random();
  ClientHandshake client(sample_client_config(), random, fixed_clock(kLocalTime));
  std::map<std::string, Bytes> seen;
  client.set_observer([&](std::string_view name, std::span<const std::uint8_t> v) {
    seen[std::string(name)] = Bytes(v.begin(), v.end());
  });
  // The page omits RSA_PAD's temp_key: substitute its encrypted_data after checking the input.
  Bytes rsa_input;
  std::uint64_t rsa_fp = 0;
  client.set_rsa_encrypt([&](std::span<const std::uint8_t> data, const crypto::RsaPublicKey& key,
                             crypto::RandomSource&) -> mtjson::Result<Bytes> {
    rsa_input.assign(data.begin(), data.end());
    rsa_fp = key.fingerprint();
    return sample("rsa_pad.encrypted_data");
  });

  // Step 1.
  const Bytes req_pq = client.start();
  CHECK(to_hex(req_pq) == to_hex(sample_body("req_pq_multi")));
  CHECK(to_hex(encode_plain(le64(sample("req_pq_multi.message_id")), req_pq)) == to_hex(sample("req_pq_multi.payload")));
  CHECK(client.state() == ClientHandshake::State::WaitResPq);

  // Steps 2-5.
  auto req_dh = client.on_message(sample_body("resPQ"));
  REQUIRE(req_dh);
  CHECK(to_hex(seen.at("p")) == to_hex(sample("p")));
  CHECK(to_hex(seen.at("q")) == to_hex(sample("q")));
  CHECK(to_hex(seen.at("new_nonce")) == to_hex(sample("new_nonce")));
  CHECK(to_hex(seen.at("p_q_inner_data")) == to_hex(sample("p_q_inner_data_dc.payload")));
  CHECK(to_hex(rsa_input) == to_hex(sample("rsa_pad.data")));
  CHECK(rsa_fp == le64(sample("client_known_fingerprint")));
  CHECK(to_hex(req_dh->send) == to_hex(sample_body("req_DH_params")));
  CHECK(to_hex(encode_plain(le64(sample("req_DH_params.message_id")), req_dh->send)) ==
        to_hex(sample("req_DH_params.payload")));
  CHECK(client.state() == ClientHandshake::State::WaitDhParams);

  // Steps 6-7.
  auto set_dh = client.on_message(sample_body("server_DH_params_ok"));
  REQUIRE(set_dh);
  CHECK(to_hex(seen.at("tmp_aes_key")) == to_hex(sample("tmp_aes_key")));
  CHECK(to_hex(seen.at("tmp_aes_iv")) == to_hex(sample("tmp_aes_iv")));
  CHECK(to_hex(seen.at("answer_with_hash")) == to_hex(sample("answer_with_hash")));
  // The JSON's "answer" is answer_with_hash minus the SHA1, padding included (8 bytes here).
  CHECK(to_hex(sample("answer")).rfind(to_hex(seen.at("answer")), 0) == 0);
  CHECK(sample("answer").size() - seen.at("answer").size() == 8);
  CHECK(to_hex(seen.at("answer")) == to_hex(sample("server_DH_inner_data.payload")));
  CHECK(to_hex(seen.at("g_b")) == to_hex(sample("g_b")));
  CHECK(to_hex(seen.at("client_DH_inner_data")) == to_hex(sample("client_DH_inner_data.payload")));
  CHECK(to_hex(seen.at("client_DH_inner_data.encrypted_data")) == to_hex(sample("client_DH_inner_data.encrypted_data")));
  CHECK(to_hex(set_dh->send) == to_hex(sample_body("set_client_DH_params")));
  CHECK(to_hex(encode_plain(le64(sample("set_client_DH_params.message_id")), set_dh->send)) ==
        to_hex(sample("set_client_DH_params.payload")));
  CHECK(client.state() == ClientHandshake::State::WaitDhGenResult);

  // Steps 8-9: dh_gen_ok carries new_nonce_hash1, which the client checks against its auth_key.
  auto done = client.on_message(sample_body("dh_gen_ok"));
  REQUIRE(done);
  CHECK(done->done);
  CHECK(done->send.empty());
  REQUIRE(client.done());
  CHECK(random.remaining() == 0);
  CHECK_FALSE(random.exhausted());
  const auto& r = client.result();
  CHECK(to_hex(r.auth_key.key) == to_hex(sample("auth_key")));
  CHECK(to_hex(seen.at("auth_key")) == to_hex(sample("auth_key")));
  CHECK(r.auth_key.id == le64(sample("derived.auth_key_id")));
  CHECK(static_cast<std::uint64_t>(r.server_salt) == le64(sample("derived.server_salt")));
  CHECK(r.server_time_offset == static_cast<std::int32_t>(le32(sample("server_DH_inner_data.server_time")) - kLocalTime));
  CHECK(r.server_time_offset == 1);
  CHECK(r.expires_at == 0);
  CHECK(r.dh_gen_retries == 0);
  const auto sample_key = hex_array<256>(to_hex(sample("auth_key")));
  CHECK(to_hex(crypto::new_nonce_hash(hex_array<32>(to_hex(sample("new_nonce"))), 1, sample_key)) ==
        to_hex(sample("dh_gen_ok.new_nonce_hash1")));
}

TEST_CASE("client with the real RSA_PAD matches the sample except the 256 encrypted bytes", "[handshake][client][kat]") {
  crypto::ReplayRandom random;
  random.push(sample("req_pq_multi.nonce"));
  random.push(sample("new_nonce"));
  random.push(sample("rsa_pad.random_padding_bytes"));
  ClientHandshake client(sample_client_config(), random, fixed_clock(kLocalTime));
  client.start();
  auto req_dh = client.on_message(sample_body("resPQ"));
  REQUIRE(req_dh);
  const Bytes expected = sample_body("req_DH_params");
  REQUIRE(req_dh->send.size() == expected.size());
  const std::size_t tail = 256;  // encrypted_data, the last field
  CHECK(to_hex(std::span(req_dh->send).first(expected.size() - tail)) ==
        to_hex(std::span(expected).first(expected.size() - tail)));
  CHECK(to_hex(std::span(req_dh->send).last(tail)) != to_hex(std::span(expected).last(tail)));
  // The padding came first, then one temp_key per attempt (from the counter pattern).
  CHECK(random.remaining() == 0);
}

TEST_CASE("plain-message envelope: sample client messages, and the errata in the server ones", "[handshake][plain]") {
  for (const char* m : {"req_pq_multi", "req_DH_params", "set_client_DH_params"}) {
    INFO(m);
    auto decoded = decode_plain(sample(std::string(m) + ".payload"), crypto::Side::client);
    REQUIRE(decoded);
    CHECK(decoded->msg_id == le64(sample(std::string(m) + ".message_id")));
    CHECK(to_hex(decoded->body) == to_hex(sample_body(m)));
    // Server-side parity check rejects a client msg_id.
    CHECK(decode_plain(sample(std::string(m) + ".payload"), crypto::Side::server).message() ==
          "plain message: server msg_id % 4 != 1");
  }
  // An erratum of the published sample: its server replies declare the wrong message_length.
  CHECK(decode_plain(sample("resPQ.payload")).message() == "plain message: message_data_length 168 != 80 bytes present");
  CHECK(decode_plain(sample("server_DH_params_ok.payload")).message() ==
        "plain message: message_data_length 708 != 632 bytes present");
  CHECK(decode_plain(sample("dh_gen_ok.payload")).message() == "plain message: message_data_length 116 != 52 bytes present");
  // With the true length they decode, and their msg_ids are server responses (mod 4 == 1).
  for (const char* m : {"resPQ", "server_DH_params_ok", "dh_gen_ok"}) {
    INFO(m);
    const Bytes fixed = encode_plain(le64(sample(std::string(m) + ".message_id")), sample_body(m));
    auto decoded = decode_plain(fixed, crypto::Side::server);
    REQUIRE(decoded);
    CHECK(decoded->msg_id % 4 == 1);
    CHECK(to_hex(decoded->body) == to_hex(sample_body(m)));
  }
}
