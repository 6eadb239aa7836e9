// TL interpreter benchmarks. Baselines in the same run: simdjson's plain
// parse of the same JSON text (the floor for any JSON -> TL path).
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "tl/json_to_tl.h"
#include "tl/schema_loader.h"
#include "tl/tl_to_json.h"

using namespace mtjson::tl;

namespace {

std::string root() {
  const char* r = std::getenv("MTJSON_SOURCE_ROOT");
  return r ? r : ".";
}
std::vector<std::string> files() { return {root() + "/scheme.tl", root() + "/tl/mtproto.tl"}; }

std::shared_ptr<const Schema> schema() {
  static std::shared_ptr<const Schema> s = [] {
    std::shared_ptr<const Schema> out;
    if (mtjson::Status st = load_schema_files(files(), out); !st) {
      std::fprintf(stderr, "%s\n", st.message().c_str());
      std::exit(1);
    }
    return out;
  }();
  return s;
}

const std::string kSendMessage =
    R"({"_cons":"messages.sendMessage","peer":{"_cons":"inputPeerUser","user_id":"1234567890","access_hash":"-8571234567890123456"},)"
    R"("message":"Hello from mtjson! This is a typical chat message of moderate length.","random_id":"5810987654321098765",)"
    R"("entities":[{"_cons":"messageEntityBold","offset":0,"length":5}],"silent":true})";

// A messages.messages answer with 100 messages, 10 users and 2 chats.
std::string messages_json() {
  std::string j = R"({"_cons":"messages.messages","messages":[)";
  for (int i = 0; i < 100; ++i) {
    if (i) j += ',';
    j += R"({"_cons":"message","out":true,"id":)" + std::to_string(100000 + i) +
         R"(,"from_id":{"_cons":"peerUser","user_id":)" + std::to_string(777000 + i % 10) +
         R"(},"peer_id":{"_cons":"peerChat","chat_id":4242},"date":)" + std::to_string(1707425105 + i) +
         R"(,"message":"Message number )" + std::to_string(i) +
         R"(: the quick brown fox jumps over the lazy dog — ünïcödé ✓","entities":[{"_cons":"messageEntityBold","offset":0,"length":7},)"
         R"({"_cons":"messageEntityUrl","offset":10,"length":5}],"views":)" + std::to_string(i * 3) +
         R"(,"forwards":1,"edit_date":1707425999})";
  }
  j += R"(],"topics":[],"chats":[{"_cons":"chat","id":4242,"title":"Benchmark group","photo":{"_cons":"chatPhotoEmpty"},"participants_count":10,"date":1707000000,"version":1},)"
       R"({"_cons":"chatForbidden","id":4343,"title":"Old group"}],"users":[)";
  for (int i = 0; i < 10; ++i) {
    if (i) j += ',';
    j += R"({"_cons":"user","contact":true,"id":)" + std::to_string(777000 + i) +
         R"(,"access_hash":-8571234567890123456,"first_name":"User)" + std::to_string(i) +
         R"(","last_name":"Benchmark","username":"bench_user_)" + std::to_string(i) +
         R"(","phone":"99966212)" + std::to_string(10 + i) + R"(","status":{"_cons":"userStatusRecently","by_me":false}})";
  }
  j += "]}";
  return j;
}

void BM_SchemaLoad(benchmark::State& state) {
  for (auto _ : state) {
    std::shared_ptr<const Schema> s;
    mtjson::Status st = load_schema_files(files(), s);
    benchmark::DoNotOptimize(s);
    if (!st) state.SkipWithError(st.message().c_str());
  }
}
BENCHMARK(BM_SchemaLoad)->Unit(benchmark::kMillisecond);

void BM_SimdjsonParse_SendMessage(benchmark::State& state) {
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element doc;
    auto err = parser.parse(kSendMessage).get(doc);
    benchmark::DoNotOptimize(err);
  }
  state.SetBytesProcessed(state.iterations() * kSendMessage.size());
}
BENCHMARK(BM_SimdjsonParse_SendMessage);

void BM_Encode_SendMessage(benchmark::State& state) {
  simdjson::dom::parser parser;
  JsonToTl enc(schema());
  std::vector<std::uint8_t> out;
  for (auto _ : state) {
    simdjson::dom::element doc;
    if (parser.parse(kSendMessage).get(doc)) state.SkipWithError("parse");
    out.clear();
    mtjson::Status st = enc.encode_boxed(doc, out, "message");
    if (!st) state.SkipWithError(st.message().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * kSendMessage.size());
  state.counters["tl_bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Encode_SendMessage);

// The encoder alone, on a document simdjson has already parsed.
void BM_EncodeOnly_SendMessage(benchmark::State& state) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(kSendMessage).get(doc)) std::abort();
  JsonToTl enc(schema());
  std::vector<std::uint8_t> out;
  for (auto _ : state) {
    out.clear();
    mtjson::Status st = enc.encode_boxed(doc, out, "message");
    if (!st) state.SkipWithError(st.message().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * kSendMessage.size());
}
BENCHMARK(BM_EncodeOnly_SendMessage);

// The target figure: JSON line -> TL bytes (parse + encode) against parsing the
// same line, timed in alternating batches of thread CPU time so that load on
// the machine hits both sides alike. Counters: parse_ns and encode_ns per line,
// ratio = encode/parse.
struct ThreadCpuClock {
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<ThreadCpuClock>;
  static time_point now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return time_point(duration(std::int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec));
  }
};
void BM_EncodeToParseRatio_SendMessage(benchmark::State& state) {
  using Clock = ThreadCpuClock;
  constexpr int kBatch = 256;
  simdjson::dom::parser parser;
  JsonToTl enc(schema());
  std::vector<std::uint8_t> out;
  Clock::duration parse_time{}, encode_time{};
  for (auto _ : state) {
    auto t0 = Clock::now();
    for (int i = 0; i < kBatch; ++i) {
      simdjson::dom::element doc;
      auto err = parser.parse(kSendMessage).get(doc);
      benchmark::DoNotOptimize(err);
    }
    auto t1 = Clock::now();
    for (int i = 0; i < kBatch; ++i) {
      simdjson::dom::element doc;
      if (parser.parse(kSendMessage).get(doc)) state.SkipWithError("parse");
      out.clear();
      mtjson::Status st = enc.encode_boxed(doc, out, "message");
      if (!st) state.SkipWithError(st.message().c_str());
      benchmark::DoNotOptimize(out.data());
    }
    auto t2 = Clock::now();
    parse_time += t1 - t0;
    encode_time += t2 - t1;
  }
  double lines = static_cast<double>(state.iterations()) * kBatch;
  double parse_ns = std::chrono::duration<double, std::nano>(parse_time).count() / lines;
  double encode_ns = std::chrono::duration<double, std::nano>(encode_time).count() / lines;
  state.counters["parse_ns"] = parse_ns;
  state.counters["encode_ns"] = encode_ns;
  state.counters["ratio"] = parse_ns > 0 ? encode_ns / parse_ns : 0;
}
BENCHMARK(BM_EncodeToParseRatio_SendMessage);

struct MessagesFixture {
  std::string json = messages_json();
  std::vector<std::uint8_t> tl;
  MessagesFixture() {
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(json).get(doc)) std::abort();
    JsonToTl enc(schema());
    if (mtjson::Status st = enc.encode_boxed(doc, tl); !st) {
      std::fprintf(stderr, "%s\n", st.message().c_str());
      std::abort();
    }
    // The JSON the decoder writes (canonical form) is the reference text.
    json.clear();
    if (!TlToJson(schema()).decode_boxed(tl, json)) std::abort();
  }
};
const MessagesFixture& messages() {
  static MessagesFixture f;
  return f;
}

void BM_SimdjsonParse_Messages100(benchmark::State& state) {
  const auto& f = messages();
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element doc;
    auto err = parser.parse(f.json).get(doc);
    benchmark::DoNotOptimize(err);
  }
  state.SetBytesProcessed(state.iterations() * f.json.size());
}
BENCHMARK(BM_SimdjsonParse_Messages100);

void BM_Decode_Messages100(benchmark::State& state) {
  const auto& f = messages();
  TlToJson dec(schema());
  std::string out;
  for (auto _ : state) {
    out.clear();
    mtjson::Status st = dec.decode_boxed(f.tl, out);
    if (!st) state.SkipWithError(st.message().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  // Throughput in JSON bytes produced (the same text the baseline parses).
  state.SetBytesProcessed(state.iterations() * f.json.size());
  state.counters["tl_bytes"] = static_cast<double>(f.tl.size());
  state.counters["json_bytes"] = static_cast<double>(f.json.size());
}
BENCHMARK(BM_Decode_Messages100);

void BM_Encode_Messages100(benchmark::State& state) {
  const auto& f = messages();
  simdjson::dom::parser parser;
  JsonToTl enc(schema());
  std::vector<std::uint8_t> out;
  for (auto _ : state) {
    simdjson::dom::element doc;
    if (parser.parse(f.json).get(doc)) state.SkipWithError("parse");
    out.clear();
    mtjson::Status st = enc.encode_boxed(doc, out);
    if (!st) state.SkipWithError(st.message().c_str());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * f.json.size());
}
BENCHMARK(BM_Encode_Messages100);

}  // namespace

BENCHMARK_MAIN();
