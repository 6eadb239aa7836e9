#include "daemon/account/error_policy.h"

#include "daemon/account/rpc_error.h"

namespace mtjson::daemon {

ErrorDecision decide_on_error(std::int32_t code, std::string_view message, const CallAttempts& call,
                              const ErrorLimits& limits) {
  using Action = ErrorDecision::Action;
  const RpcErrorInfo info = classify_rpc_error(code, message);
  ErrorDecision d;
  switch (info.kind) {
    case RpcErrorInfo::Kind::flood_wait: {
      // Error handling, 420 FLOOD: a short wait is slept for the client, as long as the call's
      // own deadline would still be ahead after it; a long one is the client's to handle.
      const Duration wait = std::chrono::seconds(info.value);
      if (wait <= limits.flood_sleep_threshold && call.flood_retries < limits.max_flood_retries &&
          wait < call.time_left) {
        d.action = Action::retry_after;
        d.wait = wait;
      }
      break;
    }
    case RpcErrorInfo::Kind::migrate_home:
      // Error handling, 303 SEE_OTHER: the account belongs to DC X. The daemon's own calls are
      // addressed to a DC on purpose and are not moved.
      if (call.migrations < limits.max_migrations && !call.internal) {
        d.action = Action::move_home;
        d.dc = static_cast<int>(info.value);
      }
      break;
    case RpcErrorInfo::Kind::migrate_request:
      if (call.migrations < limits.max_migrations) {
        d.action = Action::send_on_dc;
        d.dc = static_cast<int>(info.value);
      }
      break;
    case RpcErrorInfo::Kind::not_inited:
      d.session_not_inited = true;
      // Once with the prefix is enough: a wrapped call that still gets it is answered.
      if (!call.wrapped) d.action = Action::send_again;
      break;
    case RpcErrorInfo::Kind::other:
      break;
  }
  return d;
}

}  // namespace mtjson::daemon
