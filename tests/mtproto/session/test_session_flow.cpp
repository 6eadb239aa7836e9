// Client and server sessions talking through the in-memory pipe: the normal paths.
#include <catch2/catch.hpp>

#include "pipe.h"
#include "tl/gzip.h"

using namespace mtjson::mtproto::session;
using namespace mtjson::mtproto::session::test;
using namespace std::chrono_literals;

TEST_CASE("queries are answered exactly once, new session announced, everything acked", "[flow]") {
  Pipe p;
  const std::uint64_t id1 = p.query("q1", 1);
  p.query("q2", 2);
  p.query("q3", 3);
  p.run();

  REQUIRE(p.results().size() == 3);
  for (std::uint64_t t : {1u, 2u, 3u}) CHECK(p.results_for(t) == 1);
  for (auto& r : p.results()) CHECK(r.body == bytes_of("re:q" + std::to_string(r.token)));
  CHECK(p.queries.size() == 3);

  const auto ns = of_type<NewSession>(p.client_events);
  REQUIRE(ns.size() == 1);
  CHECK(ns[0].first_msg_id == id1);  // the lowest msg_id inside the first container
  CHECK(ns[0].server_salt == kSalt);
  CHECK(of_type<SessionCreated>(p.server_events).size() == 1);

  CHECK(p.client.pending_requests() == 0);
  CHECK(p.client.pending_acks() == 0);
  CHECK(p.server.unacked_count() == 0);  // the client acked the answers and new_session_created
  CHECK(p.client.dropped_count() == 0);
  CHECK(p.server.dropped_count() == 0);
  CHECK(p.server.notifications_sent().empty());
}

TEST_CASE("containers both ways: several messages travel in one packet", "[flow][container]") {
  Pipe p;
  for (std::uint64_t t = 1; t <= 5; ++t) p.query("c" + std::to_string(t), t);
  const auto out = p.drain_client();
  REQUIRE(out.size() == 1);  // five queries in one container
  MessageHeader h;
  const auto inner = open_packet(p.key, Side::client, out[0], &h);
  CHECK(inner.size() == 5);
  for (auto& [id, body] : inner) {
    CHECK(id < h.msg_id);  // the container's msg_id is above its messages'
    CHECK(id % 4 == 0);
  }
  CHECK(h.seq_no % 2 == 0);

  p.app = nullptr;  // answer them all later, together
  p.to_server(out[0]);
  REQUIRE(p.queries.size() == 5);
  for (auto& q : p.queries) p.server.reply(q.msg_id, bytes_of("ok"), p.now);
  const auto back = p.drain_server();
  REQUIRE(back.size() == 1);
  const auto answers = open_packet(p.key, Side::server, back[0]);
  // new_session_created + acks + 5 rpc_results, each with its own msg_id
  CHECK(answers.size() == 7);
  CHECK(has_constructor(answers, ids::msgs_ack));
  CHECK(has_constructor(answers, ids::new_session_created));
  p.to_client(back[0]);
  CHECK(p.results().size() == 5);
}

TEST_CASE("acks: piggybacked or sent alone after the delay; server forgets acked messages", "[flow][ack]") {
  ClientConfig cc;
  cc.ack_delay = 300ms;
  Pipe p(cc);
  p.query("a", 1);
  for (auto& b : p.drain_client()) p.to_server(b);
  for (auto& b : p.drain_server()) p.to_client(b);
  REQUIRE(p.results_for(1) == 1);
  CHECK(p.client.pending_acks() == 2);  // rpc_result and new_session_created are content-related
  CHECK(p.server.unacked_count() == 2);
  // Nothing else to send: the ack waits for the timer.
  CHECK(p.client.next_timer(p.client_now()) == p.client_now() + 300ms);
  CHECK_FALSE(p.client.take_outgoing(p.client_now() + 100ms).has_value());
  p.now += 300ms;
  auto ack = p.client.take_outgoing(p.client_now());
  REQUIRE(ack.has_value());
  const auto msgs = open_packet(p.key, Side::client, *ack);
  REQUIRE(msgs.size() == 1);
  CHECK(constructor_of(msgs[0].second) == ids::msgs_ack);
  p.to_server(*ack);
  CHECK(p.server.unacked_count() == 0);
  CHECK_FALSE(p.client.next_timer(p.client_now()).has_value());

  // With a query queued, the acks ride along in the same packet.
  p.server.push_update(bytes_of("upd!"), p.now);
  for (auto& b : p.drain_server()) p.to_client(b);
  CHECK(p.client.pending_acks() == 1);
  p.query("b", 2);
  const auto both = p.drain_client();
  REQUIRE(both.size() == 1);
  const auto inner = open_packet(p.key, Side::client, both[0]);
  CHECK(inner.size() == 2);
  CHECK(has_constructor(inner, ids::msgs_ack));
}

TEST_CASE("gzip_packed both ways", "[flow][gzip]") {
  ClientConfig cc;
  cc.gzip_queries_over = 256;
  Pipe p(cc);
  std::string big_query(3000, 'q');
  std::string big_answer;
  for (int i = 0; i < 300; ++i) big_answer += "answer " + std::to_string(i % 10) + ";";
  p.app = [&](const Query& q) { p.server.reply(q.msg_id, bytes_of(big_answer), p.now); };
  p.query(big_query, 9);
  const auto out = p.drain_client();
  REQUIRE(out.size() == 1);
  CHECK(out[0].size() < 1000);  // the query went compressed
  const auto sent = open_packet(p.key, Side::client, out[0]);
  CHECK(constructor_of(sent[0].second) == ids::gzip_packed);
  p.to_server(out[0]);
  REQUIRE(p.queries.size() == 1);
  CHECK(p.queries[0].body == bytes_of(big_query));  // the server unpacked it

  const auto back = p.drain_server();
  REQUIRE(back.size() == 1);
  bool gz = false;
  for (auto& [id, body] : open_packet(p.key, Side::server, back[0]))
    if (constructor_of(body) == ids::rpc_result)
      gz = constructor_of(std::span<const std::uint8_t>(body).subspan(12)) == ids::gzip_packed;
  CHECK(gz);
  p.to_client(back[0]);
  REQUIRE(p.results_for(9) == 1);
  CHECK(p.results()[0].body == bytes_of(big_answer));

  // Small answers stay plain.
  p.app = nullptr;
  p.query("s", 10);
  p.run(1);
  p.server.reply(p.queries.back().msg_id, bytes_of("tiny"), p.now);
  p.run(1);
  CHECK(p.results_for(10) == 1);
}

TEST_CASE("rpc_error and updates reach the client", "[flow]") {
  Pipe p;
  p.app = [&](const Query& q) { p.server.reply_error(q.msg_id, 420, "FLOOD_WAIT_3", p.now); };
  p.query("x", 5);
  p.run(1);
  p.server.push_update(bytes_of("upd1"), p.now);
  p.run();
  const auto errs = of_type<RpcError>(p.client_events);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].token == 5);
  CHECK(errs[0].code == 420);
  CHECK(errs[0].message == "FLOOD_WAIT_3");
  CHECK(p.results().empty());
  const auto ups = of_type<Update>(p.client_events);
  REQUIRE(ups.size() == 1);
  CHECK(ups[0].body == bytes_of("upd1"));
  CHECK(ups[0].msg_id % 4 == 3);  // server-initiated
  CHECK(p.server.unacked_count() == 0);
  // A second reply to the same query is refused: one answer per query.
  CHECK_FALSE(p.server.reply(p.queries[0].msg_id, bytes_of("again"), p.now));
}

TEST_CASE("ping and ping_delay_disconnect", "[flow][ping]") {
  Pipe p;
  p.client.send_ping(77, p.client_now());
  p.client.send_ping_delay_disconnect(78, 75, p.client_now());
  p.run(1);
  const auto pongs = of_type<Pong>(p.client_events);
  REQUIRE(pongs.size() == 2);
  CHECK(pongs[0].ping_id + pongs[1].ping_id == 155);
  REQUIRE(p.server.disconnect_deadline().has_value());
  CHECK(*p.server.disconnect_deadline() == t0() + 75s);
  CHECK(p.client.pending_requests() == 0);
}

TEST_CASE("future salts: fetched, then used when the current one expires", "[flow][salt]") {
  Pipe p;
  const std::int32_t t = static_cast<std::int32_t>(to_unix_seconds(t0()));
  p.server.set_salts({FutureSalt{t - 600, t + 1800, kSalt}, FutureSalt{t + 1800, t + 3600, 0xABCDEFull},
                      FutureSalt{t + 3600, t + 5400, 0x123456ull}});
  p.client.request_future_salts(p.client_now(), 8);
  p.run(1);
  const auto fs = of_type<FutureSaltsReceived>(p.client_events);
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].salts.size() == 3);
  CHECK(fs[0].server_now == t);
  CHECK(p.client.future_salts().size() == 3);

  p.now = t0() + 1900s;  // the first salt has expired
  p.query("later", 1);
  p.run(2);
  CHECK(p.client.server_salt() == 0xABCDEFull);
  CHECK(p.results_for(1) == 1);
  CHECK(p.server.notifications_sent().count(48) == 0);  // the switch needed no bad_server_salt

  // Near the end of the known salts the client asks for more by itself.
  p.now = t0() + 5000s;
  p.query("much later", 2);
  const auto out = p.drain_client();
  REQUIRE(out.size() == 1);
  CHECK(has_constructor(open_packet(p.key, Side::client, out[0]), ids::get_future_salts));
}

TEST_CASE("destroy_session forgets an older session of the same key", "[flow]") {
  Pipe p;
  p.query("first", 1);
  p.run(2);
  const std::uint64_t old_session = p.client.session_id();
  // A second client session (new random session_id) through the same server object.
  mtjson::crypto::ReplayRandom r2(Bytes(8, 0x42));
  ClientSession second(p.key, kSalt, r2);
  REQUIRE(second.session_id() != old_session);
  second.destroy_session(old_session, p.now);
  std::vector<ClientEvent> ev;
  auto pump = [&] {
    for (int i = 0; i < 3; ++i) {
      while (auto b = second.take_outgoing(p.now)) p.to_server(*b);
      while (auto b = p.server.take_outgoing(p.now))
        for (auto& e : second.on_packet(*b, p.now)) ev.push_back(e);
      p.now += 1s;
    }
  };
  pump();
  auto res = of_type<DestroySessionResult>(ev);
  REQUIRE(res.size() == 1);
  CHECK(res[0].session_id == old_session);
  CHECK(res[0].destroyed);
  second.destroy_session(old_session, p.now);
  pump();
  res = of_type<DestroySessionResult>(ev);
  REQUIRE(res.size() == 2);
  CHECK_FALSE(res[1].destroyed);
  CHECK(second.pending_requests() == 0);
}
