#include <catch2/catch.hpp>

#include "crypto/random.h"
#include "crypto/rsa.h"
#include "crypto/rsa_pad.h"
#include "crypto/telegram_keys.h"
#include "test_util.h"

using namespace mtjson::crypto;
using namespace mtjson::crypto::test;

namespace {

const RsaPrivateKey& selfmade_private() {
  static const RsaPrivateKey key = RsaPrivateKey::from_pem(read_file("rsa_pad_selfmade_private.pem")).value();
  return key;
}

}  // namespace

TEST_CASE("built-in Telegram keys: PEM equals keys/*.pem and fingerprints match the published ones", "[rsa][keys]") {
  CHECK(builtin_key_pem(DcKind::production) == read_file("telegram_production.pem").substr(0, builtin_key_pem(DcKind::production).size()));
  CHECK(builtin_key_pem(DcKind::test) == read_file("telegram_test.pem").substr(0, builtin_key_pem(DcKind::test).size()));

  auto prod = builtin_public_key(DcKind::production);
  REQUIRE(prod.ok());
  CHECK(prod->fingerprint() == 0xd09d1d85de64fd85ULL);
  CHECK(to_hex(prod->fingerprint_bytes()) == "85FD64DE851D9DD0");
  CHECK(prod->modulus_size() == 256);
  CHECK(to_hex(prod->modulus()).substr(0, 16) == "E8BB3305C0B52C6C");
  CHECK(to_hex(prod->exponent()) == "010001");

  auto test = builtin_public_key(DcKind::test);
  REQUIRE(test.ok());
  CHECK(test->fingerprint() == 0xb25898df208d2603ULL);
  CHECK(static_cast<std::int64_t>(test->fingerprint()) == -5595554452916591101LL);
}

TEST_CASE("fingerprints of extra keys: TDLib's test key, a legacy key, the self-made key", "[rsa][keys]") {
  auto tdlib = RsaPublicKey::from_pem(read_file("tdlib_test_key.pem"));
  REQUIRE(tdlib.ok());
  CHECK(static_cast<std::int64_t>(tdlib->fingerprint()) == -7596991558377038078LL);

  auto legacy = RsaPublicKey::from_pem(read_file("legacy_c3b42b026ce86b21.pem"));
  REQUIRE(legacy.ok());
  CHECK(legacy->fingerprint() == 0xc3b42b026ce86b21ULL);

  auto selfmade = RsaPublicKey::from_pem(read_file("rsa_pad_selfmade_public.pem"));
  REQUIRE(selfmade.ok());
  CHECK(to_hex(selfmade->fingerprint_bytes()) == "85B22E2EC2A66746");
  CHECK(selfmade->modulus() == rsa_pad_value("rsa_n"));
  CHECK(selfmade_private().public_key().fingerprint() == selfmade->fingerprint());

  auto from_parts = RsaPublicKey::from_components(rsa_pad_value("rsa_n"), rsa_pad_value("rsa_e"));
  REQUIRE(from_parts.ok());
  CHECK(from_parts->fingerprint() == selfmade->fingerprint());
}

TEST_CASE("key ring selects the first offered fingerprint it knows (resPQ of the sample)", "[rsa][keys]") {
  auto ring = PublicKeyRing::builtin(DcKind::production);
  REQUIRE(ring.ok());
  const std::uint64_t offered[] = {0x0bc35f3509f7b7a5ULL, 0xc3b42b026ce86b21ULL, 0xd09d1d85de64fd85ULL};
  const RsaPublicKey* k = ring->select(offered);
  REQUIRE(k != nullptr);
  CHECK(k->fingerprint() == 0xd09d1d85de64fd85ULL);

  const std::uint64_t unknown[] = {1, 2};
  CHECK(ring->select(unknown) == nullptr);

  REQUIRE(ring->add_pem(read_file("legacy_c3b42b026ce86b21.pem")).ok());
  CHECK(ring->size() == 2);
  CHECK(ring->select(offered)->fingerprint() == 0xc3b42b026ce86b21ULL);  // server order wins
  REQUIRE(ring->add_pem(read_file("legacy_c3b42b026ce86b21.pem")).ok());
  CHECK(ring->size() == 2);  // same fingerprint replaces

  auto bad = ring->add_pem("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n");
  CHECK_FALSE(bad.ok());
  CHECK(bad.message() == "rsa: cannot parse PEM public key");
}

TEST_CASE("RSA_PAD encrypt reproduces rsa_pad_selfmade.json byte for byte", "[rsa][rsa_pad]") {
  auto key = RsaPublicKey::from_pem(read_file("rsa_pad_selfmade_public.pem"));
  REQUIRE(key.ok());
  ReplayRandom rnd;
  rnd.push(rsa_pad_value("random_padding_bytes"));
  rnd.push(rsa_pad_value("temp_key"));
  auto enc = rsa_pad_encrypt(rsa_pad_value("data"), *key, rnd);
  REQUIRE(enc.ok());
  CHECK(to_hex(*enc) == to_hex(rsa_pad_value("encrypted_data")));
  CHECK_FALSE(rnd.exhausted());
  CHECK(rnd.remaining() == 0);
}

TEST_CASE("RSA_PAD decrypt with the private key recovers data_with_padding", "[rsa][rsa_pad]") {
  auto dec = rsa_pad_decrypt(rsa_pad_value("encrypted_data"), selfmade_private());
  REQUIRE(dec.ok());
  CHECK(*dec == rsa_pad_value("data_with_padding"));
  const Bytes data = rsa_pad_value("data");
  CHECK(Bytes(dec->begin(), dec->begin() + static_cast<long>(data.size())) == data);

  // A flipped ciphertext bit fails the SHA256 check.
  Bytes tampered = rsa_pad_value("encrypted_data");
  tampered[100] ^= 1;
  auto bad = rsa_pad_decrypt(tampered, selfmade_private());
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.message() == "rsa_pad: SHA256(temp_key + data_with_padding) mismatch");

  auto short_input = rsa_pad_decrypt(Bytes(255, 1), selfmade_private());
  CHECK(short_input.message() == "rsa_pad: encrypted_data is not 256 bytes");
  auto too_big = rsa_pad_decrypt(Bytes(256, 0xFF), selfmade_private());
  CHECK(too_big.message() == "rsa: ciphertext not less than the modulus");
}

TEST_CASE("RSA_PAD retries temp_key while key_aes_encrypted >= n, and rejects long data", "[rsa][rsa_pad]") {
  auto key = RsaPublicKey::from_pem(read_file("rsa_pad_selfmade_public.pem"));
  REQUIRE(key.ok());
  const Bytes data = rsa_pad_value("data");
  // Find a temp_key whose key_aes_encrypted starts above n's first byte (0xC2): try candidates.
  // The result must still decrypt correctly, and the second temp_key must have been consumed.
  int retried = 0;
  for (std::uint8_t seed = 0; seed < 40 && retried == 0; ++seed) {
    ReplayRandom rnd;
    rnd.push(rsa_pad_value("random_padding_bytes"));
    rnd.push(Bytes(32, seed));                 // attempt 0
    rnd.push(rsa_pad_value("temp_key"));       // attempt 1 (known to be < n)
    auto enc = rsa_pad_encrypt(data, *key, rnd);
    REQUIRE(enc.ok());
    if (rnd.remaining() == 0) {  // the first key was rejected
      ++retried;
      CHECK(to_hex(*enc) == to_hex(rsa_pad_value("encrypted_data")));
    }
    auto dec = rsa_pad_decrypt(*enc, selfmade_private());
    REQUIRE(dec.ok());
    CHECK(*dec == rsa_pad_value("data_with_padding"));
  }
  CHECK(retried == 1);

  auto too_long = rsa_pad_encrypt(Bytes(145, 0), *key);
  CHECK(too_long.message() == "rsa_pad: data longer than 144 bytes");
}

TEST_CASE("legacy req_DH_params encryption round trip (SHA1(data) + data + padding)", "[rsa][legacy]") {
  const Bytes data = rsa_pad_value("data");
  auto enc = rsa_legacy_encrypt(data, selfmade_private().public_key());
  REQUIRE(enc.ok());
  CHECK(enc->size() == 256);
  auto dec = rsa_legacy_decrypt(*enc, selfmade_private());
  REQUIRE(dec.ok());
  auto recovered = dec->data(data.size());
  REQUIRE(recovered.ok());
  CHECK(*recovered == data);
  CHECK(dec->data(data.size() - 4).message() == "rsa_legacy: SHA1(data) mismatch");
  CHECK(dec->data(236).message() == "rsa_legacy: data length beyond the decrypted block");
  CHECK(rsa_legacy_encrypt(Bytes(236, 0), selfmade_private().public_key()).message() ==
        "rsa_legacy: data longer than 235 bytes");
}

TEST_CASE("generate a key, export PEM, reload both halves, raw RSA round trip", "[rsa][server]") {
  auto key = RsaPrivateKey::generate(2048);
  REQUIRE(key.ok());
  auto priv_pem = key->to_pem();
  auto pub_pem = key->public_key().to_pem();
  REQUIRE(priv_pem.ok());
  REQUIRE(pub_pem.ok());
  CHECK(priv_pem->rfind("-----BEGIN RSA PRIVATE KEY-----", 0) == 0);
  CHECK(pub_pem->rfind("-----BEGIN RSA PUBLIC KEY-----", 0) == 0);

  auto priv2 = RsaPrivateKey::from_pem(*priv_pem);
  auto pub2 = RsaPublicKey::from_pem(*pub_pem);
  REQUIRE(priv2.ok());
  REQUIRE(pub2.ok());
  CHECK(pub2->fingerprint() == key->public_key().fingerprint());
  CHECK(priv2->public_key().fingerprint() == key->public_key().fingerprint());

  Bytes m(256, 0);
  m[1] = 0x42;
  m[255] = 7;
  auto c = pub2->encrypt_raw(m);
  REQUIRE(c.ok());
  auto back = priv2->decrypt_raw(*c);
  REQUIRE(back.ok());
  CHECK(*back == m);

  // Through RSA_PAD too (the fake server's path).
  auto enc = rsa_pad_encrypt(rsa_pad_value("data"), *pub2);
  REQUIRE(enc.ok());
  auto dec = rsa_pad_decrypt(*enc, *priv2);
  REQUIRE(dec.ok());
  CHECK(Bytes(dec->begin(), dec->begin() + 100) == rsa_pad_value("data"));
}

TEST_CASE("raw RSA and PEM errors", "[rsa]") {
  auto key = RsaPublicKey::from_pem(read_file("rsa_pad_selfmade_public.pem"));
  REQUIRE(key.ok());
  CHECK(key->encrypt_raw(Bytes(257, 0)).message() == "rsa: input longer than the modulus");
  CHECK(key->encrypt_raw(Bytes(256, 0xFF)).message() == "rsa: input not less than the modulus");
  CHECK(selfmade_private().decrypt_raw(Bytes(10, 1)).message() == "rsa: ciphertext length is not the modulus length");
  CHECK(RsaPublicKey::from_pem("not a pem").message() == "rsa: cannot parse PEM public key");
  CHECK(RsaPrivateKey::from_pem(read_file("rsa_pad_selfmade_public.pem")).message() ==
        "rsa: cannot parse PEM private key");
  CHECK(RsaPrivateKey::generate(512).message() == "rsa: key size out of range");
  CHECK(RsaPublicKey::from_components({}, rsa_pad_value("rsa_e")).message() == "rsa: bad modulus/exponent size");
}
