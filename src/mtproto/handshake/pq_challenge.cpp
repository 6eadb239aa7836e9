#include "mtproto/handshake/pq_challenge.h"

#include <array>
#include <utility>

#include "base/bytes.h"
#include "crypto/pq.h"

namespace mtjson::mtproto::handshake {
namespace {

// A random prime in [2^30, 2^31): top bit set so that pq has 61..62 bits.
std::uint64_t random_prime31(crypto::RandomSource& random) {
  std::array<std::uint8_t, 4> b{};
  random.fill_key_material(b);
  std::uint64_t n = load_le32(b);
  n = (n & 0x7fffffffULL) | 0x40000000ULL | 1;
  // Prime gaps below 2^31 are < 300: the walk stays under 2^31 except at the very top; wrap then.
  while (!crypto::is_prime_u64(n)) {
    n += 2;
    if (n >= 0x80000000ULL) n = 0x40000001ULL;
  }
  return n;
}

}  // namespace

PqChallenge generate_pq(crypto::RandomSource& random) {
  PqChallenge c;
  do {
    c.p = random_prime31(random);
    c.q = random_prime31(random);
  } while (c.p == c.q);
  if (c.p > c.q) std::swap(c.p, c.q);
  c.pq = c.p * c.q;
  return c;
}

}  // namespace mtjson::mtproto::handshake
