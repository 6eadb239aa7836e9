// Crypto benchmarks. The IGE figures come with OpenSSL AES-256-ECB over the same buffer in the same
// run as the baseline (ECB is the ceiling: IGE is serial, ECB is parallel across blocks).
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <random>
#include <vector>

#include "crypto/aes_ige.h"
#include "crypto/dh.h"
#include "crypto/pq.h"
#include "crypto/random.h"
#include "crypto/rsa_pad.h"
#include "crypto/sha.h"
#include "crypto/telegram_keys.h"

using namespace mtjson::crypto;

namespace {

std::vector<std::uint8_t> buffer(std::size_t n) {
  std::vector<std::uint8_t> b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 131 + 7);
  return b;
}

const std::array<std::uint8_t, 32> kKey = [] {
  std::array<std::uint8_t, 32> k{};
  for (int i = 0; i < 32; ++i) k[i] = static_cast<std::uint8_t>(i * 9 + 1);
  return k;
}();
const std::array<std::uint8_t, 32> kIv = [] {
  std::array<std::uint8_t, 32> k{};
  for (int i = 0; i < 32; ++i) k[i] = static_cast<std::uint8_t>(i * 5 + 3);
  return k;
}();

void BM_IgeEncrypt(benchmark::State& state, AesIgeImpl impl) {
  auto buf = buffer(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    aes_ige_encrypt(kKey, kIv, buf, impl);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_IgeDecrypt(benchmark::State& state, AesIgeImpl impl) {
  auto buf = buffer(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    aes_ige_decrypt(kKey, kIv, buf, impl);
    benchmark::DoNotOptimize(buf.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

// Baseline: EVP AES-256-ECB over the whole buffer (AES-NI, blocks pipelined), context reused.
void BM_OpenSslEcbBaseline(benchmark::State& state) {
  auto buf = buffer(static_cast<std::size_t>(state.range(0)));
  EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-ECB", nullptr);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex2(ctx, cipher, kKey.data(), nullptr, nullptr);
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  for (auto _ : state) {
    int outl = 0;
    EVP_EncryptUpdate(ctx, buf.data(), &outl, buf.data(), static_cast<int>(buf.size()));
    benchmark::DoNotOptimize(buf.data());
  }
  EVP_CIPHER_CTX_free(ctx);
  EVP_CIPHER_free(cipher);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_Sha256_100B(benchmark::State& state) {
  auto buf = buffer(100);
  for (auto _ : state) benchmark::DoNotOptimize(sha256(buf));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 100);
}

// pq = product of two random ~31-bit primes (~62 bits, as Telegram sends); a ring of 64 values.
void BM_PqFactorize(benchmark::State& state) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<std::uint64_t> d(1ULL << 30, (1ULL << 31) - 1);
  auto prime = [&] {
    for (;;) {
      std::uint64_t v = d(rng) | 1;
      if (is_prime_u64(v)) return v;
    }
  };
  std::vector<std::uint64_t> pqs;
  while (pqs.size() < 64) {
    std::uint64_t a = prime(), b = prime();
    if (a != b) pqs.push_back(a * b);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = factorize_pq(pqs[i++ % pqs.size()]);
    benchmark::DoNotOptimize(r);
  }
}

void BM_RsaPadEncrypt(benchmark::State& state) {
  auto key = builtin_public_key(DcKind::production);
  auto data = buffer(100);
  for (auto _ : state) {
    auto r = rsa_pad_encrypt(data, *key);
    benchmark::DoNotOptimize(r);
  }
}

void BM_DhPowG(benchmark::State& state) {
  auto b = buffer(256);
  for (auto _ : state) {
    auto r = dh_pow_g(3, b, known_dh_prime());
    benchmark::DoNotOptimize(r);
  }
}

// The buffered ChaCha20 generator against RAND_bytes, same draw sizes, same run: the
// generator exists to take the per-call fork check (getpid) off the hot path.
void BM_RandomBuffered(benchmark::State& state) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    buffered_random_bytes(out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RandomBuffered)->Arg(16)->Arg(32);

void BM_RandomOpenSSL(benchmark::State& state) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    fresh_random_bytes(out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RandomOpenSSL)->Arg(16)->Arg(32);

}  // namespace

BENCHMARK_CAPTURE(BM_IgeEncrypt, aesni, AesIgeImpl::aesni)->Arg(4096)->Arg(65536)->Arg(1 << 20);
BENCHMARK_CAPTURE(BM_IgeEncrypt, evp, AesIgeImpl::evp)->Arg(4096)->Arg(65536)->Arg(1 << 20);
BENCHMARK_CAPTURE(BM_IgeDecrypt, aesni, AesIgeImpl::aesni)->Arg(4096)->Arg(65536)->Arg(1 << 20);
BENCHMARK_CAPTURE(BM_IgeDecrypt, evp, AesIgeImpl::evp)->Arg(4096)->Arg(65536)->Arg(1 << 20);
BENCHMARK(BM_OpenSslEcbBaseline)->Arg(4096)->Arg(65536)->Arg(1 << 20);
BENCHMARK(BM_Sha256_100B);
BENCHMARK(BM_PqFactorize)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RsaPadEncrypt)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_DhPowG)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
