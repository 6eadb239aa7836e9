#include "daemon/account/init_connection.h"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "tl/json_to_tl.h"

namespace mtjson::daemon {

Status build_init_prefix(std::shared_ptr<const tl::Schema> schema, const InitParams& p,
                             std::vector<std::uint8_t>& prefix) {
  const nlohmann::json call = {
      {"_cons", "invokeWithLayer"},
      {"layer", schema->layer()},
      {"query",
       {{"_cons", "initConnection"},
        {"api_id", p.api_id},
        {"device_model", p.device_model},
        {"system_version", p.system_version},
        {"app_version", p.app_version},
        {"system_lang_code", p.system_lang_code},
        {"lang_pack", p.lang_pack},
        {"lang_code", p.lang_code},
        // A method with no fields is its 4-byte id: cut off below.
        {"query", {{"_cons", "help.getConfig"}}}}}};
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  const std::string text = call.dump();
  if (parser.parse(text).get(doc)) return Status::error("initConnection: internal JSON error");
  tl::JsonToTl encoder(schema);
  const tl::Combinator* method = nullptr;
  std::vector<std::uint8_t> bytes;
  if (auto st = encoder.encode_function(doc, bytes, &method); !st) return Status::error("initConnection: " + st.message());
  if (bytes.size() < 4) return Status::error("initConnection: encoding too short");
  bytes.resize(bytes.size() - 4);
  prefix = std::move(bytes);
  return {};
}

}  // namespace mtjson::daemon
