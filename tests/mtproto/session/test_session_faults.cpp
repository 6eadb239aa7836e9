// Recovery paths through the pipe: salt change, clock skew, reconnects, replays, tampering,
// cancellation, a forgotten session, and service messages injected by hand.
#include <catch2/catch.hpp>

#include "pipe.h"

using namespace mtjson::mtproto::session;
using namespace mtjson::mtproto::session::test;
using namespace std::chrono_literals;

TEST_CASE("bad_server_salt: the client adopts the new salt and re-sends, answered once", "[faults][salt]") {
  Pipe p;
  p.query("warmup", 1);
  p.run(2);
  const std::int32_t t = static_cast<std::int32_t>(to_unix_seconds(p.now));
  p.server.set_salts({FutureSalt{t - 10, t + 1800, 0x5A17ull}});  // the old salt is no longer accepted
  const std::uint64_t first_id = p.query("after rotation", 2);
  p.run();
  CHECK(p.server.notifications_sent().at(48) == 1);
  CHECK(p.client.server_salt() == 0x5A17ull);
  CHECK(p.results_for(2) == 1);
  CHECK(p.queries.size() == 2);  // executed once: the rejected copy never reached the app
  CHECK(p.results().back().msg_id != first_id);  // answered under the re-sent msg_id
  CHECK(p.client.pending_requests() == 0);
}

TEST_CASE("clock skew of +-10 minutes: bad_msg 16/17, resync, success", "[faults][time]") {
  for (const Duration skew : {Duration(-10min), Duration(10min)}) {
    Pipe p;
    p.client_skew = skew;
    p.query("skewed", 1);
    p.query("skewed too", 2);
    p.run();
    const int code = skew < Duration(0) ? 16 : 17;
    INFO("skew " << std::chrono::duration_cast<std::chrono::seconds>(skew).count() << " s");
    CHECK(p.server.notifications_sent().at(code) == 1);  // one container rejected, once
    CHECK(p.results_for(1) == 1);
    CHECK(p.results_for(2) == 1);
    CHECK(std::chrono::abs(p.client.time_offset() + skew) < 1s);  // offset cancels the skew
    // Later queries go straight through.
    p.query("now fine", 3);
    p.run();
    CHECK(p.results_for(3) == 1);
    CHECK(p.server.notifications_sent().size() == 1);
  }
}

TEST_CASE("reconnect: unanswered queries re-sent, each answer delivered exactly once", "[faults][reconnect]") {
  Pipe p;
  p.app = nullptr;
  p.query("one", 1);
  p.query("two", 2);
  for (auto& b : p.drain_client()) p.to_server(b);
  REQUIRE(p.queries.size() == 2);
  // The server answers "one", but the connection dies with the answer (and the ack) in flight.
  p.server.reply(p.queries[0].msg_id, bytes_of("answer to old one"), p.now);
  const auto lost = p.drain_server();
  REQUIRE(lost.size() == 1);

  p.client.on_reconnect(p.client_now());
  p.server.on_reconnect(p.now);
  // Client re-sends both (never acked) under new msg_ids; the server re-sends its unacked answer
  // to the old msg_id. The app answers the new copies too.
  p.app = [&](const Query& q) { p.server.reply(q.msg_id, bytes_of("answer to new copy"), p.now); };
  p.run();
  CHECK(p.queries.size() == 4);
  CHECK(p.results_for(1) == 1);  // two answers arrived for token 1; one delivered
  CHECK(p.results_for(2) == 1);
  CHECK(p.client.pending_requests() == 0);

  // The delivered answer to "one" is whichever came first: the re-sent old one.
  for (auto& r : p.results())
    if (r.token == 1) CHECK(r.body == bytes_of("answer to old one"));
}

TEST_CASE("reconnect: acknowledged queries are asked about, not blindly re-sent", "[faults][reconnect]") {
  Pipe p;
  p.app = nullptr;
  p.query("slow", 1);
  for (auto& b : p.drain_client()) p.to_server(b);
  p.now += 1s;
  for (auto& b : p.drain_server()) p.to_client(b);  // acks the query
  REQUIRE(p.client.table().all().begin()->second.state == RequestState::acked);
  p.client.on_reconnect(p.client_now());
  p.server.on_reconnect(p.now);
  const auto out = p.drain_client();
  REQUIRE(out.size() == 1);
  const auto msgs = open_packet(p.key, Side::client, out[0]);
  CHECK(has_constructor(msgs, ids::msgs_state_req));
  for (auto& [id, body] : msgs) CHECK(body != bytes_of("slow"));  // not the query again
  for (auto& b : out) p.to_server(b);
  for (auto& b : p.drain_server()) p.to_client(b);
  CHECK(p.queries.size() == 1);
  p.server.reply(p.queries[0].msg_id, bytes_of("done"), p.now);
  p.run();
  CHECK(p.results_for(1) == 1);
  CHECK(p.queries.size() == 1);  // executed once
}

TEST_CASE("replayed packet is rejected by the server", "[faults][replay]") {
  Pipe p;
  p.query("pay 100", 1);
  const auto out = p.drain_client();
  REQUIRE(out.size() == 1);
  p.to_server(out[0]);
  p.to_server(out[0]);  // an attacker replays it
  CHECK(p.queries.size() == 1);
  CHECK(p.server.dropped_count() == 1);
  const auto drops = of_type<Dropped>(p.server_events);
  REQUIRE(drops.size() == 1);
  CHECK(drops[0].reason == DropReason::duplicate_msg_id);
  CHECK(drops[0].detail == "duplicate msg_id (replayed packet)");

  // A replayed server packet is dropped by the client too, and delivers nothing twice.
  const auto back = p.drain_server();
  REQUIRE(back.size() == 1);
  p.to_client(back[0]);
  p.to_client(back[0]);
  CHECK(p.results_for(1) == 1);
  CHECK(p.client.dropped_count() == 1);
}

TEST_CASE("tampered packets are dropped and counted, never thrown", "[faults][tamper]") {
  Pipe p;
  p.query("x", 1);
  auto out = p.drain_client();
  REQUIRE(out.size() == 1);
  Bytes bad = out[0];
  bad[40] ^= 0x80;
  p.to_server(bad);
  CHECK(p.server.dropped_count() == 1);
  CHECK(of_type<Dropped>(p.server_events).at(0).reason == DropReason::msg_key_mismatch);
  CHECK(of_type<Dropped>(p.server_events).at(0).detail == "msg_key mismatch");
  CHECK(is_decrypt_failure(of_type<Dropped>(p.server_events).at(0).reason));
  Bytes cut(out[0].begin(), out[0].end() - 16);
  cut.resize(cut.size() - 3);
  p.to_server(cut);
  CHECK(p.server.dropped_count() == 2);
  p.to_server(out[0]);  // the genuine one still works
  auto back = p.drain_server();
  REQUIRE(back.size() == 1);
  Bytes bad2 = back[0];
  bad2[10] ^= 1;  // inside msg_key
  p.to_client(bad2);
  CHECK(p.client.dropped_count() == 1);
  CHECK(of_type<Dropped>(p.client_events).at(0).reason == DropReason::msg_key_mismatch);
  CHECK(of_type<Dropped>(p.client_events).at(0).detail == "msg_key mismatch");
  p.to_client(back[0]);
  CHECK(p.results_for(1) == 1);
}

TEST_CASE("packets for another session or with even server msg_ids are dropped by the client", "[faults]") {
  Pipe p;
  p.query("x", 1);
  p.run(1);
  MessageHeader h{kSalt, p.client.session_id() + 1, raw_msg_id(p.now) | 1, 1};
  mtjson::crypto::ReplayRandom r;
  auto ev = p.client.on_packet(encrypt_packet(p.key, Side::server, h, bytes_of("abcd"), r), p.now);
  REQUIRE(of_type<Dropped>(ev).size() == 1);
  CHECK(of_type<Dropped>(ev)[0].reason == DropReason::wrong_session);
  CHECK(of_type<Dropped>(ev)[0].detail == "session_id is not this session's");
  CHECK_FALSE(is_decrypt_failure(of_type<Dropped>(ev)[0].reason));
  h.session_id = p.client.session_id();
  h.msg_id = raw_msg_id(p.now + 1s) & ~std::uint64_t{3};
  ev = p.client.on_packet(encrypt_packet(p.key, Side::server, h, bytes_of("abcd"), r), p.now);
  CHECK(of_type<Dropped>(ev).at(0).reason == DropReason::msg_id_parity);
  CHECK(of_type<Dropped>(ev).at(0).detail == "server msg_id with even parity");
}

TEST_CASE("cancel: rpc_drop_answer, and the answer is never delivered", "[faults][drop]") {
  Pipe p;
  p.app = nullptr;
  p.query("long", 1);
  for (auto& b : p.drain_client()) p.to_server(b);
  REQUIRE(p.client.cancel(1, p.client_now()));
  CHECK_FALSE(p.client.cancel(1, p.client_now()));
  for (auto& b : p.drain_client()) p.to_server(b);  // rpc_drop_answer while still running
  p.server.reply(p.queries[0].msg_id, bytes_of("too late"), p.now);
  p.run();
  CHECK(p.results().empty());
  CHECK(p.client.pending_requests() == 0);
  // A query cancelled before it was sent just disappears.
  p.query("never", 2);
  REQUIRE(p.client.cancel(2, p.client_now()));
  CHECK_FALSE(p.client.take_outgoing(p.client_now()).has_value());
}

TEST_CASE("server forgot the session: new_session_created, older messages re-sent", "[faults][session]") {
  Pipe p;
  p.query("a", 1);
  p.run();
  p.server.forget_session();
  p.query("b", 2);
  p.run();
  CHECK(of_type<NewSession>(p.client_events).size() == 2);
  CHECK(p.results_for(2) == 1);
  CHECK(p.queries.size() == 2);
}

TEST_CASE("injected service messages", "[faults][service]") {
  Pipe p;
  p.app = nullptr;
  const std::uint64_t q = p.query("q", 1);
  p.run(1);

  SECTION("rpc_result for an unknown or already answered msg_id is ignored") {
    auto ev = p.inject(write_rpc_result(q + 4, bytes_of("nope")), true);
    CHECK(ev.empty());
    ev = p.inject(write_rpc_result(q, bytes_of("yes!")), true);
    CHECK(of_type<RpcResult>(ev).size() == 1);
    ev = p.inject(write_rpc_result(q, bytes_of("dup!")), true);
    CHECK(ev.empty());
  }
  SECTION("msg_detailed_info about an answer we lack -> msg_resend_req") {
    p.inject(write_msg_detailed_info(q, raw_msg_id(p.now) | 1, 100), false);
    const auto out = p.drain_client();
    REQUIRE(out.size() == 1);
    CHECK(has_constructor(open_packet(p.key, Side::client, out[0]), ids::msg_resend_req));
    CHECK(p.client.table().all().begin()->second.state == RequestState::acked);
  }
  SECTION("msgs_state_req from the server is answered with msgs_state_info") {
    const std::uint64_t seen = raw_msg_id(p.now + 2s) | 1;
    p.inject(bytes_of("upd."), true, seen);
    const std::uint64_t asked[] = {seen, seen + 4000};
    p.inject(write_long_vector_message(ids::msgs_state_req, asked), false);
    const auto out = p.drain_client();
    REQUIRE(out.size() == 1);
    bool found = false;
    for (auto& [id, body] : open_packet(p.key, Side::client, out[0])) {
      if (constructor_of(body) != ids::msgs_state_info) continue;
      found = true;
      // info: [received (acked in this very packet? no: still pending) , not received, too high]
      CHECK(body[12] == 2);  // TL string length
      CHECK(body[13] == msg_state::received);
      CHECK(body[14] == msg_state::not_received_too_high);
    }
    CHECK(found);
  }
  SECTION("bad_msg_notification 35 is fatal; 32 starts a new session and re-sends") {
    auto ev = p.inject(write_bad_msg_notification(q, 1, 35), false);
    CHECK(of_type<Fatal>(ev).size() == 1);
    CHECK(of_type<Fatal>(ev)[0].reason == "bad_msg_notification error_code 35");
    const std::uint64_t old_session = p.client.session_id();
    ev = p.inject(write_bad_msg_notification(q, 1, 32), false);
    CHECK(p.client.session_id() != old_session);
    const auto out = p.drain_client();
    REQUIRE(out.size() == 1);
    MessageHeader h;
    const auto msgs = open_packet(p.key, Side::client, out[0], &h);
    CHECK(h.session_id == p.client.session_id());
    CHECK(msgs.size() == 1);
    CHECK(h.seq_no == 1);  // seqno restarted
  }
  SECTION("a notification about a msg_id we never sent is dropped") {
    auto ev = p.inject(write_bad_msg_notification(q + 4000000, 1, 16), false);
    REQUIRE(of_type<Dropped>(ev).size() == 1);
    CHECK(of_type<Dropped>(ev)[0].reason == DropReason::not_ours);
    CHECK(p.client.time_offset() == Duration(0));
  }
  SECTION("msg_resend_req from the server re-sends our message under a new msg_id") {
    const std::uint64_t ids_[] = {q};
    p.inject(write_long_vector_message(ids::msg_resend_req, ids_), false);
    const auto out = p.drain_client();
    REQUIRE(out.size() == 1);
    std::vector<std::pair<std::uint64_t, Bytes>> msgs;
    for (auto& m : open_packet(p.key, Side::client, out[0]))
      if (constructor_of(m.second) != ids::msgs_ack) msgs.push_back(m);
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0].first != q);
    CHECK(msgs[0].second == bytes_of("q"));
  }
}
