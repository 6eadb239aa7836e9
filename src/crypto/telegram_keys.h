// Telegram's RSA public keys, built in (production and test DC keys), and a key
// ring the handshake picks from by resPQ.server_public_key_fingerprints.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "crypto/rsa.h"

namespace mtjson::crypto {

enum class DcKind { production, test };

// Their published fingerprints; the built-in keys are checked against these.
inline constexpr std::uint64_t kProductionKeyFingerprint = 0xd09d1d85de64fd85ULL;
inline constexpr std::uint64_t kTestKeyFingerprint = 0xb25898df208d2603ULL;

// The embedded PEM text.
std::string_view builtin_key_pem(DcKind kind);

// Parses the embedded key (once per process) and checks its computed fingerprint against the known
// value; an error means the embedded constant is corrupt.
Result<RsaPublicKey> builtin_public_key(DcKind kind);

class PublicKeyRing {
 public:
  PublicKeyRing() = default;
  // Ring holding the built-in key for that kind of DC.
  static Result<PublicKeyRing> builtin(DcKind kind);

  void add(RsaPublicKey key);           // replaces a key with the same fingerprint
  Status add_pem(std::string_view pem);  // an extra key given by the user

  const RsaPublicKey* find(std::uint64_t fingerprint) const;
  // The first fingerprint offered by the server (resPQ order) that we hold a key for; nullptr if none.
  const RsaPublicKey* select(std::span<const std::uint64_t> offered) const;
  std::size_t size() const { return keys_.size(); }
  const std::vector<RsaPublicKey>& keys() const { return keys_; }

 private:
  std::vector<RsaPublicKey> keys_;
};

}  // namespace mtjson::crypto
