// Hand-written serialization of the MTProto service messages (hot path: no schema lookups), and
// the parsing shared by both roles: containers with their inner msg_ids kept,
// gzip_packed, Vector<long>. Layouts from tl/mtproto.tl; ids in ids.h.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "tl/wire_reader.h"

namespace mtjson::mtproto::session {

using Bytes = std::vector<std::uint8_t>;

// The constructor id a serialized object starts with; nullopt if shorter than 4 bytes.
std::optional<std::uint32_t> constructor_of(std::span<const std::uint8_t> body);

// "Service Messages": at most 8192 ids per msgs_ack / msgs_state_req / msg_resend_req.
inline constexpr std::size_t kMaxIdsPerMessage = 8192;
// "Service Messages", "Simple Container": at most 1024 messages.
inline constexpr std::size_t kMaxContainerMessages = 1024;

struct FutureSalt {
  std::int32_t valid_since = 0;
  std::int32_t valid_until = 0;
  std::uint64_t salt = 0;
};

// --- writers (each returns a whole boxed object) ---
Bytes write_long_vector_message(std::uint32_t constructor, std::span<const std::uint64_t> ids);  // msgs_ack etc.
Bytes write_msgs_state_info(std::uint64_t req_msg_id, std::span<const std::uint8_t> info);
Bytes write_ping(std::uint64_t ping_id);
Bytes write_ping_delay_disconnect(std::uint64_t ping_id, std::int32_t disconnect_delay);
Bytes write_pong(std::uint64_t msg_id, std::uint64_t ping_id);
Bytes write_get_future_salts(std::int32_t num);
Bytes write_future_salts(std::uint64_t req_msg_id, std::int32_t now, std::span<const FutureSalt> salts);
Bytes write_rpc_result(std::uint64_t req_msg_id, std::span<const std::uint8_t> result);
Bytes write_rpc_error(std::int32_t code, std::string_view message);
Bytes write_rpc_drop_answer(std::uint64_t req_msg_id);
Bytes write_rpc_answer_dropped(std::uint64_t msg_id, std::int32_t seq_no, std::int32_t bytes);
Bytes write_bare_constructor(std::uint32_t constructor);  // rpc_answer_unknown, ..._dropped_running
Bytes write_destroy_session(std::uint32_t constructor, std::uint64_t session_id);  // and _ok/_none
Bytes write_new_session_created(std::uint64_t first_msg_id, std::uint64_t unique_id, std::uint64_t server_salt);
Bytes write_bad_msg_notification(std::uint64_t bad_msg_id, std::uint32_t bad_msg_seqno, std::int32_t error_code);
Bytes write_bad_server_salt(std::uint64_t bad_msg_id, std::uint32_t bad_msg_seqno, std::uint64_t new_server_salt);
Bytes write_msg_detailed_info(std::uint64_t msg_id, std::uint64_t answer_msg_id, std::int32_t bytes);
Bytes write_msg_new_detailed_info(std::uint64_t answer_msg_id, std::int32_t bytes);
Bytes write_gzip_packed(std::span<const std::uint8_t> packed_data);

// gzip_packed(body) when body is over `threshold` bytes and compressing actually saves space;
// nullopt otherwise (send as is).
std::optional<Bytes> maybe_gzip(std::span<const std::uint8_t> body, std::size_t threshold);

struct OutMessage {
  std::uint64_t msg_id = 0;
  std::uint32_t seq_no = 0;
  std::span<const std::uint8_t> body;
};
// msg_container#73f1f8dc messages:vector<%Message>.
Bytes write_container(std::span<const OutMessage> messages);

// --- readers ---
struct InnerMessage {
  std::uint64_t msg_id = 0;
  std::uint32_t seq_no = 0;
  std::span<const std::uint8_t> body;
};
// Parses a msg_container (body includes its constructor id). Each inner message's `bytes` must be
// a multiple of 4 and lie within the container; the container must end exactly after the last.
Result<std::vector<InnerMessage>> parse_container(std::span<const std::uint8_t> body);

// Unpacks gzip_packed (body includes its constructor id), at most max_size bytes.
Result<Bytes> unpack_gzip(std::span<const std::uint8_t> body, std::size_t max_size);

// Vector<long> (boxed); fails the reader on a wrong id or more than kMaxIdsPerMessage entries.
std::vector<std::uint64_t> read_long_vector(tl::WireReader& r);

// The status byte of msgs_state_info ("Service Messages about Messages").
namespace msg_state {
inline constexpr std::uint8_t unknown_too_low = 1;
inline constexpr std::uint8_t not_received = 2;
inline constexpr std::uint8_t not_received_too_high = 3;
inline constexpr std::uint8_t received = 4;
inline constexpr std::uint8_t acked = 8;
inline constexpr std::uint8_t no_ack_needed = 16;
inline constexpr std::uint8_t rpc_processing_or_done = 32;
inline constexpr std::uint8_t answer_generated = 64;
inline constexpr std::uint8_t known_received = 128;
}  // namespace msg_state

}  // namespace mtjson::mtproto::session
