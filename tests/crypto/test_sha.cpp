#include <catch2/catch.hpp>
#include <string_view>

#include "crypto/sha.h"
#include "test_util.h"

using namespace mtjson::crypto;
using namespace mtjson::crypto::test;

namespace {
std::span<const std::uint8_t> str(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
}  // namespace

TEST_CASE("sha1 and sha256 known answers (FIPS 180 'abc' and empty)", "[sha]") {
  CHECK(to_hex(sha1(str("abc"))) == "A9993E364706816ABA3E25717850C26C9CD0D89D");
  CHECK(to_hex(sha256(str("abc"))) == "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  CHECK(to_hex(sha256(str(""))) == "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
  CHECK(to_hex(sha1(str(""))) == "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
}

TEST_CASE("incremental and multi-part hashing equal one-shot; objects reusable after finish", "[sha]") {
  Bytes data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7 + 3);
  auto part1 = std::span<const std::uint8_t>(data).first(333);
  auto part2 = std::span<const std::uint8_t>(data).subspan(333);

  Sha256 h256;
  h256.update(part1).update(part2);
  CHECK(h256.finish() == sha256(data));
  h256.update(data);  // reset by finish()
  CHECK(h256.finish() == sha256(data));
  CHECK(sha256({part1, part2}) == sha256(data));

  Sha1 h1;
  h1.update(part1).update(part2);
  CHECK(h1.finish() == sha1(data));
  CHECK(sha1({part1, part2}) == sha1(data));

  Sha256 moved = std::move(h256);
  moved.update(str("abc"));
  CHECK(to_hex(moved.finish()) == "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
}

TEST_CASE("hmac_sha256 RFC 4231 test cases 1, 2 and 6 (key longer than a block)", "[sha][hmac]") {
  Bytes key1(20, 0x0b);
  CHECK(to_hex(hmac_sha256(key1, str("Hi There"))) ==
        "B0344C61D8DB38535CA8AFCEAF0BF12B881DC200C9833DA726E9376C2E32CFF7");
  CHECK(to_hex(hmac_sha256(str("Jefe"), str("what do ya want for nothing?"))) ==
        "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843");
  Bytes key6(131, 0xaa);
  CHECK(to_hex(hmac_sha256(key6, str("Test Using Larger Than Block-Size Key - Hash Key First"))) ==
        "60E431591EE0B67F0D8A26AACBF5B77F8E0BC6213728C5140546040F0EE37F54");
}
