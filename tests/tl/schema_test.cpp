// Schema parsing: the real files, several schemas side by side, and malformed
// input rejected with file:line and what was expected.
#include <catch2/catch.hpp>

#include "tl/schema_loader.h"
#include "tl_test_support.h"

using namespace mtjson::tl;
using mtjson::tl::test::load;

namespace {
mtjson::Status build(const std::string& text, std::shared_ptr<const Schema>& out) {
  return build_schema({{"test.tl", text}}, out);
}
std::string build_error(const std::string& text) {
  std::shared_ptr<const Schema> s;
  mtjson::Status st = build(text, s);
  REQUIRE_FALSE(st.ok());
  return st.message();
}
}  // namespace

TEST_CASE("the shipped schemas load, with their layers", "[schema]") {
  auto s228 = load("scheme.tl");
  auto s198 = load("tl/api-198.tl");
  auto s144 = load("tl/api-144.tl");
  CHECK(s228->layer() == 228);
  CHECK(s198->layer() == 198);
  CHECK(s144->layer() == 144);
  CHECK(s228->combinators().size() > 2400);

  // Side by side: the same name has a different id per layer.
  CHECK(s228->by_name("messages.sendMessage")->id == 0xfef48f62);
  CHECK(s144->by_name("messages.sendMessage")->id == 0x0d9d75a4);
  CHECK(s144->by_id(0x0d9d75a4)->name == "messages.sendMessage");
  CHECK(s228->by_id(0x0d9d75a4) == nullptr);
  // MTProto service schema is loaded with each.
  for (auto* s : {s228.get(), s198.get(), s144.get()}) {
    CHECK(s->by_name("req_pq_multi")->id == 0xbe7e8ef1);
    CHECK(s->by_name("p_q_inner_data")->id == 0x83c95aec);
    CHECK(s->by_id(0x2144ca19)->name == "rpc_error");
  }
}

TEST_CASE("written ids match the CRC32 of the declaration", "[schema]") {
  auto s = load("scheme.tl");
  // Only TDLib's internal helpers, legacy entries and msg_container deviate.
  for (const auto& w : s->warnings()) {
    bool expected = w.find("Prefix") != std::string::npos || w.find("Legacy") != std::string::npos ||
                    w.find("msg_container") != std::string::npos || w.find("ipPort") != std::string::npos ||
                    w.find("accessPointRule") != std::string::npos ||
                    w.find("help.configSimple") != std::string::npos ||
                    w.find("'message' is also declared") != std::string::npos;
    INFO(w);
    CHECK(expected);
  }
  // Implicit ids are computed: `message` (mtproto.tl) has none written.
  std::shared_ptr<const Schema> t;
  REQUIRE(build("inputPeerUser user_id:long access_hash:long = InputPeer;", t).ok());
  CHECK(t->by_name("inputPeerUser")->id == 0xdde8a54c);
  // flags.N?true fields do not count; bytes counts as string.
  REQUIRE(build("sendMessageTypingAction = SendMessageAction;\n"
                "messages.setTyping flags:# peer:InputPeer top_msg_id:flags.0?int action:SendMessageAction = Bool;\n"
                "boolFalse = Bool; boolTrue = Bool; inputPeerEmpty = InputPeer;", t).ok());
  CHECK(t->by_name("messages.setTyping")->id == 0x58943ee2);
  REQUIRE(build("resPQ#05162463 nonce:int128 server_nonce:int128 pq:bytes server_public_key_fingerprints:Vector<long> = ResPQ;", t).ok());
  CHECK(t->warnings().empty());
  REQUIRE(build("resPQ#05162464 nonce:int128 server_nonce:int128 pq:bytes server_public_key_fingerprints:Vector<long> = ResPQ;", t).ok());
  REQUIRE(t->warnings().size() == 1);
  CHECK(t->warnings()[0] == "test.tl:1: resPQ#05162464, computed #05162463");
}

TEST_CASE("field types are resolved", "[schema]") {
  auto s = load("scheme.tl");
  const Combinator* user = s->by_name("user");
  REQUIRE(user);
  int nat_fields = 0;
  for (const auto& f : user->fields) nat_fields += f.type.kind == TypeExpr::Kind::Nat;
  CHECK(nat_fields == 2);  // flags and flags2
  const Combinator* iwl = s->by_name("invokeWithLayer");
  REQUIRE(iwl->fields.size() == 2);
  CHECK(iwl->fields[1].type.kind == TypeExpr::Kind::TypeParam);
  const Combinator* container = s->by_name("msg_container");
  REQUIRE(container->fields[0].type.kind == TypeExpr::Kind::BareVector);
  const TypeExpr& elem = s->expr(container->fields[0].type.index);
  REQUIRE(elem.kind == TypeExpr::Kind::Bare);
  // The MTProto `message`, not the API one.
  CHECK(s->combinator(elem.index).fields[0].name == "msg_id");
  CHECK(s->by_name("message")->fields[0].name == "flags");
  CHECK(s->type(s->by_name("boolTrue")->type).is_bool);
  TypeExpr t;
  REQUIRE(s->parse_type("Vector<long>", t).ok());
  CHECK(s->type_name(t) == "Vector<long>");
  CHECK_FALSE(s->parse_type("Vector<Nope>", t).ok());
}

TEST_CASE("malformed schema lines fail with file:line and what was expected", "[schema]") {
  CHECK(build_error("a#1 = A;\nb#2 x:int = B\n") == "test.tl:2: expected ';' at the end of the declaration");
  CHECK(build_error("a#xyz = A;") == "test.tl:1: invalid constructor id '#xyz' (expected up to 8 hex digits)");
  CHECK(build_error("\n\na#1 x:int;") == "test.tl:3: expected '=' and a result type in 'a#1 x:int'");
  CHECK(build_error("a#1 x = A;") == "test.tl:1: expected 'name:Type' for an argument, got 'x'");
  CHECK(build_error("a#1 x:flags.0?int = A;") ==
        "test.tl:1: argument 'x' depends on 'flags', which is not an earlier '#' argument");
  CHECK(build_error("a#1 flags:# x:flags.40?int = A;") == "test.tl:1: flag bit must be 0..31 in argument 'x:flags.40?int'");
  CHECK(build_error("a#1 x:Missing = A;") == "test.tl:1: argument 'x': unknown type 'Missing'");
  CHECK(build_error("a#1 q:!X = X;") == "test.tl:1: argument 'q': '!X' does not name a {X:Type} parameter");
  CHECK(build_error("---funcs---\n") == "test.tl:1: unknown section '---funcs---' (expected ---types--- or ---functions---)");
  CHECK(build_error("a#1 = A;\na#2 = A;") == "test.tl:2: 'a' is declared again (first at test.tl:1)");
  CHECK(build_error("a#1 x:Vector<int = A;") == "test.tl:1: argument 'x': unterminated '<' in 'Vector<int'");
  CHECK(build_error("a#1 = ;") == "test.tl:1: expected a result type after '=' in 'a#1 ='");
  CHECK(build_error("/* open") == "test.tl:1: unterminated '/*' comment");

  std::shared_ptr<const Schema> s;
  mtjson::Status st = load_schema_files({"/nonexistent/scheme.tl"}, s);
  CHECK(st.message() == "/nonexistent/scheme.tl: cannot open schema file");
}

TEST_CASE("syntax: comments, sections, multi-line declarations, generics", "[schema]") {
  std::shared_ptr<const Schema> s;
  mtjson::Status st = build(
      "// comment\nint ? = Int;\nvector#1cb5c415 {t:Type} # [ t ] = Vector t;\nint128 4*[ int ] = Int128;\n"
      "boolFalse#bc799737 = Bool;\nboolTrue#997275b5 = Bool; /* block\ncomment */\n"
      "pair#11 a:int\n  b:long = Pair;\n---functions---\n"
      "wrap#22 {X:Type} n:int query:!X = X;\nget#33 = Vector<Pair>;\n// LAYER 7\n",
      s);
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(s->layer() == 7);
  CHECK(s->by_name("pair")->fields.size() == 2);
  CHECK(s->by_name("pair")->location == "test.tl:8");
  CHECK(s->by_name("wrap")->is_function);
  CHECK(s->type_name(s->by_name("get")->result) == "Vector<Pair>");
}
