// 2FA password check with SRP ("Two-factor authentication"): the client's inputCheckPasswordSRP (A, M1) from
// account.password, and the fake server's side (verifier v, challenge B, check of A/M1).
// KDF: passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/dh.h"
#include "crypto/random.h"
#include "base/status.h"

namespace mtjson::crypto {

// The fields of the algo constructor (salt1, salt2, g, p).
struct SrpAlgo {
  std::vector<std::uint8_t> salt1;
  std::vector<std::uint8_t> salt2;
  std::int32_t g = 0;
  std::vector<std::uint8_t> p;  // big-endian
};

// The fields of inputCheckPasswordSRP.
struct SrpCheck {
  std::int64_t srp_id = 0;
  DhNumber A{};                     // g_a, 256 bytes
  std::array<std::uint8_t, 32> M1{};
};

// x = PH2(password, salt1, salt2) = SH(pbkdf2(sha512, PH1, salt1, 100000), salt2) (~50 ms).
std::array<std::uint8_t, 32> srp_password_hash(const SrpAlgo& algo, std::string_view password);

// v = g^x mod p: what the server stores (new_password_hash of account.updatePasswordSettings).
Result<DhNumber> srp_verifier(const SrpAlgo& algo, std::string_view password);

// Client: checks g/p (known prime or a full safe-prime check) and 0 < srp_B < p, draws a
// (256 random bytes, redrawn until g^a is in range and u != 0), returns A and M1.
Result<SrpCheck> srp_compute_check(const SrpAlgo& algo, std::span<const std::uint8_t> srp_B, std::int64_t srp_id,
                                   std::string_view password, RandomSource& random = default_random());

// Server: b (secret, 256 bytes) and B = (k*v + g^b) mod p, sent as account.password.srp_B.
struct SrpServerChallenge {
  DhNumber b{};
  DhNumber B{};
};
Result<SrpServerChallenge> srp_server_challenge(const SrpAlgo& algo, std::span<const std::uint8_t> v,
                                                RandomSource& random = default_random());

// Server: checks a client's A and M1 against v and the challenge. ok() = password correct.
Status srp_server_verify(const SrpAlgo& algo, std::span<const std::uint8_t> v, const SrpServerChallenge& challenge,
                         std::span<const std::uint8_t> A, std::span<const std::uint8_t> M1);

}  // namespace mtjson::crypto
