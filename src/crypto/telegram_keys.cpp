#include "crypto/telegram_keys.h"

#include <cstdio>

namespace mtjson::crypto {
namespace {

// Production DCs (fingerprint 0xd09d1d85de64fd85).
constexpr std::string_view kProductionPem = R"PEM(-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g
5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO
62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/
+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9
t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs
5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB
-----END RSA PUBLIC KEY-----
)PEM";

// Test DCs (keys/test.pem; fingerprint 0xb25898df208d2603).
constexpr std::string_view kTestPem = R"PEM(-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAyMEdY1aR+sCR3ZSJrtztKTKqigvO/vBfqACJLZtS7QMgCGXJ6XIR
yy7mx66W0/sOFa7/1mAZtEoIokDP3ShoqF4fVNb6XeqgQfaUHd8wJpDWHcR2OFwv
plUUI1PLTktZ9uW2WE23b+ixNwJjJGwBDJPQEQFBE+vfmH0JP503wr5INS1poWg/
j25sIWeYPHYeOrFp/eXaqhISP6G+q2IeTaWTXpwZj4LzXq5YOpk4bYEQ6mvRq7D1
aHWfYmlEGepfaYR8Q0YqvvhYtMte3ITnuSJs171+GDqpdKcSwHnd6FudwGO4pcCO
j4WcDuXc2CTHgH8gFTNhp/Y8/SpDOhvn9QIDAQAB
-----END RSA PUBLIC KEY-----
)PEM";

Result<RsaPublicKey> load_checked(std::string_view pem, std::uint64_t expected, const char* name) {
  auto key = RsaPublicKey::from_pem(pem);
  if (!key) return Result<RsaPublicKey>::error(std::string("builtin ") + name + " key: " + key.message());
  if (key->fingerprint() != expected) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "builtin %s key: fingerprint %016llx, expected %016llx", name,
                  static_cast<unsigned long long>(key->fingerprint()), static_cast<unsigned long long>(expected));
    return Result<RsaPublicKey>::error(buf);
  }
  return key;
}

}  // namespace

std::string_view builtin_key_pem(DcKind kind) { return kind == DcKind::production ? kProductionPem : kTestPem; }

Result<RsaPublicKey> builtin_public_key(DcKind kind) {
  // Parsed and checked once; later calls share the immutable key.
  static const Result<RsaPublicKey> production = load_checked(kProductionPem, kProductionKeyFingerprint, "production");
  static const Result<RsaPublicKey> test = load_checked(kTestPem, kTestKeyFingerprint, "test");
  return kind == DcKind::production ? production : test;
}

Result<PublicKeyRing> PublicKeyRing::builtin(DcKind kind) {
  auto key = builtin_public_key(kind);
  if (!key) return key.status();
  PublicKeyRing ring;
  ring.add(std::move(key).value());
  return ring;
}

void PublicKeyRing::add(RsaPublicKey key) {
  for (auto& k : keys_) {
    if (k.fingerprint() == key.fingerprint()) {
      k = std::move(key);
      return;
    }
  }
  keys_.push_back(std::move(key));
}

Status PublicKeyRing::add_pem(std::string_view pem) {
  auto key = RsaPublicKey::from_pem(pem);
  if (!key) return key.status();
  add(std::move(key).value());
  return {};
}

const RsaPublicKey* PublicKeyRing::find(std::uint64_t fingerprint) const {
  for (const auto& k : keys_) {
    if (k.fingerprint() == fingerprint) return &k;
  }
  return nullptr;
}

const RsaPublicKey* PublicKeyRing::select(std::span<const std::uint64_t> offered) const {
  for (std::uint64_t fp : offered) {
    if (const RsaPublicKey* k = find(fp)) return k;
  }
  return nullptr;
}

}  // namespace mtjson::crypto
