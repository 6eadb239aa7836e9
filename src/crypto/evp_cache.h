// EVP algorithms fetched once per process (OpenSSL 3 looks algorithms up on each
// implicit fetch, which costs ~300 ns per call on small inputs).
#pragma once

typedef struct evp_md_st EVP_MD;
typedef struct evp_cipher_st EVP_CIPHER;

namespace mtjson::crypto::detail {

const EVP_MD* md_sha1();
const EVP_MD* md_sha256();
const EVP_MD* md_sha512();
const EVP_CIPHER* cipher_aes256_ctr();
const EVP_CIPHER* cipher_aes256_ecb();

}  // namespace mtjson::crypto::detail
