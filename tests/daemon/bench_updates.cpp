// What gapless updates cost per update: the tracker's pts check for pushes in order
// and for pushes swapped in pairs (each first one held, then released by the second), and a
// named session's ring. Baseline in the same run: parsing the update's JSON text, which the
// daemon does for every update anyway before the tracker sees it.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "daemon/sessions/update_ring.h"
#include "daemon/updates/update_tracker.h"

using nlohmann::json;
using namespace mtjson::daemon;
using namespace mtjson::daemon::updates;

namespace {

const TimePoint t0 = TimePoint{} + std::chrono::hours(1000);

json short_message(std::int32_t pts) {
  return {{"_cons", "updateShortMessage"}, {"out", false},  {"id", pts},         {"user_id", 777000123},
          {"message", "a chat message of a typical length, some forty characters"},
          {"pts", pts},                    {"pts_count", 1}, {"date", 1700000100}};
}

// Started and answered getState (pts 0): tracking.
UpdateTracker tracking() {
  UpdateTracker t;
  auto actions = t.start(t0);
  t.on_call_result(actions.at(0).call_id,
                   {{"_cons", "updates.state"}, {"pts", 0}, {"qts", 0}, {"date", 1700000000}, {"seq", 1}, {"unread_count", 0}},
                   t0);
  return t;
}

void BM_ParseUpdateText(benchmark::State& state) {
  const std::string text = short_message(1).dump();
  for (auto _ : state) benchmark::DoNotOptimize(json::parse(text));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseUpdateText);

void BM_TrackInOrder(benchmark::State& state) {
  UpdateTracker t = tracking();
  json u = short_message(1);
  std::int32_t pts = 0;
  std::size_t delivered = 0;
  for (auto _ : state) {
    u["pts"] = ++pts;
    delivered += t.on_push(u, t0).size();
  }
  if (delivered != state.iterations()) state.SkipWithError("an update in order was not delivered at once");
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TrackInOrder);

// pts 2 before 1, 4 before 3, ...: every other update waits for the one before it.
void BM_TrackSwappedPairs(benchmark::State& state) {
  UpdateTracker t = tracking();
  json u = short_message(1);
  std::int32_t base = 0;
  std::size_t delivered = 0;
  for (auto _ : state) {
    u["pts"] = base + 2;
    t.on_push(u, t0);  // held: pts 1 is missing
    u["pts"] = base + 1;
    for (const Action& a : t.on_push(u, t0)) delivered += a.kind == Action::Kind::deliver;
    base += 2;
  }
  if (delivered != 2 * state.iterations()) state.SkipWithError("a held update was not released");
  state.SetItemsProcessed(2 * state.iterations());
}
BENCHMARK(BM_TrackSwappedPairs);

void BM_RingPush(benchmark::State& state) {
  UpdateRing ring(10000);
  const std::string text = short_message(1).dump();
  for (auto _ : state) benchmark::DoNotOptimize(ring.push(text));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RingPush);

}  // namespace

BENCHMARK_MAIN();
