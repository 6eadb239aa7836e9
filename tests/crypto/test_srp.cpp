#include <catch2/catch.hpp>

#include "crypto/random.h"
#include "crypto/srp.h"
#include "test_util.h"

using namespace mtjson::crypto;
using namespace mtjson::crypto::test;

namespace {

const nlohmann::json& vec() { return json_file("srp_vector.json"); }
Bytes vhex(const char* key) { return hex(vec().at(key).get<std::string>()); }

SrpAlgo algo() {
  SrpAlgo a;
  a.salt1 = vhex("salt1");
  a.salt2 = vhex("salt2");
  a.g = vec().at("g").get<int>();
  a.p = vhex("p");
  return a;
}

std::string password() { return vec().at("password").get<std::string>(); }

SrpServerChallenge challenge() {
  SrpServerChallenge c;
  c.b = hex_array<256>(vec().at("server_b").get<std::string>());
  c.B = hex_array<256>(vec().at("srp_B").get<std::string>());
  return c;
}

}  // namespace

TEST_CASE("SRP password hash and verifier equal Telethon's", "[srp]") {
  CHECK(bytes_of(srp_password_hash(algo(), password())) == vhex("x"));
  auto v = srp_verifier(algo(), password());
  REQUIRE(v.ok());
  CHECK(bytes_of(*v) == vhex("v"));
}

TEST_CASE("SRP client check (A, M1) equals Telethon's compute_check byte for byte", "[srp]") {
  ReplayRandom rnd(vhex("client_a"));
  const auto srp_id = vec().at("srp_id").get<std::int64_t>();
  auto check = srp_compute_check(algo(), vhex("srp_B"), srp_id, password(), rnd);
  REQUIRE(check.ok());
  CHECK(check->srp_id == srp_id);
  CHECK(to_hex(check->A) == to_hex(vhex("A")));
  CHECK(to_hex(check->M1) == to_hex(vhex("M1")));
}

TEST_CASE("SRP server side: B from v and b, accepts Telethon's (A, M1), rejects a wrong M1", "[srp]") {
  ReplayRandom rnd(vhex("server_b"));
  auto ch = srp_server_challenge(algo(), vhex("v"), rnd);
  REQUIRE(ch.ok());
  CHECK(bytes_of(ch->B) == vhex("srp_B"));

  CHECK(srp_server_verify(algo(), vhex("v"), challenge(), vhex("A"), vhex("M1")).ok());
  Bytes m1 = vhex("M1");
  m1[0] ^= 1;
  CHECK(srp_server_verify(algo(), vhex("v"), challenge(), vhex("A"), m1).message() ==
        "srp: M1 mismatch (wrong password)");
  CHECK(srp_server_verify(algo(), vhex("v"), challenge(), Bytes{1}, vhex("M1")).message() == "srp: A out of range");
  CHECK(srp_server_verify(algo(), vhex("v"), challenge(), vhex("A"), Bytes(31, 0)).message() == "srp: M1 is not 32 bytes");
}

TEST_CASE("SRP round trip with fresh randomness; a wrong password fails", "[srp]") {
  auto v = srp_verifier(algo(), "hunter2");
  REQUIRE(v.ok());
  auto ch = srp_server_challenge(algo(), *v);
  REQUIRE(ch.ok());
  auto good = srp_compute_check(algo(), ch->B, 42, "hunter2");
  REQUIRE(good.ok());
  CHECK(srp_server_verify(algo(), *v, *ch, good->A, good->M1).ok());
  auto bad = srp_compute_check(algo(), ch->B, 42, "hunter3");
  REQUIRE(bad.ok());
  CHECK(srp_server_verify(algo(), *v, *ch, bad->A, bad->M1).message() == "srp: M1 mismatch (wrong password)");
}

TEST_CASE("SRP client rejects bad g, bad p and srp_B out of range", "[srp]") {
  SrpAlgo a = algo();
  a.g = 2;  // known prime mod 8 != 7
  CHECK(srp_compute_check(a, vhex("srp_B"), 1, "x").message() ==
        "srp: bad p/g: dh: g=2 is not a quadratic residue (needs dh_prime mod 8 = 7)");
  a = algo();
  a.g = 9;
  CHECK(srp_compute_check(a, vhex("srp_B"), 1, "x").message() == "srp: bad p/g: dh: g=9 is not in 2..7");
  a = algo();
  a.p[255] += 6;  // p + 6: same residue mod 3 (g = 3 still passes) but not prime
  CHECK(srp_compute_check(a, vhex("srp_B"), 1, "x").message().rfind("srp: bad p/g: dh: dh_prime is not prime", 0) == 0);
  CHECK(srp_compute_check(algo(), Bytes(256, 0), 1, "x").message() == "srp: srp_B not in (0, p)");
  CHECK(srp_compute_check(algo(), vhex("p"), 1, "x").message() == "srp: srp_B not in (0, p)");
}
