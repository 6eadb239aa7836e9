// Canned daemon answers for the sign-in flows, made the way the daemon makes them: the result
// object is encoded to TL bytes with the real schema (scheme.tl, layer 228, + tl/mtproto.tl) and
// decoded back with TlToJson::decode_result, so its JSON shape (field order, flags, longs, base64)
// is what mtjson prints. Requests the flows send are checked to encode under the same schema.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tl/schema.h"

namespace mtjson::signin::test {

using Json = nlohmann::ordered_json;

std::shared_ptr<const tl::Schema> schema();  // loaded once from $MTJSON_SOURCE_ROOT

// {"id":id,"message":<result>} with result round-tripped through TL as method's answer.
std::string answer(std::int64_t id, const std::string& method, const Json& result);
// {"id":id,"message":{"_cons":"rpc_error",...}} (rpc_error round-tripped through mtproto.tl).
std::string rpc_error(std::int64_t id, int code, const std::string& message);

// A request line as the flow sent it, parsed; FAILs the test unless it is an object with an
// integer id, and (for "message") unless the message encodes as a TL function call.
struct Request {
  std::int64_t id = 0;
  Json line;
  Json method;  // the innermost query ("message" requests): wrappers removed
  int layer = 0;              // invokeWithLayer's layer, 0 when not wrapped
  bool init_connection = false;
};
Request parse_request(const std::string& line);

}  // namespace mtjson::signin::test
