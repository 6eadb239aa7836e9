// What the daemon does with a Telegram error is decided by its text ("Error handling"):
// "FLOOD_WAIT_X" waits X seconds, "*_MIGRATE_X" (303) names the DC to use.
#pragma once

#include <cstdint>
#include <string_view>

namespace mtjson::daemon {

struct RpcErrorInfo {
  enum class Kind {
    other,
    flood_wait,       // FLOOD_WAIT_X, FLOOD_PREMIUM_WAIT_X, SLOWMODE_WAIT_X: X seconds
    migrate_home,     // PHONE_MIGRATE_X, NETWORK_MIGRATE_X, USER_MIGRATE_X: the account's DC is X
    migrate_request,  // FILE_MIGRATE_X, STATS_MIGRATE_X: run this request on DC X
    not_inited,       // CONNECTION_NOT_INITED: initConnection must be sent again
  };
  Kind kind = Kind::other;
  std::int64_t value = 0;  // seconds or DC id
};

RpcErrorInfo classify_rpc_error(std::int32_t code, std::string_view message);

}  // namespace mtjson::daemon
