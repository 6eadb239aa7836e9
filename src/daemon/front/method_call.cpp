#include "daemon/front/method_call.h"

#include <string>

namespace mtjson::daemon {

const tl::Field* wrapped_query_field(const tl::Combinator& method) {
  if (method.result.kind != tl::TypeExpr::Kind::TypeParam) return nullptr;
  for (const tl::Field& f : method.fields)
    if (f.type.kind == tl::TypeExpr::Kind::TypeParam) return &f;
  return nullptr;
}

MethodEncoder::MethodEncoder(std::shared_ptr<const tl::Schema> schema)
    : schema_(schema), encoder_(schema), invoke_with_layer_(schema->by_name("invokeWithLayer")),
      init_connection_(schema->by_name("initConnection")) {}

Status MethodEncoder::encode(simdjson::dom::element message, MethodCall& out) {
  out = MethodCall{};
  const tl::Combinator* outer = nullptr;
  if (auto st = encoder_.encode_function(message, out.query, &outer, "message"); !st) return st;

  // Walk down the wrappers to the method that decides the result type. The encoder has
  // checked every level already, so the lookups below cannot fail on valid input.
  const tl::Combinator* method = outer;
  simdjson::dom::element at = message;
  int depth = 0;
  simdjson::dom::element init_query;
  bool client_init = false;
  while (const tl::Field* f = wrapped_query_field(*method)) {
    simdjson::dom::element inner;
    std::string_view cons;
    if (at[f->name].get(inner) || inner["_cons"].get(cons)) break;
    const tl::Combinator* m = schema_->by_name(cons);
    if (!m) break;
    if (depth == 0 && method == invoke_with_layer_ && m == init_connection_) {
      simdjson::dom::element q;
      if (!inner["query"].get(q)) {
        init_query = q;
        client_init = true;
      }
    }
    method = m;
    at = inner;
    ++depth;
  }
  if (!method->is_function) return Status::error("message: '" + method->name + "' is not a method");
  out.method = method;

  if (client_init) {
    // prefix = whole call minus the bytes of initConnection's query (its last field).
    std::vector<std::uint8_t> inner;
    const tl::Combinator* ignored = nullptr;
    if (auto st = encoder_.encode_function(init_query, inner, &ignored, "message.query.query"); !st) return st;
    if (inner.size() < out.query.size() &&
        std::equal(inner.begin(), inner.end(), out.query.end() - static_cast<std::ptrdiff_t>(inner.size()))) {
      out.init_prefix.emplace(out.query.begin(), out.query.end() - static_cast<std::ptrdiff_t>(inner.size()));
      out.query = std::move(inner);
    }
  }
  return {};
}

}  // namespace mtjson::daemon
