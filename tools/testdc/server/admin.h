// The admin (fault injection) commands of mtjson-testdc. A command is a JSON object with exactly
// one key, its name; the answer is {"ok":true,...} or {"ok":false,"error":"<what>"}. They run on
// the io thread (Server::admin posts there; the --admin TCP endpoint lives there).
//
//   {"drop_connections":{"dc":N?}}             cut every client connection now (TCP reset)
//   {"drop_after":{"messages":N,"dc":N?}}      cut each connection right after N more encrypted
//                                              packets (a container counts once); null clears
//   {"drop_rate":{"p":P}}                      each encrypted packet is lost with its connection
//   {"delay":{"ms":MS}}                        hold every API answer (rpc_result) this long
//   {"rotate_salt":{"every":S?}}               new salts now (and every S seconds; 0 stops)
//   {"flood_wait":{"method":M,"seconds":S,"count":C?}}        420 FLOOD_WAIT_S
//   {"error":{"method":M,"code":N,"message":T,"count":C?}}    any rpc_error
//   {"migrate":{"method":M,"error":"X_MIGRATE_N","count":C?}} 303
//   {"swallow":{"method":M,"count":C?}}        acknowledged, never answered
//   {"destroy_keys":{}}                        forget every auth key (-404 from then on)
//   {"forget_sessions":{}}                     forget every MTProto session, keep the keys
//                                              (clients get new_session_created)
//   {"too_long_updates":{"count":N}}           the next N update pushes become updatesTooLong
//   {"clock_skew":{"seconds":S}}               the server's clock runs S seconds ahead
//   {"skip_updates":{"count":N}}               the next N update pushes to sessions are not
//                                              delivered (pts/seq advance: clients see a gap);
//                                              0 clears
//   {"stats":{}}                               counters, under "stats"
//   {"reset":{}}                               clears every fault, keeps the counters
// M is a TL method name (after the invokeWithLayer/initConnection/... wrappers) or "*"; C is the
// number of calls it applies to (default 1, -1: every call until reset).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "testdc/server/server_core.h"

namespace mtjson::testdc::server {

nlohmann::json run_admin_command(ServerCore& core, const nlohmann::json& command);
// One line of the TCP endpoint: JSON text (a line that is not JSON gets an error answer).
nlohmann::json run_admin_line(ServerCore& core, std::string_view line);

// Checks a method name for the method-fault commands: "*" or a method of a loaded layer.
bool known_method(const LayerSchemas& layers, const std::string& name);

}  // namespace mtjson::testdc::server
