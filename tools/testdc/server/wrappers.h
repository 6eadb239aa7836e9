// Peels the helper wrappers off an API query at the TL level ("Calling API Methods"): invokeWithLayer,
// initConnection, invokeWithoutUpdates, invokeAfterMsg, invokeAfterMsgs, in any order and
// nesting. What remains is the method the world answers; the wrappers' parameters are reported.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "tl/tl_to_json.h"

namespace mtjson::testdc::server {

namespace wrapper_ids {
inline constexpr std::uint32_t invoke_with_layer = 0xda9b0d0d;
inline constexpr std::uint32_t init_connection = 0xc1cd5ea9;
inline constexpr std::uint32_t invoke_without_updates = 0xbf9459b7;
inline constexpr std::uint32_t invoke_after_msg = 0xcb9f372d;
inline constexpr std::uint32_t invoke_after_msgs = 0x3dc4b4f0;
}  // namespace wrapper_ids

struct InitConnectionInfo {
  std::int32_t api_id = 0;
  std::string device_model, system_version, app_version, system_lang_code, lang_pack, lang_code;
};

struct Unwrapped {
  std::optional<int> layer;                   // invokeWithLayer
  std::optional<InitConnectionInfo> init;     // initConnection
  bool without_updates = false;               // invokeWithoutUpdates
  std::vector<std::uint64_t> after_msg_ids;   // invokeAfterMsg(s)
  std::size_t method_offset = 0;              // where the wrapped method starts in the body
};

// Most wrappers accepted around one method (a real client uses at most four).
inline constexpr int kMaxWrapperDepth = 8;

// `decoder` reads initConnection's optional proxy and params objects (their shape is the
// layer's). Errors name the wrapper and the byte offset.
Status unwrap_query(std::span<const std::uint8_t> body, const tl::TlToJson& decoder, Unwrapped& out);

}  // namespace mtjson::testdc::server
