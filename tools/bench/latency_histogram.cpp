#include "bench/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace mtjson::bench {

namespace {

constexpr unsigned kSubBits = 7;                     // 128 sub-buckets per power of two
constexpr std::uint64_t kSub = 1ull << kSubBits;
constexpr std::size_t kBuckets = kSub + (64 - kSubBits) * kSub;

// The 1-based rank nearest-rank asks for: ceil(q/100 * n), at least 1.
std::uint64_t rank_for(double q, std::uint64_t n) {
  double r = std::ceil(q / 100.0 * static_cast<double>(n));
  if (r < 1) return 1;
  if (r > static_cast<double>(n)) return n;
  return static_cast<std::uint64_t>(r);
}

}  // namespace

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

std::size_t LatencyHistogram::bucket_of(std::uint64_t ns) {
  if (ns < kSub) return static_cast<std::size_t>(ns);
  unsigned e = 63 - static_cast<unsigned>(std::countl_zero(ns));  // ns in [2^e, 2^(e+1))
  unsigned shift = e - kSubBits;
  std::uint64_t sub = (ns >> shift) - kSub;                       // 0..127
  return static_cast<std::size_t>(kSub + shift * kSub + sub);
}

std::uint64_t LatencyHistogram::bucket_lowest(std::size_t bucket) {
  if (bucket < kSub) return bucket;
  std::size_t shift = (bucket - kSub) / kSub;
  std::uint64_t sub = (bucket - kSub) % kSub;
  return (kSub + sub) << shift;
}

std::uint64_t LatencyHistogram::bucket_highest(std::size_t bucket) {
  if (bucket < kSub) return bucket;
  std::size_t shift = (bucket - kSub) / kSub;
  return bucket_lowest(bucket) + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(std::uint64_t ns) {
  ++buckets_[bucket_of(ns)];
  ++count_;
  min_ = std::min(min_, ns);
  max_ = std::max(max_, ns);
  sum_ += ns;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  sum_ += other.sum_;
}

std::uint64_t LatencyHistogram::percentile(double q) const {
  if (count_ == 0) return 0;
  if (q <= 0) return min_;
  if (q >= 100) return max_;
  std::uint64_t rank = rank_for(q, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= rank) return std::clamp(bucket_highest(i), min_, max_);
  }
  return max_;
}

std::uint64_t exact_percentile(std::vector<std::uint64_t>& samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  if (q <= 0) return samples.front();
  return samples[rank_for(q, samples.size()) - 1];
}

}  // namespace mtjson::bench
