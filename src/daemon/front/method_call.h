// JSON line -> TL value: a client's `message` object becomes the bytes of a method call, the
// innermost method (whose result type decodes the answer; invokeWithLayer, initConnection,
// invokeWithoutUpdates... are generic wrappers returning their query's type), and, when the
// client wrapped its call in invokeWithLayer(initConnection(...)), that wrapper as a prefix the
// daemon re-sends on every new MTProto session.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "tl/json_to_tl.h"
#include "tl/schema.h"
#include "base/status.h"

namespace mtjson::daemon {

struct MethodCall {
  std::vector<std::uint8_t> query;  // without the client's invokeWithLayer(initConnection()) wrapper
  const tl::Combinator* method = nullptr;
  std::optional<std::vector<std::uint8_t>> init_prefix;
};

class MethodEncoder {
 public:
  explicit MethodEncoder(std::shared_ptr<const tl::Schema> schema);
  // Errors name the field path ("message.peer._cons: ...").
  Status encode(simdjson::dom::element message, MethodCall& out);

 private:
  std::shared_ptr<const tl::Schema> schema_;
  tl::JsonToTl encoder_;
  const tl::Combinator* invoke_with_layer_ = nullptr;
  const tl::Combinator* init_connection_ = nullptr;
};

// The field of a generic wrapper that holds the wrapped query (query:!X), or nullptr.
const tl::Field* wrapped_query_field(const tl::Combinator& method);

}  // namespace mtjson::daemon
