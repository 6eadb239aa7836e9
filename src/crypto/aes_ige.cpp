#include "crypto/aes_ige.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <cstring>

#include "crypto/evp_cache.h"

namespace mtjson::crypto {
namespace {

// One ECB context per thread, re-keyed per call (key setup is a small part of a packet's cost).
struct EcbCtx {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~EcbCtx() { EVP_CIPHER_CTX_free(ctx); }
};

EVP_CIPHER_CTX* ecb_ctx(const std::uint8_t* key, bool encrypt) {
  thread_local EcbCtx holder;
  EVP_CIPHER_CTX* ctx = holder.ctx;
  if (ctx == nullptr) std::abort();
  int ok = encrypt ? EVP_EncryptInit_ex2(ctx, detail::cipher_aes256_ecb(), key, nullptr, nullptr)
                   : EVP_DecryptInit_ex2(ctx, detail::cipher_aes256_ecb(), key, nullptr, nullptr);
  if (ok != 1) std::abort();
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  return ctx;
}

inline void xor16(std::uint8_t* dst, const std::uint8_t* a, const std::uint8_t* b) {
  for (int i = 0; i < 16; ++i) dst[i] = static_cast<std::uint8_t>(a[i] ^ b[i]);
}

void ige_evp(const std::uint8_t* key, const std::uint8_t* iv, const std::uint8_t* in, std::uint8_t* out,
             std::size_t blocks, bool encrypt) {
  EVP_CIPHER_CTX* ctx = ecb_ctx(key, encrypt);
  // "prev_x" is the previous block on the input side, "prev_y" on the output side.
  // Encrypt: iv = c_0 (output side) || p_0 (input side). Decrypt: iv = c_0 (input side) || p_0
  // (output side).
  std::uint8_t prev_in[16], prev_out[16], cur[16], tmp[16];
  std::memcpy(encrypt ? prev_out : prev_in, iv, 16);
  std::memcpy(encrypt ? prev_in : prev_out, iv + 16, 16);
  for (std::size_t i = 0; i < blocks; ++i) {
    std::memcpy(cur, in + 16 * i, 16);  // in may equal out
    xor16(tmp, cur, prev_out);
    int outl = 0;
    EVP_CipherUpdate(ctx, tmp, &outl, tmp, 16);
    xor16(out + 16 * i, tmp, prev_in);
    std::memcpy(prev_out, out + 16 * i, 16);
    std::memcpy(prev_in, cur, 16);
  }
}

thread_local std::uint64_t aesni_calls = 0;

bool run(AesIgeKey key, AesIgeIv iv, std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
         AesIgeImpl impl, bool encrypt) {
  if (in.size() != out.size() || in.size() % 16 != 0) return false;
  // Exact aliasing is handled block by block; partial overlap would corrupt the chain.
  if (in.data() != out.data() && !in.empty()) {
    auto ib = reinterpret_cast<std::uintptr_t>(in.data());
    auto ob = reinterpret_cast<std::uintptr_t>(out.data());
    if (ib < ob + out.size() && ob < ib + in.size()) return false;
  }
  std::size_t blocks = in.size() / 16;
  if (blocks == 0) return true;
  if (aes_ige_selected(impl) == AesIgeImpl::aesni) {
    ++aesni_calls;
    if (encrypt) {
      detail::ige_encrypt_aesni(key.data(), iv.data(), in.data(), out.data(), blocks);
    } else {
      detail::ige_decrypt_aesni(key.data(), iv.data(), in.data(), out.data(), blocks);
    }
  } else {
    ige_evp(key.data(), iv.data(), in.data(), out.data(), blocks, encrypt);
  }
  return true;
}

}  // namespace

bool aes_ige_has_aesni() {
#if defined(__x86_64__) || defined(__i386__)
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.1");
  }();
  return has;
#else
  return false;
#endif
}

AesIgeImpl aes_ige_selected(AesIgeImpl impl) {
  return impl != AesIgeImpl::evp && aes_ige_has_aesni() ? AesIgeImpl::aesni : AesIgeImpl::evp;
}

std::uint64_t aes_ige_aesni_calls() { return aesni_calls; }

bool aes_ige_encrypt(AesIgeKey key, AesIgeIv iv, std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                     AesIgeImpl impl) {
  return run(key, iv, in, out, impl, true);
}

bool aes_ige_decrypt(AesIgeKey key, AesIgeIv iv, std::span<const std::uint8_t> in, std::span<std::uint8_t> out,
                     AesIgeImpl impl) {
  return run(key, iv, in, out, impl, false);
}

bool aes_ige_encrypt(AesIgeKey key, AesIgeIv iv, std::span<std::uint8_t> data, AesIgeImpl impl) {
  return run(key, iv, data, data, impl, true);
}

bool aes_ige_decrypt(AesIgeKey key, AesIgeIv iv, std::span<std::uint8_t> data, AesIgeImpl impl) {
  return run(key, iv, data, data, impl, false);
}

}  // namespace mtjson::crypto
