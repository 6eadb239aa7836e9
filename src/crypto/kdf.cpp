#include "crypto/kdf.h"

#include <algorithm>

#include "base/bytes.h"
#include "crypto/sha.h"

namespace mtjson::crypto {

std::array<std::uint8_t, 32> msg_key_large(AuthKeyView auth_key, Side sender,
                                           std::span<const std::uint8_t> plaintext_with_padding) {
  return sha256({auth_key.subspan(88 + kdf_x(sender), 32), plaintext_with_padding});
}

MsgKey msg_key_from_large(std::span<const std::uint8_t, 32> large) {
  MsgKey k{};
  std::copy_n(large.begin() + 8, 16, k.begin());
  return k;
}

MsgKey compute_msg_key(AuthKeyView auth_key, Side sender, std::span<const std::uint8_t> plaintext_with_padding) {
  auto large = msg_key_large(auth_key, sender, plaintext_with_padding);
  return msg_key_from_large(large);
}

AesKeyIv derive_aes_key_iv(AuthKeyView auth_key, std::span<const std::uint8_t, 16> msg_key, Side sender) {
  const std::size_t x = kdf_x(sender);
  const Sha256Digest a = sha256({msg_key, auth_key.subspan(x, 36)});
  const Sha256Digest b = sha256({auth_key.subspan(40 + x, 36), msg_key});
  AesKeyIv out;
  // aes_key = a[0:8] + b[8:24] + a[24:32]; aes_iv = b[0:8] + a[8:24] + b[24:32].
  std::copy_n(a.begin(), 8, out.key.begin());
  std::copy_n(b.begin() + 8, 16, out.key.begin() + 8);
  std::copy_n(a.begin() + 24, 8, out.key.begin() + 24);
  std::copy_n(b.begin(), 8, out.iv.begin());
  std::copy_n(a.begin() + 8, 16, out.iv.begin() + 8);
  std::copy_n(b.begin() + 24, 8, out.iv.begin() + 24);
  return out;
}

std::uint32_t quick_ack_token(std::span<const std::uint8_t, 32> large) {
  return load_le32(large.data()) | 0x80000000u;
}

std::array<std::uint8_t, 8> auth_key_id(AuthKeyView auth_key) {
  const Sha1Digest h = sha1(auth_key);
  std::array<std::uint8_t, 8> id{};
  std::copy_n(h.begin() + 12, 8, id.begin());
  return id;
}

std::uint64_t auth_key_id_u64(AuthKeyView auth_key) {
  return load_le64(auth_key_id(auth_key));
}

std::array<std::uint8_t, 8> auth_key_aux_hash(AuthKeyView auth_key) {
  const Sha1Digest h = sha1(auth_key);
  std::array<std::uint8_t, 8> out{};
  std::copy_n(h.begin(), 8, out.begin());
  return out;
}

AesKeyIv tmp_aes_key_iv(std::span<const std::uint8_t, 32> new_nonce, std::span<const std::uint8_t, 16> server_nonce) {
  const Sha1Digest ns = sha1({new_nonce, server_nonce});
  const Sha1Digest sn = sha1({server_nonce, new_nonce});
  const Sha1Digest nn = sha1({new_nonce, new_nonce});
  AesKeyIv out;
  // tmp_aes_key = SHA1(new_nonce + server_nonce) + substr(SHA1(server_nonce + new_nonce), 0, 12)
  std::copy_n(ns.begin(), 20, out.key.begin());
  std::copy_n(sn.begin(), 12, out.key.begin() + 20);
  // tmp_aes_iv = substr(SHA1(server_nonce + new_nonce), 12, 8) + SHA1(new_nonce + new_nonce) + substr(new_nonce, 0, 4)
  std::copy_n(sn.begin() + 12, 8, out.iv.begin());
  std::copy_n(nn.begin(), 20, out.iv.begin() + 8);
  std::copy_n(new_nonce.begin(), 4, out.iv.begin() + 28);
  return out;
}

std::array<std::uint8_t, 16> new_nonce_hash(std::span<const std::uint8_t, 32> new_nonce, std::uint8_t n,
                                            AuthKeyView auth_key) {
  const auto aux = auth_key_aux_hash(auth_key);
  const std::uint8_t tag[1] = {n};
  const Sha1Digest h = sha1({new_nonce, tag, aux});
  std::array<std::uint8_t, 16> out{};
  std::copy_n(h.begin() + 4, 16, out.begin());
  return out;
}

std::array<std::uint8_t, 8> initial_server_salt(std::span<const std::uint8_t, 32> new_nonce,
                                                std::span<const std::uint8_t, 16> server_nonce) {
  std::array<std::uint8_t, 8> salt{};
  for (std::size_t i = 0; i < 8; ++i) salt[i] = static_cast<std::uint8_t>(new_nonce[i] ^ server_nonce[i]);
  return salt;
}

}  // namespace mtjson::crypto
