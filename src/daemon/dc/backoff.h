// Reconnect delays: exponential backoff with full jitter, so many daemons (or many sessions of
// one daemon) that lost Telegram at the same moment do not come back in lockstep.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "base/bytes.h"
#include "crypto/random.h"

namespace mtjson::daemon {

struct BackoffPolicy {
  std::chrono::milliseconds first{300};
  std::chrono::milliseconds max{30000};
};

class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy = {}) : policy_(policy) {}

  // The next delay: uniformly random in [cap/2, cap], cap doubling from `first` up to `max`.
  std::chrono::milliseconds next(crypto::RandomSource& random) {
    const std::int64_t cap =
        std::min<std::int64_t>(policy_.max.count(), policy_.first.count() << std::min(attempt_, 20));
    ++attempt_;
    std::uint8_t r[4];
    random.fill(r);
    const std::uint32_t u = load_le32(r);
    const std::int64_t half = cap / 2;
    return std::chrono::milliseconds(half + static_cast<std::int64_t>(u % static_cast<std::uint64_t>(half + 1)));
  }
  // A connection worked (it carried an answer): start again from `first`.
  void reset() { attempt_ = 0; }
  int attempts() const { return attempt_; }

 private:
  BackoffPolicy policy_;
  int attempt_ = 0;
};

}  // namespace mtjson::daemon
