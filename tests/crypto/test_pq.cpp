#include <catch2/catch.hpp>
#include <random>

#include "crypto/pq.h"
#include "test_util.h"

using namespace mtjson::crypto;
using namespace mtjson::crypto::test;

TEST_CASE("pq of the official sample factors into p < q", "[pq]") {
  auto r = factorize_pq(sample("pq"));
  REQUIRE(r.ok());
  CHECK(r->p == sample("p"));
  CHECK(r->q == sample("q"));
  // TL-padded forms are not accepted here; leading zeros are.
  Bytes padded = sample("pq");
  padded.insert(padded.begin(), 0);
  REQUIRE(factorize_pq(padded).ok());
}

TEST_CASE("pq: random products of two ~31-bit primes", "[pq]") {
  std::mt19937_64 rng(12345);
  auto random_prime = [&](std::uint64_t lo, std::uint64_t hi) {
    std::uniform_int_distribution<std::uint64_t> d(lo, hi);
    for (;;) {
      std::uint64_t v = d(rng) | 1;
      if (is_prime_u64(v)) return v;
    }
  };
  for (int i = 0; i < 200; ++i) {
    std::uint64_t a = random_prime(1u << 30, (1u << 31) - 1);
    std::uint64_t b = random_prime(1u << 30, (1u << 31) - 1);
    if (a == b) continue;
    auto r = factorize_pq(a * b);
    REQUIRE(r.ok());
    CHECK(r->first == std::min(a, b));
    CHECK(r->second == std::max(a, b));
  }
  // Unbalanced and near-2^64 products.
  for (auto [a, b] : {std::pair<std::uint64_t, std::uint64_t>{3, 1000000007},
                      {1000003, 4294967291ULL},
                      {4294967279ULL, 4294967291ULL},
                      {2147483629ULL, 2147483647ULL}}) {
    auto r = factorize_pq(a * b);
    REQUIRE(r.ok());
    CHECK(r->first == a);
    CHECK(r->second == b);
  }
}

TEST_CASE("pq rejections", "[pq]") {
  CHECK(factorize_pq(std::uint64_t{1000000007}).message() == "pq: value is prime");
  CHECK(factorize_pq(std::uint64_t{2} * 1000000007).message() == "pq: even value (factors must be odd primes)");
  CHECK(factorize_pq(std::uint64_t{1000003} * 1000003).message() == "pq: value is a square (factors must be distinct)");
  CHECK(factorize_pq(std::uint64_t{1000003} * 1000033 * 7).message() == "pq: value has more than two prime factors");
  CHECK(factorize_pq(std::uint64_t{9}).message() == "pq: value too small to be a product of two odd primes");
  CHECK(factorize_pq(Bytes(9, 1)).message() == "pq: value longer than 64 bits");
  CHECK(factorize_pq(Bytes{}).message() == "pq: value too small to be a product of two odd primes");
}

TEST_CASE("Miller-Rabin on known primes and pseudoprimes", "[pq]") {
  CHECK(is_prime_u64(2));
  CHECK(is_prime_u64(1513098571));
  CHECK(is_prime_u64(18446744073709551557ULL));  // largest 64-bit prime
  CHECK_FALSE(is_prime_u64(1));
  CHECK_FALSE(is_prime_u64(3215031751ULL));        // strong pseudoprime to bases 2,3,5,7
  CHECK_FALSE(is_prime_u64(3825123056546413051ULL));  // strong pseudoprime to bases up to 23
  CHECK(u64_to_be_bytes(0x5A300D4B) == Bytes{0x5A, 0x30, 0x0D, 0x4B});
  CHECK(u64_to_be_bytes(0).empty());
}
