#include <catch2/catch.hpp>

#include "crypto/aes_ctr.h"
#include "crypto/aes_ige.h"
#include "crypto/kdf.h"
#include "crypto/sha.h"
#include "test_util.h"

using namespace mtjson::crypto;
using namespace mtjson::crypto::test;

namespace {

const AesIgeImpl kImpls[] = {AesIgeImpl::automatic, AesIgeImpl::aesni, AesIgeImpl::evp};

const char* impl_name(AesIgeImpl i) {
  switch (i) {
    case AesIgeImpl::automatic: return "automatic";
    case AesIgeImpl::aesni: return "aesni";
    case AesIgeImpl::evp: return "evp";
  }
  return "?";
}

Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 31 + (i >> 8));
  return b;
}

}  // namespace

TEST_CASE("On a CPU with AES-NI the AES-NI path runs and agrees with EVP", "[aes][ige]") {
  // EVP is the fallback, so a CPU without AES-NI is no failure; but then the tests below cannot
  // exercise the AES-NI code, which is worth saying (Catch2 v2 has no SKIP).
  if (!aes_ige_has_aesni()) {
    WARN("this CPU lacks AES-NI: only the EVP path of AES-256-IGE is tested");
    return;
  }
  REQUIRE(aes_ige_selected() == AesIgeImpl::aesni);
  REQUIRE(aes_ige_selected(AesIgeImpl::aesni) == AesIgeImpl::aesni);
  REQUIRE(aes_ige_selected(AesIgeImpl::evp) == AesIgeImpl::evp);
  std::array<std::uint8_t, 32> key{}, iv{};
  for (std::size_t i = 0; i < 32; ++i) key[i] = static_cast<std::uint8_t>(i), iv[i] = static_cast<std::uint8_t>(100 + i);
  const Bytes plain = pattern(16 * 37, 5);
  Bytes on_ni(plain.size()), on_evp(plain.size());
  const std::uint64_t before = aes_ige_aesni_calls();
  REQUIRE(aes_ige_encrypt(key, iv, plain, on_ni));
  REQUIRE(aes_ige_aesni_calls() == before + 1);
  REQUIRE(aes_ige_encrypt(key, iv, plain, on_evp, AesIgeImpl::evp));
  REQUIRE(aes_ige_aesni_calls() == before + 1);
  CHECK(on_ni == on_evp);
}

TEST_CASE("IGE decrypts the sample's encrypted_answer to answer_with_hash (auth_key_sample step 6)", "[aes][ige]") {
  const auto key = hex_array<32>(to_hex(sample("tmp_aes_key")));
  const auto iv = hex_array<32>(to_hex(sample("tmp_aes_iv")));
  const Bytes encrypted = sample("encrypted_answer");
  const Bytes expected = sample("answer_with_hash");
  for (AesIgeImpl impl : kImpls) {
    INFO(impl_name(impl));
    Bytes out(encrypted.size());
    REQUIRE(aes_ige_decrypt(key, iv, encrypted, out, impl));
    CHECK(out == expected);
    // and back
    Bytes back(out.size());
    REQUIRE(aes_ige_encrypt(key, iv, out, back, impl));
    CHECK(back == encrypted);
  }
  // SHA1(answer) is the first 20 bytes of answer_with_hash (the answer is 564 bytes).
  const Bytes answer = sample("server_DH_inner_data.payload");
  CHECK(bytes_of(sha1(answer)) == Bytes(expected.begin(), expected.begin() + 20));
}

TEST_CASE("IGE encrypts the step-7 data_with_hash to encrypted_data (auth_key_sample step 7.1)", "[aes][ige]") {
  const auto key = hex_array<32>(to_hex(sample("client_DH_inner_data.tmp_aes_key")));
  const auto iv = hex_array<32>(to_hex(sample("client_DH_inner_data.tmp_aes_iv")));
  const Bytes data = sample("client_DH_inner_data.payload");
  const Bytes padding = sample("client_DH_inner_data.padding");
  Bytes data_with_hash = bytes_of(sha1(data));
  data_with_hash.insert(data_with_hash.end(), data.begin(), data.end());
  data_with_hash.insert(data_with_hash.end(), padding.begin(), padding.end());
  REQUIRE(data_with_hash.size() == 336);
  for (AesIgeImpl impl : kImpls) {
    INFO(impl_name(impl));
    Bytes buf = data_with_hash;
    REQUIRE(aes_ige_encrypt(key, iv, buf, impl));  // in place
    CHECK(buf == sample("client_DH_inner_data.encrypted_data"));
    REQUIRE(aes_ige_decrypt(key, iv, buf, impl));
    CHECK(buf == data_with_hash);
  }
}

TEST_CASE("IGE AES-NI and EVP paths agree on many lengths, keys and IVs", "[aes][ige]") {
  for (std::size_t blocks : {1u, 2u, 3u, 7u, 64u, 257u}) {
    for (std::uint8_t seed : {0, 1, 0xA5}) {
      Bytes plain = pattern(blocks * 16, seed);
      auto key = hex_array<32>(to_hex(sha256(pattern(7, seed))));
      auto iv = hex_array<32>(to_hex(sha256(pattern(9, static_cast<std::uint8_t>(seed + 1)))));
      Bytes a(plain.size()), b(plain.size());
      REQUIRE(aes_ige_encrypt(key, iv, plain, a, AesIgeImpl::aesni));
      REQUIRE(aes_ige_encrypt(key, iv, plain, b, AesIgeImpl::evp));
      CHECK(a == b);
      CHECK(a != plain);
      Bytes da(plain.size()), db(plain.size());
      REQUIRE(aes_ige_decrypt(key, iv, a, da, AesIgeImpl::aesni));
      REQUIRE(aes_ige_decrypt(key, iv, a, db, AesIgeImpl::evp));
      CHECK(da == plain);
      CHECK(db == plain);
    }
  }
}

TEST_CASE("IGE rejects bad lengths and overlapping buffers without writing", "[aes][ige]") {
  std::array<std::uint8_t, 32> key{}, iv{};
  for (AesIgeImpl impl : kImpls) {
    INFO(impl_name(impl));
    Bytes in(33, 1), out(33, 7);
    CHECK_FALSE(aes_ige_encrypt(key, iv, in, out, impl));
    CHECK_FALSE(aes_ige_decrypt(key, iv, in, out, impl));
    CHECK(out == Bytes(33, 7));
    Bytes in32(32, 1), out16(16, 7);
    CHECK_FALSE(aes_ige_encrypt(key, iv, in32, out16, impl));  // size mismatch
    CHECK(out16 == Bytes(16, 7));
    Bytes odd(15, 2);
    CHECK_FALSE(aes_ige_encrypt(key, iv, odd, impl));
    CHECK(odd == Bytes(15, 2));
    Bytes buf(64, 3);
    CHECK_FALSE(aes_ige_encrypt(key, iv, std::span<const std::uint8_t>(buf).first(48),
                                std::span<std::uint8_t>(buf).subspan(16), impl));  // partial overlap
    CHECK(buf == Bytes(64, 3));
    Bytes empty;
    CHECK(aes_ige_encrypt(key, iv, empty, impl));  // zero blocks is valid
  }
}

TEST_CASE("AES-256-CTR reproduces the obfuscated2 vector and keeps its stream across calls", "[aes][ctr]") {
  const std::string s = "case3_obfuscated2_header";
  const auto key = hex_array<32>(to_hex(msg_value(s, "encrypt_key")));
  const auto iv = hex_array<16>(to_hex(msg_value(s, "encrypt_iv")));
  const Bytes init = msg_value(s, "init_with_tag");
  const Bytes packet = msg_value(s, "first_packet_plain_intermediate");

  AesCtr ctr(key, iv);
  Bytes enc_init(init.size());
  ctr.apply(init, enc_init);
  CHECK(enc_init == msg_value(s, "encrypted_init"));
  Bytes wire = packet;
  ctr.apply(wire);  // continues after the 64 header bytes
  CHECK(wire == msg_value(s, "first_packet_on_wire"));

  // The same stream in odd-sized pieces.
  AesCtr pieces(key, iv);
  Bytes all = init;
  all.insert(all.end(), packet.begin(), packet.end());
  std::size_t pos = 0;
  for (std::size_t step : {1u, 5u, 16u, 17u, 3u, 100u, 1000u}) {
    std::size_t n = std::min(step, all.size() - pos);
    pieces.apply(std::span<std::uint8_t>(all).subspan(pos, n));
    pos += n;
  }
  Bytes expected = msg_value(s, "encrypted_init");
  const Bytes on_wire = msg_value(s, "first_packet_on_wire");
  expected.insert(expected.end(), on_wire.begin(), on_wire.end());
  CHECK(all == expected);

  // Moved-to object continues the same stream.
  AesCtr a(key, iv);
  Bytes first(10, 0), rest(54, 0);
  a.apply(first);
  AesCtr b = std::move(a);
  b.apply(rest);
  Bytes joined;
  joined.reserve(64);
  joined.insert(joined.end(), first.begin(), first.end());
  joined.insert(joined.end(), rest.begin(), rest.end());
  Bytes ks(64, 0);
  AesCtr(key, iv).apply(ks);
  CHECK(joined == ks);
}
