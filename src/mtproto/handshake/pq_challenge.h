// Server side of the proof of work ("Creating an Authorization Key", step 2): pq = p * q with two different
// random odd primes of about 31 bits, so pq fits the "normally <= 2^63-1" the client expects.
#pragma once

#include <cstdint>

#include "crypto/random.h"

namespace mtjson::mtproto::handshake {

struct PqChallenge {
  std::uint64_t p = 0;  // p < q
  std::uint64_t q = 0;
  std::uint64_t pq = 0;
};

PqChallenge generate_pq(crypto::RandomSource& random);

}  // namespace mtjson::mtproto::handshake
