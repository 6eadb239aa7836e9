// bad_server_salt and bad_msg_notification ("Service Messages about Messages", "Notice
// of Ignored Error Message"). Acted on only when they name a message we recently sent.
#include "mtproto/session/client_session.h"

namespace mtjson::mtproto::session {

void ClientSession::handle_bad_server_salt(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now,
                                           Events& ev) {
  (void)msg_id;
  tl::WireReader r(body);
  r.read_u32();
  const std::uint64_t bad_msg_id = r.read_u64();
  r.read_u32();  // bad_msg_seqno
  r.read_i32();  // error_code (48)
  const std::uint64_t new_salt = r.read_u64();
  if (r.failed()) {
    drop(ev, DropReason::malformed, "bad_server_salt truncated");
    return;
  }
  std::vector<Request*> reqs = requests_for(bad_msg_id);
  const bool ours = !reqs.empty() || ids_.last() >= bad_msg_id;
  if (!ours) {
    drop(ev, DropReason::not_ours, "bad_server_salt for a msg_id we did not send");
    return;
  }
  // Adopt the salt, and re-send the ignored message(s) with it under a new msg_id.
  server_salt_ = new_salt;
  future_salts_.clear();  // they were evidently not the server's current list
  for (Request* req : reqs) requeue(*req, now);
}

void ClientSession::handle_bad_msg_notification(std::uint64_t msg_id, std::span<const std::uint8_t> body,
                                                TimePoint now, Events& ev) {
  tl::WireReader r(body);
  r.read_u32();
  const std::uint64_t bad_msg_id = r.read_u64();
  r.read_u32();  // bad_msg_seqno
  const std::int32_t code = r.read_i32();
  if (r.failed()) {
    drop(ev, DropReason::malformed, "bad_msg_notification truncated");
    return;
  }
  std::vector<Request*> reqs = requests_for(bad_msg_id);
  if (reqs.empty() && bad_msg_id > ids_.last()) {
    drop(ev, DropReason::not_ours, "bad_msg_notification for a msg_id we did not send");
    return;
  }
  switch (code) {
    case 16:  // msg_id too low
    case 17:  // msg_id too high
      // Our clock is off: take the server's time from this notification's own msg_id, then
      // re-send with a msg_id from the corrected clock. When that clock is behind ids already
      // used, the server would take the new ids as replays (below its window): a new session.
      if (ids_.sync_to(msg_id, now)) {
        reset_session(now);
        return;
      }
      for (Request* req : reqs) requeue(*req, now);
      return;
    case 20:  // too old to tell whether it was received: re-send under a new msg_id
      for (Request* req : reqs) requeue(*req, now);
      return;
    case 32:  // seqno too low
    case 33:  // seqno too high
      reset_session(now);
      return;
    case 48:  // carried by bad_server_salt; a bare code 48 has no salt to adopt
      for (Request* req : reqs) requeue(*req, now);
      return;
    default:  // 18, 19, 34, 35, 64: a bug on our side; do not loop re-sending it
      ev.push_back(Fatal{"bad_msg_notification error_code " + std::to_string(code)});
      return;
  }
}

}  // namespace mtjson::mtproto::session
