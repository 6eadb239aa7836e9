// base64 (RFC 4648): the one encoder/decoder of the code base.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "base/base64.h"

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace

TEST_CASE("base64 encodes with the standard alphabet and padding", "[base64]") {
  CHECK(mtjson::base64_encode(bytes_of("")) == "");
  CHECK(mtjson::base64_encode(bytes_of("f")) == "Zg==");
  CHECK(mtjson::base64_encode(bytes_of("fo")) == "Zm8=");
  CHECK(mtjson::base64_encode(bytes_of("foo")) == "Zm9v");
  CHECK(mtjson::base64_encode(bytes_of("foobar")) == "Zm9vYmFy");
  CHECK(mtjson::base64_encode(std::vector<std::uint8_t>{0xfb, 0xff}) == "+/8=");
  std::string appended = "x:";
  mtjson::base64_encode(bytes_of("fo"), appended);
  CHECK(appended == "x:Zm8=");
}

TEST_CASE("base64 decodes standard and URL-safe, padded or not", "[base64]") {
  const std::vector<std::uint8_t> want{0xfb, 0xff};
  for (const char* text : {"+/8=", "+/8", "-_8=", "-_8"}) {
    INFO(text);
    auto r = mtjson::base64_decode(text);
    REQUIRE(r.ok());
    CHECK(*r == want);
  }
  auto empty = mtjson::base64_decode("");
  REQUIRE(empty.ok());
  CHECK(empty->empty());
}

TEST_CASE("base64 decoding errors say what is wrong", "[base64]") {
  CHECK(mtjson::base64_decode("Zm9v!A").message() == "bad base64: invalid character at position 4");
  CHECK(mtjson::base64_decode("Z").message() == "bad base64: length 1 cannot encode whole bytes");
  CHECK(mtjson::base64_decode("Zm9=").message().empty());
  CHECK(mtjson::base64_decode("Zm=").message() == "bad base64: padding does not complete a 4-character group");

  std::vector<std::uint8_t> buffer{1, 2, 3};
  CHECK_FALSE(mtjson::base64_decode_into("@@@@", buffer).ok());
  CHECK(buffer.empty());
  REQUIRE(mtjson::base64_decode_into("Zm8=", buffer).ok());
  CHECK(buffer == bytes_of("fo"));
}
