#include "crypto/rsa.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "base/bytes.h"
#include "crypto/bignum.h"
#include "crypto/sha.h"

namespace mtjson::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

struct MontFree {
  void operator()(BN_MONT_CTX* m) const { BN_MONT_CTX_free(m); }
};

// TL `bytes`/`string` serialization ("Binary Data Serialization"): 1 length byte if < 254, else 0xFE and
// a 3-byte little-endian length; then the bytes; then zero padding to a multiple of 4.
void append_tl_bytes(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> b) {
  std::size_t header = 1;
  if (b.size() < 254) {
    out.push_back(static_cast<std::uint8_t>(b.size()));
  } else {
    header = 4;
    out.push_back(0xFE);
    out.resize(out.size() + 3);
    store_le24(out.data() + out.size() - 3, static_cast<std::uint32_t>(b.size()));
  }
  out.insert(out.end(), b.begin(), b.end());
  while ((header + b.size()) % 4 != 0) {
    out.push_back(0);
    ++header;
  }
}

Pkey decode_pem(std::string_view pem, int selection) {
  EVP_PKEY* pkey = nullptr;
  OSSL_DECODER_CTX* dctx =
      OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", nullptr, "RSA", selection, nullptr, nullptr);
  if (dctx == nullptr) return nullptr;
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  std::size_t len = pem.size();
  int ok = OSSL_DECODER_from_data(dctx, &data, &len);
  OSSL_DECODER_CTX_free(dctx);
  if (ok != 1) {
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  return Pkey(pkey);
}

Result<std::string> encode_pem(EVP_PKEY* pkey, int selection) {
  OSSL_ENCODER_CTX* ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, "PEM", "type-specific", nullptr);
  if (ectx == nullptr) return Result<std::string>::error("rsa: no PEM encoder available");
  unsigned char* buf = nullptr;
  std::size_t len = 0;
  int ok = OSSL_ENCODER_to_data(ectx, &buf, &len);
  OSSL_ENCODER_CTX_free(ectx);
  if (ok != 1 || buf == nullptr) return Result<std::string>::error("rsa: PEM encoding failed");
  std::string out(reinterpret_cast<const char*>(buf), len);
  OPENSSL_clear_free(buf, len);
  return out;
}

}  // namespace

std::uint64_t rsa_fingerprint(std::span<const std::uint8_t> n_be, std::span<const std::uint8_t> e_be) {
  std::vector<std::uint8_t> blob;
  blob.reserve(n_be.size() + e_be.size() + 16);
  append_tl_bytes(blob, n_be);
  append_tl_bytes(blob, e_be);
  const Sha1Digest h = sha1(blob);
  // "Creating an Authorization Key": the fingerprint is the lower 64 bits of the SHA1, that is
  // its last 8 bytes read little-endian.
  return load_le64(h.data() + 12);
}

// ---------------- public key ----------------

struct RsaPublicKey::Impl {
  Pkey pkey;
  bn::Bn n, e;
  std::unique_ptr<BN_MONT_CTX, MontFree> mont;  // read-only after construction
  std::uint64_t fingerprint = 0;
  std::size_t size = 0;
};

namespace {

Result<std::shared_ptr<const RsaPublicKey::Impl>> make_public_impl(Pkey pkey) {
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  if (EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
      EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
    BN_free(n);
    BN_free(e);
    return Result<std::shared_ptr<const RsaPublicKey::Impl>>::error("rsa: key has no modulus/exponent");
  }
  auto impl = std::make_shared<RsaPublicKey::Impl>();
  impl->pkey = std::move(pkey);
  impl->n.reset(n);
  impl->e.reset(e);
  if (BN_num_bits(n) < 512 || !BN_is_odd(n) || BN_is_zero(e)) {
    return Result<std::shared_ptr<const RsaPublicKey::Impl>>::error("rsa: modulus too small or malformed");
  }
  impl->mont.reset(BN_MONT_CTX_new());
  if (!impl->mont || BN_MONT_CTX_set(impl->mont.get(), n, bn::ctx()) != 1) {
    return Result<std::shared_ptr<const RsaPublicKey::Impl>>::error("rsa: Montgomery setup failed");
  }
  impl->size = static_cast<std::size_t>(BN_num_bytes(n));
  impl->fingerprint = rsa_fingerprint(bn::to_bytes(n), bn::to_bytes(e));
  return std::shared_ptr<const RsaPublicKey::Impl>(std::move(impl));
}

}  // namespace

Result<RsaPublicKey> RsaPublicKey::from_pem(std::string_view pem) {
  Pkey pkey = decode_pem(pem, EVP_PKEY_PUBLIC_KEY);
  if (!pkey) return Result<RsaPublicKey>::error("rsa: cannot parse PEM public key");
  auto impl = make_public_impl(std::move(pkey));
  if (!impl) return impl.status();
  return RsaPublicKey(std::move(impl).value());
}

Result<RsaPublicKey> RsaPublicKey::from_components(std::span<const std::uint8_t> n_be, std::span<const std::uint8_t> e_be) {
  if (n_be.empty() || e_be.empty() || n_be.size() > 1024 || e_be.size() > 1024) {
    return Result<RsaPublicKey>::error("rsa: bad modulus/exponent size");
  }
  bn::Bn n = bn::from_bytes(n_be);
  bn::Bn e = bn::from_bytes(e_be);
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  if (bld == nullptr || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e.get()) != 1 ||
      (params = OSSL_PARAM_BLD_to_param(bld)) == nullptr) {
    OSSL_PARAM_BLD_free(bld);
    return Result<RsaPublicKey>::error("rsa: cannot build key parameters");
  }
  OSSL_PARAM_BLD_free(bld);
  EVP_PKEY_CTX* pctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* raw = nullptr;
  bool ok = pctx != nullptr && EVP_PKEY_fromdata_init(pctx) == 1 &&
            EVP_PKEY_fromdata(pctx, &raw, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(pctx);
  OSSL_PARAM_free(params);
  if (!ok) return Result<RsaPublicKey>::error("rsa: cannot build key from components");
  auto impl = make_public_impl(Pkey(raw));
  if (!impl) return impl.status();
  return RsaPublicKey(std::move(impl).value());
}

std::uint64_t RsaPublicKey::fingerprint() const { return impl_->fingerprint; }

std::array<std::uint8_t, 8> RsaPublicKey::fingerprint_bytes() const {
  std::array<std::uint8_t, 8> b{};
  store_le64(b.data(), impl_->fingerprint);
  return b;
}

std::size_t RsaPublicKey::modulus_size() const { return impl_->size; }
std::vector<std::uint8_t> RsaPublicKey::modulus() const { return bn::to_bytes(impl_->n.get()); }
std::vector<std::uint8_t> RsaPublicKey::exponent() const { return bn::to_bytes(impl_->e.get()); }

bool RsaPublicKey::less_than_modulus(std::span<const std::uint8_t> value_be) const {
  bn::Bn v = bn::from_bytes(value_be);
  return BN_cmp(v.get(), impl_->n.get()) < 0;
}

Result<std::vector<std::uint8_t>> RsaPublicKey::encrypt_raw(std::span<const std::uint8_t> value_be) const {
  using R = Result<std::vector<std::uint8_t>>;
  if (value_be.size() > impl_->size) return R::error("rsa: input longer than the modulus");
  bn::Bn m = bn::from_bytes(value_be);
  if (BN_cmp(m.get(), impl_->n.get()) >= 0) return R::error("rsa: input not less than the modulus");
  bn::Bn c = bn::make();
  if (BN_mod_exp_mont(c.get(), m.get(), impl_->e.get(), impl_->n.get(), bn::ctx(),
                      const_cast<BN_MONT_CTX*>(impl_->mont.get())) != 1) {
    return R::error("rsa: modular exponentiation failed");
  }
  std::vector<std::uint8_t> out(impl_->size);
  bn::to_bytes_padded(c.get(), out);
  return out;
}

Result<std::string> RsaPublicKey::to_pem() const { return encode_pem(impl_->pkey.get(), EVP_PKEY_PUBLIC_KEY); }

// ---------------- private key ----------------

struct RsaPrivateKey::Impl {
  Pkey pkey;
};

namespace {
// The public half is built from n and e alone, so nothing derived from it can carry d.
Result<RsaPublicKey> public_half(EVP_PKEY* pkey) {
  BIGNUM* n = nullptr;
  BIGNUM* e = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
      EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
    BN_free(n);
    BN_free(e);
    return Result<RsaPublicKey>::error("rsa: key has no modulus/exponent");
  }
  bn::Bn nn(n), ee(e);
  return RsaPublicKey::from_components(bn::to_bytes(n), bn::to_bytes(e));
}
}  // namespace

Result<RsaPrivateKey> RsaPrivateKey::from_pem(std::string_view pem) {
  Pkey pkey = decode_pem(pem, EVP_PKEY_KEYPAIR);
  if (!pkey) return Result<RsaPrivateKey>::error("rsa: cannot parse PEM private key");
  auto pub = public_half(pkey.get());
  if (!pub) return pub.status();
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return RsaPrivateKey(std::move(impl), std::move(pub).value());
}

Result<RsaPrivateKey> RsaPrivateKey::generate(int bits) {
  if (bits < 1024 || bits > 8192) return Result<RsaPrivateKey>::error("rsa: key size out of range");
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits));
  if (raw == nullptr) return Result<RsaPrivateKey>::error("rsa: key generation failed");
  Pkey pkey(raw);
  auto pub = public_half(pkey.get());
  if (!pub) return pub.status();
  auto impl = std::make_shared<Impl>();
  impl->pkey = std::move(pkey);
  return RsaPrivateKey(std::move(impl), std::move(pub).value());
}

Result<std::vector<std::uint8_t>> RsaPrivateKey::decrypt_raw(std::span<const std::uint8_t> ciphertext_be) const {
  using R = Result<std::vector<std::uint8_t>>;
  const std::size_t size = public_.modulus_size();
  if (ciphertext_be.size() != size) return R::error("rsa: ciphertext length is not the modulus length");
  if (!public_.less_than_modulus(ciphertext_be)) return R::error("rsa: ciphertext not less than the modulus");
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, impl_->pkey.get(), nullptr);
  std::vector<std::uint8_t> out(size);
  std::size_t outlen = out.size();
  bool ok = ctx != nullptr && EVP_PKEY_decrypt_init(ctx) == 1 &&
            EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 &&
            EVP_PKEY_decrypt(ctx, out.data(), &outlen, ciphertext_be.data(), ciphertext_be.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) return R::error("rsa: raw decryption failed");
  if (outlen < size) {  // keep the fixed-width big-endian form
    out.resize(outlen);
    out.insert(out.begin(), size - outlen, 0);
  }
  return out;
}

Result<std::string> RsaPrivateKey::to_pem() const { return encode_pem(impl_->pkey.get(), EVP_PKEY_KEYPAIR); }

}  // namespace mtjson::crypto
