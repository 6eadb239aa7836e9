#include "mtproto/handshake/inner_cipher.h"

#include <openssl/crypto.h>

#include <string>

#include "crypto/aes_ige.h"
#include "crypto/sha.h"

namespace mtjson::mtproto::handshake {

Bytes encrypt_with_hash(std::span<const std::uint8_t> data, const crypto::AesKeyIv& tmp, crypto::RandomSource& random,
                        Bytes* with_hash_out) {
  const std::size_t unpadded = 20 + data.size();
  const std::size_t padding = (16 - unpadded % 16) % 16;
  Bytes buf(unpadded + padding);
  const auto hash = crypto::sha1(data);
  std::copy(hash.begin(), hash.end(), buf.begin());
  std::copy(data.begin(), data.end(), buf.begin() + 20);
  if (padding) random.fill_key_material(std::span(buf).subspan(unpadded));
  if (with_hash_out) *with_hash_out = buf;
  crypto::aes_ige_encrypt(tmp.key, tmp.iv, std::span<std::uint8_t>(buf));
  return buf;
}

Result<Bytes> decrypt_with_hash(std::span<const std::uint8_t> encrypted, const crypto::AesKeyIv& tmp, const char* what) {
  if (encrypted.size() < 32 || encrypted.size() % 16 != 0) {
    return Result<Bytes>::error(std::string(what) + ": encrypted length " + std::to_string(encrypted.size()) +
                                " is not a positive multiple of 16 holding a SHA1");
  }
  Bytes plain(encrypted.size());
  crypto::aes_ige_decrypt(tmp.key, tmp.iv, encrypted, plain);
  return plain;
}

Status check_with_hash(std::span<const std::uint8_t> with_hash, std::size_t data_length, const char* what) {
  if (with_hash.size() < 20 + data_length) return Status::error(std::string(what) + ": data longer than the decrypted block");
  const std::size_t padding = with_hash.size() - 20 - data_length;
  const auto hash = crypto::sha1(with_hash.subspan(20, data_length));
  if (CRYPTO_memcmp(hash.data(), with_hash.data(), 20) != 0) return Status::error(std::string(what) + ": SHA1 mismatch");
  if (padding > 15) {
    return Status::error(std::string(what) + ": bad padding length " + std::to_string(padding) + " (must be 0..15)");
  }
  return Status();
}

}  // namespace mtjson::mtproto::handshake
