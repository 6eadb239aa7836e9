#include "tl_test_support.h"

#include <catch2/catch.hpp>

#include "base/base64.h"
#include "tl/json_writer.h"

namespace mtjson::tl::test {

std::shared_ptr<const Schema> load(const std::string& api_file) {
  std::shared_ptr<const Schema> schema;
  Status st = load_schema_files({source_root() + "/" + api_file, source_root() + "/tl/mtproto.tl"}, schema);
  INFO(st.message());
  REQUIRE(st.ok());
  return schema;
}

namespace {
using K = TypeExpr::Kind;

// How much nesting a constructor forces: fields that are objects or vectors.
int weight(const Schema& s, const Combinator& c) {
  int w = 0;
  for (const auto& f : c.fields)
    if (!f.optional() && (f.type.kind == K::Boxed || f.type.kind == K::Bare || f.type.kind == K::Vector ||
                          f.type.kind == K::BareVector || f.type.kind == K::Object))
      ++w;
  (void)s;
  return w;
}
}  // namespace

std::uint32_t JsonGenerator::pick_constructor(const Type& type, int depth) {
  if (depth < 3) return type.constructors[rng_() % type.constructors.size()];
  std::uint32_t best = type.constructors[0];
  for (auto ci : type.constructors)
    if (weight(s_, s_.combinator(ci)) < weight(s_, s_.combinator(best))) best = ci;
  return best;
}

void JsonGenerator::value(const TypeExpr& t, std::string& out, int depth) {
  JsonWriter w(out);
  switch (t.kind) {
    case K::Int: {
      static const std::int64_t edge[] = {0, 1, -1, 2147483647, -2147483648LL};
      w.value_int(rng_() % 3 == 0 ? edge[rng_() % 5] : static_cast<std::int32_t>(rng_()));
      return;
    }
    case K::Long: {
      static const std::int64_t edge[] = {0, -1, INT64_MAX, INT64_MIN};
      std::int64_t v = rng_() % 3 == 0 ? edge[rng_() % 4]
                                      : static_cast<std::int64_t>((std::uint64_t(rng_()) << 32) | rng_());
      w.value_int(v);
      return;
    }
    case K::Double: {
      static const double values[] = {0.5, -1.25, 1e100, 3.0, 0.1, -2.5e-8};
      w.value_double(values[rng_() % 6]);
      return;
    }
    case K::String: {
      static const char* values[] = {"", "hi", "Привет, мир", "tab\tquote\"back\\slash\nnl", "emoji 😀"};
      std::string s = values[rng_() % 5];
      if (rng_() % 4 == 0) s = std::string(300, 'x') + s;  // 0xfe length prefix
      w.value_string(s);
      return;
    }
    case K::Bytes:
    case K::Int128:
    case K::Int256: {
      std::size_t n = t.kind == K::Int128 ? 16 : t.kind == K::Int256 ? 32 : (rng_() % 4 == 0 ? 260 : rng_() % 9);
      std::vector<std::uint8_t> b(n);
      for (auto& x : b) x = static_cast<std::uint8_t>(rng_());
      out += '"';
      base64_encode(b, out);
      out += '"';
      return;
    }
    case K::Nat:
    case K::BareTrue: return;
    case K::Vector:
    case K::BareVector: {
      int n = depth > 4 ? 0 : static_cast<int>(rng_() % 3);
      out += '[';
      for (int i = 0; i < n; ++i) {
        if (i) out += ',';
        value(s_.expr(t.index), out, depth + 1);
      }
      out += ']';
      return;
    }
    case K::Boxed: {
      const Type& type = s_.type(t.index);
      if (type.is_bool) {
        w.value_bool(rng_() % 2);
        return;
      }
      object(s_.combinator(pick_constructor(type, depth)), out, depth + 1);
      return;
    }
    case K::Bare: object(s_.combinator(t.index), out, depth + 1); return;
    case K::Object:
    case K::TypeParam: {
      // A small method call, e.g. as invokeWithLayer's query.
      const Combinator* call = s_.by_name("help.getConfig");
      object(call ? *call : s_.combinator(0), out, depth + 1);
      return;
    }
  }
}

void JsonGenerator::object(const Combinator& c, std::string& out, int depth) {
  out += "{\"_cons\":\"";
  out += c.name;
  out += '"';
  bool flags_on = all_flags_ && depth < 8;
  for (const auto& f : c.fields) {
    if (f.type.kind == K::Nat) continue;
    if (f.optional() && !flags_on) continue;
    out += ",\"";
    out += f.name;
    out += "\":";
    if (f.type.kind == K::BareTrue) {
      out += "true";
      continue;
    }
    value(f.type, out, depth);
  }
  out += '}';
}

}  // namespace mtjson::tl::test
