// Cryptographically secure randomness, and an injectable source so known-answer tests are
// byte-exact.
//
// Two generators:
//  - fresh_random_bytes(): OpenSSL's RAND_bytes on every call. For key material, where the
//    protocol asks for fresh randomness (official docs, "Creating an Authorization Key":
//    nonce, new_nonce, server_nonce, the DH exponents a and b, RSA_PAD's random bytes).
//  - buffered_random_bytes(): a per-thread ChaCha20 keystream seeded from RAND_bytes, for the
//    bulk of draws (message padding, msg_id and session id randomness, random_id, transport
//    obfuscation). RAND_bytes checks for a fork on every call, a getpid() system call per
//    draw; this generator notices a fork through pthread_atfork instead and reseeds.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mtjson::crypto {

// Draws of a value that must fall in a range (DH and SRP exponents): a miss needs a ~2^-64 draw,
// so this many misses in a row mean a broken source.
inline constexpr int kMaxRandomAttempts = 32;

// Fills out from OpenSSL's CSPRNG (RAND_bytes). Aborts if the CSPRNG fails: continuing with
// predictable key material would be worse than stopping.
void fresh_random_bytes(std::span<std::uint8_t> out);

// Fills out from this thread's buffered ChaCha20 generator (see above). Reseeds from
// RAND_bytes after a fork, after 1 MiB of output and after a minute; aborts if seeding fails.
void buffered_random_bytes(std::span<std::uint8_t> out);

// A uniformly random 64-bit value from buffered_random_bytes().
std::uint64_t random_u64();

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Everyday randomness (padding, ids).
  virtual void fill(std::span<std::uint8_t> out) = 0;
  // Key material (see fresh_random_bytes); the same stream as fill() unless overridden.
  virtual void fill_key_material(std::span<std::uint8_t> out) { fill(out); }
};

// A uniformly random 64-bit value drawn from `source` (little-endian bytes).
std::uint64_t random_u64(RandomSource& source);

// Production source: fill() is buffered_random_bytes(), fill_key_material() is
// fresh_random_bytes().
class SecureRandom final : public RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override { buffered_random_bytes(out); }
  void fill_key_material(std::span<std::uint8_t> out) override { fresh_random_bytes(out); }
};

// Process-wide SecureRandom instance, for defaults.
RandomSource& default_random();

// Test source: replays the given bytes in order. When they run out it continues with a
// deterministic counter pattern (exhausted() tells whether that happened).
class ReplayRandom final : public RandomSource {
 public:
  ReplayRandom() = default;
  explicit ReplayRandom(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  void push(std::span<const std::uint8_t> more) { bytes_.insert(bytes_.end(), more.begin(), more.end()); }
  void fill(std::span<std::uint8_t> out) override;
  bool exhausted() const { return exhausted_; }
  std::size_t remaining() const { return bytes_.size() - pos_; }

 private:
  std::vector<std::uint8_t> bytes_;
  std::size_t pos_ = 0;
  std::uint8_t counter_ = 0;
  bool exhausted_ = false;
};

}  // namespace mtjson::crypto
