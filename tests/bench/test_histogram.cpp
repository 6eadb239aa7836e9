// The latency histogram against exact nearest-rank percentiles.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>

#include "bench/latency_histogram.h"

using mtjson::bench::exact_percentile;
using mtjson::bench::LatencyHistogram;

TEST_CASE("exact_percentile is nearest-rank") {
  std::vector<std::uint64_t> v = {15, 20, 35, 40, 50};  // the textbook example
  CHECK(exact_percentile(v, 5) == 15);
  CHECK(exact_percentile(v, 30) == 20);
  CHECK(exact_percentile(v, 40) == 20);
  CHECK(exact_percentile(v, 50) == 35);
  CHECK(exact_percentile(v, 100) == 50);
  CHECK(exact_percentile(v, 0) == 15);
  std::vector<std::uint64_t> empty;
  CHECK(exact_percentile(empty, 50) == 0);
}

TEST_CASE("an empty histogram answers zeros") {
  LatencyHistogram h;
  CHECK(h.count() == 0);
  CHECK(h.percentile(50) == 0);
  CHECK(h.max() == 0);
  CHECK(h.min() == 0);
  CHECK(h.mean() == 0);
}

TEST_CASE("values under 128 ns are exact") {
  LatencyHistogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  CHECK(h.count() == 100);
  CHECK(h.percentile(50) == 50);
  CHECK(h.percentile(90) == 90);
  CHECK(h.percentile(99) == 99);
  CHECK(h.percentile(99.5) == 100);
  CHECK(h.percentile(100) == 100);
  CHECK(h.percentile(0) == 1);
  CHECK(h.min() == 1);
  CHECK(h.max() == 100);
  CHECK(h.mean() == Approx(50.5));
}

TEST_CASE("bucket layout: contiguous, and each bucket narrower than 1/128 of its values") {
  for (std::size_t b = 0; b + 1 < LatencyHistogram::bucket_of(UINT64_MAX); ++b) {
    std::uint64_t lo = LatencyHistogram::bucket_lowest(b);
    std::uint64_t hi = LatencyHistogram::bucket_highest(b);
    REQUIRE(LatencyHistogram::bucket_of(lo) == b);
    REQUIRE(LatencyHistogram::bucket_of(hi) == b);
    REQUIRE(LatencyHistogram::bucket_lowest(b + 1) == hi + 1);
    if (lo >= 128) REQUIRE(static_cast<double>(hi - lo + 1) <= static_cast<double>(lo) / 128.0);
  }
  CHECK(LatencyHistogram::bucket_highest(LatencyHistogram::bucket_of(UINT64_MAX)) == UINT64_MAX);
}

TEST_CASE("percentiles of a wide distribution stay within 1/128 above the exact value") {
  std::mt19937_64 rng(42);
  // Log-normal around 2 ms with a long tail, like loopback latencies under load.
  std::lognormal_distribution<double> dist(std::log(2e6), 0.8);
  LatencyHistogram h;
  std::vector<std::uint64_t> all;
  for (int i = 0; i < 200000; ++i) {
    auto v = static_cast<std::uint64_t>(dist(rng));
    h.record(v);
    all.push_back(v);
  }
  for (double q : {1.0, 10.0, 50.0, 90.0, 99.0, 99.9, 99.99}) {
    std::uint64_t exact = exact_percentile(all, q);
    std::uint64_t got = h.percentile(q);
    INFO("q " << q << " exact " << exact << " histogram " << got);
    CHECK(got >= exact);
    CHECK(static_cast<double>(got - exact) <= static_cast<double>(exact) / 128.0);
  }
  CHECK(h.max() == exact_percentile(all, 100));
  CHECK(h.percentile(100) == h.max());
  CHECK(h.min() == all.front());
}

TEST_CASE("merge equals recording everything in one histogram") {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::uint64_t> dist(1000, 50'000'000);
  LatencyHistogram a, b, both;
  for (int i = 0; i < 10000; ++i) {
    auto v = dist(rng);
    (i % 3 ? a : b).record(v);
    both.record(v);
  }
  a.merge(b);
  CHECK(a.count() == both.count());
  CHECK(a.min() == both.min());
  CHECK(a.max() == both.max());
  CHECK(a.mean() == Approx(both.mean()));
  for (double q : {50.0, 90.0, 99.0}) CHECK(a.percentile(q) == both.percentile(q));
}
