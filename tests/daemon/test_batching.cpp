// Batching on the way to the DC: what the glue (dc_link_io.cpp) queues in one event-loop turn is
// packed when the turn ends, so N queries leave as one transport frame (a msg_container,
// MTProto: Service messages, "Simple Container"), split only at the container limits, with the
// pending acks riding along. And WriteBuffer, the per-socket output coalescing.
#include <catch2/catch.hpp>

#include <string>

#include "base/write_buffer.h"
#include "link_harness.h"

using namespace mtjson;
using namespace mtjson::daemon;
using namespace mtjson::daemon::test;
using namespace std::chrono_literals;

namespace {

// Up and quiet: key made, first ping answered, every ack sent.
void bring_up_quiet(LinkHarness& h) {
  h.start();
  REQUIRE(h.link.state() == DcLink::State::ready);
  h.advance(1s);
}

// One turn of the glue: the queries are queued, then the turn's single drive takes the output.
std::size_t frames_for_one_turn(LinkHarness& h, int n, std::size_t body_size = 8) {
  const std::size_t before = h.dc.frames_received();
  for (int i = 0; i < n; ++i) {
    std::string text = "q" + std::to_string(i);
    text.resize(std::max(text.size(), body_size), ' ');
    h.link.send_query(payload(text), 100 + static_cast<std::uint64_t>(i), h.now);
  }
  h.dc.on_bytes(h.link.take_output(h.now));
  const std::size_t frames = h.dc.frames_received() - before;
  h.pump();
  return frames;
}

}  // namespace

TEST_CASE("batching: N queries queued in one turn leave as one frame, each answered once", "[daemon][batching]") {
  LinkHarness h;
  bring_up_quiet(h);
  CHECK(frames_for_one_turn(h, 32) == 1);
  for (int i = 0; i < 32; ++i) CHECK(h.results_for(100 + static_cast<std::uint64_t>(i)).size() == 1);
  CHECK(h.link.pending_queries() == 0);
}

TEST_CASE("batching: the container limits split a turn's queries into several frames", "[daemon][batching]") {
  SECTION("message count") {
    DcLinkConfig c = test_link_config();
    c.session.max_container_messages = 8;
    LinkHarness h(std::nullopt, c);
    bring_up_quiet(h);
    CHECK(frames_for_one_turn(h, 20) == 3);  // 8 + 8 + 4
    for (int i = 0; i < 20; ++i) CHECK(h.results_for(100 + static_cast<std::uint64_t>(i)).size() == 1);
  }
  SECTION("total size") {
    DcLinkConfig c = test_link_config();
    c.session.max_packet_body = 2500;
    LinkHarness h(std::nullopt, c);
    bring_up_quiet(h);
    CHECK(frames_for_one_turn(h, 10, 1000) == 5);  // two 1000-byte bodies per packet
    for (int i = 0; i < 10; ++i) CHECK(h.results_for(100 + static_cast<std::uint64_t>(i)).size() == 1);
  }
  SECTION("the documented maximum: 1024 messages a container") {
    LinkHarness h;
    bring_up_quiet(h);
    CHECK(frames_for_one_turn(h, 1500) == 2);
    for (int i = 0; i < 1500; ++i) REQUIRE(h.results_for(100 + static_cast<std::uint64_t>(i)).size() == 1);
  }
}

TEST_CASE("batching: pending acks ride along with the next turn's queries", "[daemon][batching]") {
  LinkHarness h;
  bring_up_quiet(h);
  const std::uint64_t key_id = h.link.key_state()->auth_key.id;
  CHECK(frames_for_one_turn(h, 4) == 1);
  // The answers are not acknowledged yet: the acks wait for something to ride on (ack_delay).
  REQUIRE(h.dc.session(key_id));
  CHECK(h.dc.session(key_id)->unacked_count() > 0);
  CHECK(frames_for_one_turn(h, 4) == 1);  // queries and acks together
  // The first four answers are acknowledged by that frame; the new ones wait again.
  CHECK(h.dc.session(key_id)->unacked_count() <= 4);
}

TEST_CASE("write buffer: one turn's bytes leave in one write", "[daemon][write_buffer]") {
  WriteBuffer w;
  CHECK(w.idle());
  CHECK(w.append(std::string_view("one\n")));     // first of the turn: schedule a flush
  CHECK_FALSE(w.append(std::string_view("two\n")));  // already scheduled
  CHECK(w.queued_bytes() == 8);
  auto bytes = w.start_write();
  CHECK(std::string(bytes.begin(), bytes.end()) == "one\ntwo\n");
  CHECK(w.writing());
  CHECK(w.start_write().empty());  // a second flush while writing does nothing

  SECTION("bytes queued during a write go out together after it") {
    CHECK_FALSE(w.append(std::string_view("three\n")));  // the write's completion picks it up
    CHECK_FALSE(w.append(std::string_view("four\n")));
    REQUIRE(w.finish_write());
    auto next = w.start_write();
    CHECK(std::string(next.begin(), next.end()) == "three\nfour\n");
    CHECK_FALSE(w.finish_write());
    CHECK(w.idle());
    CHECK(w.append(std::string_view("five\n")));  // a new turn
  }
  SECTION("a burst's buffers are given back once idle") {
    CHECK_FALSE(w.finish_write());
    const std::string big(100000, 'x');
    CHECK(w.append(big));
    auto b = w.start_write();
    CHECK(b.size() == big.size());
    CHECK_FALSE(w.finish_write());
    CHECK(w.capacity() <= 2 * WriteBuffer::kKeepCapacity);
  }
  SECTION("clear: the socket is gone") {
    w.append(std::string_view("lost\n"));
    w.clear();
    CHECK(w.idle());
    CHECK(w.append(std::string_view("new\n")));
  }
}
