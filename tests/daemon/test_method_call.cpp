// MethodEncoder (src/daemon/front/method_call.h) and build_init_prefix
// (src/daemon/account/init_connection.h) with the real schema (scheme.tl + tl/mtproto.tl).
#include <catch2/catch.hpp>

#include <simdjson.h>

#include "daemon/account/init_connection.h"
#include "daemon/front/method_call.h"
#include "daemon_test_util.h"

using namespace mtjson;
using namespace mtjson::daemon;
using mtjson::daemon::test::api_schema;
using Bytes = std::vector<std::uint8_t>;

namespace {

// Keeps the parser alive with the element.
struct Doc {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit Doc(const std::string& text) {
    if (parser.parse(text).get(root)) throw std::runtime_error("bad test JSON: " + text);
  }
};

mtjson::Status encode(const std::string& text, MethodCall& out) {
  Doc d(text);
  MethodEncoder enc(api_schema());
  return enc.encode(d.root, out);
}

// The plain encoding of a function call (no splitting), for comparison.
Bytes plain(const std::string& text) {
  Doc d(text);
  tl::JsonToTl enc(api_schema());
  Bytes out;
  const tl::Combinator* m = nullptr;
  auto st = enc.encode_function(d.root, out, &m);
  if (!st) throw std::runtime_error(st.message());
  return out;
}

Bytes le32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 24)};
}

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const std::string kHistory =
    R"({"_cons":"messages.getHistory","peer":{"_cons":"inputPeerSelf"},"offset_id":0,"offset_date":0,)"
    R"("add_offset":0,"limit":10,"max_id":0,"min_id":0,"hash":0})";

std::string init_connection(const std::string& query, int api_id = 12345) {
  return R"({"_cons":"initConnection","api_id":)" + std::to_string(api_id) +
         R"(,"device_model":"mtjson","system_version":"Linux","app_version":"0.1.0",)"
         R"("system_lang_code":"en","lang_pack":"","lang_code":"en","query":)" +
         query + "}";
}

std::string with_layer(const std::string& query, int layer) {
  return R"({"_cons":"invokeWithLayer","layer":)" + std::to_string(layer) + R"(,"query":)" + query + "}";
}

}  // namespace

TEST_CASE("method call: a plain method", "[daemon][method_call]") {
  MethodCall c;
  REQUIRE(encode(kHistory, c));
  REQUIRE(c.method);
  CHECK(c.method->name == "messages.getHistory");
  CHECK(c.method->is_function);
  CHECK(c.query == plain(kHistory));
  CHECK(!c.init_prefix);

  REQUIRE(encode(R"({"_cons":"help.getConfig"})", c));
  CHECK(c.method->name == "help.getConfig");
  CHECK(c.query == le32(0xc4f9186b));
}

TEST_CASE("method call: the innermost method is found through generic wrappers", "[daemon][method_call]") {
  const int layer = api_schema()->layer();
  struct Case {
    std::string json;
    std::string method;
  };
  for (const Case& k : {
           Case{R"({"_cons":"invokeWithoutUpdates","query":)" + kHistory + "}", "messages.getHistory"},
           Case{with_layer(R"({"_cons":"help.getNearestDc"})", layer), "help.getNearestDc"},
           Case{R"({"_cons":"invokeAfterMsg","msg_id":1,"query":{"_cons":"invokeWithoutUpdates","query":)" +
                    kHistory + "}}",
                "messages.getHistory"},
           Case{R"({"_cons":"invokeWithoutUpdates","query":)" + init_connection(R"({"_cons":"help.getConfig"})") + "}",
                "help.getConfig"},
       }) {
    INFO(k.json);
    MethodCall c;
    REQUIRE(encode(k.json, c));
    REQUIRE(c.method);
    CHECK(c.method->name == k.method);
    CHECK(c.query == plain(k.json));  // not a client init wrapper: the whole call is the query
    CHECK(!c.init_prefix);
  }
}

TEST_CASE("method call: the client's invokeWithLayer(initConnection(X)) splits into prefix + X",
          "[daemon][method_call]") {
  const int layer = api_schema()->layer();
  SECTION("a method with fields") {
    const std::string call = with_layer(init_connection(kHistory), layer);
    MethodCall c;
    REQUIRE(encode(call, c));
    CHECK(c.method->name == "messages.getHistory");
    REQUIRE(c.init_prefix);
    CHECK(c.query == plain(kHistory));
    CHECK(concat(*c.init_prefix, c.query) == plain(call));
    // The prefix starts with invokeWithLayer's id and the layer, then initConnection's id.
    REQUIRE(c.init_prefix->size() > 12);
    CHECK(Bytes(c.init_prefix->begin(), c.init_prefix->begin() + 4) == le32(0xda9b0d0d));
    CHECK(Bytes(c.init_prefix->begin() + 4, c.init_prefix->begin() + 8) == le32(static_cast<std::uint32_t>(layer)));
    CHECK(Bytes(c.init_prefix->begin() + 8, c.init_prefix->begin() + 12) == le32(0xc1cd5ea9));

    // The same wrapper as the daemon builds it from InitParams: byte for byte.
    InitParams p;
    p.api_id = 12345;
    Bytes built;
    REQUIRE(build_init_prefix(api_schema(), p, built));
    CHECK(built == *c.init_prefix);
  }
  SECTION("a method without fields (its 4-byte id)") {
    const std::string call = with_layer(init_connection(R"({"_cons":"help.getConfig"})"), layer);
    MethodCall c;
    REQUIRE(encode(call, c));
    CHECK(c.method->name == "help.getConfig");
    REQUIRE(c.init_prefix);
    CHECK(c.query == le32(0xc4f9186b));
    CHECK(concat(*c.init_prefix, c.query) == plain(call));
  }
  SECTION("a wrapper inside: X keeps it, the method is the innermost") {
    const std::string inner = R"({"_cons":"invokeWithoutUpdates","query":)" + kHistory + "}";
    const std::string call = with_layer(init_connection(inner), layer);
    MethodCall c;
    REQUIRE(encode(call, c));
    CHECK(c.method->name == "messages.getHistory");
    REQUIRE(c.init_prefix);
    CHECK(c.query == plain(inner));
    CHECK(concat(*c.init_prefix, c.query) == plain(call));
  }
  SECTION("another layer number is kept as the client wrote it") {
    const std::string call = with_layer(init_connection(kHistory), 144);
    MethodCall c;
    REQUIRE(encode(call, c));
    REQUIRE(c.init_prefix);
    CHECK(Bytes(c.init_prefix->begin() + 4, c.init_prefix->begin() + 8) == le32(144));
    CHECK(concat(*c.init_prefix, c.query) == plain(call));
  }
}

TEST_CASE("method call: a constructor is not a method", "[daemon][method_call]") {
  MethodCall c;
  auto st = encode(R"({"_cons":"inputPeerSelf"})", c);
  REQUIRE(!st);
  INFO(st.message());
  CHECK(st.message().find("inputPeerSelf") != std::string::npos);

  auto wrapped = encode(R"({"_cons":"invokeWithoutUpdates","query":{"_cons":"inputPeerSelf"}})", c);
  REQUIRE(!wrapped);
  INFO(wrapped.message());
  CHECK(wrapped.message().find("inputPeerSelf") != std::string::npos);
  CHECK(!c.method);
}

TEST_CASE("method call: errors name the field path", "[daemon][method_call]") {
  struct Case {
    std::string json;
    std::string path;  // must appear in the message
  };
  const int layer = api_schema()->layer();
  for (const Case& k : {
           Case{R"({"_cons":"messages.getHistory","peer":{"_cons":"inputPeerSelf"}})", "message.offset_id"},
           Case{R"({"_cons":"messages.getHistory","peer":{"_cons":"noSuchPeer"},"offset_id":0,"offset_date":0,)"
                R"("add_offset":0,"limit":10,"max_id":0,"min_id":0,"hash":0})",
                "message.peer"},
           Case{R"({"_cons":"messages.getHistory","peer":{"_cons":"inputPeerSelf"},"offset_id":"x","offset_date":0,)"
                R"("add_offset":0,"limit":10,"max_id":0,"min_id":0,"hash":0})",
                "message.offset_id"},
           Case{R"({"_cons":"noSuchMethod"})", "noSuchMethod"},
           Case{R"({"peer":1})", "message"},
           Case{R"({"_cons":"invokeWithoutUpdates","query":{"_cons":"messages.getHistory","limit":"ten"}})",
                "message.query.peer"},
           Case{with_layer(init_connection(R"({"_cons":"messages.getHistory","limit":"ten"})"), layer),
                "message.query.query.peer"},
       }) {
    INFO(k.json);
    MethodCall c;
    auto st = encode(k.json, c);
    REQUIRE(!st);
    INFO(st.message());
    CHECK(st.message().find(k.path) != std::string::npos);
  }
}

TEST_CASE("init connection: the prefix for the schema's layer", "[daemon][init_connection]") {
  InitParams p;
  p.api_id = 94575;
  p.device_model = "Test Box";
  p.app_version = "9.9";
  p.lang_code = "de";
  Bytes prefix;
  REQUIRE(build_init_prefix(api_schema(), p, prefix));
  const int layer = api_schema()->layer();
  CHECK(layer >= 200);
  // prefix + any query == invokeWithLayer(layer, initConnection(params, query)).
  const std::string call =
      with_layer(R"({"_cons":"initConnection","api_id":94575,"device_model":"Test Box","system_version":"Linux",)"
                 R"("app_version":"9.9","system_lang_code":"en","lang_pack":"","lang_code":"de","query":)" +
                     kHistory + "}",
                 layer);
  CHECK(concat(prefix, plain(kHistory)) == plain(call));
  CHECK(Bytes(prefix.begin(), prefix.begin() + 4) == le32(0xda9b0d0d));
  CHECK(Bytes(prefix.begin() + 8, prefix.begin() + 12) == le32(0xc1cd5ea9));
  // flags (after initConnection's id): no proxy, no params.
  CHECK(Bytes(prefix.begin() + 12, prefix.begin() + 16) == le32(0));
  CHECK(Bytes(prefix.begin() + 16, prefix.begin() + 20) == le32(94575));

  // Different parameters, different prefix; the call still splits the same way.
  InitParams q = p;
  q.device_model = "Other";
  Bytes other;
  REQUIRE(build_init_prefix(api_schema(), q, other));
  CHECK(other != prefix);
}

TEST_CASE("method call: wrapped_query_field", "[daemon][method_call]") {
  auto s = api_schema();
  for (const char* w : {"invokeWithLayer", "initConnection", "invokeWithoutUpdates", "invokeAfterMsg"}) {
    INFO(w);
    const tl::Combinator* c = s->by_name(w);
    REQUIRE(c);
    const tl::Field* f = wrapped_query_field(*c);
    REQUIRE(f);
    CHECK(f->name == "query");
  }
  for (const char* m : {"messages.getHistory", "help.getConfig", "inputPeerSelf"}) {
    INFO(m);
    const tl::Combinator* c = s->by_name(m);
    REQUIRE(c);
    CHECK(!wrapped_query_field(*c));
  }
}
