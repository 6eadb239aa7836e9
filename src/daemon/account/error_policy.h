// What the account does with an rpc_error, as a pure function of the error, what the call went
// through so far, and the configured limits (Error handling: 420 FLOOD, 303 SEE_OTHER; and
// CONNECTION_NOT_INITED: initConnection is due again on that session). No clock, no I/O: the
// account applies the decision.
#pragma once

#include <cstdint>
#include <string_view>

#include "daemon/dc/dc_link.h"

namespace mtjson::daemon {

// The call the error answered.
struct CallAttempts {
  int flood_retries = 0;  // flood waits already slept for it
  int migrations = 0;     // *_MIGRATE_X already followed for it
  bool internal = false;  // the daemon's own call (authorization transfer, help.getConfig, updates)
  bool wrapped = false;   // it carried the initConnection prefix
  Duration time_left{};   // until its deadline
};

struct ErrorLimits {
  Duration flood_sleep_threshold = std::chrono::seconds(10);  // longer waits go to the client
  int max_flood_retries = 5;
  int max_migrations = 3;
};

struct ErrorDecision {
  enum class Action {
    answer,       // the error is the call's answer
    retry_after,  // send again after `wait` (a flood wait slept for the client)
    move_home,    // the account's home DC is `dc`: move there, then send again
    send_on_dc,   // send this one call again on DC `dc` (FILE_MIGRATE_X, STATS_MIGRATE_X)
    send_again,   // send again now, with initConnection (CONNECTION_NOT_INITED)
  };
  Action action = Action::answer;
  Duration wait{};
  int dc = 0;
  // The session of the DC that answered wants initConnection with its next call.
  bool session_not_inited = false;
};

ErrorDecision decide_on_error(std::int32_t code, std::string_view message, const CallAttempts& call,
                              const ErrorLimits& limits);

}  // namespace mtjson::daemon
