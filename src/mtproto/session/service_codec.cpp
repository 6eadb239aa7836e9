#include "mtproto/session/service_codec.h"

#include "base/bytes.h"
#include "mtproto/session/ids.h"
#include "tl/gzip.h"
#include "tl/wire_writer.h"

namespace mtjson::mtproto::session {

std::optional<std::uint32_t> constructor_of(std::span<const std::uint8_t> body) {
  if (body.size() < 4) return std::nullopt;
  return load_le32(body);
}

Bytes write_long_vector_message(std::uint32_t constructor, std::span<const std::uint64_t> ids) {
  Bytes out;
  out.reserve(12 + 8 * ids.size());
  tl::WireWriter w(out);
  w.write_u32(constructor);
  w.write_u32(ids::vector);
  w.write_u32(static_cast<std::uint32_t>(ids.size()));
  for (std::uint64_t id : ids) w.write_u64(id);
  return out;
}

Bytes write_msgs_state_info(std::uint64_t req_msg_id, std::span<const std::uint8_t> info) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::msgs_state_info);
  w.write_u64(req_msg_id);
  w.write_bytes(info);
  return out;
}

Bytes write_ping(std::uint64_t ping_id) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::ping);
  w.write_u64(ping_id);
  return out;
}

Bytes write_ping_delay_disconnect(std::uint64_t ping_id, std::int32_t disconnect_delay) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::ping_delay_disconnect);
  w.write_u64(ping_id);
  w.write_i32(disconnect_delay);
  return out;
}

Bytes write_pong(std::uint64_t msg_id, std::uint64_t ping_id) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::pong);
  w.write_u64(msg_id);
  w.write_u64(ping_id);
  return out;
}

Bytes write_get_future_salts(std::int32_t num) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::get_future_salts);
  w.write_i32(num);
  return out;
}

Bytes write_future_salts(std::uint64_t req_msg_id, std::int32_t now, std::span<const FutureSalt> salts) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::future_salts);
  w.write_u64(req_msg_id);
  w.write_i32(now);
  w.write_u32(static_cast<std::uint32_t>(salts.size()));  // bare vector<future_salt>: no ids
  for (const FutureSalt& s : salts) {
    w.write_i32(s.valid_since);
    w.write_i32(s.valid_until);
    w.write_u64(s.salt);
  }
  return out;
}

Bytes write_rpc_result(std::uint64_t req_msg_id, std::span<const std::uint8_t> result) {
  Bytes out;
  out.reserve(12 + result.size());
  tl::WireWriter w(out);
  w.write_u32(ids::rpc_result);
  w.write_u64(req_msg_id);
  w.write_raw(result);
  return out;
}

Bytes write_rpc_error(std::int32_t code, std::string_view message) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::rpc_error);
  w.write_i32(code);
  w.write_string(message);
  return out;
}

Bytes write_rpc_drop_answer(std::uint64_t req_msg_id) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::rpc_drop_answer);
  w.write_u64(req_msg_id);
  return out;
}

Bytes write_rpc_answer_dropped(std::uint64_t msg_id, std::int32_t seq_no, std::int32_t bytes) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::rpc_answer_dropped);
  w.write_u64(msg_id);
  w.write_i32(seq_no);
  w.write_i32(bytes);
  return out;
}

Bytes write_bare_constructor(std::uint32_t constructor) {
  Bytes out;
  tl::WireWriter(out).write_u32(constructor);
  return out;
}

Bytes write_destroy_session(std::uint32_t constructor, std::uint64_t session_id) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(constructor);
  w.write_u64(session_id);
  return out;
}

Bytes write_new_session_created(std::uint64_t first_msg_id, std::uint64_t unique_id, std::uint64_t server_salt) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::new_session_created);
  w.write_u64(first_msg_id);
  w.write_u64(unique_id);
  w.write_u64(server_salt);
  return out;
}

Bytes write_bad_msg_notification(std::uint64_t bad_msg_id, std::uint32_t bad_msg_seqno, std::int32_t error_code) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::bad_msg_notification);
  w.write_u64(bad_msg_id);
  w.write_u32(bad_msg_seqno);
  w.write_i32(error_code);
  return out;
}

Bytes write_bad_server_salt(std::uint64_t bad_msg_id, std::uint32_t bad_msg_seqno, std::uint64_t new_server_salt) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::bad_server_salt);
  w.write_u64(bad_msg_id);
  w.write_u32(bad_msg_seqno);
  w.write_i32(48);  // "Service Messages about Messages": 48 = incorrect server salt
  w.write_u64(new_server_salt);
  return out;
}

Bytes write_msg_detailed_info(std::uint64_t msg_id, std::uint64_t answer_msg_id, std::int32_t bytes) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::msg_detailed_info);
  w.write_u64(msg_id);
  w.write_u64(answer_msg_id);
  w.write_i32(bytes);
  w.write_i32(0);  // status: "currently always zero"
  return out;
}

Bytes write_msg_new_detailed_info(std::uint64_t answer_msg_id, std::int32_t bytes) {
  Bytes out;
  tl::WireWriter w(out);
  w.write_u32(ids::msg_new_detailed_info);
  w.write_u64(answer_msg_id);
  w.write_i32(bytes);
  w.write_i32(0);
  return out;
}

Bytes write_gzip_packed(std::span<const std::uint8_t> packed_data) {
  Bytes out;
  out.reserve(8 + packed_data.size());
  tl::WireWriter w(out);
  w.write_u32(ids::gzip_packed);
  w.write_bytes(packed_data);
  return out;
}

std::optional<Bytes> maybe_gzip(std::span<const std::uint8_t> body, std::size_t threshold) {
  if (threshold == 0 || body.size() <= threshold) return std::nullopt;
  Bytes packed = tl::gzip_deflate(body);
  if (packed.empty() || packed.size() + 8 >= body.size() || packed.size() > tl::WireWriter::kMaxBytesLength)
    return std::nullopt;
  return write_gzip_packed(packed);
}

Bytes write_container(std::span<const OutMessage> messages) {
  std::size_t total = 8;
  for (const OutMessage& m : messages) total += 16 + m.body.size();
  Bytes out;
  out.reserve(total);
  tl::WireWriter w(out);
  w.write_u32(ids::msg_container);
  w.write_u32(static_cast<std::uint32_t>(messages.size()));
  for (const OutMessage& m : messages) {
    w.write_u64(m.msg_id);
    w.write_u32(m.seq_no);
    w.write_u32(static_cast<std::uint32_t>(m.body.size()));
    w.write_raw(m.body);
  }
  return out;
}

Result<std::vector<InnerMessage>> parse_container(std::span<const std::uint8_t> body) {
  using R = Result<std::vector<InnerMessage>>;
  tl::WireReader r(body);
  if (r.read_u32() != ids::msg_container) return R::error("not a msg_container");
  const std::uint32_t count = r.read_u32();
  if (r.failed() || count > kMaxContainerMessages)
    return R::error(r.failed() ? "msg_container: truncated count" : "msg_container: more than 1024 messages");
  std::vector<InnerMessage> out;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    InnerMessage m;
    m.msg_id = r.read_u64();
    m.seq_no = r.read_u32();
    const std::uint32_t bytes = r.read_u32();
    if (!r.failed() && (bytes % 4 != 0 || bytes < 4))
      return R::error("msg_container: message " + std::to_string(i) + " has a bad length " + std::to_string(bytes));
    m.body = r.read_raw(bytes, "container message body");
    if (r.failed())
      return R::error("msg_container: message " + std::to_string(i) + " truncated (" + r.error_what() + ")");
    out.push_back(m);
  }
  if (!r.at_end()) return R::error("msg_container: trailing bytes");
  return out;
}

Result<Bytes> unpack_gzip(std::span<const std::uint8_t> body, std::size_t max_size) {
  tl::WireReader r(body);
  if (r.read_u32() != ids::gzip_packed) return Result<Bytes>::error("not gzip_packed");
  auto packed = r.read_bytes();
  if (r.failed()) return Result<Bytes>::error("gzip_packed: truncated packed_data");
  auto inflated = tl::gzip_inflate(packed, max_size);
  if (!inflated) return inflated.status().prefixed("gzip_packed: ");
  return std::move(*inflated);
}

std::vector<std::uint64_t> read_long_vector(tl::WireReader& r) {
  std::vector<std::uint64_t> ids;
  if (r.read_u32() != ids::vector) {
    r.fail("Vector<long> constructor");
    return ids;
  }
  const std::uint32_t n = r.read_u32();
  if (n > kMaxIdsPerMessage || std::size_t{n} * 8 > r.remaining()) {
    r.fail("Vector<long> length");
    return ids;
  }
  ids.reserve(n);
  for (std::uint32_t i = 0; i < n && !r.failed(); ++i) ids.push_back(r.read_u64());
  return ids;
}

}  // namespace mtjson::mtproto::session
