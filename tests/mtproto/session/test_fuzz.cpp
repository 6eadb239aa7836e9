// Random input into both roles: garbage packets, and well-encrypted packets with random contents
// (so the parsers behind the crypto are reached). Nothing may crash or throw (run under ASan too).
#include <catch2/catch.hpp>

#include <random>

#include "pipe.h"

using namespace mtjson::mtproto::session;
using namespace mtjson::mtproto::session::test;

namespace {

Bytes random_body(std::mt19937_64& rng) {
  static const std::uint32_t ctors[] = {ids::rpc_result, ids::msg_container, ids::gzip_packed, ids::msgs_ack,
                                        ids::bad_server_salt, ids::bad_msg_notification, ids::new_session_created,
                                        ids::pong, ids::future_salts, ids::msg_detailed_info, ids::msgs_state_req,
                                        ids::msgs_state_info, ids::msgs_all_info, ids::msg_resend_req,
                                        ids::destroy_session_ok, ids::ping, ids::get_future_salts,
                                        ids::rpc_drop_answer, ids::destroy_session, ids::msg_new_detailed_info};
  Bytes b(4 * (1 + rng() % 40));
  for (auto& x : b) x = static_cast<std::uint8_t>(rng());
  const std::uint32_t c = ctors[rng() % std::size(ctors)];
  for (int i = 0; i < 4; ++i) b[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(c >> (8 * i));
  if (b.size() >= 12 && rng() % 2) {  // plausible vector / count fields
    b[4] = 0x15; b[5] = 0xc4; b[6] = 0xb5; b[7] = 0x1c;
    b[8] = static_cast<std::uint8_t>(rng() % 4); b[9] = b[10] = b[11] = 0;
  }
  return b;
}

}  // namespace

TEST_CASE("random bytes into both roles do not crash", "[fuzz]") {
  Pipe p;
  p.query("live", 1);
  p.run(2);
  std::mt19937_64 rng(777);
  for (int i = 0; i < 3000; ++i) {
    Bytes junk(rng() % 300);
    for (auto& x : junk) x = static_cast<std::uint8_t>(rng());
    if (junk.size() >= 8 && rng() % 2) {  // the right auth_key_id, to get past the first check
      for (int k = 0; k < 8; ++k) junk[static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(p.key.id >> (8 * k));
    }
    CHECK_NOTHROW(p.client.on_packet(junk, p.now));
    CHECK_NOTHROW(p.server.on_packet(junk, p.now));
  }
  CHECK(p.client.dropped_count() > 0);
}

TEST_CASE("well-encrypted random service messages into both roles do not crash", "[fuzz]") {
  Pipe p;
  p.query("live", 1);
  p.run(2);
  std::mt19937_64 rng(4242);
  mtjson::crypto::ReplayRandom r;
  for (int i = 0; i < 3000; ++i) {
    Bytes body = random_body(rng);
    if (rng() % 3 == 0) {  // wrap in a container with 1..3 messages
      std::vector<Bytes> parts{body, random_body(rng)};
      std::vector<OutMessage> msgs;
      const std::uint64_t base = raw_msg_id(p.now) + 4 * (rng() % 1000);
      for (std::size_t k = 0; k < parts.size(); ++k)
        msgs.push_back(OutMessage{base + 4 * k + (rng() % 2), static_cast<std::uint32_t>(rng() % 8), parts[k]});
      body = write_container(msgs);
    }
    const std::uint64_t id = raw_msg_id(p.now) + 4 * (rng() % 4096) + 4096;
    MessageHeader to_client{kSalt, p.client.session_id(), id | 1, static_cast<std::uint32_t>(rng() % 16)};
    MessageHeader to_server{kSalt, p.server.session_id(), id & ~std::uint64_t{3}, static_cast<std::uint32_t>(rng() % 16)};
    CHECK_NOTHROW(p.client.on_packet(encrypt_packet(p.key, Side::server, to_client, body, r), p.now));
    CHECK_NOTHROW(p.server.on_packet(encrypt_packet(p.key, Side::client, to_server, body, r), p.now));
    if (i % 100 == 0) {
      CHECK_NOTHROW(p.drain_client());
      CHECK_NOTHROW(p.drain_server());
    }
  }
  // Both still work afterwards.
  p.client.on_reconnect(p.now);
  p.server.on_reconnect(p.now);
  p.query("still alive", 2);
  p.app = [&](const Query& q) { p.server.reply(q.msg_id, bytes_of("yes"), p.now); };
  p.run(4);
  // Delivery may be disturbed by the noise (e.g. an injected salt), but never doubled.
  CHECK(p.results_for(2) <= 1);
}
