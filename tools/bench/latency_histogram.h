// Latency samples in nanoseconds, kept in a log-linear histogram (the HdrHistogram idea: 128 linear
// sub-buckets per power of two), so a run of any length costs a fixed ~60 KiB and every
// percentile is within 1/128 (0.8%) of the exact nearest-rank value.
//
// Percentiles use the nearest-rank definition: pq is the smallest recorded value v such that at
// least q% of the samples are <= v. The histogram answers with the highest value its bucket can
// hold, clamped to the exact min and max, so a reported percentile is never below the true one
// and over it by less than 1/128 (values under 128 ns are exact).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace mtjson::bench {

class LatencyHistogram {
 public:
  LatencyHistogram();

  void record(std::uint64_t ns);
  void merge(const LatencyHistogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  // q in [0, 100]; 0 gives min(), 100 gives max(); 0 when empty.
  std::uint64_t percentile(double q) const;

  // The bucket layout, exposed for the tests.
  static std::size_t bucket_of(std::uint64_t ns);
  static std::uint64_t bucket_lowest(std::size_t bucket);
  static std::uint64_t bucket_highest(std::size_t bucket);

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t min_ = UINT64_MAX;
  std::uint64_t max_ = 0;
  unsigned __int128 sum_ = 0;
};

// The exact nearest-rank percentile of `samples` (sorted in place); the reference the histogram
// is tested against.
std::uint64_t exact_percentile(std::vector<std::uint64_t>& samples, double q);

}  // namespace mtjson::bench
