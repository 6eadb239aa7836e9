#include "crypto/aes_ctr.h"

#include <openssl/evp.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <utility>

#include "crypto/evp_cache.h"

namespace mtjson::crypto {

AesCtr::AesCtr(std::span<const std::uint8_t, 32> key, std::span<const std::uint8_t, 16> iv)
    : ctx_(EVP_CIPHER_CTX_new()) {
  if (ctx_ == nullptr ||
      EVP_EncryptInit_ex2(ctx_, detail::cipher_aes256_ctr(), key.data(), iv.data(), nullptr) != 1) {
    std::abort();  // only on allocation failure / broken OpenSSL
  }
}

AesCtr::~AesCtr() { EVP_CIPHER_CTX_free(ctx_); }

AesCtr::AesCtr(AesCtr&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

AesCtr& AesCtr::operator=(AesCtr&& other) noexcept {
  if (this != &other) {
    EVP_CIPHER_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

void AesCtr::apply(std::span<std::uint8_t> data) { apply(data, data); }

void AesCtr::apply(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) {
  if (ctx_ == nullptr) return;  // moved-from
  std::size_t n = std::min(in.size(), out.size());
  std::size_t done = 0;
  while (done < n) {
    // EVP takes int lengths; CTR is a stream mode so chunking does not change the output.
    int chunk = static_cast<int>(std::min<std::size_t>(n - done, INT_MAX / 2));
    int outl = 0;
    EVP_EncryptUpdate(ctx_, out.data() + done, &outl, in.data() + done, chunk);
    done += static_cast<std::size_t>(chunk);
  }
}

}  // namespace mtjson::crypto
