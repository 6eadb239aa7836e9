// Service messages other than answers and error notifications ("Service Messages",
// "Service Messages about Messages").
#include <algorithm>

#include "mtproto/session/client_session.h"
#include "mtproto/session/ids.h"
#include "mtproto/session/shared_helpers.h"

namespace mtjson::mtproto::session {

void ClientSession::mark_acked(std::uint64_t msg_id) {
  for (Request* r : requests_for(msg_id))
    if (r->state == RequestState::sent) r->state = RequestState::acked;
}

void ClientSession::handle_msgs_ack(std::span<const std::uint8_t> body, Events& ev) {
  tl::WireReader r(body);
  r.read_u32();
  const auto acked = read_long_vector(r);
  if (r.failed()) {
    drop(ev, DropReason::malformed, "msgs_ack malformed");
    return;
  }
  for (std::uint64_t id : acked) mark_acked(id);
}

void ClientSession::handle_new_session(std::span<const std::uint8_t> body, TimePoint now, Events& ev) {
  tl::WireReader r(body);
  r.read_u32();
  NewSession ns;
  ns.first_msg_id = r.read_u64();
  ns.unique_id = r.read_u64();
  ns.server_salt = r.read_u64();
  if (r.failed()) {
    drop(ev, DropReason::malformed, "new_session_created truncated");
    return;
  }
  server_salt_ = ns.server_salt;
  // Messages sent before first_msg_id went to a session the server no longer has: re-send them.
  for (auto& [key, req] : table_.all())
    if (req.state != RequestState::queued && req.msg_id < ns.first_msg_id && req.kind != RequestKind::ping)
      requeue(req, now);
  ev.push_back(ns);
}

void ClientSession::handle_pong(std::span<const std::uint8_t> body, Events& ev) {
  tl::WireReader r(body);
  r.read_u32();
  const std::uint64_t ping_msg_id = r.read_u64();
  const std::uint64_t ping_id = r.read_u64();
  if (r.failed()) {
    drop(ev, DropReason::malformed, "pong truncated");
    return;
  }
  Request* req = table_.find(ping_msg_id);
  if (req && req->kind == RequestKind::query) {
    // A `ping` the API user sent as a query: the pong is its answer.
    ev.push_back(RpcResult{req->token, req->msg_id, Bytes(body.begin(), body.end())});
    table_.erase(req->key);
    return;
  }
  if (!req || req->kind != RequestKind::ping) return;  // not ours, or already answered
  ev.push_back(Pong{ping_id, ping_msg_id});
  table_.erase(req->key);
}

void ClientSession::handle_future_salts(std::span<const std::uint8_t> body, Events& ev) {
  tl::WireReader r(body);
  r.read_u32();
  const std::uint64_t req_msg_id = r.read_u64();
  FutureSaltsReceived fs;
  fs.server_now = r.read_i32();
  const std::uint32_t n = r.read_u32();
  if (n > 64 || std::size_t{n} * 16 > r.remaining()) r.fail("future_salts count");
  for (std::uint32_t i = 0; i < n && !r.failed(); ++i) {
    FutureSalt s;
    s.valid_since = r.read_i32();
    s.valid_until = r.read_i32();
    s.salt = r.read_u64();
    fs.salts.push_back(s);
  }
  if (r.failed()) {
    drop(ev, DropReason::malformed, "future_salts malformed");
    return;
  }
  // "Service Messages": req_msg_id must be our get_future_salts.
  Request* req = table_.find(req_msg_id);
  if (!req || req->kind != RequestKind::get_future_salts) {
    drop(ev, DropReason::not_ours, "future_salts for a request we did not send");
    return;
  }
  table_.erase(req->key);
  future_salts_ = fs.salts;
  std::sort(future_salts_.begin(), future_salts_.end(),
            [](const FutureSalt& a, const FutureSalt& b) { return a.valid_since < b.valid_since; });
  ev.push_back(std::move(fs));
}

void ClientSession::handle_detailed_info(std::uint32_t ctor, std::span<const std::uint8_t> body, TimePoint now,
                                         Events& ev) {
  (void)now;
  tl::WireReader r(body);
  r.read_u32();
  std::uint64_t about = 0;
  if (ctor == ids::msg_detailed_info) about = r.read_u64();
  const std::uint64_t answer_msg_id = r.read_u64();
  r.read_i32();  // bytes
  r.read_i32();  // status
  if (r.failed()) {
    drop(ev, DropReason::malformed, "msg_detailed_info truncated");
    return;
  }
  if (about) mark_acked(about);
  // Already have the answer -> ack it; otherwise ask for it ("Service Messages about Messages",
  // "Extended Voluntary Communication of Status of One Message").
  if (received_.contains(answer_msg_id)) {
    note_ack(answer_msg_id, true, now);
  } else {
    const std::uint64_t id[1] = {answer_msg_id};
    queue_service(write_long_vector_message(ids::msg_resend_req, id));
  }
}

Bytes ClientSession::state_info_bytes(std::span<const std::uint64_t> asked) const {
  // A received message is acknowledged unless its ack is still waiting to be sent.
  return msgs_state_info_bytes(received_, asked, [this](std::uint64_t id) {
    std::uint8_t s = msg_state::received;
    if (std::find(pending_acks_.begin(), pending_acks_.end(), id) == pending_acks_.end()) s |= msg_state::acked;
    return s;
  });
}

void ClientSession::handle_state_req(std::uint64_t msg_id, std::span<const std::uint8_t> body, Events& ev) {
  tl::WireReader r(body);
  r.read_u32();
  const auto asked = read_long_vector(r);
  if (r.failed()) {
    drop(ev, DropReason::malformed, "msgs_state_req malformed");
    return;
  }
  queue_service(write_msgs_state_info(msg_id, state_info_bytes(asked)));
}

void ClientSession::handle_state_info(std::span<const std::uint8_t> body, TimePoint now, Events& ev) {
  tl::WireReader r(body);
  r.read_u32();
  const std::uint64_t req_msg_id = r.read_u64();
  const auto info = r.read_bytes();
  if (r.failed()) {
    drop(ev, DropReason::malformed, "msgs_state_info truncated");
    return;
  }
  auto it = std::find_if(state_requests_.begin(), state_requests_.end(),
                         [&](const auto& p) { return p.first == req_msg_id; });
  if (it == state_requests_.end()) return;  // not an answer to a msgs_state_req of ours
  const std::vector<std::uint64_t> asked = std::move(it->second);
  state_requests_.erase(it);
  for (std::size_t i = 0; i < asked.size() && i < info.size(); ++i) {
    Request* req = table_.find(asked[i]);
    if (!req || req->msg_id != asked[i] || req->state == RequestState::queued) continue;
    const std::uint8_t base = info[i] & 7;
    if (base == msg_state::received) {
      req->state = RequestState::acked;  // the answer will come (or was dropped by the server)
    } else if (base >= msg_state::unknown_too_low && base <= msg_state::not_received_too_high) {
      requeue(*req, now);  // the server does not have it: re-send under a new msg_id
    }
  }
}

void ClientSession::handle_all_info(std::span<const std::uint8_t> body, Events& ev) {
  tl::WireReader r(body);
  r.read_u32();
  const auto listed = read_long_vector(r);
  const auto info = r.read_bytes();
  if (r.failed()) {
    drop(ev, DropReason::malformed, "msgs_all_info malformed");
    return;
  }
  for (std::size_t i = 0; i < listed.size() && i < info.size(); ++i)
    if ((info[i] & 7) == msg_state::received) mark_acked(listed[i]);
}

void ClientSession::handle_resend_req(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now,
                                      Events& ev) {
  tl::WireReader r(body);
  r.read_u32();
  const auto wanted = read_long_vector(r);
  if (r.failed()) {
    drop(ev, DropReason::malformed, "msg_resend_req malformed");
    return;
  }
  bool all_known = true;
  for (std::uint64_t id : wanted) {
    Request* req = table_.find(id);
    if (req && req->msg_id == id && req->state != RequestState::queued)
      requeue(*req, now);
    else
      all_known = false;
  }
  // "Service Messages about Messages": if one is unknown, answer as to msgs_state_req.
  if (!all_known) queue_service(write_msgs_state_info(msg_id, state_info_bytes(wanted)));
}

void ClientSession::handle_destroy_session_answer(std::uint32_t ctor, std::span<const std::uint8_t> body,
                                                  Events& ev) {
  tl::WireReader r(body);
  r.read_u32();
  const std::uint64_t sid = r.read_u64();
  if (r.failed()) {
    drop(ev, DropReason::malformed, "destroy_session answer truncated");
    return;
  }
  for (auto& [key, req] : table_.all()) {
    if (req.kind == RequestKind::destroy_session && req.target_session == sid) {
      table_.erase(key);
      break;
    }
  }
  ev.push_back(DestroySessionResult{sid, ctor == ids::destroy_session_ok});
}

}  // namespace mtjson::mtproto::session
