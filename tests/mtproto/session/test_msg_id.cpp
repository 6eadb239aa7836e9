#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "mtproto/session/msg_id.h"
#include "test_util.h"

using namespace mtjson::mtproto::session;
using namespace mtjson::mtproto::session::test;
using namespace std::chrono_literals;

TEST_CASE("msg_id: time mapping matches the vectors", "[msg_id]") {
  // case1's msg_id 0x65C53D5200000004: unixtime 1707425106 in the high 32 bits.
  const std::uint64_t id = le64(vec("case1_client_to_server", "msg_id"));
  CHECK(to_unix_seconds(msg_id_time(id)) == 0x65C53D52);
  CHECK(raw_msg_id(from_unix_seconds(0x65C53D52)) == 0x65C53D5200000000ull);
  CHECK(raw_msg_id(from_unix_seconds(10) + 500ms) == ((10ull << 32) | 0x80000000ull));
}

TEST_CASE("msg_id generator: strictly increasing, parity by kind, non-empty fraction", "[msg_id]") {
  MsgIdGenerator g;
  std::uint64_t last = 0;
  const TimePoint t = t0();
  for (int i = 0; i < 1000; ++i) {
    // The same instant many times and sometimes a clock going backwards: still increasing.
    const TimePoint now = t + std::chrono::microseconds((i % 7) * 10) - (i % 100 == 0 ? 1s : 0s);
    const auto kind = i % 3 == 0 ? MsgIdKind::client : (i % 3 == 1 ? MsgIdKind::server_response : MsgIdKind::server_initiated);
    const std::uint64_t id = g.next(now, kind);
    CHECK(id > last);
    CHECK(id % 4 == static_cast<unsigned>(kind));
    CHECK((id & 0xffffffffu) != 0);
    last = id;
  }
  // Whole seconds give an empty fraction; the generator avoids it.
  MsgIdGenerator g2;
  CHECK((g2.next(from_unix_seconds(1707425104), MsgIdKind::client) & 0xffffffffu) != 0);
}

TEST_CASE("msg_id generator: offset synced from the peer's msg_id", "[msg_id]") {
  MsgIdGenerator g;
  const TimePoint local = t0();
  const TimePoint server = local + 10min;  // our clock is 10 minutes slow
  g.next(local, MsgIdKind::client);
  g.sync_to(raw_msg_id(server) | 1, local);
  CHECK(std::chrono::abs(g.offset() - 10min) < 1ms);
  CHECK(check_msg_id_time(g.next(local, MsgIdKind::client), server) == TimeVerdict::ok);

  // A clock 10 minutes fast: after the sync, ids go back to the server's time.
  MsgIdGenerator fast;
  const std::uint64_t ahead = fast.next(local + 10min, MsgIdKind::client);
  CHECK(check_msg_id_time(ahead, local) == TimeVerdict::too_new);
  fast.sync_to(raw_msg_id(local) | 1, local + 10min);
  const std::uint64_t fixed = fast.next(local + 10min, MsgIdKind::client);
  CHECK(check_msg_id_time(fixed, local) == TimeVerdict::ok);
}

TEST_CASE("msg_id time window: -300 s / +30 s", "[msg_id]") {
  const TimePoint now = t0();
  CHECK(check_msg_id_time(raw_msg_id(now), now) == TimeVerdict::ok);
  CHECK(check_msg_id_time(raw_msg_id(now - 299s), now) == TimeVerdict::ok);
  CHECK(check_msg_id_time(raw_msg_id(now - 301s), now) == TimeVerdict::too_old);
  CHECK(check_msg_id_time(raw_msg_id(now + 29s), now) == TimeVerdict::ok);
  CHECK(check_msg_id_time(raw_msg_id(now + 31s), now) == TimeVerdict::too_new);
}

TEST_CASE("replay window: fresh at most once per id, property test against a model", "[msg_id][property]") {
  std::mt19937_64 rng(12345);
  for (std::size_t capacity : {1u, 2u, 8u, 64u}) {
    MsgIdWindow w(capacity);
    std::set<std::uint64_t> ever;  // every id ever accepted
    std::uint64_t highest = 1u << 20;  // room below for reordered ids
    for (int i = 0; i < 20000; ++i) {
      // Mostly increasing ids with reordering, plus replays of old ones.
      std::uint64_t id;
      const int kind = static_cast<int>(rng() % 4);
      if (kind == 0 && !ever.empty()) {
        auto it = ever.begin();
        std::advance(it, static_cast<long>(rng() % ever.size()));
        id = *it;  // exact replay
      } else {
        id = highest + 4 * (rng() % 16) - (kind == 1 ? 4 * (rng() % 32) : 0);
      }
      const WindowVerdict v = w.insert(id);
      if (v == WindowVerdict::fresh) {
        REQUIRE(ever.count(id) == 0);  // never accepted twice
        ever.insert(id);
        highest = std::max(highest, id);
      } else if (v == WindowVerdict::duplicate) {
        REQUIRE(ever.count(id) == 1);
      } else {
        REQUIRE(w.full());
        REQUIRE(id < *w.lowest());
      }
      REQUIRE(w.size() <= capacity);
      // An id above everything seen is always fresh.
      REQUIRE(w.check(highest + 4) == WindowVerdict::fresh);
    }
    // The window keeps exactly the highest `capacity` ids accepted.
    REQUIRE(w.size() == std::min(capacity, ever.size()));
    auto it = ever.rbegin();
    for (const auto& [id, seq] : w.entries()) (void)seq, (void)id;
    for (std::size_t k = 0; k < w.size(); ++k, ++it) CHECK(w.contains(*it));
  }
}

TEST_CASE("replay window: lower than all stored ids once full is too old", "[msg_id]") {
  MsgIdWindow w(3);
  CHECK(w.insert(100) == WindowVerdict::fresh);
  CHECK(w.insert(50) == WindowVerdict::fresh);  // not full yet: nothing forgotten, accepted
  CHECK(w.insert(200) == WindowVerdict::fresh);
  CHECK(w.insert(100) == WindowVerdict::duplicate);
  CHECK(w.insert(300) == WindowVerdict::fresh);  // forgets 50
  CHECK(w.insert(50) == WindowVerdict::too_old);
  CHECK(w.insert(60) == WindowVerdict::too_old);
  CHECK(w.insert(150) == WindowVerdict::fresh);
  CHECK(*w.lowest() == 150);
}

TEST_CASE("seqno: content-related odd 2n+1, others 2n", "[seqno]") {
  SeqNoCounter s;
  CHECK(s.next(false) == 0);
  CHECK(s.next(true) == 1);
  CHECK(s.next(true) == 3);
  CHECK(s.next(false) == 4);
  CHECK(s.next(true) == 5);
  CHECK(s.count() == 3);
  CHECK(is_content_related_seqno(5));
  CHECK_FALSE(is_content_related_seqno(4));
}
