// TL bodies of the handshake: constructor ids against tl/mtproto.tl, byte-exact serialization of
// the sample's messages, parsing back, and rejection of every truncation.
#include <catch2/catch.hpp>

#include <memory>

#include "mtproto/handshake/ids.h"
#include "mtproto/handshake/messages.h"
#include "mtproto/handshake/pq_challenge.h"
#include "crypto/pq.h"
#include "test_util.h"
#include "tl/schema_loader.h"

using namespace mtjson;
using namespace mtjson::mtproto::handshake;
using namespace mtjson::mtproto::handshake::test;

namespace {
Int128 sample_nonce() { return hex_array<16>(to_hex(sample("req_pq_multi.nonce"))); }
Int128 sample_server_nonce() { return hex_array<16>(to_hex(sample("resPQ.server_nonce"))); }
}  // namespace

TEST_CASE("every constructor id constant equals tl/mtproto.tl", "[handshake][ids]") {
  const char* root = std::getenv("MTJSON_SOURCE_ROOT");
  REQUIRE(root);
  std::shared_ptr<const tl::Schema> schema;
  auto st = tl::load_schema_files({std::string(root) + "/tl/mtproto.tl"}, schema);
  REQUIRE(st.ok());
  for (const auto& c : ids::all) {
    INFO(c.name);
    // The schema loader treats `vector` as a built-in and checks its declared id against
    // tl::kVectorId (schema_loader.cpp), so compare with that.
    if (std::string(c.name) == "vector") {
      CHECK(c.id == tl::kVectorId);
      continue;
    }
    const auto* comb = schema->by_name(c.name);
    REQUIRE(comb != nullptr);
    CHECK(comb->id == c.id);
  }
}

TEST_CASE("sample messages serialize byte for byte and parse back", "[handshake][messages]") {
  SECTION("req_pq_multi / req_pq") {
    CHECK(to_hex(serialize(ReqPq{true, sample_nonce()})) == to_hex(sample_body("req_pq_multi")));
    auto m = parse_req_pq(sample_body("req_pq_multi"));
    REQUIRE(m);
    CHECK(m->multi);
    CHECK(m->nonce == sample_nonce());
    auto old = parse_req_pq(serialize(ReqPq{false, sample_nonce()}));
    REQUIRE(old);
    CHECK_FALSE(old->multi);
  }
  SECTION("resPQ") {
    auto m = parse_res_pq(sample_body("resPQ"));
    REQUIRE(m);
    CHECK(m->nonce == sample_nonce());
    CHECK(m->server_nonce == sample_server_nonce());
    CHECK(to_hex(m->pq) == to_hex(sample("pq")));
    REQUIRE(m->fingerprints.size() == 3);
    CHECK(m->fingerprints[2] == le64(sample("resPQ.server_public_key_fingerprints[2]")));
    CHECK(to_hex(serialize(*m)) == to_hex(sample_body("resPQ")));
  }
  SECTION("p_q_inner_data_dc") {
    auto m = parse_p_q_inner_data(sample("p_q_inner_data_dc.payload"));
    REQUIRE(m);
    CHECK(m->has_dc);
    CHECK_FALSE(m->temp);
    CHECK(m->dc == 2);
    CHECK(to_hex(m->new_nonce) == to_hex(sample("new_nonce")));
    CHECK(to_hex(serialize(*m)) == to_hex(sample("p_q_inner_data_dc.payload")));
    // With trailing RSA padding: consumed tells where data ends.
    Bytes padded = sample("p_q_inner_data_dc.payload");
    Bytes pad = sample("rsa_pad.random_padding_bytes");
    padded.insert(padded.end(), pad.begin(), pad.end());
    std::size_t consumed = 0;
    REQUIRE(parse_p_q_inner_data(padded, &consumed));
    CHECK(consumed == 100);
    CHECK(parse_p_q_inner_data(padded).message() == "p_q_inner_data: 92 trailing bytes");
  }
  SECTION("the four p_q_inner_data variants round-trip") {
    for (bool dc : {false, true}) {
      for (bool temp : {false, true}) {
        PqInnerData d;
        d.has_dc = dc, d.temp = temp, d.pq = {1, 2}, d.p = {1}, d.q = {2}, d.dc = -10003, d.expires_in = 3600;
        auto back = parse_p_q_inner_data(serialize(d));
        REQUIRE(back);
        CHECK(back->has_dc == dc);
        CHECK(back->temp == temp);
        CHECK(back->dc == (dc ? -10003 : 0));
        CHECK(back->expires_in == (temp ? 3600 : 0));
      }
    }
  }
  SECTION("req_DH_params") {
    auto m = parse_req_dh_params(sample_body("req_DH_params"));
    REQUIRE(m);
    CHECK(m->public_key_fingerprint == le64(sample("req_DH_params.public_key_fingerprint")));
    CHECK(to_hex(m->encrypted_data) == to_hex(sample("rsa_pad.encrypted_data")));
    CHECK(to_hex(serialize(*m)) == to_hex(sample_body("req_DH_params")));
  }
  SECTION("server_DH_params_ok and server_DH_inner_data") {
    auto m = parse_server_dh_params(sample_body("server_DH_params_ok"));
    REQUIRE(m);
    CHECK(m->ok);
    CHECK(to_hex(m->encrypted_answer) == to_hex(sample("encrypted_answer")));
    CHECK(to_hex(serialize(*m)) == to_hex(sample_body("server_DH_params_ok")));
    auto inner = parse_server_dh_inner_data(sample("server_DH_inner_data.payload"));
    REQUIRE(inner);
    CHECK(inner->g == 3);
    CHECK(to_hex(inner->dh_prime) == to_hex(sample("dh_prime")));
    CHECK(to_hex(inner->g_a) == to_hex(sample("g_a")));
    CHECK(to_hex(serialize(*inner)) == to_hex(sample("server_DH_inner_data.payload")));
    ServerDhParams f{false, sample_nonce(), sample_server_nonce(), {}, Int128{1, 2, 3}};
    auto back = parse_server_dh_params(serialize(f));
    REQUIRE(back);
    CHECK_FALSE(back->ok);
    CHECK(back->new_nonce_hash == f.new_nonce_hash);
  }
  SECTION("client_DH_inner_data and set_client_DH_params") {
    auto inner = parse_client_dh_inner_data(sample("client_DH_inner_data.payload"));
    REQUIRE(inner);
    CHECK(inner->retry_id == 0);
    CHECK(to_hex(inner->g_b) == to_hex(sample("g_b")));
    CHECK(to_hex(serialize(*inner)) == to_hex(sample("client_DH_inner_data.payload")));
    auto set = parse_set_client_dh_params(sample_body("set_client_DH_params"));
    REQUIRE(set);
    CHECK(to_hex(set->encrypted_data) == to_hex(sample("client_DH_inner_data.encrypted_data")));
    CHECK(to_hex(serialize(*set)) == to_hex(sample_body("set_client_DH_params")));
  }
  SECTION("dh_gen_ok / retry / fail") {
    auto m = parse_dh_gen_answer(sample_body("dh_gen_ok"));
    REQUIRE(m);
    CHECK(m->kind == DhGenAnswer::Kind::ok);
    CHECK(to_hex(m->new_nonce_hash) == to_hex(sample("dh_gen_ok.new_nonce_hash1")));
    CHECK(to_hex(serialize(*m)) == to_hex(sample_body("dh_gen_ok")));
    for (auto k : {DhGenAnswer::Kind::retry, DhGenAnswer::Kind::fail}) {
      DhGenAnswer a = *m;
      a.kind = k;
      auto back = parse_dh_gen_answer(serialize(a));
      REQUIRE(back);
      CHECK(back->kind == k);
    }
  }
}

TEST_CASE("every truncation and a trailing byte of each sample message are rejected", "[handshake][messages]") {
  struct Case {
    const char* body_key;
    std::function<std::string(std::span<const std::uint8_t>)> parse;
  };
  auto msg = [](auto r) { return r ? std::string() : r.message(); };
  const std::vector<Case> cases = {
      {"req_pq_multi", [&](auto b) { return msg(parse_req_pq(b)); }},
      {"resPQ", [&](auto b) { return msg(parse_res_pq(b)); }},
      {"req_DH_params", [&](auto b) { return msg(parse_req_dh_params(b)); }},
      {"server_DH_params_ok", [&](auto b) { return msg(parse_server_dh_params(b)); }},
      {"set_client_DH_params", [&](auto b) { return msg(parse_set_client_dh_params(b)); }},
      {"dh_gen_ok", [&](auto b) { return msg(parse_dh_gen_answer(b)); }},
  };
  for (const auto& c : cases) {
    INFO(c.body_key);
    const Bytes body = sample_body(c.body_key);
    CHECK(c.parse(body).empty());
    for (std::size_t n = 0; n < body.size(); ++n) {
      const std::string err = c.parse(std::span(body).first(n));
      INFO(n);
      const bool rejected = err.find("truncated or malformed at offset") != std::string::npos ||
                            err == "resPQ: fingerprint count beyond the message";
      CHECK(rejected);
    }
    Bytes longer = body;
    longer.push_back(0);
    CHECK(c.parse(longer).find("1 trailing bytes") != std::string::npos);
  }
  CHECK(parse_res_pq(sample_body("req_pq_multi")).message() == "resPQ: unexpected constructor 0xbe7e8ef1");
}

TEST_CASE("resPQ with a huge fingerprint count is rejected before allocating", "[handshake][messages]") {
  Bytes body = sample_body("resPQ");
  body[72 - 20 + 0] = 0xff;  // count field (offset 72 in the payload, 52 in the body)
  body[72 - 20 + 3] = 0x7f;
  CHECK(parse_res_pq(body).message() == "resPQ: fingerprint count beyond the message");
}

TEST_CASE("server pq challenge: two different ~31-bit primes, p < q, pq <= 2^63-1", "[handshake][pq]") {
  SeededRandom random(7);
  for (int i = 0; i < 200; ++i) {
    const PqChallenge c = generate_pq(random);
    CHECK(c.p < c.q);
    CHECK(c.p >= (1u << 30));
    CHECK(c.q < (1ull << 31));
    CHECK(crypto::is_prime_u64(c.p));
    CHECK(crypto::is_prime_u64(c.q));
    CHECK(c.pq == c.p * c.q);
    CHECK(c.pq <= 0x7fffffffffffffffULL);
  }
  // Fed the sample's p and q (little-endian 4-byte draws) it reproduces the sample's pq.
  crypto::ReplayRandom replay;
  Bytes p = sample("p"), q = sample("q");
  replay.push(Bytes(p.rbegin(), p.rend()));
  replay.push(Bytes(q.rbegin(), q.rend()));
  const PqChallenge c = generate_pq(replay);
  CHECK(to_hex(crypto::u64_to_be_bytes(c.pq)) == to_hex(sample("pq")));
}

TEST_CASE("msg_id generator: parity per side, strictly increasing, unixtime in the upper half", "[handshake][plain]") {
  std::int64_t now = 1707425104LL * 1'000'000'000 + 98'397;
  UnixClock clock = [&] { return now; };
  MsgIdGenerator client(crypto::Side::client, clock);
  MsgIdGenerator server(crypto::Side::server, clock);
  std::uint64_t last_c = 0, last_s = 0;
  for (int i = 0; i < 1000; ++i) {
    if (i % 3 == 0) now += 1000;           // sometimes the clock moves
    if (i == 500) now -= 5'000'000'000LL;  // and once it steps back
    const std::uint64_t c = client.next(), s = server.next();
    CHECK(c % 4 == 0);
    CHECK(s % 4 == 1);
    CHECK(c > last_c);
    CHECK(s > last_s);
    CHECK((c >> 32) >= 1707425099u);
    last_c = c, last_s = s;
  }
  CHECK((msg_id_from_unix_ns(1707425104LL * 1'000'000'000) >> 32) == 1707425104u);
  CHECK((msg_id_from_unix_ns(1707425104LL * 1'000'000'000 + 500'000'000) & 0xffffffffu) == 0x80000000u);
}
