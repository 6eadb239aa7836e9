// What the session layer reports to its caller (the daemon for the client role, the test DC for
// the server role). Payloads are opaque TL bytes, gzip already unpacked.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "mtproto/session/service_codec.h"

namespace mtjson::mtproto::session {

// --- shared ---
// A packet or message was discarded (decrypt failure, replay, bad session...). The caller may
// close the connection ("Security Guidelines for Client Developers" recommends it for decrypt failures).
struct Dropped {
  std::string reason;
};

// --- client role ---
struct RpcResult {
  std::uint64_t token = 0;   // the caller's cookie given to send_query
  std::uint64_t msg_id = 0;  // the msg_id the answer named (may be an older copy of the query)
  Bytes body;                // the result object
};
struct RpcError {
  std::uint64_t token = 0;
  std::uint64_t msg_id = 0;
  std::int32_t code = 0;
  std::string message;
};
// A server message that is neither a service message nor an answer: updates.
struct Update {
  std::uint64_t msg_id = 0;
  Bytes body;
};
// new_session_created: the server (re)created the session, so updates may have been missed.
struct NewSession {
  std::uint64_t first_msg_id = 0;
  std::uint64_t unique_id = 0;
  std::uint64_t server_salt = 0;
};
struct Pong {
  std::uint64_t ping_id = 0;
  std::uint64_t ping_msg_id = 0;
};
struct FutureSaltsReceived {
  std::int32_t server_now = 0;
  std::vector<FutureSalt> salts;
};
struct DestroySessionResult {
  std::uint64_t session_id = 0;
  bool destroyed = false;  // destroy_session_ok vs destroy_session_none
};
// The connection should be closed and the session state questioned: the server reported a
// protocol error of ours (bad_msg_notification 18, 19, 34, 35, 64) or sent undecodable data.
// Unanswered queries stay in the table; on_reconnect() re-sends them.
struct Fatal {
  std::string reason;
};

using ClientEvent = std::variant<RpcResult, RpcError, Update, NewSession, Pong, FutureSaltsReceived,
                                 DestroySessionResult, Dropped, Fatal>;

// --- server role ---
// An API query for the application; answer with ServerSession::reply / reply_error(msg_id, ...).
struct Query {
  std::uint64_t msg_id = 0;
  Bytes body;
};
// The packet names an auth_key_id the lookup does not know: answer with transport error -404.
struct UnknownAuthKey {
  std::uint64_t auth_key_id = 0;
};
struct SessionCreated {
  std::uint64_t session_id = 0;
  std::uint64_t first_msg_id = 0;
  std::uint64_t unique_id = 0;
};

using ServerEvent = std::variant<Query, UnknownAuthKey, SessionCreated, Dropped>;

}  // namespace mtjson::mtproto::session
