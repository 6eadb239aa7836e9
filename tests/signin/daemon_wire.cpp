#include "daemon_wire.h"

#include <catch2/catch.hpp>
#include <simdjson.h>

#include <cstdlib>

#include "tl/json_to_tl.h"
#include "tl/schema_loader.h"
#include "tl/tl_to_json.h"

namespace mtjson::signin::test {

std::shared_ptr<const tl::Schema> schema() {
  static std::shared_ptr<const tl::Schema> s = [] {
    const char* root = std::getenv("MTJSON_SOURCE_ROOT");
    std::string dir = root ? root : ".";
    std::shared_ptr<const tl::Schema> out;
    auto st = tl::load_schema_files({dir + "/scheme.tl", dir + "/tl/mtproto.tl"}, out);
    if (!st) FAIL("cannot load the schema: " << st.message());
    return out;
  }();
  return s;
}

namespace {

std::vector<std::uint8_t> encode(const Json& value, const tl::TypeExpr* type) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string text = value.dump();
  REQUIRE_FALSE(parser.parse(text).get(doc));
  tl::JsonToTl enc(schema());
  std::vector<std::uint8_t> bytes;
  Status st = type ? enc.encode(doc, *type, bytes, "result") : enc.encode_boxed(doc, bytes, "result");
  INFO(text);
  INFO(st.message());
  REQUIRE(st.ok());
  return bytes;
}

}  // namespace

std::string answer(std::int64_t id, const std::string& method, const Json& result) {
  const tl::Combinator* m = schema()->by_name(method);
  REQUIRE(m != nullptr);
  REQUIRE(m->is_function);
  auto bytes = encode(result, &m->result);
  std::string decoded;
  tl::TlToJson dec(schema());
  auto st = dec.decode_result(bytes, *m, decoded);
  INFO(st.message());
  REQUIRE(st.ok());
  return "{\"id\":" + std::to_string(id) + ",\"message\":" + decoded + "}";
}

std::string rpc_error(std::int64_t id, int code, const std::string& message) {
  auto bytes = encode(Json{{"_cons", "rpc_error"}, {"error_code", code}, {"error_message", message}}, nullptr);
  std::string decoded;
  tl::TlToJson dec(schema());
  auto st = dec.decode_boxed(bytes, decoded);
  REQUIRE(st.ok());
  return "{\"id\":" + std::to_string(id) + ",\"message\":" + decoded + "}";
}

Request parse_request(const std::string& line) {
  INFO(line);
  Request r;
  REQUIRE(line.find('\n') == std::string::npos);
  r.line = Json::parse(line, nullptr, false);
  REQUIRE(r.line.is_object());
  REQUIRE(r.line.contains("id"));
  REQUIRE(r.line.at("id").is_number_integer());
  r.id = r.line.at("id").get<std::int64_t>();
  if (!r.line.contains("message")) return r;

  // The daemon turns "message" into a TL call with JsonToTl: it must encode.
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string text = r.line.at("message").dump();
  REQUIRE_FALSE(parser.parse(text).get(doc));
  tl::JsonToTl enc(schema());
  std::vector<std::uint8_t> bytes;
  const tl::Combinator* method = nullptr;
  auto st = enc.encode_function(doc, bytes, &method, "message");
  INFO(st.message());
  REQUIRE(st.ok());

  r.method = r.line.at("message");
  for (;;) {
    const std::string cons = r.method.value("_cons", "");
    if (cons == "invokeWithLayer") r.layer = r.method.at("layer").get<int>();
    else if (cons == "initConnection") r.init_connection = true;
    else break;
    Json inner = r.method.at("query");
    r.method = std::move(inner);
  }
  return r;
}

}  // namespace mtjson::signin::test
