#include "mtproto/session/packet_crypto.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "base/bytes.h"
#include "crypto/aes_ige.h"

namespace mtjson::mtproto::session {

namespace {

crypto::AuthKeyView view(const AuthKey& key) { return crypto::AuthKeyView(key.key.data(), 256); }

// Builds auth_key_id | msg_key | encrypted(plaintext) where plaintext = header | body | padding and
// the padding is written by fill_padding(span).
template <typename FillPadding>
std::vector<std::uint8_t> seal(const AuthKey& key, Side sender, const MessageHeader& h,
                               std::span<const std::uint8_t> body, std::size_t padding, FillPadding fill_padding) {
  const std::size_t plain_size = kInternalHeaderSize + body.size() + padding;
  std::vector<std::uint8_t> out(kExternalHeaderSize + plain_size);
  std::uint8_t* p = out.data() + kExternalHeaderSize;
  store_le64(p, h.server_salt);
  store_le64(p + 8, h.session_id);
  store_le64(p + 16, h.msg_id);
  store_le32(p + 24, h.seq_no);
  store_le32(p + 28, static_cast<std::uint32_t>(body.size()));
  if (!body.empty()) std::memcpy(p + kInternalHeaderSize, body.data(), body.size());
  fill_padding(std::span<std::uint8_t>(p + kInternalHeaderSize + body.size(), padding));

  std::span<std::uint8_t> plain(p, plain_size);
  const crypto::MsgKey msg_key = crypto::compute_msg_key(view(key), sender, plain);
  const crypto::AesKeyIv kv = crypto::derive_aes_key_iv(view(key), msg_key, sender);
  crypto::aes_ige_encrypt(kv.key, kv.iv, plain);
  store_le64(out.data(), key.id);
  std::memcpy(out.data() + 8, msg_key.data(), msg_key.size());
  return out;
}

}  // namespace

std::vector<std::uint8_t> encrypt_packet(const AuthKey& key, Side sender, const MessageHeader& header,
                                         std::span<const std::uint8_t> body, crypto::RandomSource& random,
                                         std::size_t max_extra_blocks) {
  // "Mobile Protocol: Detailed Description": 12..1024 padding bytes, total a multiple of 16.
  std::size_t padding = kMinPadding;
  padding += (16 - (kInternalHeaderSize + body.size() + padding) % 16) % 16;
  const std::size_t extra_max = std::min(max_extra_blocks, (kMaxPadding - padding) / 16);
  // One draw for the extra-block choice and every padding byte (a CSPRNG call costs ~1 us).
  std::array<std::uint8_t, 1 + kMaxPadding> rnd;
  const std::size_t need = 1 + padding + 16 * extra_max;
  random.fill(std::span<std::uint8_t>(rnd.data(), need));
  padding += 16 * (extra_max == 0 ? 0 : rnd[0] % (extra_max + 1));
  return seal(key, sender, header, body, padding,
              [&](std::span<std::uint8_t> pad) { std::copy_n(rnd.begin() + 1, pad.size(), pad.begin()); });
}

std::vector<std::uint8_t> encrypt_packet_with_padding(const AuthKey& key, Side sender, const MessageHeader& header,
                                                      std::span<const std::uint8_t> body,
                                                      std::span<const std::uint8_t> padding) {
  if (padding.size() < kMinPadding || padding.size() > kMaxPadding ||
      (kInternalHeaderSize + body.size() + padding.size()) % 16 != 0)
    return {};
  return seal(key, sender, header, body, padding.size(),
              [&](std::span<std::uint8_t> pad) { std::copy(padding.begin(), padding.end(), pad.begin()); });
}

const char* to_string(DecryptError e) {
  switch (e) {
    case DecryptError::too_short: return "packet too short";
    case DecryptError::not_block_sized: return "encrypted_data not a multiple of 16 bytes";
    case DecryptError::unknown_auth_key: return "auth_key_id does not match";
    case DecryptError::msg_key_mismatch: return "msg_key mismatch";
    case DecryptError::bad_length: return "message_data_length out of bounds";
    case DecryptError::bad_padding: return "padding not 12..1024 bytes";
  }
  return "unknown decrypt error";
}

std::optional<std::uint64_t> packet_auth_key_id(std::span<const std::uint8_t> packet) {
  if (packet.size() < 8) return std::nullopt;
  return load_le64(packet.data());
}

std::optional<DecryptError> decrypt_packet(const AuthKey& key, Side sender, std::span<const std::uint8_t> packet,
                                           DecryptedMessage& out) {
  // Smallest plaintext: 32-byte header + 12 bytes of padding, rounded up to 48.
  if (packet.size() < kExternalHeaderSize + 48) return DecryptError::too_short;
  const std::size_t enc_size = packet.size() - kExternalHeaderSize;
  if (enc_size % 16 != 0) return DecryptError::not_block_sized;
  if (load_le64(packet.data()) != key.id) return DecryptError::unknown_auth_key;

  std::array<std::uint8_t, 16> msg_key{};
  std::memcpy(msg_key.data(), packet.data() + 8, 16);
  const crypto::AesKeyIv kv = crypto::derive_aes_key_iv(view(key), msg_key, sender);
  out.plaintext.resize(enc_size);
  crypto::aes_ige_decrypt(kv.key, kv.iv, packet.subspan(kExternalHeaderSize), out.plaintext);

  // The msg_key check comes before anything read from the plaintext is trusted, and the same
  // drop follows any later failure ("Security Guidelines for Client Developers").
  const crypto::MsgKey expected = crypto::compute_msg_key(view(key), sender, out.plaintext);
  if (CRYPTO_memcmp(expected.data(), msg_key.data(), 16) != 0) return DecryptError::msg_key_mismatch;

  const std::uint8_t* p = out.plaintext.data();
  const std::uint32_t length = load_le32(p + 28);
  const std::size_t max_body = enc_size - kInternalHeaderSize;
  if (length > max_body || length % 4 != 0) return DecryptError::bad_length;
  const std::size_t padding = max_body - length;
  if (padding < kMinPadding || padding > kMaxPadding) return DecryptError::bad_padding;

  out.header.server_salt = load_le64(p);
  out.header.session_id = load_le64(p + 8);
  out.header.msg_id = load_le64(p + 16);
  out.header.seq_no = load_le32(p + 24);
  out.body_size = length;
  return std::nullopt;
}

}  // namespace mtjson::mtproto::session
