#include "crypto/srp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>

#include "crypto/bignum.h"
#include "crypto/evp_cache.h"
#include "crypto/sha.h"

namespace mtjson::crypto {
namespace {

constexpr int kPbkdf2Iterations = 100000;  // "PBKDF2HMACSHA512iter100000"

using Hash = Sha256Digest;

// "Two-factor authentication": "numbers must be used in big-endian form, padded to 2048 bits".
DhNumber pad256(const BIGNUM* v) {
  DhNumber out{};
  bn::to_array(v, out);
  return out;
}

// SH(data, salt) := H(salt | data | salt)
Hash salted_hash(std::span<const std::uint8_t> data, std::span<const std::uint8_t> salt) {
  return sha256({salt, data, salt});
}

// The range check TDLib and Telethon apply to g^a, g^b and B - k*v ("is_good_mod_exp_first"):
// both value and p - value at least 2^(2048-64-1) (bit length >= 1984).
bool good_mod_exp(const BIGNUM* value, const BIGNUM* p) {
  bn::Bn diff = bn::make();
  BN_sub(diff.get(), p, value);
  constexpr int kMinBits = 2048 - 64;
  return !BN_is_negative(diff.get()) && BN_num_bits(diff.get()) >= kMinBits && BN_num_bits(value) >= kMinBits &&
         BN_num_bytes(value) <= 256;
}

struct Common {
  bn::Bn p, g, k, v;
  DhNumber p_pad{}, g_pad{};
};

// k := H(p | g); also the big numbers every step needs.
Result<Common> common(const SrpAlgo& algo, std::span<const std::uint8_t> v_be) {
  if (auto s = check_dh_params(algo.g, algo.p); !s) return Status::error("srp: bad p/g: " + s.message());
  Common c;
  c.p = bn::from_bytes(algo.p);
  c.g = bn::from_word(static_cast<unsigned long>(algo.g));
  c.p_pad = pad256(c.p.get());
  c.g_pad = pad256(c.g.get());
  c.k = bn::from_bytes(sha256({c.p_pad, c.g_pad}));
  c.v = bn::from_bytes(v_be);
  return c;
}

// M := H(H(p) xor H(g) | H(salt1) | H(salt2) | g_a | g_b | k_a)
Hash proof(const SrpAlgo& algo, const Common& c, std::span<const std::uint8_t> A_pad,
           std::span<const std::uint8_t> B_pad, const BIGNUM* S) {
  const Hash hp = sha256(c.p_pad);
  const Hash hg = sha256(c.g_pad);
  Hash x{};
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<std::uint8_t>(hp[i] ^ hg[i]);
  const DhNumber s_pad = pad256(S);
  const Hash k = sha256(s_pad);
  return sha256({x, sha256(algo.salt1), sha256(algo.salt2), A_pad, B_pad, k});
}

}  // namespace

std::array<std::uint8_t, 32> srp_password_hash(const SrpAlgo& algo, std::string_view password) {
  auto pw = std::span(reinterpret_cast<const std::uint8_t*>(password.data()), password.size());
  // PH1 := SH(SH(password, salt1), salt2)
  const Hash ph1 = salted_hash(salted_hash(pw, algo.salt1), algo.salt2);
  std::array<std::uint8_t, 64> pbkdf2{};
  PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(ph1.data()), static_cast<int>(ph1.size()), algo.salt1.data(),
                    static_cast<int>(algo.salt1.size()), kPbkdf2Iterations, detail::md_sha512(),
                    static_cast<int>(pbkdf2.size()), pbkdf2.data());
  // PH2 := SH(pbkdf2(sha512, PH1, salt1, 100000), salt2)
  const Hash x = salted_hash(pbkdf2, algo.salt2);
  OPENSSL_cleanse(pbkdf2.data(), pbkdf2.size());
  return x;
}

Result<DhNumber> srp_verifier(const SrpAlgo& algo, std::string_view password) {
  if (auto s = check_dh_params(algo.g, algo.p); !s) return Status::error("srp: bad p/g: " + s.message());
  const auto x = srp_password_hash(algo, password);
  return dh_pow_g(algo.g, x, algo.p);
}

Result<SrpCheck> srp_compute_check(const SrpAlgo& algo, std::span<const std::uint8_t> srp_B, std::int64_t srp_id,
                                   std::string_view password, RandomSource& random) {
  using R = Result<SrpCheck>;
  // Cheap checks before the ~50 ms password hash.
  if (auto s = check_dh_params(algo.g, algo.p); !s) return Status::error("srp: bad p/g: " + s.message());
  auto x_bytes = srp_password_hash(algo, password);
  auto v = dh_pow_g(algo.g, x_bytes, algo.p);
  if (!v) return Status::error("srp: bad p/g: " + v.message());
  auto c_res = common(algo, *v);
  if (!c_res) return c_res.status();
  const Common& c = *c_res;
  BN_CTX* ctx = bn::ctx();

  bn::Bn B = bn::from_bytes(srp_B);
  if (BN_is_zero(B.get()) || BN_cmp(B.get(), c.p.get()) >= 0) return R::error("srp: srp_B not in (0, p)");
  const DhNumber B_pad = pad256(B.get());

  // a, A = g^a (in range) and u = H(A | B) != 0.
  DhNumber a_bytes{};
  DhNumber A_pad{};
  bn::Bn a, u;
  bool found = false;
  for (int attempt = 0; attempt < kMaxRandomAttempts && !found; ++attempt) {
    random.fill_key_material(a_bytes);
    a = bn::from_bytes(a_bytes);
    BN_set_flags(a.get(), BN_FLG_CONSTTIME);
    bn::Bn A = bn::make();
    BN_mod_exp(A.get(), c.g.get(), a.get(), c.p.get(), ctx);
    if (!good_mod_exp(A.get(), c.p.get())) continue;
    A_pad = pad256(A.get());
    u = bn::from_bytes(sha256({A_pad, B_pad}));
    found = !BN_is_zero(u.get());
  }
  OPENSSL_cleanse(a_bytes.data(), a_bytes.size());
  if (!found) return R::error("srp: no random a gave an acceptable g_a");

  // t := (g_b - k*v) mod p, checked like the other g^y values.
  bn::Bn kv = bn::make(), t = bn::make();
  BN_mod_mul(kv.get(), c.k.get(), c.v.get(), c.p.get(), ctx);
  BN_mod_sub(t.get(), B.get(), kv.get(), c.p.get(), ctx);
  if (!good_mod_exp(t.get(), c.p.get())) return R::error("srp: srp_B - k*v out of range");

  // s_a := t^(a + u*x) mod p
  bn::Bn x = bn::from_bytes(x_bytes);
  OPENSSL_cleanse(x_bytes.data(), x_bytes.size());
  bn::Bn e = bn::make(), S = bn::make();
  BN_mul(e.get(), u.get(), x.get(), ctx);
  BN_add(e.get(), e.get(), a.get());
  BN_set_flags(e.get(), BN_FLG_CONSTTIME);
  BN_mod_exp(S.get(), t.get(), e.get(), c.p.get(), ctx);

  SrpCheck out;
  out.srp_id = srp_id;
  out.A = A_pad;
  out.M1 = proof(algo, c, A_pad, B_pad, S.get());
  return out;
}

Result<SrpServerChallenge> srp_server_challenge(const SrpAlgo& algo, std::span<const std::uint8_t> v,
                                                RandomSource& random) {
  auto c_res = common(algo, v);
  if (!c_res) return c_res.status();
  const Common& c = *c_res;
  BN_CTX* ctx = bn::ctx();
  bn::Bn kv = bn::make();
  BN_mod_mul(kv.get(), c.k.get(), c.v.get(), c.p.get(), ctx);
  SrpServerChallenge out;
  for (int attempt = 0; attempt < kMaxRandomAttempts; ++attempt) {
    random.fill_key_material(out.b);
    bn::Bn b = bn::from_bytes(out.b);
    BN_set_flags(b.get(), BN_FLG_CONSTTIME);
    bn::Bn gb = bn::make(), B = bn::make();
    BN_mod_exp(gb.get(), c.g.get(), b.get(), c.p.get(), ctx);
    if (!good_mod_exp(gb.get(), c.p.get())) continue;
    // g_b := (k*v + g^b) mod p
    BN_mod_add(B.get(), kv.get(), gb.get(), c.p.get(), ctx);
    if (BN_is_zero(B.get())) continue;
    out.B = pad256(B.get());
    return out;
  }
  return Result<SrpServerChallenge>::error("srp: no random b gave an acceptable g_b");
}

Status srp_server_verify(const SrpAlgo& algo, std::span<const std::uint8_t> v, const SrpServerChallenge& challenge,
                         std::span<const std::uint8_t> A_bytes, std::span<const std::uint8_t> M1) {
  auto c_res = common(algo, v);
  if (!c_res) return c_res.status();
  const Common& c = *c_res;
  BN_CTX* ctx = bn::ctx();
  if (M1.size() != 32) return Status::error("srp: M1 is not 32 bytes");
  if (A_bytes.size() > 256) return Status::error("srp: A longer than 2048 bits");
  bn::Bn A = bn::from_bytes(A_bytes);
  if (!good_mod_exp(A.get(), c.p.get())) return Status::error("srp: A out of range");
  const DhNumber A_pad = pad256(A.get());
  const DhNumber& B_pad = challenge.B;
  bn::Bn u = bn::from_bytes(sha256({A_pad, B_pad}));
  if (BN_is_zero(u.get())) return Status::error("srp: u = 0");
  // s_b := (g_a * v^u)^b mod p
  bn::Bn vu = bn::make(), base = bn::make(), S = bn::make();
  BN_mod_exp(vu.get(), c.v.get(), u.get(), c.p.get(), ctx);
  BN_mod_mul(base.get(), A.get(), vu.get(), c.p.get(), ctx);
  bn::Bn b = bn::from_bytes(challenge.b);
  BN_set_flags(b.get(), BN_FLG_CONSTTIME);
  BN_mod_exp(S.get(), base.get(), b.get(), c.p.get(), ctx);
  const Hash expect = proof(algo, c, A_pad, B_pad, S.get());
  if (CRYPTO_memcmp(expect.data(), M1.data(), 32) != 0) return Status::error("srp: M1 mismatch (wrong password)");
  return {};
}

}  // namespace mtjson::crypto
