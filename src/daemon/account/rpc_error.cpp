#include "daemon/account/rpc_error.h"

#include <charconv>

namespace mtjson::daemon {

namespace {

// "PREFIX_123" -> 123 when message starts with prefix and the rest is a number.
bool number_after(std::string_view message, std::string_view prefix, std::int64_t& value) {
  if (message.size() <= prefix.size() || message.substr(0, prefix.size()) != prefix) return false;
  const std::string_view rest = message.substr(prefix.size());
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  return ec == std::errc() && end == rest.data() + rest.size() && value >= 0;
}

}  // namespace

RpcErrorInfo classify_rpc_error(std::int32_t code, std::string_view message) {
  RpcErrorInfo info;
  std::int64_t v = 0;
  if (code == 420 || code == 400) {
    for (std::string_view p : {"FLOOD_WAIT_", "FLOOD_PREMIUM_WAIT_", "SLOWMODE_WAIT_"})
      if (number_after(message, p, v)) return {RpcErrorInfo::Kind::flood_wait, v};
  }
  if (code == 303) {
    for (std::string_view p : {"PHONE_MIGRATE_", "NETWORK_MIGRATE_", "USER_MIGRATE_"})
      if (number_after(message, p, v) && v > 0) return {RpcErrorInfo::Kind::migrate_home, v};
    for (std::string_view p : {"FILE_MIGRATE_", "STATS_MIGRATE_"})
      if (number_after(message, p, v) && v > 0) return {RpcErrorInfo::Kind::migrate_request, v};
  }
  if (message == "CONNECTION_NOT_INITED") info.kind = RpcErrorInfo::Kind::not_inited;
  return info;
}

}  // namespace mtjson::daemon
