#include "crypto/sha.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <utility>

#include "crypto/evp_cache.h"

namespace mtjson::crypto {
namespace {

EVP_MD_CTX* new_ctx(const EVP_MD* md) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex2(ctx, md, nullptr) != 1) std::abort();
  return ctx;
}

template <std::size_t N>
std::array<std::uint8_t, N> finish_ctx(EVP_MD_CTX* ctx, const EVP_MD* md) {
  std::array<std::uint8_t, N> out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  EVP_DigestInit_ex2(ctx, md, nullptr);  // ready for the next message
  return out;
}

}  // namespace

// ---- Sha1 ----
Sha1::Sha1() : ctx_(new_ctx(detail::md_sha1())) {}
Sha1::~Sha1() { EVP_MD_CTX_free(ctx_); }
Sha1::Sha1(Sha1&& o) noexcept : ctx_(std::exchange(o.ctx_, nullptr)) {}
Sha1& Sha1::operator=(Sha1&& o) noexcept {
  if (this != &o) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = std::exchange(o.ctx_, nullptr);
  }
  return *this;
}
Sha1& Sha1::update(std::span<const std::uint8_t> data) {
  if (ctx_ != nullptr && !data.empty()) EVP_DigestUpdate(ctx_, data.data(), data.size());
  return *this;
}
Sha1Digest Sha1::finish() {
  if (ctx_ == nullptr) return {};
  return finish_ctx<20>(ctx_, detail::md_sha1());
}

// ---- Sha256 ----
Sha256::Sha256() : ctx_(new_ctx(detail::md_sha256())) {}
Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }
Sha256::Sha256(Sha256&& o) noexcept : ctx_(std::exchange(o.ctx_, nullptr)) {}
Sha256& Sha256::operator=(Sha256&& o) noexcept {
  if (this != &o) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = std::exchange(o.ctx_, nullptr);
  }
  return *this;
}
Sha256& Sha256::update(std::span<const std::uint8_t> data) {
  if (ctx_ != nullptr && !data.empty()) EVP_DigestUpdate(ctx_, data.data(), data.size());
  return *this;
}
Sha256Digest Sha256::finish() {
  if (ctx_ == nullptr) return {};
  return finish_ctx<32>(ctx_, detail::md_sha256());
}

// ---- one-shot forms: one context per thread, reused ----
namespace {
Sha1& tls_sha1() {
  thread_local Sha1 h;
  return h;
}
Sha256& tls_sha256() {
  thread_local Sha256 h;
  return h;
}
}  // namespace

Sha1Digest sha1(std::span<const std::uint8_t> data) { return tls_sha1().update(data).finish(); }
Sha256Digest sha256(std::span<const std::uint8_t> data) { return tls_sha256().update(data).finish(); }

Sha1Digest sha1(std::initializer_list<std::span<const std::uint8_t>> parts) {
  Sha1& h = tls_sha1();
  for (auto p : parts) h.update(p);
  return h.finish();
}
Sha256Digest sha256(std::initializer_list<std::span<const std::uint8_t>> parts) {
  Sha256& h = tls_sha256();
  for (auto p : parts) h.update(p);
  return h.finish();
}

Sha256Digest hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data) {
  constexpr std::size_t kBlock = 64;
  std::array<std::uint8_t, kBlock> k{};
  if (key.size() > kBlock) {
    Sha256Digest hk = sha256(key);
    std::copy(hk.begin(), hk.end(), k.begin());
  } else {
    std::copy(key.begin(), key.end(), k.begin());
  }
  std::array<std::uint8_t, kBlock> ipad{}, opad{};
  for (std::size_t i = 0; i < kBlock; ++i) {
    ipad[i] = static_cast<std::uint8_t>(k[i] ^ 0x36);
    opad[i] = static_cast<std::uint8_t>(k[i] ^ 0x5c);
  }
  Sha256Digest inner = sha256({ipad, data});
  return sha256({opad, inner});
}

}  // namespace mtjson::crypto
