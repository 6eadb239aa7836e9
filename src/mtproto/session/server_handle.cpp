// The server's handling of service messages ("Service Messages",
// "Service Messages about Messages"); anything else is an API query for the app.
#include <algorithm>

#include "mtproto/session/ids.h"
#include "mtproto/session/shared_helpers.h"
#include "mtproto/session/server_session.h"

namespace mtjson::mtproto::session {

void ServerSession::dispatch(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now, Events& ev,
                             int depth) {
  const auto ctor = constructor_of(body);
  if (!ctor) return drop(ev, DropReason::malformed, "message shorter than a constructor id");
  switch (*ctor) {
    case ids::gzip_packed: {
      if (depth > 0) return drop(ev, DropReason::bad_gzip, "gzip_packed inside gzip_packed");
      auto unpacked = unpack_gzip(body, cfg_.max_inflated);
      if (!unpacked) return drop(ev, DropReason::bad_gzip, unpacked.message());
      return dispatch(msg_id, *unpacked, now, ev, depth + 1);
    }
    case ids::msgs_ack: return handle_ack(body);
    case ids::ping:
    case ids::ping_delay_disconnect: return handle_ping(*ctor, msg_id, body, now);
    case ids::get_future_salts: return handle_get_future_salts(msg_id, body, now);
    case ids::msgs_state_req: return handle_state_req(msg_id, body, now);
    case ids::msg_resend_req: return handle_resend_req(msg_id, body, now);
    case ids::destroy_session: return handle_destroy_session(msg_id, body, now);
    case ids::rpc_drop_answer: return handle_drop_answer(msg_id, body, now);
    case ids::msgs_state_info:
    case ids::msgs_all_info:
    case ids::msg_detailed_info:
    case ids::msg_new_detailed_info:
    case ids::http_wait:
      return;  // informational for us
    case ids::msg_container:
    case ids::msg_copy: return drop(ev, DropReason::unsupported, "msg_container/msg_copy where a message is expected");
    default:
      running_.insert(msg_id);
      ev.push_back(Query{msg_id, Bytes(body.begin(), body.end())});
      return;
  }
}

void ServerSession::handle_ack(std::span<const std::uint8_t> body) {
  tl::WireReader r(body);
  r.read_u32();
  const auto acked = read_long_vector(r);
  if (r.failed()) return;
  for (std::uint64_t id : acked) unacked_.erase(id);
}

void ServerSession::handle_ping(std::uint32_t ctor, std::uint64_t msg_id, std::span<const std::uint8_t> body,
                                TimePoint now) {
  tl::WireReader r(body);
  r.read_u32();
  const std::uint64_t ping_id = r.read_u64();
  std::int32_t delay = 0;
  if (ctor == ids::ping_delay_disconnect) delay = r.read_i32();
  if (r.failed()) return;
  // "Service Messages", "Deferred Connection Closure + PING": each one resets the timer.
  if (ctor == ids::ping_delay_disconnect) disconnect_deadline_ = now + std::chrono::seconds(std::max(delay, 0));
  queue(write_pong(msg_id, ping_id), false, MsgIdKind::server_response, now);
}

void ServerSession::handle_get_future_salts(std::uint64_t msg_id, std::span<const std::uint8_t> body,
                                            TimePoint now) {
  tl::WireReader r(body);
  r.read_u32();
  const std::int32_t num = std::clamp(r.read_i32(), 1, 64);
  if (r.failed()) return;
  const std::int64_t t = to_unix_seconds(now);
  std::vector<FutureSalt> out;
  for (const FutureSalt& s : salts_)
    if (s.valid_until > t && out.size() < static_cast<std::size_t>(num)) out.push_back(s);
  // The answer acknowledges the query and needs no acknowledgment itself.
  queue(write_future_salts(msg_id, static_cast<std::int32_t>(t), out), false, MsgIdKind::server_response, now);
}

Bytes ServerSession::state_info_bytes(std::span<const std::uint64_t> asked) const {
  // The server acknowledges what it received; a query also tells whether its answer exists.
  return msgs_state_info_bytes(received_, asked, [this](std::uint64_t id) {
    std::uint8_t s = msg_state::received | msg_state::acked;
    if (answers_.count(id)) s |= msg_state::rpc_processing_or_done | msg_state::answer_generated;
    else if (running_.count(id)) s |= msg_state::rpc_processing_or_done;
    return s;
  });
}

void ServerSession::handle_state_req(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now) {
  tl::WireReader r(body);
  r.read_u32();
  const auto asked = read_long_vector(r);
  if (r.failed()) return;
  queue(write_msgs_state_info(msg_id, state_info_bytes(asked)), false, MsgIdKind::server_response, now);
}

void ServerSession::handle_resend_req(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now) {
  tl::WireReader r(body);
  r.read_u32();
  const auto wanted = read_long_vector(r);
  if (r.failed()) return;
  const bool all_known =
      std::all_of(wanted.begin(), wanted.end(), [&](std::uint64_t id) { return unacked_.count(id) != 0; });
  if (!all_known) {
    // "Service Messages about Messages": answered as if it were a msgs_state_req.
    queue(write_msgs_state_info(msg_id, state_info_bytes(wanted)), false, MsgIdKind::server_response, now);
    return;
  }
  for (std::uint64_t id : wanted) send_queue_.push_back(unacked_.at(id));
  force_container_ = true;
}

void ServerSession::handle_destroy_session(std::uint64_t msg_id, std::span<const std::uint8_t> body,
                                           TimePoint now) {
  tl::WireReader r(body);
  r.read_u32();
  const std::uint64_t sid = r.read_u64();
  if (r.failed()) return;
  const bool ok = old_sessions_.erase(sid) != 0;
  const Bytes answer = write_destroy_session(ok ? ids::destroy_session_ok : ids::destroy_session_none, sid);
  Bytes rpc = write_rpc_result(msg_id, answer);
  remember_answer(msg_id, rpc);
  queue(std::move(rpc), true, MsgIdKind::server_response, now, msg_id);
}

void ServerSession::handle_drop_answer(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now) {
  tl::WireReader r(body);
  r.read_u32();
  const std::uint64_t req = r.read_u64();
  if (r.failed()) return;
  Bytes answer;
  if (running_.count(req)) {
    // Still being processed: its own answer becomes rpc_answer_dropped_running too (reply()).
    drop_running_.insert(req);
    answer = write_bare_constructor(ids::rpc_answer_dropped_running);
  } else {
    std::optional<Out> removed;
    auto queued = std::find_if(send_queue_.begin(), send_queue_.end(), [&](const Out& o) { return o.answers == req; });
    if (queued != send_queue_.end()) {
      removed = *queued;
      send_queue_.erase(queued);
    }
    for (auto it = unacked_.begin(); it != unacked_.end(); ++it) {
      if (it->second.answers == req) {
        removed = it->second;
        unacked_.erase(it);
        break;
      }
    }
    answer = removed ? write_rpc_answer_dropped(removed->msg_id, static_cast<std::int32_t>(removed->seq_no),
                                                static_cast<std::int32_t>(removed->body.size()))
                     : write_bare_constructor(ids::rpc_answer_unknown);
  }
  Bytes rpc = write_rpc_result(msg_id, answer);
  remember_answer(msg_id, rpc);
  queue(std::move(rpc), true, MsgIdKind::server_response, now, msg_id);
}

}  // namespace mtjson::mtproto::session
