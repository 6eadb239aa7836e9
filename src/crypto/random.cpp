#include "crypto/random.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "base/bytes.h"

namespace mtjson::crypto {

void fresh_random_bytes(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    int chunk = static_cast<int>(std::min<std::size_t>(out.size() - done, INT_MAX / 2));
    if (RAND_bytes(out.data() + done, chunk) != 1) std::abort();
    done += static_cast<std::size_t>(chunk);
  }
}

namespace {

// Bumped in the child of every fork: a generator whose generation differs reseeds, so parent
// and child never share a keystream, and no draw pays for a getpid().
std::atomic<std::uint64_t> g_fork_generation{1};

void register_fork_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    pthread_atfork(nullptr, nullptr, [] { g_fork_generation.fetch_add(1, std::memory_order_relaxed); });
  });
}

// Fast key erasure: each refill produces the buffer and, from the same keystream, the next
// key and IV, which replace the old ones at once; handed-out bytes are wiped from the buffer.
// A later compromise of the state so reveals nothing drawn before it.
class BufferedGenerator {
 public:
  BufferedGenerator() {
    register_fork_handler();
    ctx_ = EVP_CIPHER_CTX_new();
    if (!ctx_) std::abort();
  }
  ~BufferedGenerator() {
    OPENSSL_cleanse(buf_.data(), buf_.size());
    EVP_CIPHER_CTX_free(ctx_);
  }
  BufferedGenerator(const BufferedGenerator&) = delete;
  BufferedGenerator& operator=(const BufferedGenerator&) = delete;

  void fill(std::span<std::uint8_t> out) {
    if (generation_ != g_fork_generation.load(std::memory_order_relaxed)) reseed();
    std::size_t done = 0;
    while (done < out.size()) {
      if (pos_ == kBuffer) {
        if (out.size() - done >= kBuffer) {
          // A large request: the keystream goes straight into the output, a buffer at a time.
          keystream(out.data() + done, kBuffer);
          done += kBuffer;
          continue;
        }
        refill();
      }
      std::size_t n = std::min(out.size() - done, kBuffer - pos_);
      std::memcpy(out.data() + done, buf_.data() + pos_, n);
      OPENSSL_cleanse(buf_.data() + pos_, n);
      pos_ += n;
      done += n;
    }
  }

 private:
  static constexpr std::size_t kBuffer = 4096;
  static constexpr std::size_t kKeyIv = 32 + 16;  // ChaCha20 key, counter + nonce
  static constexpr std::uint64_t kReseedBytes = 1 << 20;
  static constexpr std::chrono::seconds kReseedAge{60};

  void reseed() {
    std::array<std::uint8_t, kKeyIv> seed;
    fresh_random_bytes(seed);
    rekey(seed.data());
    OPENSSL_cleanse(seed.data(), seed.size());
    generation_ = g_fork_generation.load(std::memory_order_relaxed);
    since_seed_ = 0;
    seeded_at_ = std::chrono::steady_clock::now();
    pos_ = kBuffer;  // drop what the old key made
  }
  void rekey(const std::uint8_t* key_iv) {
    if (EVP_EncryptInit_ex(ctx_, EVP_chacha20(), nullptr, key_iv, key_iv + 32) != 1) std::abort();
  }
  // Writes n bytes of keystream to out (encrypting zeros), then moves to the next key.
  void keystream(std::uint8_t* out, std::size_t n) {
    if (since_seed_ >= kReseedBytes || std::chrono::steady_clock::now() - seeded_at_ >= kReseedAge) reseed();
    std::memset(out, 0, n);
    int len = 0;
    if (EVP_EncryptUpdate(ctx_, out, &len, out, static_cast<int>(n)) != 1) std::abort();
    std::array<std::uint8_t, kKeyIv> next{};
    if (EVP_EncryptUpdate(ctx_, next.data(), &len, next.data(), static_cast<int>(next.size())) != 1) std::abort();
    rekey(next.data());
    OPENSSL_cleanse(next.data(), next.size());
    since_seed_ += n;
  }
  void refill() {
    keystream(buf_.data(), kBuffer);
    pos_ = 0;
  }

  EVP_CIPHER_CTX* ctx_ = nullptr;
  std::array<std::uint8_t, kBuffer> buf_{};
  std::size_t pos_ = kBuffer;
  std::uint64_t generation_ = 0;  // 0: never seeded
  std::uint64_t since_seed_ = 0;
  std::chrono::steady_clock::time_point seeded_at_{};
};

}  // namespace

void buffered_random_bytes(std::span<std::uint8_t> out) {
  thread_local BufferedGenerator generator;
  generator.fill(out);
}

std::uint64_t random_u64(RandomSource& source) {
  std::uint8_t b[8];
  source.fill(b);
  return load_le64(b);
}

std::uint64_t random_u64() {
  std::uint8_t b[8];
  buffered_random_bytes(b);
  return load_le64(b);
}

RandomSource& default_random() {
  static SecureRandom source;
  return source;
}

void ReplayRandom::fill(std::span<std::uint8_t> out) {
  for (auto& b : out) {
    if (pos_ < bytes_.size()) {
      b = bytes_[pos_++];
    } else {
      exhausted_ = true;
      b = counter_++;
    }
  }
}

}  // namespace mtjson::crypto
