// Transport obfuscation ("obfuscated2"): a 64-byte init payload, then AES-256-CTR both ways
// ("MTProto transports", "Transport obfuscation").
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/aes_ctr.h"
#include "crypto/random.h"
#include "transport/codec.h"

namespace mtjson::transport {

inline constexpr std::size_t kObfuscatedInitSize = 64;

// One AES-256-CTR state per direction, kept for the whole connection (the spec: "reuse the two
// encryption and decryption AES-256-CTR instances until the connection is closed").
class Obfuscated2Cipher {
 public:
  Obfuscated2Cipher(crypto::AesCtr encrypt, crypto::AesCtr decrypt)
      : encrypt_(std::move(encrypt)), decrypt_(std::move(decrypt)) {}
  void encrypt(std::span<std::uint8_t> data) { encrypt_.apply(data); }
  void decrypt(std::span<std::uint8_t> data) { decrypt_.apply(data); }

 private:
  crypto::AesCtr encrypt_;
  crypto::AesCtr decrypt_;
};

// Keys and IVs of both directions as seen by the client (the server swaps them).
struct Obfuscated2Keys {
  std::array<std::uint8_t, 32> encrypt_key{};
  std::array<std::uint8_t, 16> encrypt_iv{};
  std::array<std::uint8_t, 32> decrypt_key{};
  std::array<std::uint8_t, 16> decrypt_iv{};
};

// Keys from bytes 8..40 / 40..56 of the init and of its reverse; with an MTProxy secret
// (16 bytes, empty = none) each key becomes SHA256(key + secret).
Obfuscated2Keys derive_obfuscated2_keys(std::span<const std::uint8_t, kObfuscatedInitSize> init,
                                        std::span<const std::uint8_t> secret);

// True if the first bytes of init could be taken for another transport (abridged 0xef,
// intermediate/padded tags, HTTP methods, a TLS record, full transport with seqno 0).
bool is_forbidden_init(std::span<const std::uint8_t, kObfuscatedInitSize> init);

struct Obfuscated2ClientInit {
  std::array<std::uint8_t, kObfuscatedInitSize> header{};  // the 64 bytes to send first
  Obfuscated2Cipher cipher;                                 // encryptor already past the header
};

// Client side. mode: the inner framing (its 4-byte tag goes at offset 56; full has no tag and is
// refused). dc_id (int16 LE at 60) is written when given (required by MTProxies); otherwise
// those bytes stay random. secret: empty or the 16-byte MTProxy key.
// Returns std::nullopt only for Mode::full or a secret that is not 0 or 16 bytes.
std::optional<Obfuscated2ClientInit> make_obfuscated2_client_init(Mode mode, std::optional<std::int16_t> dc_id,
                                                                  std::span<const std::uint8_t> secret,
                                                                  crypto::RandomSource& rng);

// Server side: what the first 64 bytes said.
struct Obfuscated2ServerInit {
  Mode mode;            // from the tag at offset 56
  std::int16_t dc_id;   // int16 LE at offset 60 (meaningful for MTProxy clients)
  int secret_index;     // index into the secrets tried, -1 = none
  Obfuscated2Cipher cipher;
};

// Tries each candidate secret (an empty span means "no secret") in order and takes the first
// whose decrypted tag is a known one; an error when none does.
Result<Obfuscated2ServerInit> accept_obfuscated2_init(std::span<const std::uint8_t, kObfuscatedInitSize> header,
                                          std::span<const std::span<const std::uint8_t>> secrets);

}  // namespace mtjson::transport
