// The two ways a client encrypts p_q_inner_data for req_DH_params, and their server-side inverses:
// RSA_PAD ("Creating an Authorization Key", step 4.1, current) and the legacy SHA1(data)+data+padding scheme.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/random.h"
#include "base/status.h"
#include "crypto/rsa.h"

namespace mtjson::crypto {

// Step 4.1: data must be at most 144 bytes; the key must be 2048-bit. Randomness is drawn from
// `random` in this order: random_padding_bytes (192 - data.size()), then one 32-byte temp_key per
// attempt (a new one while key_aes_encrypted >= n). Returns the 256-byte encrypted_data.
Result<std::vector<std::uint8_t>> rsa_pad_encrypt(std::span<const std::uint8_t> data, const RsaPublicKey& key,
                                                  RandomSource& random = default_random());

// Server side of step 4.1: decrypt, recover temp_key, AES-IGE-decrypt, check the SHA256 and return
// data_with_padding (192 bytes: the TL data followed by the client's random padding; the caller's
// TL parser knows where data ends).
Result<std::vector<std::uint8_t>> rsa_pad_decrypt(std::span<const std::uint8_t> encrypted_data,
                                                  const RsaPrivateKey& key);

// Legacy req_DH_params encryption: data_with_hash = SHA1(data) + data + random bytes up to 255
// bytes, then raw RSA. data must be at most 235 bytes. Randomness: the padding bytes.
Result<std::vector<std::uint8_t>> rsa_legacy_encrypt(std::span<const std::uint8_t> data, const RsaPublicKey& key,
                                                     RandomSource& random = default_random());

// Server side of the legacy scheme. The plaintext does not say where data ends, so the result keeps
// the hash and the 235 bytes after it; data(len) checks SHA1 over the first len bytes.
struct LegacyDecrypted {
  std::array<std::uint8_t, 20> sha1{};
  std::vector<std::uint8_t> data_with_padding;  // 235 bytes
  // The first `length` bytes if their SHA1 matches, else an error.
  Result<std::vector<std::uint8_t>> data(std::size_t length) const;
};
Result<LegacyDecrypted> rsa_legacy_decrypt(std::span<const std::uint8_t> encrypted_data, const RsaPrivateKey& key);

}  // namespace mtjson::crypto
