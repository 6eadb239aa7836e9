// RSA keys for the auth-key handshake: Telegram's public keys on the client side, a private key on
// the fake-server side. Raw (unpadded) RSA only: MTProto does its own padding (rsa_pad.h).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace mtjson::crypto {

// "Creating an Authorization Key", step 2: the 64 lower-order bits of SHA1 of the bare
// `rsa_public_key n:string e:string` serialization, i.e. SHA1(...)[12..20] read little-endian.
std::uint64_t rsa_fingerprint(std::span<const std::uint8_t> n_be, std::span<const std::uint8_t> e_be);

class RsaPublicKey {
 public:
  // PEM "RSA PUBLIC KEY" (PKCS#1, the form Telegram publishes) or "PUBLIC KEY" (SubjectPublicKeyInfo).
  static Result<RsaPublicKey> from_pem(std::string_view pem);
  // Big-endian modulus and exponent.
  static Result<RsaPublicKey> from_components(std::span<const std::uint8_t> n_be, std::span<const std::uint8_t> e_be);

  std::uint64_t fingerprint() const;
  // Fingerprint as it appears on the wire (little-endian int64 bytes).
  std::array<std::uint8_t, 8> fingerprint_bytes() const;
  std::size_t modulus_size() const;            // bytes (256 for RSA-2048)
  std::vector<std::uint8_t> modulus() const;   // n, big-endian, minimal
  std::vector<std::uint8_t> exponent() const;  // e, big-endian, minimal

  // Is the big-endian number `value` < n?
  bool less_than_modulus(std::span<const std::uint8_t> value_be) const;

  // value^e mod n, left-padded to modulus_size(). value is big-endian, at most modulus_size()
  // bytes and numerically < n.
  Result<std::vector<std::uint8_t>> encrypt_raw(std::span<const std::uint8_t> value_be) const;

  // PEM "RSA PUBLIC KEY" (PKCS#1).
  Result<std::string> to_pem() const;

  struct Impl;

 private:
  explicit RsaPublicKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;  // immutable, shared by copies; safe to use from several threads
  friend class RsaPrivateKey;
};

class RsaPrivateKey {
 public:
  // PEM "RSA PRIVATE KEY" (PKCS#1) or "PRIVATE KEY" (PKCS#8, unencrypted).
  static Result<RsaPrivateKey> from_pem(std::string_view pem);
  // A new key (for a fake server); bits >= 1024.
  static Result<RsaPrivateKey> generate(int bits = 2048);

  const RsaPublicKey& public_key() const { return public_; }

  // c^d mod n, left-padded to modulus_size(). ciphertext is big-endian, exactly modulus_size()
  // bytes, numerically < n.
  Result<std::vector<std::uint8_t>> decrypt_raw(std::span<const std::uint8_t> ciphertext_be) const;

  // PEM "RSA PRIVATE KEY" (PKCS#1). Contains the secret key: never log it.
  Result<std::string> to_pem() const;

  struct Impl;

 private:
  RsaPrivateKey(std::shared_ptr<const Impl> impl, RsaPublicKey pub) : impl_(std::move(impl)), public_(std::move(pub)) {}
  std::shared_ptr<const Impl> impl_;
  RsaPublicKey public_;
};

}  // namespace mtjson::crypto
