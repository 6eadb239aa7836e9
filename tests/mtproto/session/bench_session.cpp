// Encrypt / decrypt of one 200-byte MTProto 2.0 message (the hot path per request), with the
// SHA-256 of the same plaintext as the same-run baseline.
#include <benchmark/benchmark.h>

#include "crypto/kdf.h"
#include "crypto/random.h"
#include "crypto/sha.h"
#include "mtproto/session/packet_crypto.h"

using namespace mtjson::mtproto;
using namespace mtjson::mtproto::session;

namespace {

AuthKey bench_key() {
  AuthKey k;
  for (std::size_t i = 0; i < 256; ++i) k.key[i] = static_cast<std::uint8_t>(i * 31 + 7);
  k.id = mtjson::crypto::auth_key_id_u64(mtjson::crypto::AuthKeyView(k.key.data(), 256));
  return k;
}

const MessageHeader kHeader{0x1122334455667788ull, 0x0102030405060708ull, 0x65c53d5200000004ull, 1};

void BM_Encrypt200(benchmark::State& state) {
  const AuthKey key = bench_key();
  const std::vector<std::uint8_t> body(200, 0x42);
  mtjson::crypto::SecureRandom rnd;
  for (auto _ : state) {
    auto p = encrypt_packet(key, Side::client, kHeader, body, rnd, 0);
    benchmark::DoNotOptimize(p.data());
  }
}
BENCHMARK(BM_Encrypt200);

// The same without the CSPRNG (a replayed source): the cost of the cipher and framing alone.
void BM_Encrypt200_NoCsprng(benchmark::State& state) {
  const AuthKey key = bench_key();
  const std::vector<std::uint8_t> body(200, 0x42);
  mtjson::crypto::ReplayRandom rnd;
  for (auto _ : state) {
    auto p = encrypt_packet(key, Side::client, kHeader, body, rnd, 0);
    benchmark::DoNotOptimize(p.data());
  }
}
BENCHMARK(BM_Encrypt200_NoCsprng);

void BM_Decrypt200(benchmark::State& state) {
  const AuthKey key = bench_key();
  const std::vector<std::uint8_t> body(200, 0x42);
  mtjson::crypto::SecureRandom rnd;
  const auto packet = encrypt_packet(key, Side::client, kHeader, body, rnd, 0);
  DecryptedMessage m;
  for (auto _ : state) {
    auto err = decrypt_packet(key, Side::client, packet, m);
    benchmark::DoNotOptimize(err);
    benchmark::DoNotOptimize(m.plaintext.data());
  }
}
BENCHMARK(BM_Decrypt200);

// Baseline: one SHA-256 over the same 248-byte plaintext (encrypt/decrypt each do 3 SHA-256
// calls plus AES-IGE over 248 bytes).
void BM_Sha256_248(benchmark::State& state) {
  const std::vector<std::uint8_t> data(248, 0x42);
  for (auto _ : state) {
    auto d = mtjson::crypto::sha256(data);
    benchmark::DoNotOptimize(d.data());
  }
}
BENCHMARK(BM_Sha256_248);

}  // namespace

BENCHMARK_MAIN();
