// obfuscated2: the case3 known answer (header + first packet), both roles, MTProxy secrets,
// forbidden first bytes, rejection of a wrong secret.
#include <catch2/catch.hpp>

#include "test_util.h"
#include "transport/obfuscated2.h"

using namespace mtjson;
using namespace mtjson::transport;
using namespace mtjson::transport::test;

namespace {
const char* kCase = "case3_obfuscated2_header";

std::span<const std::uint8_t, 64> first64(const std::vector<std::uint8_t>& v) {
  return std::span<const std::uint8_t, 64>(v.data(), 64);
}
}  // namespace

TEST_CASE("obfuscated2: case3 header and first packet are byte-exact", "[obfuscated2][vectors]") {
  crypto::ReplayRandom rng(vec(kCase, "init_random_64"));
  auto init = make_obfuscated2_client_init(Mode::intermediate, std::nullopt, {}, rng);
  REQUIRE(init);
  CHECK_FALSE(rng.exhausted());
  CHECK(hex(init->header) == hex(vec(kCase, "header_sent_first_64_bytes")));

  const auto keys = derive_obfuscated2_keys(first64(vec(kCase, "init_with_tag")), {});
  CHECK(hex(keys.encrypt_key) == hex(vec(kCase, "encrypt_key")));
  CHECK(hex(keys.encrypt_iv) == hex(vec(kCase, "encrypt_iv")));
  CHECK(hex(keys.decrypt_key) == hex(vec(kCase, "decrypt_key")));
  CHECK(hex(keys.decrypt_iv) == hex(vec(kCase, "decrypt_iv")));

  auto packet = vec(kCase, "first_packet_plain_intermediate");
  init->cipher.encrypt(packet);
  CHECK(hex(packet) == hex(vec(kCase, "first_packet_on_wire")));
}

TEST_CASE("obfuscated2: the server reads case3", "[obfuscated2][vectors]") {
  const auto header = vec(kCase, "header_sent_first_64_bytes");
  const std::span<const std::uint8_t> none;
  auto accept = accept_obfuscated2_init(first64(header), std::span(&none, 1));
  REQUIRE(accept);
  CHECK(accept->mode == Mode::intermediate);
  CHECK(accept->secret_index == -1);
  auto packet = vec(kCase, "first_packet_on_wire");
  accept->cipher.decrypt(packet);
  CHECK(hex(packet) == hex(vec(kCase, "first_packet_plain_intermediate")));
}

TEST_CASE("obfuscated2: both directions with an MTProxy secret and a dc id", "[obfuscated2]") {
  SeededRandom rng(11);
  const auto secret = unhex("0123456789ABCDEF0123456789ABCDEF");
  const auto wrong = unhex("FFEEDDCCBBAA99887766554433221100");
  for (Mode mode : {Mode::abridged, Mode::intermediate, Mode::padded_intermediate}) {
    for (std::int16_t dc : {2, -4, 10002}) {
      INFO(mode_name(mode) << " dc " << dc);
      auto client = make_obfuscated2_client_init(mode, dc, secret, rng);
      REQUIRE(client);
      CHECK_FALSE(is_forbidden_init(client->header));
      const std::span<const std::uint8_t> candidates[] = {wrong, secret};
      auto accept = accept_obfuscated2_init(client->header, candidates);
      REQUIRE(accept);
      CHECK(accept->mode == mode);
      CHECK(accept->dc_id == dc);
      CHECK(accept->secret_index == 1);

      std::vector<std::uint8_t> up = {1, 2, 3, 4, 5, 6, 7, 8, 9};
      auto wire = up;
      client->cipher.encrypt(wire);
      CHECK(wire != up);
      accept->cipher.decrypt(wire);
      CHECK(wire == up);

      std::vector<std::uint8_t> down(100, 0x5a);
      wire = down;
      accept->cipher.encrypt(wire);
      client->cipher.decrypt(wire);
      CHECK(wire == down);
    }
  }
}

TEST_CASE("obfuscated2: rejections", "[obfuscated2][errors]") {
  SeededRandom rng(12);
  const auto secret = unhex("0123456789ABCDEF0123456789ABCDEF");
  const auto wrong = unhex("FFEEDDCCBBAA99887766554433221100");
  auto client = make_obfuscated2_client_init(Mode::padded_intermediate, 2, secret, rng);
  REQUIRE(client);

  const std::span<const std::uint8_t> only_wrong[] = {wrong};
  auto accept = accept_obfuscated2_init(client->header, only_wrong);
  CHECK_FALSE(accept);
  CHECK(accept.message() == "obfuscated2: no accepted secret yields a known protocol tag");

  const std::span<const std::uint8_t> none[] = {{}};
  accept = accept_obfuscated2_init(client->header, none);
  CHECK_FALSE(accept);
  CHECK(accept.message() == "obfuscated2: unknown protocol tag in the init payload");

  CHECK_FALSE(make_obfuscated2_client_init(Mode::full, std::nullopt, {}, rng));
  CHECK_FALSE(make_obfuscated2_client_init(Mode::intermediate, std::nullopt, unhex("0102"), rng));
}

TEST_CASE("obfuscated2: forbidden first bytes are regenerated", "[obfuscated2]") {
  std::vector<std::uint8_t> first(64, 0x11);
  std::vector<std::uint8_t> bytes;
  auto add = [&](std::vector<std::uint8_t> prefix) {
    auto b = first;
    std::copy(prefix.begin(), prefix.end(), b.begin());
    REQUIRE(is_forbidden_init(first64(b)));
    bytes.insert(bytes.end(), b.begin(), b.end());
  };
  add({0xef});
  add({'P', 'O', 'S', 'T'});
  add({'G', 'E', 'T', ' '});
  add({'H', 'E', 'A', 'D'});
  add({'O', 'P', 'T', 'I'});
  add({0x16, 0x03, 0x01, 0x02});
  add({0xdd, 0xdd, 0xdd, 0xdd});
  add({0xee, 0xee, 0xee, 0xee});
  add({0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0});
  const auto good = first;  // 0x11... is acceptable
  bytes.insert(bytes.end(), good.begin(), good.end());
  crypto::ReplayRandom rng(bytes);
  auto init = make_obfuscated2_client_init(Mode::abridged, std::nullopt, {}, rng);
  REQUIRE(init);
  CHECK(rng.remaining() == 0);
  CHECK_FALSE(rng.exhausted());
  CHECK(std::equal(init->header.begin(), init->header.begin() + 56, good.begin()));
}
