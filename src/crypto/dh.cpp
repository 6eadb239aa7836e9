#include "crypto/dh.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <mutex>
#include <string>
#include <vector>

#include "crypto/bignum.h"
#include "crypto/random.h"

namespace mtjson::crypto {
namespace {

constexpr DhNumber kKnownPrime = {
    0xC7, 0x1C, 0xAE, 0xB9, 0xC6, 0xB1, 0xC9, 0x04, 0x8E, 0x6C, 0x52, 0x2F, 0x70, 0xF1, 0x3F, 0x73, 0x98, 0x0D, 0x40,
    0x23, 0x8E, 0x3E, 0x21, 0xC1, 0x49, 0x34, 0xD0, 0x37, 0x56, 0x3D, 0x93, 0x0F, 0x48, 0x19, 0x8A, 0x0A, 0xA7, 0xC1,
    0x40, 0x58, 0x22, 0x94, 0x93, 0xD2, 0x25, 0x30, 0xF4, 0xDB, 0xFA, 0x33, 0x6F, 0x6E, 0x0A, 0xC9, 0x25, 0x13, 0x95,
    0x43, 0xAE, 0xD4, 0x4C, 0xCE, 0x7C, 0x37, 0x20, 0xFD, 0x51, 0xF6, 0x94, 0x58, 0x70, 0x5A, 0xC6, 0x8C, 0xD4, 0xFE,
    0x6B, 0x6B, 0x13, 0xAB, 0xDC, 0x97, 0x46, 0x51, 0x29, 0x69, 0x32, 0x84, 0x54, 0xF1, 0x8F, 0xAF, 0x8C, 0x59, 0x5F,
    0x64, 0x24, 0x77, 0xFE, 0x96, 0xBB, 0x2A, 0x94, 0x1D, 0x5B, 0xCD, 0x1D, 0x4A, 0xC8, 0xCC, 0x49, 0x88, 0x07, 0x08,
    0xFA, 0x9B, 0x37, 0x8E, 0x3C, 0x4F, 0x3A, 0x90, 0x60, 0xBE, 0xE6, 0x7C, 0xF9, 0xA4, 0xA4, 0xA6, 0x95, 0x81, 0x10,
    0x51, 0x90, 0x7E, 0x16, 0x27, 0x53, 0xB5, 0x6B, 0x0F, 0x6B, 0x41, 0x0D, 0xBA, 0x74, 0xD8, 0xA8, 0x4B, 0x2A, 0x14,
    0xB3, 0x14, 0x4E, 0x0E, 0xF1, 0x28, 0x47, 0x54, 0xFD, 0x17, 0xED, 0x95, 0x0D, 0x59, 0x65, 0xB4, 0xB9, 0xDD, 0x46,
    0x58, 0x2D, 0xB1, 0x17, 0x8D, 0x16, 0x9C, 0x6B, 0xC4, 0x65, 0xB0, 0xD6, 0xFF, 0x9C, 0xA3, 0x92, 0x8F, 0xEF, 0x5B,
    0x9A, 0xE4, 0xE4, 0x18, 0xFC, 0x15, 0xE8, 0x3E, 0xBE, 0xA0, 0xF8, 0x7F, 0xA9, 0xFF, 0x5E, 0xED, 0x70, 0x05, 0x0D,
    0xED, 0x28, 0x49, 0xF4, 0x7B, 0xF9, 0x59, 0xD9, 0x56, 0x85, 0x0C, 0xE9, 0x29, 0x85, 0x1F, 0x0D, 0x81, 0x15, 0xF6,
    0x35, 0xB1, 0x05, 0xEE, 0x2E, 0x4E, 0x15, 0xD0, 0x4B, 0x24, 0x54, 0xBF, 0x6F, 0x4F, 0xAD, 0xF0, 0x34, 0xB1, 0x04,
    0x03, 0x11, 0x9C, 0xD8, 0xE3, 0xB9, 0x2F, 0xCC, 0x5B};


// Leading zero bytes do not change the number; compare numerically via the significant bytes.
std::span<const std::uint8_t> strip(std::span<const std::uint8_t> be) {
  std::size_t i = 0;
  while (i < be.size() && be[i] == 0) ++i;
  return be.subspan(i);
}

bool is_known_prime(std::span<const std::uint8_t> p) {
  auto s = strip(p);
  return s.size() == kKnownPrime.size() && std::equal(s.begin(), s.end(), kKnownPrime.begin());
}

// Unknown primes that passed check_safe_prime (the docs suggest caching the result).
std::mutex g_cache_mutex;
std::vector<std::vector<std::uint8_t>> g_checked_primes;

bool cached_prime(std::span<const std::uint8_t> p) {
  auto s = strip(p);
  std::lock_guard lock(g_cache_mutex);
  for (const auto& c : g_checked_primes) {
    if (std::equal(s.begin(), s.end(), c.begin(), c.end())) return true;
  }
  return false;
}

Status prime_size_ok(std::span<const std::uint8_t> p) {
  if (strip(p).size() > 256) return Status::error("dh: dh_prime is longer than 2048 bits");
  return {};
}

}  // namespace

const DhNumber& known_dh_prime() { return kKnownPrime; }

Status check_safe_prime(std::span<const std::uint8_t> p_be) {
  if (auto s = prime_size_ok(p_be); !s) return s;
  bn::Bn p = bn::from_bytes(p_be);
  if (BN_num_bits(p.get()) != 2048) return Status::error("dh: dh_prime is not a 2048-bit number");
  if (BN_check_prime(p.get(), bn::ctx(), nullptr) != 1) return Status::error("dh: dh_prime is not prime");
  bn::Bn half = bn::copy(p.get());
  BN_rshift1(half.get(), half.get());  // (p-1)/2 for odd p
  if (BN_check_prime(half.get(), bn::ctx(), nullptr) != 1) {
    return Status::error("dh: (dh_prime-1)/2 is not prime (dh_prime is not a safe prime)");
  }
  return {};
}

Status check_g_for_prime(std::int32_t g, std::span<const std::uint8_t> p_be) {
  if (g < 2 || g > 7) return Status::error("dh: g=" + std::to_string(g) + " is not in 2..7");
  if (auto s = prime_size_ok(p_be); !s) return s;
  bn::Bn p = bn::from_bytes(p_be);
  auto mod = [&](unsigned long m) { return BN_mod_word(p.get(), m); };
  bool ok = true;
  const char* rule = "";
  switch (g) {
    case 2: ok = mod(8) == 7; rule = "dh_prime mod 8 = 7"; break;
    case 3: ok = mod(3) == 2; rule = "dh_prime mod 3 = 2"; break;
    case 4: ok = true; break;
    case 5: { auto r = mod(5); ok = r == 1 || r == 4; rule = "dh_prime mod 5 in {1,4}"; break; }
    case 6: { auto r = mod(24); ok = r == 19 || r == 23; rule = "dh_prime mod 24 in {19,23}"; break; }
    case 7: { auto r = mod(7); ok = r == 3 || r == 5 || r == 6; rule = "dh_prime mod 7 in {3,5,6}"; break; }
  }
  if (!ok) {
    return Status::error("dh: g=" + std::to_string(g) + " is not a quadratic residue (needs " + rule + ")");
  }
  return {};
}

Status check_dh_params(std::int32_t g, std::span<const std::uint8_t> dh_prime) {
  if (auto s = check_g_for_prime(g, dh_prime); !s) return s;
  if (is_known_prime(dh_prime) || cached_prime(dh_prime)) return {};
  // Not the prime we know: a full (slow) check once, then remember it.
  if (auto s = check_safe_prime(dh_prime); !s) return s;
  auto stripped = strip(dh_prime);
  std::lock_guard lock(g_cache_mutex);
  if (g_checked_primes.size() < 16) g_checked_primes.emplace_back(stripped.begin(), stripped.end());
  return {};
}

Status check_dh_public_value(std::span<const std::uint8_t> value_be, std::span<const std::uint8_t> p_be,
                             std::string_view name_view) {
  const std::string name(name_view);
  if (strip(value_be).size() > 256) return Status::error("dh: " + name + " is longer than 2048 bits");
  if (auto s = prime_size_ok(p_be); !s) return s;
  bn::Bn v = bn::from_bytes(value_be);
  bn::Bn p = bn::from_bytes(p_be);
  bn::Bn one = bn::from_word(1);
  bn::Bn p_minus_1 = bn::copy(p.get());
  BN_sub_word(p_minus_1.get(), 1);
  if (BN_cmp(v.get(), one.get()) <= 0) return Status::error("dh: " + name + " <= 1");
  if (BN_cmp(v.get(), p_minus_1.get()) >= 0) return Status::error("dh: " + name + " >= dh_prime - 1");
  bn::Bn bound = bn::make();
  BN_set_bit(bound.get(), 2048 - 64);  // 2^(2048-64)
  if (BN_cmp(v.get(), bound.get()) < 0) return Status::error("dh: " + name + " < 2^(2048-64)");
  bn::Bn upper = bn::make();
  BN_sub(upper.get(), p.get(), bound.get());
  if (BN_cmp(v.get(), upper.get()) > 0) return Status::error("dh: " + name + " > dh_prime - 2^(2048-64)");
  return {};
}

Result<DhNumber> dh_mod_exp(std::span<const std::uint8_t> base, std::span<const std::uint8_t> exponent,
                            std::span<const std::uint8_t> p_be) {
  if (auto s = prime_size_ok(p_be); !s) return s;
  bn::Bn p = bn::from_bytes(p_be);
  if (!BN_is_odd(p.get()) || BN_is_one(p.get())) return Result<DhNumber>::error("dh: modulus must be odd and > 1");
  bn::Bn b = bn::from_bytes(base);
  bn::Bn e = bn::from_bytes(exponent);
  bn::Bn r = bn::make();
  // The exponent is secret: constant-time exponentiation.
  BN_set_flags(e.get(), BN_FLG_CONSTTIME);
  if (BN_mod_exp(r.get(), b.get(), e.get(), p.get(), bn::ctx()) != 1) {
    return Result<DhNumber>::error("dh: modular exponentiation failed");
  }
  DhNumber out{};
  bn::to_array(r.get(), out);
  return out;
}

Result<DhNumber> dh_pow_g(std::int32_t g, std::span<const std::uint8_t> exponent, std::span<const std::uint8_t> p) {
  if (g < 2 || g > 255) return Result<DhNumber>::error("dh: g out of range");
  const std::uint8_t gb[1] = {static_cast<std::uint8_t>(g)};
  return dh_mod_exp(gb, exponent, p);
}

Result<DhClientResult> dh_client_compute(std::int32_t g, std::span<const std::uint8_t> dh_prime,
                                         std::span<const std::uint8_t> g_a, RandomSource& random) {
  if (auto s = check_dh_params(g, dh_prime); !s) return s;
  if (auto s = check_dh_public_value(g_a, dh_prime, "g_a"); !s) return s;
  DhClientResult out;
  for (int attempt = 0; attempt < kMaxRandomAttempts; ++attempt) {
    random.fill_key_material(out.b);
    auto g_b = dh_pow_g(g, out.b, dh_prime);
    if (!g_b) return g_b.status();
    if (!check_dh_public_value(*g_b, dh_prime, "g_b")) continue;  // draw a new b
    out.g_b = *g_b;
    auto key = dh_mod_exp(g_a, out.b, dh_prime);
    if (!key) return key.status();
    out.auth_key = *key;
    return out;
  }
  OPENSSL_cleanse(out.b.data(), out.b.size());
  return Result<DhClientResult>::error("dh: no random b gave an acceptable g_b");
}

Result<DhServerSecret> dh_server_generate(std::int32_t g, std::span<const std::uint8_t> dh_prime, RandomSource& random) {
  if (auto s = check_dh_params(g, dh_prime); !s) return s;
  DhServerSecret out;
  for (int attempt = 0; attempt < kMaxRandomAttempts; ++attempt) {
    random.fill_key_material(out.a);
    auto g_a = dh_pow_g(g, out.a, dh_prime);
    if (!g_a) return g_a.status();
    if (!check_dh_public_value(*g_a, dh_prime, "g_a")) continue;
    out.g_a = *g_a;
    return out;
  }
  return Result<DhServerSecret>::error("dh: no random a gave an acceptable g_a");
}

Result<DhNumber> dh_server_compute(std::span<const std::uint8_t, 256> a, std::span<const std::uint8_t> g_b,
                                   std::span<const std::uint8_t> dh_prime) {
  if (auto s = check_dh_public_value(g_b, dh_prime, "g_b"); !s) return s;
  return dh_mod_exp(g_b, a, dh_prime);
}

}  // namespace mtjson::crypto
