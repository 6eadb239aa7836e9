#include "crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

namespace mtjson::crypto {

void secure_random(std::span<std::uint8_t> out) {
  std::size_t done = 0;
  while (done < out.size()) {
    int chunk = static_cast<int>(std::min<std::size_t>(out.size() - done, INT_MAX / 2));
    if (RAND_bytes(out.data() + done, chunk) != 1) std::abort();
    done += static_cast<std::size_t>(chunk);
  }
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
