// DcLink (src/daemon/dc/dc_link.h) against the real server-side core in memory (fake_dc.h):
// key exchange, queries, reconnects with exactly-once answers, keepalive, timeouts, close,
// a lost auth key, garbage from the server, a restored key.
#include <catch2/catch.hpp>

#include "crypto/kdf.h"
#include "link_harness.h"

using namespace mtjson;
using namespace mtjson::daemon;
using namespace mtjson::daemon::test;
using namespace std::chrono_literals;
using ss::RpcResult;
using State = DcLink::State;

namespace {

// A fresh link run up to ready (key exchange done).
void bring_up(LinkHarness& h) {
  h.start();
  REQUIRE(h.link.state() == State::ready);
  REQUIRE(count_of<LinkUp>(h.events) == 1);
}

// The delay the link chose for its backoff, read from next_timer().
Duration backoff_delay(const LinkHarness& h) {
  REQUIRE(h.link.state() == State::backoff);
  auto t = h.link.next_timer(h.now);
  REQUIRE(t);
  return *t - h.now;
}

mtproto::AuthKey made_up_key(std::uint8_t seed) {
  mtproto::AuthKey k;
  for (std::size_t i = 0; i < k.key.size(); ++i) k.key[i] = static_cast<std::uint8_t>(i * 13 + seed);
  k.id = crypto::auth_key_id_u64(crypto::AuthKeyView(k.key.data(), k.key.size()));
  return k;
}

}  // namespace

TEST_CASE("dc link: key exchange, then a query answered with its token", "[daemon][dc_link]") {
  LinkHarness h;
  CHECK(h.link.state() == State::idle);
  CHECK(!h.link.key_state());
  h.link.start(h.now);
  CHECK(h.link.state() == State::connecting);
  CHECK(h.link.take_connect_request());
  CHECK(!h.link.take_connect_request());  // asked once
  ++h.connect_requests;
  h.dc.accept();
  h.socket_open = true;
  h.link.on_connected(h.now);
  CHECK(h.link.state() == State::handshaking);
  h.pump();

  CHECK(h.jobs_run >= 2);  // req_DH_params and set_client_DH_params (the resPQ answer and on)
  CHECK(h.dc.handshakes_done() == 1);
  REQUIRE(h.link.state() == State::ready);
  auto created = all_of<KeyCreated>(h.events);
  REQUIRE(created.size() == 1);
  CHECK(h.dc.knows_key(created[0].key.auth_key.id));
  CHECK(count_of<LinkUp>(h.events) == 1);
  // KeyCreated comes before LinkUp: the owner persists the key before using the link.
  CHECK(std::holds_alternative<KeyCreated>(h.events.front()));
  REQUIRE(h.link.key_state());
  CHECK(h.link.key_state()->auth_key.id == created[0].key.auth_key.id);
  CHECK(h.link.session_id() != 0);

  h.link.send_query(payload("hello"), 7, h.now);
  h.pump();
  auto r = h.results_for(7);
  REQUIRE(r.size() == 1);
  CHECK(text_of(r[0].body) == "re:hello");
  CHECK(h.link.pending_queries() == 0);
  CHECK(h.dc.count_seen("hello") == 1);
  // The server announced the new MTProto session (updates may have been missed before it).
  CHECK(count_of<ss::NewSession>(h.events) == 1);
}

TEST_CASE("dc link: every transport, plain and obfuscated", "[daemon][dc_link]") {
  auto [mode, obfuscated] = GENERATE(table<transport::Mode, bool>({
      {transport::Mode::abridged, false},
      {transport::Mode::intermediate, false},
      {transport::Mode::padded_intermediate, false},
      {transport::Mode::full, false},
      {transport::Mode::abridged, true},
      {transport::Mode::padded_intermediate, true},
  }));
  INFO(transport::mode_name(mode) << (obfuscated ? " obfuscated" : ""));
  DcLinkConfig cfg = test_link_config();
  cfg.transport.mode = mode;
  cfg.transport.obfuscated = obfuscated;
  if (obfuscated) cfg.transport.dc_id = 2;
  LinkHarness h(std::nullopt, cfg);
  h.link.send_query(payload("over " + std::string(transport::mode_name(mode))), 1, h.now);
  h.start();
  REQUIRE(h.link.state() == State::ready);
  REQUIRE(h.results_for(1).size() == 1);
  CHECK(text_of(h.results_for(1)[0].body) == "re:over " + std::string(transport::mode_name(mode)));
  // A reconnect uses a fresh transport connection (new tag / obfuscation keys).
  h.break_connection();
  h.advance(1s);
  REQUIRE(h.link.state() == State::ready);
  h.link.send_query(payload("again"), 2, h.now);
  h.pump();
  CHECK(h.results_for(2).size() == 1);
}

TEST_CASE("dc link: server updates reach the owner", "[daemon][dc_link]") {
  LinkHarness h;
  bring_up(h);
  const std::uint64_t key_id = h.link.key_state()->auth_key.id;
  REQUIRE(h.dc.push_update(key_id, payload("update-1")));
  REQUIRE(h.dc.push_update(key_id, payload("update-2")));
  h.pump();
  auto u = all_of<ss::Update>(h.events);
  REQUIRE(u.size() == 2);
  CHECK(text_of(u[0].body) == "update-1");
  CHECK(text_of(u[1].body) == "update-2");
  // Acknowledged (content-related), so the server does not send them again after a reconnect.
  h.advance(1s);
  CHECK(h.dc.session(key_id)->unacked_count() == 0);
  h.break_connection();
  h.advance(1s);
  CHECK(all_of<ss::Update>(h.events).size() == 2);
}

TEST_CASE("dc link: queries sent before the link is ready go out once it is", "[daemon][dc_link]") {
  LinkHarness h;
  h.link.send_query(payload("early-1"), 1, h.now);  // before start: no key, no session
  h.link.start(h.now);
  h.link.send_query(payload("early-2"), 2, h.now);  // while connecting
  CHECK(h.link.pending_queries() == 2);
  h.pump();
  REQUIRE(h.link.state() == State::ready);
  REQUIRE(h.results_for(1).size() == 1);
  REQUIRE(h.results_for(2).size() == 1);
  CHECK(text_of(h.results_for(1)[0].body) == "re:early-1");
  CHECK(text_of(h.results_for(2)[0].body) == "re:early-2");
  CHECK(h.link.pending_queries() == 0);
}

TEST_CASE("dc link: a dropped connection -> LinkDown, backoff, reconnect, the query answered exactly once",
          "[daemon][dc_link]") {
  LinkHarness h;
  bring_up(h);
  const std::uint64_t session = h.link.session_id();
  const int handshakes = h.dc.handshakes_done();
  std::string text;          // the query's text
  std::size_t copies = 0;    // how many copies the server gets in the end

  SECTION("the server never saw the query") {
    text = "lost", copies = 1;  // sent again on the new connection
    h.link.send_query(payload("lost"), 5, h.now);
    // The bytes are lost with the connection: the glue never wrote them.
    h.socket_open = false;
    h.pump();
    h.dc.disconnect();
    h.link.on_disconnected("connection reset by peer", h.now);
    h.pump();
  }
  SECTION("the server holds the query when the connection breaks") {
    // Not acknowledged yet (the server's ack_delay): the client sends it again under a new
    // msg_id, and both copies get answered; only one answer may reach the owner.
    text = "held", copies = 2;
    h.dc.answer_queries = false;
    h.link.send_query(payload("held"), 5, h.now);
    h.pump();
    REQUIRE(h.dc.held().size() == 1);
    h.break_connection();
    // The server answers the first copy while the client is away; the answer waits for it.
    h.dc.answer_queries = true;
    h.dc.release();
  }
  SECTION("the server acknowledged the query, then the connection broke") {
    // Acknowledged: the client asks its state instead, the server re-sends the answer.
    text = "acked", copies = 1;
    h.dc.answer_queries = false;
    h.link.send_query(payload("acked"), 5, h.now);
    h.pump();
    h.advance(150ms);  // the server's ack_delay: msgs_ack reaches the client
    REQUIRE(h.dc.held().size() == 1);
    h.break_connection();
    h.dc.answer_queries = true;
    h.dc.release();
  }

  auto down = all_of<LinkDown>(h.events);
  REQUIRE(down.size() == 1);
  CHECK(!down[0].reason.empty());
  CHECK(h.link.state() == State::backoff);
  CHECK(h.link.reconnects() == 1);
  // First backoff step: uniformly in [first/2, first] (300 ms by default).
  const Duration delay = backoff_delay(h);
  CHECK(delay >= 150ms);
  CHECK(delay <= 300ms);
  CHECK(h.results_for(5).empty());

  h.advance(delay - 1ms);
  CHECK(h.link.state() == State::backoff);  // not before its time
  h.advance(1ms);
  CHECK(h.connect_requests == 2);
  CHECK(h.link.state() == State::ready);
  CHECK(count_of<LinkUp>(h.events) == 2);
  CHECK(h.dc.handshakes_done() == handshakes);  // same key
  CHECK(h.link.session_id() == session);        // and the same MTProto session
  h.advance(5s);                                // acks, state requests, re-sent answers

  auto r = h.results_for(5);
  REQUIRE(r.size() == 1);  // exactly one answer, whichever copy it answered
  CHECK(text_of(r[0].body) == "re:" + text);
  CHECK(h.dc.count_seen(text) == copies);
  CHECK(h.link.pending_queries() == 0);
  CHECK(count_of<ss::RpcError>(h.events) == 0);
}

TEST_CASE("dc link: backoff grows with jitter up to the cap, and resets after an answer", "[daemon][dc_link]") {
  DcLinkConfig cfg = test_link_config();
  cfg.backoff.first = 100ms;
  cfg.backoff.max = 2000ms;
  LinkHarness h(std::nullopt, cfg);
  h.connect_mode = LinkHarness::Connect::refuse;
  h.start();

  std::vector<Duration> delays;
  for (int i = 0; i < 8; ++i) {
    REQUIRE(h.link.state() == State::backoff);
    delays.push_back(backoff_delay(h));
    h.advance(delays.back());  // -> connect, refused at once -> the next backoff
  }
  CHECK(h.connect_requests == 9);
  CHECK(h.link.reconnects() == 9);
  for (std::size_t i = 0; i < delays.size(); ++i) {
    const auto cap = std::min<std::chrono::milliseconds>(100ms * (1 << i), 2000ms);
    INFO("attempt " << i << ": " << delays[i].count() << " ns, cap " << cap.count() << " ms");
    CHECK(delays[i] >= cap / 2);
    CHECK(delays[i] <= cap);
  }
  // Not in lockstep: the jitter makes delays differ from one link to another.
  LinkHarness other(std::nullopt, cfg, 4242);
  other.connect_mode = LinkHarness::Connect::refuse;
  other.start();
  std::vector<Duration> other_delays;
  for (int i = 0; i < 8; ++i) {
    other_delays.push_back(backoff_delay(other));
    other.advance(other_delays.back());
  }
  CHECK(other_delays != delays);

  // Connections work again: one that carries an answer resets the backoff.
  h.connect_mode = LinkHarness::Connect::accept;
  h.advance(backoff_delay(h));
  REQUIRE(h.link.state() == State::ready);
  h.link.send_query(payload("q"), 1, h.now);
  h.pump();
  REQUIRE(h.results_for(1).size() == 1);
  h.break_connection();
  const Duration d = backoff_delay(h);
  CHECK(d >= 50ms);
  CHECK(d <= 100ms);
}

TEST_CASE("dc link: keepalive pings with ping_delay_disconnect keep the connection up", "[daemon][dc_link]") {
  LinkHarness h;
  bring_up(h);
  const std::uint64_t key_id = h.link.key_state()->auth_key.id;
  ss::ServerSession* s = h.dc.session(key_id);
  REQUIRE(s);
  // The first ping goes out with the link up: the server knows our disconnect delay at once.
  REQUIRE(s->disconnect_deadline());
  CHECK(*s->disconnect_deadline() == h.now + 75s);  // ping_interval 60 + grace 15

  // Once the acks are out, nothing to do until the next ping.
  const TimePoint pinged = h.now;
  h.advance(1s);
  auto t = h.link.next_timer(h.now);
  REQUIRE(t);
  CHECK(*t == pinged + 60s);
  h.advance(58s);
  CHECK(h.link.take_output(h.now).empty());
  const std::size_t before = h.dc.bytes_received();

  // At ping_interval the link emits ping_delay_disconnect (the server moves its deadline).
  h.now += 1s;
  h.link.on_timer(h.now);
  Bytes out = h.link.take_output(h.now);
  REQUIRE(!out.empty());
  h.dc.on_bytes(out);
  h.pump();
  CHECK(h.dc.bytes_received() > before);
  CHECK(*s->disconnect_deadline() == h.now + 75s);

  // Ten minutes of silence but for the pings: neither side gives up.
  h.advance(10min);
  CHECK(h.link.state() == State::ready);
  CHECK(count_of<LinkDown>(h.events) == 0);
  CHECK(h.dc.connections() == 1);
  CHECK(*s->disconnect_deadline() > h.now);
}

TEST_CASE("dc link: a dead peer is noticed after ping_interval + grace, then the link reconnects",
          "[daemon][dc_link]") {
  LinkHarness h;
  bring_up(h);
  const TimePoint up = h.now;
  h.dc.blackhole = true;  // the TCP connection stays, nothing comes back
  h.link.send_query(payload("into the void"), 3, h.now);
  h.pump();

  h.advance(74s);
  CHECK(h.link.state() == State::ready);
  h.advance(1s);
  REQUIRE(h.link.state() == State::backoff);
  auto down = all_of<LinkDown>(h.events);
  REQUIRE(down.size() == 1);
  CHECK(down[0].reason.find("no data from the server") != std::string::npos);
  CHECK(h.now - up == 75s);
  REQUIRE(!h.close_requests.empty());  // the link closed its end

  h.dc.blackhole = false;
  h.advance(1s);
  CHECK(h.link.state() == State::ready);
  CHECK(h.dc.connections() == 2);
  h.advance(1s);
  REQUIRE(h.results_for(3).size() == 1);
  CHECK(text_of(h.results_for(3)[0].body) == "re:into the void");
}

TEST_CASE("dc link: connect and key exchange timeouts", "[daemon][dc_link]") {
  SECTION("connect") {
    LinkHarness h;
    h.connect_mode = LinkHarness::Connect::hang;
    h.start();
    CHECK(h.link.state() == State::connecting);
    CHECK(h.link.next_timer(h.now) == h.now + 10s);
    h.advance(9s);
    CHECK(h.link.state() == State::connecting);
    h.advance(1s);
    CHECK(h.link.state() == State::backoff);
    REQUIRE(h.close_requests.size() == 1);  // the glue drops the half-open socket
    CHECK(h.close_requests[0] == "connect timed out");
    CHECK(count_of<LinkDown>(h.events) == 0);  // it was never up
    h.connect_mode = LinkHarness::Connect::accept;
    h.advance(1s);
    CHECK(h.connect_requests == 2);
    CHECK(h.link.state() == State::ready);
  }
  SECTION("key exchange") {
    LinkHarness h;
    h.dc.blackhole = true;
    h.start();
    CHECK(h.link.state() == State::handshaking);
    h.advance(29s);
    CHECK(h.link.state() == State::handshaking);
    h.advance(1s);
    CHECK(h.link.state() == State::backoff);
    REQUIRE(!h.close_requests.empty());
    CHECK(h.close_requests.back() == "key exchange timed out");
    h.dc.blackhole = false;
    h.advance(1s);
    CHECK(h.link.state() == State::ready);
    CHECK(h.dc.handshakes_done() == 1);
  }
}

TEST_CASE("dc link: cancel(token) -> no event for it", "[daemon][dc_link]") {
  LinkHarness h;
  SECTION("before the link is ready") {
    h.link.send_query(payload("a"), 1, h.now);
    h.link.send_query(payload("b"), 2, h.now);
    CHECK(h.link.cancel(1, h.now));
    CHECK(!h.link.cancel(1, h.now));
    CHECK(h.link.pending_queries() == 1);
    bring_up(h);
    h.advance(1s);
    CHECK(h.dc.count_seen("a") == 0);
  }
  SECTION("sent, not answered yet") {
    bring_up(h);
    h.dc.answer_queries = false;
    h.link.send_query(payload("a"), 1, h.now);
    h.link.send_query(payload("b"), 2, h.now);
    h.pump();
    REQUIRE(h.dc.held().size() == 2);
    CHECK(h.link.cancel(1, h.now));
    h.pump();
    h.dc.release();
    h.advance(1s);
  }
  CHECK(!h.link.cancel(99, h.now));
  CHECK(h.results_for(1).empty());
  CHECK(count_of<ss::RpcError>(h.events) == 0);
  REQUIRE(h.results_for(2).size() == 1);
  CHECK(h.link.pending_queries() == 0);
}

TEST_CASE("dc link: close() flushes pending acks, then LinkClosed", "[daemon][dc_link]") {
  LinkHarness h;
  bring_up(h);
  const std::uint64_t key_id = h.link.key_state()->auth_key.id;
  h.link.send_query(payload("last"), 1, h.now);
  h.pump();
  REQUIRE(h.results_for(1).size() == 1);
  ss::ServerSession* s = h.dc.session(key_id);
  REQUIRE(s);
  // The rpc_result is content-related: the server waits for our msgs_ack (not due yet).
  REQUIRE(s->unacked_count() >= 1);

  h.link.close(h.now);
  CHECK(h.link.state() == State::closing);
  Bytes out = h.link.take_output(h.now);
  REQUIRE(!out.empty());
  h.dc.on_bytes(out);
  CHECK(s->unacked_count() == 0);
  REQUIRE(h.link.take_close_request());
  h.drop_socket();
  h.link.on_disconnected("closed", h.now);
  h.pump();
  CHECK(h.link.state() == State::closed);
  CHECK(count_of<LinkClosed>(h.events) == 1);
  CHECK(count_of<LinkDown>(h.events) == 0);
  CHECK(!h.link.next_timer(h.now));
  // Closed stays closed: no reconnect, no second LinkClosed.
  h.link.close(h.now);
  h.advance(5min);
  CHECK(h.connect_requests == 1);
  CHECK(count_of<LinkClosed>(h.events) == 1);
}

TEST_CASE("dc link: close() when not connected finishes at once", "[daemon][dc_link]") {
  LinkHarness h;
  h.connect_mode = LinkHarness::Connect::refuse;
  h.start();
  REQUIRE(h.link.state() == State::backoff);
  h.link.close(h.now);
  h.pump();
  CHECK(h.link.state() == State::closed);
  CHECK(count_of<LinkClosed>(h.events) == 1);
  h.advance(1min);
  CHECK(h.connect_requests == 1);

  LinkHarness never;
  never.link.close(never.now);  // idle
  never.pump();
  CHECK(never.link.state() == State::closed);
  CHECK(count_of<LinkClosed>(never.events) == 1);
}

TEST_CASE("dc link: transport error -404 -> KeyLost, a new key, the queries re-sent", "[daemon][dc_link]") {
  LinkHarness h;
  bring_up(h);
  const std::uint64_t old_key = h.link.key_state()->auth_key.id;
  h.link.send_query(payload("before"), 1, h.now);
  h.pump();
  REQUIRE(h.results_for(1).size() == 1);

  h.dc.forget_keys();
  h.link.send_query(payload("after"), 2, h.now);
  h.pump();
  CHECK(h.dc.transport_errors_sent() == 1);
  CHECK(count_of<KeyLost>(h.events) == 1);
  CHECK(count_of<LinkDown>(h.events) == 1);
  CHECK(h.link.state() == State::backoff);
  CHECK(!h.link.key_state());
  CHECK(h.link.pending_queries() == 1);  // waiting for the new key

  h.advance(1s);
  REQUIRE(h.link.state() == State::ready);
  auto created = all_of<KeyCreated>(h.events);
  REQUIRE(created.size() == 2);
  CHECK(created[1].key.auth_key.id != old_key);
  CHECK(h.dc.handshakes_done() == 2);
  h.advance(1s);
  REQUIRE(h.results_for(2).size() == 1);
  CHECK(text_of(h.results_for(2)[0].body) == "re:after");
  CHECK(h.results_for(1).size() == 1);
  CHECK(h.dc.count_seen("after") == 1);
}

TEST_CASE("dc link: garbage from the server -> the connection is dropped and made again", "[daemon][dc_link]") {
  LinkHarness h;
  bring_up(h);
  h.link.send_query(payload("survives"), 1, h.now);
  h.dc.answer_queries = false;
  h.pump();

  SECTION("a frame length beyond the transport's limit") {
    h.inject(Bytes{0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4});
  }
  SECTION("a frame whose length is not a multiple of 4") {
    h.inject(Bytes{0x05, 0, 0, 0, 1, 2, 3, 4, 5});
  }
  SECTION("a well-framed packet that is not ours (random auth_key_id and bytes)") {
    Bytes frame = {72, 0, 0, 0};
    for (int i = 0; i < 72; ++i) frame.push_back(static_cast<std::uint8_t>(i * 37 + 11));
    h.inject(frame);
  }
  SECTION("a well-framed packet under our auth_key_id that does not decrypt") {
    const std::uint64_t id = h.link.key_state()->auth_key.id;
    Bytes frame = {72, 0, 0, 0};
    for (int i = 0; i < 8; ++i) frame.push_back(static_cast<std::uint8_t>(id >> (8 * i)));
    for (int i = 0; i < 64; ++i) frame.push_back(static_cast<std::uint8_t>(i * 37 + 11));
    h.inject(frame);
  }
  SECTION("an unencrypted packet after the key exchange") {
    Bytes frame = {24, 0, 0, 0};
    for (int i = 0; i < 8; ++i) frame.push_back(0);
    for (int i = 0; i < 16; ++i) frame.push_back(static_cast<std::uint8_t>(i + 1));
    h.inject(frame);
  }

  CHECK(count_of<LinkDown>(h.events) == 1);
  CHECK(h.link.state() == State::backoff);
  h.dc.answer_queries = true;
  h.dc.release();
  h.advance(2s);
  CHECK(h.link.state() == State::ready);
  REQUIRE(h.results_for(1).size() == 1);
  CHECK(text_of(h.results_for(1)[0].body) == "re:survives");
}

TEST_CASE("dc link: garbage during the key exchange -> a new attempt", "[daemon][dc_link]") {
  LinkHarness h;
  h.link.start(h.now);
  REQUIRE(h.link.take_connect_request());
  h.dc.accept();
  h.socket_open = true;
  h.link.on_connected(h.now);
  REQUIRE(h.link.state() == State::handshaking);
  // An "unencrypted" answer whose body is not a handshake message.
  Bytes frame = {28, 0, 0, 0};
  for (int i = 0; i < 8; ++i) frame.push_back(0);
  for (int i = 0; i < 8; ++i) frame.push_back(static_cast<std::uint8_t>(i == 0 ? 1 : 0x10));  // msg_id, odd
  frame.insert(frame.end(), {8, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4});
  h.link.on_bytes(frame, h.now);
  auto job = h.link.take_job();
  REQUIRE(job);
  job->run();
  h.link.on_job_done(std::move(*job), h.now);
  CHECK(h.link.state() == State::backoff);
  REQUIRE(h.link.take_close_request());
  h.drop_socket();
  h.advance(1s);
  CHECK(h.link.state() == State::ready);
  CHECK(count_of<KeyCreated>(h.events) == 1);
}

TEST_CASE("dc link: a stale handshake job from a lost connection is ignored", "[daemon][dc_link]") {
  LinkHarness h;
  h.link.start(h.now);
  REQUIRE(h.link.take_connect_request());
  h.dc.accept();
  h.socket_open = true;
  h.link.on_connected(h.now);
  h.dc.on_bytes(h.link.take_output(h.now));  // req_pq_multi
  h.link.on_bytes(h.dc.take_output(), h.now);  // resPQ -> a job
  auto job = h.link.take_job();
  REQUIRE(job);
  h.break_connection();  // while the job runs on a worker
  job->run();
  h.link.on_job_done(std::move(*job), h.now);
  CHECK(h.link.state() == State::backoff);
  CHECK(h.link.take_output(h.now).empty());
  h.advance(1s);
  CHECK(h.link.state() == State::ready);
  CHECK(count_of<KeyCreated>(h.events) == 1);
}

TEST_CASE("dc link: a restored key goes straight to ready, no key exchange", "[daemon][dc_link]") {
  const mtproto::AuthKey key = made_up_key(5);
  const std::uint64_t salt = 0x0123456789abcdefull;
  KeyState restored;
  restored.auth_key = key;
  restored.server_salt = salt;
  LinkHarness h(restored);
  h.dc.add_key(key, salt);
  REQUIRE(h.link.key_state());
  CHECK(h.link.key_state()->auth_key.id == key.id);

  h.link.send_query(payload("restored"), 9, h.now);
  h.link.start(h.now);
  REQUIRE(h.link.take_connect_request());
  ++h.connect_requests;
  h.dc.accept();
  h.socket_open = true;
  h.link.on_connected(h.now);
  CHECK(h.link.state() == State::ready);
  CHECK(!h.link.take_job());
  h.pump();
  CHECK(h.jobs_run == 0);
  CHECK(h.dc.handshakes_done() == 0);
  CHECK(count_of<KeyCreated>(h.events) == 0);
  CHECK(count_of<LinkUp>(h.events) == 1);
  REQUIRE(h.results_for(9).size() == 1);
  CHECK(text_of(h.results_for(9)[0].body) == "re:restored");
  CHECK(h.link.key_state()->server_salt == salt);

  SECTION("a wrong salt is corrected by the server (bad_server_salt) without losing the query") {
    LinkHarness g([&] {
      KeyState k = restored;
      k.server_salt = 1;
      return k;
    }());
    g.dc.add_key(key, salt);
    g.link.send_query(payload("salted"), 1, g.now);
    g.start();
    g.advance(1s);
    REQUIRE(g.results_for(1).size() == 1);
    CHECK(g.link.key_state()->server_salt == salt);
  }
}
