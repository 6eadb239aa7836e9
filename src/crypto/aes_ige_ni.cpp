// AES-256-IGE with AES-NI intrinsics. This translation unit alone is compiled with -maes
// -msse4.1; aes_ige.cpp calls it only after checking the CPU at run time.
#include <immintrin.h>
#include <wmmintrin.h>

#include <cstddef>
#include <cstdint>

#include "crypto/aes_ige.h"

namespace mtjson::crypto::detail {
namespace {

// FIPS-197 AES-256 key expansion: 15 round keys. The two helpers are the two alternating
// steps of the schedule (with and without RotWord/Rcon).
inline __m128i expand_a(__m128i prev, __m128i assist) {
  assist = _mm_shuffle_epi32(assist, 0xff);
  prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
  prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
  prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
  return _mm_xor_si128(prev, assist);
}

inline __m128i expand_b(__m128i prev, __m128i assist) {
  assist = _mm_shuffle_epi32(assist, 0xaa);
  prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
  prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
  prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
  return _mm_xor_si128(prev, assist);
}

void expand_key(const std::uint8_t* key, __m128i rk[15]) {
  __m128i k0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key));
  __m128i k1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(key + 16));
  rk[0] = k0;
  rk[1] = k1;
#define MTJSON_EXPAND(i, rcon)                                           \
  rk[i] = expand_a(rk[i - 2], _mm_aeskeygenassist_si128(rk[i - 1], rcon)); \
  if ((i) + 1 < 15) rk[(i) + 1] = expand_b(rk[i - 1], _mm_aeskeygenassist_si128(rk[i], 0));
  MTJSON_EXPAND(2, 0x01)
  MTJSON_EXPAND(4, 0x02)
  MTJSON_EXPAND(6, 0x04)
  MTJSON_EXPAND(8, 0x08)
  MTJSON_EXPAND(10, 0x10)
  MTJSON_EXPAND(12, 0x20)
  rk[14] = expand_a(rk[12], _mm_aeskeygenassist_si128(rk[13], 0x40));
#undef MTJSON_EXPAND
}

// Decryption round keys for the equivalent inverse cipher (AESIMC on the middle keys).
void decrypt_keys(const __m128i ek[15], __m128i dk[15]) {
  dk[0] = ek[14];
  for (int i = 1; i < 14; ++i) dk[i] = _mm_aesimc_si128(ek[14 - i]);
  dk[14] = ek[0];
}

inline __m128i encrypt_block(__m128i b, const __m128i rk[15]) {
  b = _mm_xor_si128(b, rk[0]);
  for (int i = 1; i < 14; ++i) b = _mm_aesenc_si128(b, rk[i]);
  return _mm_aesenclast_si128(b, rk[14]);
}

inline __m128i decrypt_block(__m128i b, const __m128i rk[15]) {
  b = _mm_xor_si128(b, rk[0]);
  for (int i = 1; i < 14; ++i) b = _mm_aesdec_si128(b, rk[i]);
  return _mm_aesdeclast_si128(b, rk[14]);
}

inline __m128i load(const std::uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline void store(std::uint8_t* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }

}  // namespace

// IGE: c_i = E(p_i ^ c_{i-1}) ^ p_{i-1}; iv = c_0 || p_0.
void ige_encrypt_aesni(const std::uint8_t* key, const std::uint8_t* iv, const std::uint8_t* in,
                       std::uint8_t* out, std::size_t blocks) {
  __m128i rk[15];
  expand_key(key, rk);
  __m128i c_prev = load(iv);
  __m128i p_prev = load(iv + 16);
  for (std::size_t i = 0; i < blocks; ++i) {
    __m128i p = load(in + 16 * i);  // read before writing: in may equal out
    __m128i c = _mm_xor_si128(encrypt_block(_mm_xor_si128(p, c_prev), rk), p_prev);
    store(out + 16 * i, c);
    c_prev = c;
    p_prev = p;
  }
}

// p_i = D(c_i ^ p_{i-1}) ^ c_{i-1}.
void ige_decrypt_aesni(const std::uint8_t* key, const std::uint8_t* iv, const std::uint8_t* in,
                       std::uint8_t* out, std::size_t blocks) {
  __m128i ek[15], dk[15];
  expand_key(key, ek);
  decrypt_keys(ek, dk);
  __m128i c_prev = load(iv);
  __m128i p_prev = load(iv + 16);
  for (std::size_t i = 0; i < blocks; ++i) {
    __m128i c = load(in + 16 * i);
    __m128i p = _mm_xor_si128(decrypt_block(_mm_xor_si128(c, p_prev), dk), c_prev);
    store(out + 16 * i, p);
    c_prev = c;
    p_prev = p;
  }
}

}  // namespace mtjson::crypto::detail
