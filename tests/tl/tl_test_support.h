// Shared by the TL tests: schema loading from the source tree and a random
// JSON value generator that follows the schema.
#pragma once

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tl/schema.h"
#include "tl/schema_loader.h"

namespace mtjson::tl::test {

inline std::string source_root() {
  const char* root = std::getenv("MTJSON_SOURCE_ROOT");
  return root ? root : ".";
}

// "scheme.tl"+"tl/mtproto.tl" (228), "tl/api-198.tl"+..., "tl/api-144.tl"+...
std::shared_ptr<const Schema> load(const std::string& api_file);

// Writes a random value of `type` as canonical JSON (the decoder's own form:
// schema order, "_cons" first), so decode(encode(json)) must give it back.
class JsonGenerator {
 public:
  JsonGenerator(const Schema& schema, std::uint32_t seed, bool all_flags)
      : s_(schema), rng_(seed), all_flags_(all_flags) {}
  void value(const TypeExpr& t, std::string& out, int depth = 0);
  void object(const Combinator& c, std::string& out, int depth = 0);

 private:
  std::uint32_t pick_constructor(const Type& type, int depth);
  const Schema& s_;
  std::mt19937 rng_;
  bool all_flags_;
};

}  // namespace mtjson::tl::test
