// 2048-bit Diffie-Hellman of the auth-key handshake ("Creating an Authorization Key", steps 6-8) with every
// check "Security Guidelines for Client Developers" requires. Numbers are big-endian byte strings.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "crypto/random.h"
#include "base/status.h"

namespace mtjson::crypto {

using DhNumber = std::array<std::uint8_t, 256>;

// The dh_prime Telegram currently uses ("Creating an Authorization Key", step 6; "Security Guidelines for Client Developers"),
// checked to be a safe prime once, offline.
const DhNumber& known_dh_prime();

// Full check of an unknown prime: 2^2047 < p < 2^2048, p prime, (p-1)/2 prime (~0.3 s).
Status check_safe_prime(std::span<const std::uint8_t> p);

// g in 2..7 and the quadratic-residue condition on p (p mod 8 = 7 for g=2, p mod 3 = 2 for g=3,
// none for 4, p mod 5 in {1,4} for 5, p mod 24 in {19,23} for 6, p mod 7 in {3,5,6} for 7).
Status check_g_for_prime(std::int32_t g, std::span<const std::uint8_t> p);

// The parameter check a client runs on server_DH_inner_data (and the SRP algo check): g against p,
// and p either equal to the known prime (no primality test) or, if different, fully checked once
// and then cached for the process lifetime.
Status check_dh_params(std::int32_t g, std::span<const std::uint8_t> dh_prime);

// g_a / g_b check ("Security Guidelines for Client Developers", "g_a and g_b validation"):
// 1 < value < p - 1 and 2^(2048-64) <= value <= p - 2^(2048-64). `name` goes into the message.
Status check_dh_public_value(std::span<const std::uint8_t> value, std::span<const std::uint8_t> dh_prime,
                             std::string_view name);

// base^exponent mod p, 256 bytes big-endian. p must be odd and at most 2048 bits.
Result<DhNumber> dh_mod_exp(std::span<const std::uint8_t> base, std::span<const std::uint8_t> exponent,
                            std::span<const std::uint8_t> p);
Result<DhNumber> dh_pow_g(std::int32_t g, std::span<const std::uint8_t> exponent, std::span<const std::uint8_t> p);

// Client side of steps 7-8: checks (g, dh_prime, g_a), draws b (256 random bytes; redrawn while
// g_b fails its own range check), returns b, g_b = g^b and auth_key = g_a^b.
struct DhClientResult {
  DhNumber b{};
  DhNumber g_b{};
  DhNumber auth_key{};
};
Result<DhClientResult> dh_client_compute(std::int32_t g, std::span<const std::uint8_t> dh_prime,
                                         std::span<const std::uint8_t> g_a, RandomSource& random = default_random());

// Server side: a (256 random bytes, redrawn until g_a passes the range check) and g_a = g^a; then
// auth_key = g_b^a after checking g_b.
struct DhServerSecret {
  DhNumber a{};
  DhNumber g_a{};
};
Result<DhServerSecret> dh_server_generate(std::int32_t g, std::span<const std::uint8_t> dh_prime,
                                          RandomSource& random = default_random());
Result<DhNumber> dh_server_compute(std::span<const std::uint8_t, 256> a, std::span<const std::uint8_t> g_b,
                                   std::span<const std::uint8_t> dh_prime);

}  // namespace mtjson::crypto
