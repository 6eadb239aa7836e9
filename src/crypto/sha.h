// SHA-1 / SHA-256 / HMAC-SHA256 on OpenSSL EVP with algorithms fetched once and contexts reused
// (measured: one-shot SHA256() is ~4x slower on small inputs).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace mtjson::crypto {

using Sha1Digest = std::array<std::uint8_t, 20>;
using Sha256Digest = std::array<std::uint8_t, 32>;

Sha1Digest sha1(std::span<const std::uint8_t> data);
Sha256Digest sha256(std::span<const std::uint8_t> data);

// Digest of the concatenation of parts, without building the concatenation.
Sha1Digest sha1(std::initializer_list<std::span<const std::uint8_t>> parts);
Sha256Digest sha256(std::initializer_list<std::span<const std::uint8_t>> parts);

// Incremental hashing. finish() returns the digest and resets the object for reuse.
class Sha1 {
 public:
  Sha1();
  ~Sha1();
  Sha1(Sha1&& other) noexcept;
  Sha1& operator=(Sha1&& other) noexcept;
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;

  Sha1& update(std::span<const std::uint8_t> data);
  Sha1Digest finish();

 private:
  EVP_MD_CTX* ctx_ = nullptr;
};

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Sha256& update(std::span<const std::uint8_t> data);
  Sha256Digest finish();

 private:
  EVP_MD_CTX* ctx_ = nullptr;
};

// RFC 2104 HMAC with SHA-256.
Sha256Digest hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);

}  // namespace mtjson::crypto
