// Byte order helpers: little-endian for TL and MTProto integers, big-endian for TLS and proxies.
#include <catch2/catch.hpp>

#include <array>
#include <vector>

#include "base/bytes.h"

TEST_CASE("little-endian loads and stores", "[bytes]") {
  const std::array<std::uint8_t, 8> b{1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(mtjson::load_le16(b.data()) == 0x0201);
  CHECK(mtjson::load_le24(b.data()) == 0x030201u);
  CHECK(mtjson::load_le32(b) == 0x04030201u);
  CHECK(mtjson::load_le64(b) == 0x0807060504030201ull);

  std::array<std::uint8_t, 8> out{};
  mtjson::store_le64(out.data(), 0x0807060504030201ull);
  CHECK(out == b);
  out.fill(0);
  mtjson::store_le32(out.data() + 4, 0x08070605u);
  mtjson::store_le24(out.data() + 1, 0x040302u);
  mtjson::store_le16(std::span(out), 0x0201);  // only the first two bytes
  CHECK(out == std::array<std::uint8_t, 8>{1, 2, 3, 4, 5, 6, 7, 8});

  std::vector<std::uint8_t> v;
  mtjson::append_le32(v, 0x04030201u);
  mtjson::append_le64(v, 0x0c0b0a0908070605ull);
  CHECK(v == std::vector<std::uint8_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
}

TEST_CASE("big-endian loads and stores", "[bytes]") {
  const std::array<std::uint8_t, 4> b{0x12, 0x34, 0x56, 0x78};
  CHECK(mtjson::load_be16(b.data()) == 0x1234);
  CHECK(mtjson::load_be32(b) == 0x12345678u);
  std::vector<std::uint8_t> v;
  mtjson::append_be16(v, 0x1234);
  mtjson::append_be32(v, 0x12345678u);
  CHECK(v == std::vector<std::uint8_t>{0x12, 0x34, 0x12, 0x34, 0x56, 0x78});
  std::array<std::uint8_t, 2> s{};
  mtjson::store_be16(s.data(), 0xabcd);
  CHECK(s == std::array<std::uint8_t, 2>{0xab, 0xcd});
}
