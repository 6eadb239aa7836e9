// Figures for the test DC, client and server in one process over loopback (the server on its
// own io thread): key exchanges per second, messages.sendMessage round trips per second, and
// as the same-run baselines a bare TCP connect and an MTProto ping round trip.
#include <benchmark/benchmark.h>

#include "test_client.h"

using namespace mtjson;
using namespace mtjson::testdc::server;
using namespace mtjson::testdc::server::test;

namespace {

TestServer& server() {
  static TestServer s({}, {}, /*keep_log=*/false);
  return s;
}

void BM_TcpConnect(benchmark::State& state) {
  auto& s = server();
  for (auto _ : state) {
    asio::io_context io;
    asio::ip::tcp::socket sock(io);
    sock.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), s.port(2)));
    benchmark::DoNotOptimize(sock.native_handle());
  }
  state.counters["per_second"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_TcpConnect)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_Handshake(benchmark::State& state) {
  auto& s = server();
  for (auto _ : state) {
    TestClient c(s.port(2), 2);
    c.handshake(test_rsa_key().public_key());
    benchmark::DoNotOptimize(c.key.id);
  }
  state.counters["per_second"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Handshake)->UseRealTime()->Unit(benchmark::kMillisecond);

struct SignedIn {
  ClientCodec codec{load_api("scheme.tl")};
  TestClient client{server().port(2), 2};
  SignedIn() {
    client.handshake(test_rsa_key().public_key());
    client.start_session();
    Reply sent = client.call(codec.encode(
        R"({"_cons":"auth.sendCode","phone_number":"9996621234","api_id":1,"api_hash":"x","settings":{"_cons":"codeSettings"}})"));
    const std::string hash = codec.decode_result(sent.body, "auth.sendCode")["phone_code_hash"];
    Reply in = client.call(codec.encode(R"({"_cons":"auth.signIn","phone_number":"9996621234","phone_code_hash":")" +
                                        hash + R"(","phone_code":"22222"})"));
    if (codec.decode_result(in.body, "auth.signIn")["_cons"] == "auth.authorizationSignUpRequired")
      client.call(codec.encode(R"({"_cons":"auth.signUp","phone_number":"9996621234","phone_code_hash":")" + hash +
                               R"(","first_name":"Bench","last_name":""})"));
  }
};

void BM_PingRoundTrip(benchmark::State& state) {
  SignedIn s;
  std::uint64_t id = 1;
  for (auto _ : state) {
    const std::size_t before = s.client.pongs;
    s.client.session->send_ping(id++, now_tp());
    while (s.client.pongs == before) s.client.pump(1000);
  }
  state.counters["per_second"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PingRoundTrip)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_SendMessageRoundTrip(benchmark::State& state) {
  SignedIn s;
  std::int64_t random_id = 1;
  for (auto _ : state) {
    Reply r = s.client.call(s.codec.encode(
        R"({"_cons":"messages.sendMessage","peer":{"_cons":"inputPeerSelf"},"message":"bench","random_id":)" +
        std::to_string(random_id++) + "}"));
    if (!r.ok) state.SkipWithError(r.message.c_str());
  }
  state.counters["per_second"] = benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SendMessageRoundTrip)->UseRealTime()->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
