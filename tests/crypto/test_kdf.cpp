#include <catch2/catch.hpp>

#include "crypto/aes_ige.h"
#include "crypto/kdf.h"
#include "test_util.h"

using namespace mtjson::crypto;
using namespace mtjson::crypto::test;

namespace {

void check_message_case(const std::string& c, Side sender) {
  const Bytes auth_key = msg_value("common", "auth_key");
  REQUIRE(auth_key.size() == 256);
  AuthKeyView ak(auth_key.data(), 256);
  const Bytes plaintext = msg_value(c, "plaintext");

  const auto large = msg_key_large(ak, sender, plaintext);
  CHECK(to_hex(large) == to_hex(msg_value(c, "msg_key_large")));
  const MsgKey mk = compute_msg_key(ak, sender, plaintext);
  CHECK(bytes_of(mk) == msg_value(c, "msg_key"));

  const AesKeyIv kv = derive_aes_key_iv(ak, mk, sender);
  CHECK(bytes_of(kv.key) == msg_value(c, "aes_key"));
  CHECK(bytes_of(kv.iv) == msg_value(c, "aes_iv"));

  Bytes encrypted(plaintext.size());
  REQUIRE(aes_ige_encrypt(kv.key, kv.iv, plaintext, encrypted));
  CHECK(encrypted == msg_value(c, "encrypted_data"));

  // payload = auth_key_id + msg_key + encrypted_data
  const auto id = auth_key_id(ak);
  Bytes payload;
  payload.reserve(8 + mk.size() + encrypted.size());
  payload.insert(payload.end(), id.begin(), id.end());
  payload.insert(payload.end(), mk.begin(), mk.end());
  payload.insert(payload.end(), encrypted.begin(), encrypted.end());
  CHECK(payload == msg_value(c, "payload"));

  // The receiving side derives the same key from the same sender flag; the other flag differs.
  const AesKeyIv wrong = derive_aes_key_iv(ak, mk, other_side(sender));
  CHECK(wrong.key != kv.key);
  CHECK(compute_msg_key(ak, other_side(sender), plaintext) != mk);
}

}  // namespace

TEST_CASE("MTProto 2.0 KDF, client -> server (x = 0)", "[kdf]") {
  check_message_case("case1_client_to_server", Side::client);
  const Bytes auth_key = msg_value("common", "auth_key");
  const auto large = msg_key_large(AuthKeyView(auth_key.data(), 256), Side::client,
                                   msg_value("case1_client_to_server", "plaintext"));
  CHECK(quick_ack_token(large) == 0xb9d1aedau);
}

TEST_CASE("MTProto 2.0 KDF, server -> client (x = 8)", "[kdf]") {
  check_message_case("case2_server_to_client", Side::server);
}

TEST_CASE("handshake derivations from the official sample", "[kdf][handshake]") {
  const auto new_nonce = hex_array<32>(to_hex(sample("new_nonce")));
  const auto server_nonce = hex_array<16>(to_hex(sample("resPQ.server_nonce")));
  const AesKeyIv tmp = tmp_aes_key_iv(new_nonce, server_nonce);
  CHECK(bytes_of(tmp.key) == sample("tmp_aes_key"));
  CHECK(bytes_of(tmp.iv) == sample("tmp_aes_iv"));

  const Bytes auth_key = sample("auth_key");
  REQUIRE(auth_key.size() == 256);
  AuthKeyView ak(auth_key.data(), 256);
  CHECK(bytes_of(auth_key_id(ak)) == sample("derived.auth_key_id"));
  CHECK(auth_key_id_u64(ak) == 5654532459904850021ULL);
  CHECK(bytes_of(auth_key_aux_hash(ak)) == sample("derived.auth_key_aux_hash"));
  CHECK(bytes_of(new_nonce_hash(new_nonce, 1, ak)) == sample("dh_gen_ok.new_nonce_hash1"));
  CHECK(bytes_of(new_nonce_hash(new_nonce, 2, ak)) == sample("derived.new_nonce_hash2"));
  CHECK(bytes_of(new_nonce_hash(new_nonce, 3, ak)) == sample("derived.new_nonce_hash3"));
  CHECK(bytes_of(initial_server_salt(new_nonce, server_nonce)) == sample("derived.server_salt"));
}
