// What the session layer reports to its caller (the daemon for the client role, the test DC for
// the server role). Payloads are opaque TL bytes, gzip already unpacked.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "mtproto/session/packet_crypto.h"
#include "mtproto/session/service_codec.h"

namespace mtjson::mtproto::session {

// --- shared ---
// Why a packet or message was discarded: callers branch on the kind, the detail is for the log.
enum class DropReason {
  // A check of decrypt_packet failed (one value per DecryptError).
  too_short,
  not_block_sized,
  unknown_auth_key,
  msg_key_mismatch,
  bad_length,
  bad_padding,
  // The decrypted message fails a check of "Security Guidelines for Client Developers".
  wrong_session,       // session_id is not this session's
  msg_id_parity,       // a server msg_id with even parity
  duplicate_msg_id,    // already received (replayed or resent)
  msg_id_too_old,      // below the replay window
  // The message's content.
  malformed,           // truncated or malformed (service) message
  not_ours,            // names a msg_id or request this side did not send
  bad_container,       // a msg_container that is malformed, nested or has a bad inner msg_id
  bad_gzip,            // gzip_packed that is malformed, too big or nested
  unsupported,         // msg_copy, or a container where a single message is expected
};

inline DropReason drop_reason(DecryptError e) {
  switch (e) {
    case DecryptError::too_short: return DropReason::too_short;
    case DecryptError::not_block_sized: return DropReason::not_block_sized;
    case DecryptError::unknown_auth_key: return DropReason::unknown_auth_key;
    case DecryptError::msg_key_mismatch: return DropReason::msg_key_mismatch;
    case DecryptError::bad_length: return DropReason::bad_length;
    case DecryptError::bad_padding: return DropReason::bad_padding;
  }
  return DropReason::too_short;
}

// The packet failed the decryption checks (not just a message inside a good packet).
inline bool is_decrypt_failure(DropReason r) {
  switch (r) {
    case DropReason::too_short:
    case DropReason::not_block_sized:
    case DropReason::unknown_auth_key:
    case DropReason::msg_key_mismatch:
    case DropReason::bad_length:
    case DropReason::bad_padding: return true;
    default: return false;
  }
}

// A packet or message was discarded (decrypt failure, replay, bad session...). The caller may
// close the connection ("Security Guidelines for Client Developers" recommends it for decrypt failures).
struct Dropped {
  DropReason reason = DropReason::malformed;
  std::string detail;  // what exactly, for the log ("msg_key mismatch")
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
