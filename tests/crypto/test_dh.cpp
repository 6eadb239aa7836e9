#include <catch2/catch.hpp>
#include <openssl/bn.h>

#include "crypto/bignum.h"
#include "crypto/dh.h"
#include "crypto/random.h"
#include "test_util.h"

using namespace mtjson::crypto;
using namespace mtjson::crypto::test;

namespace {

Bytes from_bn(const BIGNUM* v) {
  Bytes out(256);
  bn::to_bytes_padded(v, out);
  return out;
}

// p + delta or p - delta, 256 bytes.
Bytes prime_plus(std::int64_t delta) {
  bn::Bn p = bn::from_bytes(known_dh_prime());
  if (delta >= 0) BN_add_word(p.get(), static_cast<BN_ULONG>(delta));
  else BN_sub_word(p.get(), static_cast<BN_ULONG>(-delta));
  return from_bn(p.get());
}

Bytes pow2(int bits) {
  bn::Bn v = bn::make();
  BN_set_bit(v.get(), bits);
  return from_bn(v.get());
}

Bytes p_minus_pow2_plus(int bits, long delta) {
  bn::Bn p = bn::from_bytes(known_dh_prime());
  bn::Bn t = bn::make();
  BN_set_bit(t.get(), bits);
  BN_sub(p.get(), p.get(), t.get());
  if (delta >= 0) BN_add_word(p.get(), static_cast<BN_ULONG>(delta));
  else BN_sub_word(p.get(), static_cast<BN_ULONG>(-delta));
  return from_bn(p.get());
}

}  // namespace

TEST_CASE("known dh_prime equals the sample's dh_prime", "[dh]") {
  CHECK(bytes_of(known_dh_prime()) == sample("dh_prime"));
}

TEST_CASE("sample: g_b = 3^b mod p and auth_key = g_a^b mod p", "[dh]") {
  const Bytes p = sample("dh_prime");
  auto g_b = dh_pow_g(3, sample("b"), p);
  REQUIRE(g_b.ok());
  CHECK(bytes_of(*g_b) == sample("g_b"));
  auto key = dh_mod_exp(sample("g_a"), sample("b"), p);
  REQUIRE(key.ok());
  CHECK(bytes_of(*key) == sample("auth_key"));

  ReplayRandom rnd(sample("b"));
  auto client = dh_client_compute(3, p, sample("g_a"), rnd);
  REQUIRE(client.ok());
  CHECK(bytes_of(client->b) == sample("b"));
  CHECK(bytes_of(client->g_b) == sample("g_b"));
  CHECK(bytes_of(client->auth_key) == sample("auth_key"));
}

TEST_CASE("server and client sides agree on auth_key", "[dh]") {
  const Bytes p = bytes_of(known_dh_prime());
  auto server = dh_server_generate(3, p);
  REQUIRE(server.ok());
  REQUIRE(check_dh_public_value(server->g_a, p, "g_a").ok());
  auto client = dh_client_compute(3, p, server->g_a);
  REQUIRE(client.ok());
  auto key = dh_server_compute(server->a, client->g_b, p);
  REQUIRE(key.ok());
  CHECK(*key == client->auth_key);
}

TEST_CASE("g checks: range and the quadratic-residue condition per g", "[dh]") {
  const Bytes p = bytes_of(known_dh_prime());
  // The known prime: mod 8 = 3, mod 3 = 2, mod 5 = 3, mod 7 = 6, mod 24 = 11, so g = 3, 4, 7 are valid.
  for (int g : {3, 4, 7}) CHECK(check_dh_params(g, p).ok());
  CHECK(check_dh_params(5, p).message() == "dh: g=5 is not a quadratic residue (needs dh_prime mod 5 in {1,4})");
  CHECK(check_dh_params(2, p).message() == "dh: g=2 is not a quadratic residue (needs dh_prime mod 8 = 7)");
  CHECK(check_dh_params(6, p).message() == "dh: g=6 is not a quadratic residue (needs dh_prime mod 24 in {19,23})");
  CHECK(check_dh_params(1, p).message() == "dh: g=1 is not in 2..7");
  CHECK(check_dh_params(8, p).message() == "dh: g=8 is not in 2..7");
  CHECK(check_dh_params(-3, p).message() == "dh: g=-3 is not in 2..7");
  // The residue rules on shifted values (only the g rule is checked here, not primality):
  // p+1: mod 5 = 4, mod 7 = 0, mod 3 = 0; p+2: mod 5 = 0; p+4: mod 8 = 7, mod 24 = 15;
  // p+8: mod 24 = 19; p+3: mod 7 = 2; p+4: mod 7 = 3.
  CHECK(check_g_for_prime(5, prime_plus(1)).ok());
  CHECK(check_g_for_prime(5, prime_plus(2)).message() == "dh: g=5 is not a quadratic residue (needs dh_prime mod 5 in {1,4})");
  CHECK(check_g_for_prime(7, prime_plus(1)).message() == "dh: g=7 is not a quadratic residue (needs dh_prime mod 7 in {3,5,6})");
  CHECK(check_g_for_prime(7, prime_plus(3)).message() == "dh: g=7 is not a quadratic residue (needs dh_prime mod 7 in {3,5,6})");
  CHECK(check_g_for_prime(7, prime_plus(4)).ok());  // mod 7 = 3
  CHECK(check_g_for_prime(3, prime_plus(1)).message() == "dh: g=3 is not a quadratic residue (needs dh_prime mod 3 = 2)");
  CHECK(check_g_for_prime(2, prime_plus(4)).ok());
  CHECK(check_g_for_prime(6, prime_plus(4)).message() == "dh: g=6 is not a quadratic residue (needs dh_prime mod 24 in {19,23})");
  CHECK(check_g_for_prime(6, prime_plus(8)).ok());
}

TEST_CASE("dh_prime checks: a different prime gets the full safe-prime test", "[dh][slow]") {
  CHECK(check_safe_prime(known_dh_prime()).ok());
  // p + 6: same residues mod 3 (g = 3 passes), odd, 2048 bits, but not prime.
  CHECK(check_dh_params(3, prime_plus(6)).message() == "dh: dh_prime is not prime");
  // A 2047-bit number.
  Bytes small = bytes_of(known_dh_prime());
  small[0] = 0x7F;
  CHECK(check_safe_prime(small).message() == "dh: dh_prime is not a 2048-bit number");
  Bytes too_long(257, 0xFF);
  CHECK(check_dh_params(4, too_long).message() == "dh: dh_prime is longer than 2048 bits");
  // A 2048-bit prime that is not safe.
  bn::Bn q = bn::make();
  REQUIRE(BN_generate_prime_ex(q.get(), 2048, 0, nullptr, nullptr, nullptr) == 1);
  Bytes qb = from_bn(q.get());
  CHECK(check_safe_prime(qb).message() == "dh: (dh_prime-1)/2 is not prime (dh_prime is not a safe prime)");
  CHECK_FALSE(check_dh_params(4, qb).ok());
}

TEST_CASE("g_a / g_b range checks, one forged value per bound", "[dh]") {
  const Bytes p = bytes_of(known_dh_prime());
  CHECK(check_dh_public_value(sample("g_a"), p, "g_a").ok());
  CHECK(check_dh_public_value(sample("g_b"), p, "g_b").ok());
  CHECK(check_dh_public_value(Bytes{1}, p, "g_a").message() == "dh: g_a <= 1");
  CHECK(check_dh_public_value(Bytes{}, p, "g_a").message() == "dh: g_a <= 1");
  CHECK(check_dh_public_value(prime_plus(-1), p, "g_b").message() == "dh: g_b >= dh_prime - 1");
  CHECK(check_dh_public_value(p, p, "g_b").message() == "dh: g_b >= dh_prime - 1");
  CHECK(check_dh_public_value(Bytes{2}, p, "g_a").message() == "dh: g_a < 2^(2048-64)");
  CHECK(check_dh_public_value(prime_plus(-2), p, "g_a").message() == "dh: g_a > dh_prime - 2^(2048-64)");
  // Exactly on the bounds is allowed; one past is not.
  CHECK(check_dh_public_value(pow2(1984), p, "g_a").ok());
  CHECK(check_dh_public_value(p_minus_pow2_plus(1984, 0), p, "g_a").ok());
  CHECK(check_dh_public_value(p_minus_pow2_plus(1984, 1), p, "g_a").message() == "dh: g_a > dh_prime - 2^(2048-64)");
  Bytes just_below = pow2(1984);
  bn::Bn jb = bn::from_bytes(just_below);
  BN_sub_word(jb.get(), 1);
  CHECK(check_dh_public_value(from_bn(jb.get()), p, "g_a").message() == "dh: g_a < 2^(2048-64)");
  CHECK(check_dh_public_value(Bytes(257, 1), p, "g_a").message() == "dh: g_a is longer than 2048 bits");

  // The client refuses a forged g_a before doing any work.
  auto r = dh_client_compute(3, p, Bytes{2});
  CHECK(r.message() == "dh: g_a < 2^(2048-64)");
  auto r2 = dh_client_compute(2, p, sample("g_a"));
  CHECK(r2.message() == "dh: g=2 is not a quadratic residue (needs dh_prime mod 8 = 7)");
  // The server refuses a forged g_b.
  DhNumber a{};
  a[255] = 5;
  CHECK(dh_server_compute(a, Bytes{1}, p).message() == "dh: g_b <= 1");
}

TEST_CASE("client redraws b when g_b is out of range", "[dh]") {
  const Bytes p = bytes_of(known_dh_prime());
  // b = 1 gives g_b = 3 (< 2^1984): must be rejected and the next b used.
  Bytes b1(256, 0);
  b1[255] = 1;
  ReplayRandom rnd(b1);
  rnd.push(sample("b"));
  auto r = dh_client_compute(3, p, sample("g_a"), rnd);
  REQUIRE(r.ok());
  CHECK(bytes_of(r->g_b) == sample("g_b"));
  CHECK(rnd.remaining() == 0);
}
