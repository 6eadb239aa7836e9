#include "crypto/evp_cache.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace mtjson::crypto::detail {
namespace {

template <typename T>
T* must(T* p) {
  // A missing default provider means a broken OpenSSL installation; nothing can work without it.
  if (p == nullptr) std::abort();
  return p;
}

}  // namespace

const EVP_MD* md_sha1() {
  static const EVP_MD* md = must(EVP_MD_fetch(nullptr, "SHA1", nullptr));
  return md;
}

const EVP_MD* md_sha256() {
  static const EVP_MD* md = must(EVP_MD_fetch(nullptr, "SHA256", nullptr));
  return md;
}

const EVP_MD* md_sha512() {
  static const EVP_MD* md = must(EVP_MD_fetch(nullptr, "SHA512", nullptr));
  return md;
}

const EVP_CIPHER* cipher_aes256_ctr() {
  static const EVP_CIPHER* c = must(EVP_CIPHER_fetch(nullptr, "AES-256-CTR", nullptr));
  return c;
}

const EVP_CIPHER* cipher_aes256_ecb() {
  static const EVP_CIPHER* c = must(EVP_CIPHER_fetch(nullptr, "AES-256-ECB", nullptr));
  return c;
}

}  // namespace mtjson::crypto::detail
