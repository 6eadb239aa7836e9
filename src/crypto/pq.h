// Proof of work of the handshake ("Creating an Authorization Key", step 3): factor pq, "the product of two
// different odd prime numbers", normally <= 2^63-1, into p < q.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "base/status.h"

namespace mtjson::crypto {

struct PqFactors {
  std::vector<std::uint8_t> p;  // big-endian, minimal (as sent in p_q_inner_data / req_DH_params)
  std::vector<std::uint8_t> q;
};

// pq as big-endian bytes from resPQ (at most 8 significant bytes). Rejects values that are not a
// product of two distinct odd primes.
Result<PqFactors> factorize_pq(std::span<const std::uint8_t> pq_be);

// The same on an integer: {p, q} with p < q, or an error.
Result<std::pair<std::uint64_t, std::uint64_t>> factorize_pq(std::uint64_t pq);

// Deterministic Miller-Rabin for 64-bit integers.
bool is_prime_u64(std::uint64_t n);

// Big-endian minimal encoding (0 -> empty).
std::vector<std::uint8_t> u64_to_be_bytes(std::uint64_t v);

}  // namespace mtjson::crypto
