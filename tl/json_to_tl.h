// JSON -> TL bytes, driven by the schema. The JSON form (README, "JSON form"):
// {"_cons": "name", field: value, ...}; bare vs boxed comes from the schema.
// Reads a simdjson DOM (fields may come in any order; TL wants schema order).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tl/schema.h"
#include "base/status.h"

namespace mtjson::tl {

struct EncodeOptions {
  std::size_t max_depth = 64;  // nesting of objects and arrays
  // For a server answering clients of older layers from one (newest-layer)
  // object model: fields the target schema lacks are dropped, and required
  // fields the JSON lacks get a default (0, "", empty vector, false, or the
  // type's simplest constructor, e.g. fooEmpty). Never for client input.
  bool lenient = false;
};

class JsonToTl {
 public:
  explicit JsonToTl(std::shared_ptr<const Schema> schema, EncodeOptions options = {});

  const Schema& schema() const { return *schema_; }

  // Appends `value` serialised as `type`. On error `out` is left unchanged and
  // the message names the JSON path, starting at `path_root` ("message").
  Status encode(simdjson::dom::element value, const TypeExpr& type, std::vector<std::uint8_t>& out,
                std::string_view path_root = "");
  // Any constructor or function, boxed (its id first).
  Status encode_boxed(simdjson::dom::element value, std::vector<std::uint8_t>& out,
                      std::string_view path_root = "");
  // A function call (an RPC query), boxed; reports which method it was, so the
  // caller can decode the answer with its result type.
  Status encode_function(simdjson::dom::element value, std::vector<std::uint8_t>& out,
                         const Combinator** method, std::string_view path_root = "");

 private:
  class Run;
  std::shared_ptr<const Schema> schema_;
  EncodeOptions options_;
};

}  // namespace mtjson::tl
