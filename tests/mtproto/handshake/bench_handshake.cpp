// A full key exchange, client and server in one process (no I/O), against the cost of one
// 2048-bit modular exponentiation as the same-run baseline (the exchange does four of them plus
// one RSA private-key operation).
#include <benchmark/benchmark.h>

#include "crypto/dh.h"
#include "crypto/random.h"
#include "crypto/rsa.h"
#include "mtproto/handshake/client_handshake.h"
#include "mtproto/handshake/server_handshake.h"

using namespace mtjson;
using namespace mtjson::mtproto::handshake;

namespace {

const crypto::RsaPrivateKey& server_key() {
  static const crypto::RsaPrivateKey key = crypto::RsaPrivateKey::generate(2048).value();
  return key;
}

void BM_FullKeyExchange(benchmark::State& state) {
  crypto::SecureRandom random;
  const UnixClock clock = system_clock();
  ClientConfig cc;
  cc.keys.add(server_key().public_key());
  ServerConfig sc;
  sc.keys.push_back(server_key());
  for (auto _ : state) {
    ClientHandshake client(cc, random, clock);
    ServerHandshake server(sc, random, clock);
    Bytes to_server = client.start();
    while (true) {
      auto reply = server.on_message(to_server);
      if (!reply) state.SkipWithError(reply.message().c_str());
      auto next = client.on_message(reply->send);
      if (!next) state.SkipWithError(next.message().c_str());
      if (next->done) break;
      to_server = std::move(next->send);
    }
    benchmark::DoNotOptimize(client.result().auth_key.id);
  }
  state.SetLabel("client+server, ms per exchange = Time");
}
BENCHMARK(BM_FullKeyExchange)->Unit(benchmark::kMillisecond);

void BM_Baseline_DhModExp2048(benchmark::State& state) {
  crypto::DhNumber exponent{};
  crypto::fresh_random_bytes(exponent);
  const auto& p = crypto::known_dh_prime();
  for (auto _ : state) {
    auto r = crypto::dh_pow_g(3, exponent, p);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_Baseline_DhModExp2048)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
