// Every constructor and method of every shipped schema, with generated
// values, all optional fields set and none: JSON -> TL -> JSON gives the same
// JSON, and encoding that again gives the same bytes.
#include <catch2/catch.hpp>
#include <simdjson.h>

#include "tl/json_to_tl.h"
#include "tl/tl_to_json.h"
#include "tl_test_support.h"

using namespace mtjson::tl;

namespace {

struct Counts {
  std::size_t objects = 0, failures = 0;
};

void roundtrip_all(const std::string& api_file, Counts& counts) {
  auto schema = test::load(api_file);
  JsonToTl enc(schema);
  TlToJson dec(schema);
  simdjson::dom::parser parser;
  for (bool all_flags : {true, false}) {
    test::JsonGenerator gen(*schema, all_flags ? 1 : 2, all_flags);
    for (const Combinator& c : schema->combinators()) {
      // Not addressable on their own: MTProto's `message` (bare only; the
      // name means the API's) and TDLib's "…Prefix" helpers (their ids are
      // the real invokeWith* wrappers'). gzip_packed needs a real gzip
      // payload: codec_test covers it.
      if (schema->by_name(c.name) != &c || schema->by_id(c.id) != &c || c.id == kGzipPackedId) continue;
      std::string json;
      gen.object(c, json);
      std::vector<std::uint8_t> bytes1, bytes2;
      std::string json2;
      simdjson::dom::element doc;
      ++counts.objects;
      auto fail = [&](const std::string& what) {
        ++counts.failures;
        if (counts.failures < 10) FAIL_CHECK(api_file << " " << c.name << ": " << what << "\n  json: " << json.substr(0, 400));
      };
      if (parser.parse(json).get(doc)) { fail("generator wrote invalid JSON"); continue; }
      mtjson::Status st = enc.encode_boxed(doc, bytes1);
      if (!st) { fail("encode: " + st.message()); continue; }
      st = dec.decode_boxed(bytes1, json2);
      if (!st) { fail("decode: " + st.message()); continue; }
      if (json2 != json) { fail("decoded JSON differs:\n  got:  " + json2.substr(0, 400)); continue; }
      if (parser.parse(json2).get(doc)) { fail("decoder wrote invalid JSON"); continue; }
      st = enc.encode_boxed(doc, bytes2);
      if (!st || bytes2 != bytes1) fail("re-encoding differs");
    }
  }
}

}  // namespace

TEST_CASE("round trip: every combinator of layer 228 + mtproto", "[roundtrip]") {
  Counts counts;
  roundtrip_all("scheme.tl", counts);
  CHECK(counts.failures == 0);
  CHECK(counts.objects > 4800);
}

TEST_CASE("round trip: every combinator of layer 198 + mtproto", "[roundtrip]") {
  Counts counts;
  roundtrip_all("tl/api-198.tl", counts);
  CHECK(counts.failures == 0);
}

TEST_CASE("round trip: every combinator of layer 144 + mtproto", "[roundtrip]") {
  Counts counts;
  roundtrip_all("tl/api-144.tl", counts);
  CHECK(counts.failures == 0);
}
