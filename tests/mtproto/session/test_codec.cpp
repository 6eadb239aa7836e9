#include <catch2/catch.hpp>

#include <random>

#include "mtproto/session/ids.h"
#include "mtproto/session/service_codec.h"
#include "tl/gzip.h"
#include "tl/wire_writer.h"
#include "test_util.h"

using namespace mtjson;
using namespace mtjson::mtproto::session;
using namespace mtjson::mtproto::session::test;

TEST_CASE("service message layouts", "[codec]") {
  // rpc_result of the vector's case2 body: the known bytes.
  const Bytes body2 = vec("case2_server_to_client", "message_body");
  const Bytes inner(body2.begin() + 12, body2.end());
  CHECK(write_rpc_result(le64(vec("case1_client_to_server", "msg_id")), inner) == body2);
  CHECK(write_ping(0x0102030405060708ull) == hex("EC77BE7A0807060504030201"));
  const std::uint64_t two[] = {1, 2};
  CHECK(write_long_vector_message(ids::msgs_ack, two) ==
        hex("59B4D66215C4B51C0200000001000000000000000200000000000000"));
  CHECK(write_bad_server_salt(5, 7, 9) ==
        hex("7B44ABED0500000000000000070000003000000009000000" "00000000"));
  CHECK(write_rpc_error(420, "FLOOD") == hex("19CA4421A4010000" "05464C4F4F4400" "00"));
}

TEST_CASE("container round trip keeps every inner msg_id and seqno", "[codec][container]") {
  const Bytes a = {1, 2, 3, 4}, b = {5, 6, 7, 8, 9, 10, 11, 12};
  const OutMessage msgs[] = {{100, 1, a}, {104, 3, b}, {108, 4, a}};
  const Bytes c = write_container(msgs);
  auto parsed = parse_container(c);
  REQUIRE(parsed);
  const std::vector<InnerMessage>& out = *parsed;
  REQUIRE(out.size() == 3);
  CHECK(out[0].msg_id == 100);
  CHECK(out[1].msg_id == 104);
  CHECK(out[1].seq_no == 3);
  CHECK(Bytes(out[1].body.begin(), out[1].body.end()) == b);
  CHECK(out[2].seq_no == 4);
}

TEST_CASE("container parse errors name what is wrong", "[codec][container]") {
  const Bytes a = {1, 2, 3, 4};
  const OutMessage msgs[] = {{100, 1, a}};
  Bytes c = write_container(msgs);

  Bytes truncated(c.begin(), c.end() - 2);
  auto truncated_parsed = parse_container(truncated);
  CHECK_FALSE(truncated_parsed);
  CHECK(truncated_parsed.message().find("truncated") != std::string::npos);

  Bytes odd_len = c;
  odd_len[8 + 12] = 3;  // bytes = 3
  auto odd_len_parsed = parse_container(odd_len);
  CHECK_FALSE(odd_len_parsed);
  CHECK(odd_len_parsed.message() == "msg_container: message 0 has a bad length 3");

  Bytes trailing = c;
  trailing.insert(trailing.end(), {0, 0, 0, 0});
  auto trailing_parsed = parse_container(trailing);
  CHECK_FALSE(trailing_parsed);
  CHECK(trailing_parsed.message() == "msg_container: trailing bytes");

  Bytes huge;
  tl::WireWriter w(huge);
  w.write_u32(ids::msg_container);
  w.write_u32(1025);
  auto huge_parsed = parse_container(huge);
  CHECK_FALSE(huge_parsed);
  CHECK(huge_parsed.message() == "msg_container: more than 1024 messages");

  auto a_parsed = parse_container(a);
  CHECK_FALSE(a_parsed);
  CHECK(a_parsed.message() == "not a msg_container");
}

TEST_CASE("gzip_packed: unpack with a size cap; maybe_gzip only when it pays", "[codec][gzip]") {
  Bytes big(4000, 'a');
  auto packed = maybe_gzip(big, 512);
  REQUIRE(packed.has_value());
  CHECK(constructor_of(*packed) == ids::gzip_packed);
  auto out = unpack_gzip(*packed, 1 << 20);
  REQUIRE(out);
  CHECK(*out == big);
  auto capped = unpack_gzip(*packed, 100);  // the bomb guard
  CHECK_FALSE(capped);
  CHECK(capped.message().rfind("gzip_packed: ", 0) == 0);
  CHECK_FALSE(maybe_gzip(Bytes(100, 'a'), 512).has_value());  // small: sent as is
  Bytes noise(2000);
  std::mt19937 rng(1);
  for (auto& x : noise) x = static_cast<std::uint8_t>(rng());
  CHECK_FALSE(maybe_gzip(noise, 512).has_value());  // incompressible: sent as is
  Bytes corrupt = *packed;
  corrupt[20] ^= 0xff;
  CHECK_FALSE(unpack_gzip(corrupt, 1 << 20));
}

TEST_CASE("Vector<long> reader refuses more than 8192 ids or a short buffer", "[codec]") {
  Bytes b;
  tl::WireWriter w(b);
  w.write_u32(ids::vector);
  w.write_u32(8193);
  tl::WireReader r(b);
  CHECK(read_long_vector(r).empty());
  CHECK(r.failed());
  Bytes c;
  tl::WireWriter w2(c);
  w2.write_u32(ids::vector);
  w2.write_u32(3);
  w2.write_u64(1);
  tl::WireReader r2(c);
  read_long_vector(r2);
  CHECK(r2.failed());
}
