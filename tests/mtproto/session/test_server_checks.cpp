// The server role's validation of hand-made client packets, one rejection path at a time.
#include <catch2/catch.hpp>

#include "pipe.h"

using namespace mtjson::mtproto::session;
using namespace mtjson::mtproto::session::test;
using namespace std::chrono_literals;

namespace {

struct Dc {
  Pipe p;
  std::uint64_t session = 0x5E55105E55105E55ull;
  std::uint64_t next_id = raw_msg_id(t0()) & ~std::uint64_t{3};

  std::uint64_t id_at(Duration d) { return (raw_msg_id(t0() + d) & ~std::uint64_t{3}) + 4; }
  std::uint64_t fresh_id() { return next_id += 4096; }

  std::vector<ServerEvent> send(std::uint64_t msg_id, std::uint32_t seq_no, const Bytes& body,
                                std::uint64_t salt = kSalt) {
    MessageHeader h{salt, session, msg_id, seq_no};
    mtjson::crypto::ReplayRandom r;
    auto ev = p.server.on_packet(encrypt_packet(p.key, Side::client, h, body, r), p.now);
    for (auto& e : ev)
      if (auto* q = std::get_if<Query>(&e)) {
        p.queries.push_back(*q);
        if (p.app) p.app(*q);
      }
    return ev;
  }
  // Everything the server has to say now, flattened.
  std::vector<std::pair<std::uint64_t, Bytes>> replies() {
    std::vector<std::pair<std::uint64_t, Bytes>> out;
    while (auto b = p.server.take_outgoing(p.now)) {
      MessageHeader h;
      auto msgs = open_packet(p.key, Side::server, *b, &h);
      CHECK(h.session_id == session);
      CHECK(h.msg_id % 2 == 1);
      out.insert(out.end(), msgs.begin(), msgs.end());
    }
    return out;
  }
  // The bad_msg_notification / bad_server_salt in the replies: {bad_msg_id, error_code}.
  std::vector<std::pair<std::uint64_t, std::int32_t>> notifications() {
    std::vector<std::pair<std::uint64_t, std::int32_t>> out;
    for (auto& [id, body] : replies()) {
      auto c = constructor_of(body);
      if (c != ids::bad_msg_notification && c != ids::bad_server_salt) continue;
      mtjson::tl::WireReader r(body);
      r.read_u32();
      const std::uint64_t bad = r.read_u64();
      r.read_u32();
      out.emplace_back(bad, r.read_i32());
      if (c == ids::bad_server_salt) last_new_salt = r.read_u64();
    }
    return out;
  }
  std::uint64_t last_new_salt = 0;
};

Bytes container(std::initializer_list<OutMessage> msgs) { return write_container(std::vector<OutMessage>(msgs)); }

}  // namespace

TEST_CASE("server: msg_id parity, time window and salt produce their notifications", "[server]") {
  Dc dc;
  using P = std::pair<std::uint64_t, std::int32_t>;
  const Bytes q = bytes_of("query");

  std::uint64_t id = dc.id_at(0s) + 1;  // odd: client ids must be divisible by 4
  dc.send(id, 1, q);
  CHECK(dc.notifications() == std::vector<P>{{id, 18}});
  id = dc.id_at(-301s);
  dc.send(id, 1, q);
  CHECK(dc.notifications() == std::vector<P>{{id, 16}});
  id = dc.id_at(31s);
  dc.send(id, 1, q);
  CHECK(dc.notifications() == std::vector<P>{{id, 17}});
  id = dc.id_at(1s);
  dc.send(id, 1, q, 0xBAD5A17);
  CHECK(dc.notifications() == std::vector<P>{{id, 48}});
  CHECK(dc.last_new_salt == kSalt);
  CHECK(dc.p.queries.empty());  // nothing reached the app

  // Within the window and with the salt, it passes (window edges included).
  dc.send(dc.id_at(-299s), 1, q);
  dc.send(dc.id_at(29s), 3, q);
  CHECK(dc.p.queries.size() == 2);
}

TEST_CASE("server: seqno checks 32/33/34/35", "[server][seqno]") {
  Dc dc;
  using P = std::pair<std::uint64_t, std::int32_t>;
  const Bytes q = bytes_of("query");
  const std::uint64_t a = dc.id_at(1s), b = dc.id_at(2s), c = dc.id_at(3s);
  dc.send(b, 5, q);  // accepted
  REQUIRE(dc.p.queries.size() == 1);
  dc.replies();
  dc.send(c, 3, q);  // higher msg_id, lower seqno
  CHECK(dc.notifications() == std::vector<P>{{c, 32}});
  dc.send(a, 7, q);  // lower msg_id, higher seqno
  CHECK(dc.notifications() == std::vector<P>{{a, 33}});
  const std::uint64_t d = dc.id_at(4s);
  dc.send(d, 6, q);  // an API query with an even seqno
  CHECK(dc.notifications() == std::vector<P>{{d, 35}});
  const std::uint64_t ack_ids[] = {1};
  const std::uint64_t e = dc.id_at(5s);
  dc.send(e, 7, write_long_vector_message(ids::msgs_ack, ack_ids));  // msgs_ack marked content-related
  CHECK(dc.notifications() == std::vector<P>{{e, 34}});
  CHECK(dc.p.queries.size() == 1);
}

TEST_CASE("server: invalid containers get code 64, valid ones keep inner msg_ids", "[server][container]") {
  Dc dc;
  using P = std::pair<std::uint64_t, std::int32_t>;
  const Bytes q1 = bytes_of("one!"), q2 = bytes_of("two!");
  const std::uint64_t i1 = dc.id_at(1s), i2 = dc.id_at(2s), cid = dc.id_at(3s);
  dc.send(cid, 4, container({{i1, 1, q1}, {dc.id_at(4s), 3, q2}}));  // inner id above the container's
  CHECK(dc.notifications() == std::vector<P>{{cid, 64}});
  const std::uint64_t cid2 = dc.id_at(5s);
  dc.send(cid2, 4, container({{i1, 1, q1}, {i2 + 1, 3, q2}}));  // inner id not divisible by 4
  CHECK(dc.notifications() == std::vector<P>{{cid2, 64}});
  const std::uint64_t cid3 = dc.id_at(6s);
  dc.send(cid3, 4, container({{i1, 1, q1}, {i2, 3, q2}}));
  REQUIRE(dc.p.queries.size() == 2);
  CHECK(dc.p.queries[0].msg_id == i1);
  CHECK(dc.p.queries[1].msg_id == i2);
  // The new session announces the lowest inner msg_id, and both inner ids get acked.
  dc.p.now += 1s;
  bool acked = false, announced = false;
  for (auto& [id, body] : dc.replies()) {
    if (constructor_of(body) == ids::new_session_created) {
      mtjson::tl::WireReader r(body);
      r.read_u32();
      CHECK(r.read_u64() == i1);
      announced = true;
    }
    if (constructor_of(body) == ids::msgs_ack) {
      CHECK(body == write_long_vector_message(ids::msgs_ack, std::vector<std::uint64_t>{i1, i2}));
      acked = true;
    }
  }
  CHECK(announced);
  CHECK(acked);
}

TEST_CASE("server: a re-sent query gets the cached answer, not a second execution", "[server][dup]") {
  Dc dc;
  const Bytes q = bytes_of("charge card");
  const std::uint64_t qid = dc.id_at(1s);
  dc.send(qid, 1, q);
  REQUIRE(dc.p.queries.size() == 1);
  dc.replies();
  // The client re-sends it inside a new container (same inner msg_id).
  dc.send(dc.id_at(2s), 2, container({{qid, 1, q}}));
  CHECK(dc.p.queries.size() == 1);
  int answers = 0;
  for (auto& [id, body] : dc.replies())
    if (constructor_of(body) == ids::rpc_result) {
      ++answers;
      CHECK(body == write_rpc_result(qid, bytes_of("re:charge card")));
    }
  CHECK(answers == 1);
  // The same outer packet again is a replay: dropped.
  auto ev = dc.send(qid, 1, q);
  REQUIRE(of_type<Dropped>(ev).size() == 1);
  CHECK(of_type<Dropped>(ev)[0].reason == DropReason::duplicate_msg_id);
}

TEST_CASE("server: unknown auth key, msgs_state_req, get_future_salts, rpc_drop_answer", "[server]") {
  Dc dc;
  MessageHeader h{kSalt, 1, dc.id_at(1s), 1};
  mtjson::crypto::ReplayRandom r;
  auto ev = dc.p.server.on_packet(encrypt_packet(other_key(), Side::client, h, bytes_of("x"), r), dc.p.now);
  REQUIRE(of_type<UnknownAuthKey>(ev).size() == 1);
  CHECK(of_type<UnknownAuthKey>(ev)[0].auth_key_id == other_key().id);

  dc.p.app = nullptr;
  const std::uint64_t q = dc.id_at(2s);
  dc.send(q, 1, bytes_of("slow"));
  dc.replies();
  const std::uint64_t asked[] = {q, q - 400, dc.id_at(20s)};
  const std::uint64_t sr = dc.id_at(3s);
  dc.send(sr, 2, write_long_vector_message(ids::msgs_state_req, asked));
  bool info = false;
  for (auto& [id, body] : dc.replies()) {
    if (constructor_of(body) != ids::msgs_state_info) continue;
    info = true;
    const std::uint8_t expect[] = {msg_state::received | msg_state::acked | msg_state::rpc_processing_or_done,
                                   msg_state::not_received, msg_state::not_received_too_high};
    CHECK(body == write_msgs_state_info(sr, expect));
  }
  CHECK(info);

  dc.send(dc.id_at(4s), 4, write_get_future_salts(5));
  bool salts = false;
  for (auto& [id, body] : dc.replies())
    if (constructor_of(body) == ids::future_salts) {
      salts = true;
      mtjson::tl::WireReader rd(body);
      rd.read_u32();
      rd.read_u64();
      CHECK(rd.read_i32() == to_unix_seconds(t0()));
      CHECK(rd.read_u32() == 1);
    }
  CHECK(salts);

  // Answered but not yet acked -> rpc_answer_dropped with the answer's msg_id.
  dc.p.server.reply(q, bytes_of("big answer"), dc.p.now);
  std::uint64_t answer_id = 0;
  for (auto& [id, body] : dc.replies())
    if (constructor_of(body) == ids::rpc_result) answer_id = id;
  REQUIRE(answer_id != 0);
  const std::uint64_t da = dc.id_at(5s);
  dc.send(da, 5, write_rpc_drop_answer(q));
  bool dropped = false;
  for (auto& [id, body] : dc.replies()) {
    if (constructor_of(body) != ids::rpc_result) continue;
    mtjson::tl::WireReader rd(body);
    rd.read_u32();
    CHECK(rd.read_u64() == da);
    CHECK(rd.read_u32() == ids::rpc_answer_dropped);
    CHECK(rd.read_u64() == answer_id);
    dropped = true;
  }
  CHECK(dropped);
  // Unknown -> rpc_answer_unknown.
  const std::uint64_t da2 = dc.id_at(6s);
  dc.send(da2, 7, write_rpc_drop_answer(12345));
  bool unknown = false;
  for (auto& [id, body] : dc.replies())
    if (constructor_of(body) == ids::rpc_result)
      unknown = body == write_rpc_result(da2, write_bare_constructor(ids::rpc_answer_unknown));
  CHECK(unknown);
}
