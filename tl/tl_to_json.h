// TL bytes -> JSON text, driven by the schema. Streams straight into a string
// (no DOM); gzip_packed is unpacked transparently wherever an object may be.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "tl/schema.h"
#include "base/status.h"

namespace mtjson::tl {

struct DecodeOptions {
  bool longs_as_strings = false;          // "123" instead of 123 (JavaScript clients)
  std::size_t max_depth = 64;             // nesting of objects and vectors
  std::size_t max_inflated = 64u << 20;   // cap for one gzip_packed payload
};

class TlToJson {
 public:
  explicit TlToJson(std::shared_ptr<const Schema> schema, DecodeOptions options = {});

  const Schema& schema() const { return *schema_; }
  const DecodeOptions& options() const { return options_; }

  // Appends the JSON for `data` read as `type`. All of `data` must be used
  // unless `consumed` is given (then it receives the bytes read). On error
  // `out` is unchanged; the message gives the byte offset and, for unknown
  // constructors, the hex id.
  Status decode(std::span<const std::uint8_t> data, const TypeExpr& type, std::string& out,
                std::size_t* consumed = nullptr) const;
  // Any boxed constructor or function.
  Status decode_boxed(std::span<const std::uint8_t> data, std::string& out, std::size_t* consumed = nullptr) const;
  // The answer to `method` (its result type: needed for Vector<int> and the like).
  Status decode_result(std::span<const std::uint8_t> data, const Combinator& method, std::string& out) const;

 private:
  class Run;
  std::shared_ptr<const Schema> schema_;
  DecodeOptions options_;
};

}  // namespace mtjson::tl
