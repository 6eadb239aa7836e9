// Cryptographically secure randomness, and an injectable source so known-answer tests are
// byte-exact (style.md: "Injected clock, randomness").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mtjson::crypto {

// Fills out from OpenSSL's CSPRNG (RAND_bytes). Aborts if the CSPRNG fails: continuing with
// predictable key material would be worse than stopping.
void secure_random(std::span<std::uint8_t> out);

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

// Production source: secure_random().
class SecureRandom final : public RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override { secure_random(out); }
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
