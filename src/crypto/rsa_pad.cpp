#include "crypto/rsa_pad.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "crypto/aes_ige.h"
#include "crypto/sha.h"

namespace mtjson::crypto {
namespace {

constexpr std::size_t kPaddedSize = 192;   // data_with_padding
constexpr std::size_t kMaxData = 144;      // "One has to check that data is not longer than 144 bytes"
constexpr std::size_t kHashedSize = 224;   // data_with_hash
constexpr std::size_t kRsaSize = 256;      // key_aes_encrypted / encrypted_data
constexpr int kMaxAttempts = 64;           // each attempt succeeds with probability > 1/2 for a 2048-bit n

constexpr std::array<std::uint8_t, 32> kZeroIv{};

}  // namespace

Result<std::vector<std::uint8_t>> rsa_pad_encrypt(std::span<const std::uint8_t> data, const RsaPublicKey& key,
                                                  RandomSource& random) {
  using R = Result<std::vector<std::uint8_t>>;
  if (data.size() > kMaxData) return R::error("rsa_pad: data longer than 144 bytes");
  if (key.modulus_size() != kRsaSize) return R::error("rsa_pad: key is not a 2048-bit RSA key");

  // data_with_padding := data + random_padding_bytes (192 bytes)
  std::array<std::uint8_t, kPaddedSize> data_with_padding{};
  std::copy(data.begin(), data.end(), data_with_padding.begin());
  random.fill_key_material(std::span(data_with_padding).subspan(data.size()));

  // data_with_hash := BYTE_REVERSE(data_with_padding) + SHA256(temp_key + data_with_padding)
  std::array<std::uint8_t, kHashedSize> data_with_hash{};
  std::reverse_copy(data_with_padding.begin(), data_with_padding.end(), data_with_hash.begin());

  std::array<std::uint8_t, kRsaSize> key_aes_encrypted{};
  std::array<std::uint8_t, 32> temp_key{};
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    random.fill_key_material(temp_key);
    const Sha256Digest h = sha256({temp_key, data_with_padding});
    std::copy(h.begin(), h.end(), data_with_hash.begin() + kPaddedSize);

    // aes_encrypted := AES256_IGE(data_with_hash, temp_key, 0), stored right after temp_key_xor.
    auto aes_encrypted = std::span(key_aes_encrypted).subspan(32);
    aes_ige_encrypt(temp_key, kZeroIv, data_with_hash, aes_encrypted);
    // temp_key_xor := temp_key XOR SHA256(aes_encrypted)
    const Sha256Digest ha = sha256(aes_encrypted);
    for (std::size_t i = 0; i < 32; ++i) key_aes_encrypted[i] = static_cast<std::uint8_t>(temp_key[i] ^ ha[i]);

    // Retry with a new temp_key while key_aes_encrypted >= n.
    if (key.less_than_modulus(key_aes_encrypted)) {
      OPENSSL_cleanse(temp_key.data(), temp_key.size());
      return key.encrypt_raw(key_aes_encrypted);
    }
  }
  OPENSSL_cleanse(temp_key.data(), temp_key.size());
  return R::error("rsa_pad: no temp_key gave key_aes_encrypted < modulus");
}

Result<std::vector<std::uint8_t>> rsa_pad_decrypt(std::span<const std::uint8_t> encrypted_data,
                                                  const RsaPrivateKey& key) {
  using R = Result<std::vector<std::uint8_t>>;
  if (key.public_key().modulus_size() != kRsaSize) return R::error("rsa_pad: key is not a 2048-bit RSA key");
  if (encrypted_data.size() != kRsaSize) return R::error("rsa_pad: encrypted_data is not 256 bytes");
  auto plain = key.decrypt_raw(encrypted_data);
  if (!plain) return plain.status();
  const std::vector<std::uint8_t>& key_aes_encrypted = *plain;

  auto temp_key_xor = std::span(key_aes_encrypted).first(32);
  auto aes_encrypted = std::span(key_aes_encrypted).subspan(32);
  const Sha256Digest ha = sha256(aes_encrypted);
  std::array<std::uint8_t, 32> temp_key{};
  for (std::size_t i = 0; i < 32; ++i) temp_key[i] = static_cast<std::uint8_t>(temp_key_xor[i] ^ ha[i]);

  std::array<std::uint8_t, kHashedSize> data_with_hash{};
  aes_ige_decrypt(temp_key, kZeroIv, aes_encrypted, data_with_hash);

  std::vector<std::uint8_t> data_with_padding(kPaddedSize);
  std::reverse_copy(data_with_hash.begin(), data_with_hash.begin() + kPaddedSize, data_with_padding.begin());
  const Sha256Digest expect = sha256({temp_key, data_with_padding});
  OPENSSL_cleanse(temp_key.data(), temp_key.size());
  if (CRYPTO_memcmp(expect.data(), data_with_hash.data() + kPaddedSize, 32) != 0) {
    return R::error("rsa_pad: SHA256(temp_key + data_with_padding) mismatch");
  }
  return data_with_padding;
}

// ---------------- legacy ----------------

namespace {
constexpr std::size_t kLegacyBody = 255;                 // SHA1 (20) + data + padding
constexpr std::size_t kLegacyMaxData = kLegacyBody - 20;  // 235
}  // namespace

Result<std::vector<std::uint8_t>> rsa_legacy_encrypt(std::span<const std::uint8_t> data, const RsaPublicKey& key,
                                                     RandomSource& random) {
  using R = Result<std::vector<std::uint8_t>>;
  if (data.size() > kLegacyMaxData) return R::error("rsa_legacy: data longer than 235 bytes");
  if (key.modulus_size() != kRsaSize) return R::error("rsa_legacy: key is not a 2048-bit RSA key");
  std::array<std::uint8_t, kLegacyBody> body{};
  const Sha1Digest h = sha1(data);
  std::copy(h.begin(), h.end(), body.begin());
  std::copy(data.begin(), data.end(), body.begin() + 20);
  random.fill_key_material(std::span(body).subspan(20 + data.size()));
  // 255 bytes are always < a 2048-bit modulus (whose top byte is non-zero).
  return key.encrypt_raw(body);
}

Result<LegacyDecrypted> rsa_legacy_decrypt(std::span<const std::uint8_t> encrypted_data, const RsaPrivateKey& key) {
  using R = Result<LegacyDecrypted>;
  if (key.public_key().modulus_size() != kRsaSize) return R::error("rsa_legacy: key is not a 2048-bit RSA key");
  if (encrypted_data.size() != kRsaSize) return R::error("rsa_legacy: encrypted_data is not 256 bytes");
  auto plain = key.decrypt_raw(encrypted_data);
  if (!plain) return plain.status();
  // A 255-byte body decrypts to 256 bytes with a zero first byte.
  if ((*plain)[0] != 0) return R::error("rsa_legacy: decrypted value longer than 255 bytes");
  LegacyDecrypted out;
  std::copy_n(plain->begin() + 1, 20, out.sha1.begin());
  out.data_with_padding.assign(plain->begin() + 21, plain->end());
  return out;
}

Result<std::vector<std::uint8_t>> LegacyDecrypted::data(std::size_t length) const {
  using R = Result<std::vector<std::uint8_t>>;
  if (length > data_with_padding.size()) return R::error("rsa_legacy: data length beyond the decrypted block");
  auto d = std::span(data_with_padding).first(length);
  const Sha1Digest h = crypto::sha1(d);
  if (CRYPTO_memcmp(h.data(), sha1.data(), 20) != 0) return R::error("rsa_legacy: SHA1(data) mismatch");
  return std::vector<std::uint8_t>(d.begin(), d.end());
}

}  // namespace mtjson::crypto
