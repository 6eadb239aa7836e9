#include <catch2/catch.hpp>

#include <cstring>

#include "crypto/aes_ige.h"
#include "crypto/random.h"
#include "mtproto/session/packet_crypto.h"
#include "test_util.h"

using namespace mtjson::mtproto;
using namespace mtjson::mtproto::session;
using namespace mtjson::mtproto::session::test;

namespace {

MessageHeader header_of(const std::string& c) {
  MessageHeader h;
  h.server_salt = le64(vec("common", "server_salt"));
  h.session_id = le64(vec("common", "session_id"));
  h.msg_id = le64(vec(c, "msg_id"));
  h.seq_no = vectors().at(c).at("seq_no").get<std::uint32_t>();
  return h;
}

void check_case(const std::string& c, Side sender) {
  const AuthKey key = sample_key();
  CHECK(key.id == le64(vec("common", "auth_key_id")));
  const MessageHeader h = header_of(c);
  const Bytes body = vec(c, "message_body");
  const Bytes packet = encrypt_packet_with_padding(key, sender, h, body, vec(c, "padding"));
  CHECK(packet == vec(c, "payload"));

  DecryptedMessage m;
  REQUIRE_FALSE(decrypt_packet(key, sender, packet, m).has_value());
  CHECK(m.header.server_salt == h.server_salt);
  CHECK(m.header.session_id == h.session_id);
  CHECK(m.header.msg_id == h.msg_id);
  CHECK(m.header.seq_no == h.seq_no);
  CHECK(Bytes(m.body().begin(), m.body().end()) == body);
  CHECK(m.plaintext == vec(c, "plaintext"));

  // The receiver must use the sender's side: the other x gives a msg_key mismatch.
  CHECK(decrypt_packet(key, other_side(sender), packet, m) == DecryptError::msg_key_mismatch);
}

// A packet whose plaintext (header + body + padding, given whole) is encrypted correctly, so only
// the length/padding checks can reject it.
Bytes seal_raw(const AuthKey& key, Bytes plain) {
  mtjson::crypto::AuthKeyView ak(key.key.data(), 256);
  const auto mk = mtjson::crypto::compute_msg_key(ak, Side::client, plain);
  const auto kv = mtjson::crypto::derive_aes_key_iv(ak, mk, Side::client);
  mtjson::crypto::aes_ige_encrypt(kv.key, kv.iv, plain);
  Bytes out(8);
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(key.id >> (8 * i));
  out.insert(out.end(), mk.begin(), mk.end());
  out.insert(out.end(), plain.begin(), plain.end());
  return out;
}

Bytes plain_with_length(std::uint32_t length_field, std::size_t total) {
  Bytes p(total, 0x5a);
  for (int i = 0; i < 4; ++i) p[28 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(length_field >> (8 * i));
  return p;
}

}  // namespace

TEST_CASE("encrypted message known answer, client -> server", "[packet]") {
  check_case("case1_client_to_server", Side::client);
}

TEST_CASE("encrypted message known answer, server -> client", "[packet]") {
  check_case("case2_server_to_client", Side::server);
}

TEST_CASE("encrypt_packet pads 12..1024 bytes to a multiple of 16 and round-trips", "[packet]") {
  const AuthKey key = sample_key();
  mtjson::crypto::ReplayRandom rnd;
  for (std::size_t n : {0u, 4u, 8u, 12u, 16u, 200u, 1000u, 4096u}) {
    Bytes body(n, 0x11);
    for (std::size_t i = 0; i < n; ++i) body[i] = static_cast<std::uint8_t>(i);
    MessageHeader h{1, 2, 0x65c53d5200000004ull, 7};
    for (std::size_t extra : {0u, 3u, 200u}) {
      const Bytes packet = encrypt_packet(key, Side::client, h, body, rnd, extra);
      REQUIRE((packet.size() - kExternalHeaderSize) % 16 == 0);
      const std::size_t padding = packet.size() - kExternalHeaderSize - kInternalHeaderSize - n;
      CHECK(padding >= 12);
      CHECK(padding <= 1024);
      if (extra == 0) CHECK(padding < 28);
      DecryptedMessage m;
      REQUIRE_FALSE(decrypt_packet(key, Side::client, packet, m).has_value());
      CHECK(m.header.msg_id == h.msg_id);
      CHECK(Bytes(m.body().begin(), m.body().end()) == body);
    }
  }
  CHECK(encrypt_packet_with_padding(key, Side::client, {}, Bytes(4), Bytes(8)).empty());   // < 12
  CHECK(encrypt_packet_with_padding(key, Side::client, {}, Bytes(4), Bytes(13)).empty());  // not % 16
}

TEST_CASE("decrypt_packet rejects each kind of bad packet with its own error", "[packet]") {
  const AuthKey key = sample_key();
  const Bytes good = vec("case1_client_to_server", "payload");
  DecryptedMessage m;

  SECTION("too short / not block sized / unknown key") {
    CHECK(decrypt_packet(key, Side::client, Bytes(good.begin(), good.begin() + 60), m) == DecryptError::too_short);
    CHECK(decrypt_packet(key, Side::client, Bytes(good.begin(), good.end() - 4), m) == DecryptError::not_block_sized);
    CHECK(decrypt_packet(other_key(), Side::client, good, m) == DecryptError::unknown_auth_key);
    CHECK(std::string(to_string(DecryptError::unknown_auth_key)) == "auth_key_id does not match");
  }
  SECTION("tampered msg_key or ciphertext -> msg_key mismatch") {
    for (std::size_t pos : {8u, 23u, 24u, 50u, 119u}) {
      Bytes bad = good;
      bad[pos] ^= 0x01;
      CHECK(decrypt_packet(key, Side::client, bad, m) == DecryptError::msg_key_mismatch);
    }
  }
  SECTION("length field beyond the plaintext, or not a multiple of 4") {
    CHECK(decrypt_packet(key, Side::client, seal_raw(key, plain_with_length(1000, 96)), m) == DecryptError::bad_length);
    CHECK(decrypt_packet(key, Side::client, seal_raw(key, plain_with_length(0xffffffffu, 96)), m) ==
          DecryptError::bad_length);
    CHECK(decrypt_packet(key, Side::client, seal_raw(key, plain_with_length(50, 96)), m) == DecryptError::bad_length);
  }
  SECTION("padding under 12 or over 1024 bytes") {
    CHECK(decrypt_packet(key, Side::client, seal_raw(key, plain_with_length(56, 96)), m) == DecryptError::bad_padding);
    CHECK(decrypt_packet(key, Side::client, seal_raw(key, plain_with_length(0, 32 + 1040)), m) ==
          DecryptError::bad_padding);
    // Boundaries accepted: exactly 12 and exactly 1024 bytes of padding.
    CHECK_FALSE(decrypt_packet(key, Side::client, seal_raw(key, plain_with_length(52, 96)), m).has_value());
    CHECK_FALSE(decrypt_packet(key, Side::client, seal_raw(key, plain_with_length(0, 32 + 1024)), m).has_value());
  }
}
