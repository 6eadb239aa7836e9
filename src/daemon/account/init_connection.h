// invokeWithLayer(layer, initConnection(params, query)) ("Calling API Methods", "Layers" and
// initConnection): Telegram wants it around the first query of every new MTProto session. Both
// wrappers end with the query, so the wrapper is a byte prefix: prefix + query bytes is the
// wrapped call, and the daemon keeps only the prefix.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tl/schema.h"
#include "base/status.h"

namespace mtjson::daemon {

struct InitParams {
  std::int32_t api_id = 0;
  std::string device_model = "mtjson";
  std::string system_version = "Linux";
  std::string app_version = "0.1.0";
  std::string system_lang_code = "en";
  std::string lang_pack = "";
  std::string lang_code = "en";
};

// The prefix for the schema's own layer.
Status build_init_prefix(std::shared_ptr<const tl::Schema> schema, const InitParams& params,
                             std::vector<std::uint8_t>& prefix);

}  // namespace mtjson::daemon
