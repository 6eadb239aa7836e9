#include "mtproto/session/client_session.h"

#include <algorithm>

#include "mtproto/session/ids.h"
#include "mtproto/session/shared_helpers.h"

namespace mtjson::mtproto::session {

ClientSession::ClientSession(AuthKey key, std::uint64_t server_salt, crypto::RandomSource& random,
                             ClientConfig config)
    : key_(key), random_(random), cfg_(config), server_salt_(server_salt), received_(config.replay_window) {
  session_id_ = crypto::random_u64(random_);
}

std::uint64_t ClientSession::enqueue(RequestKind kind, Bytes body, std::uint64_t token, bool content_related,
                                     TimePoint now) {
  Request r;
  r.kind = kind;
  r.token = token;
  r.body = std::move(body);
  r.content_related = content_related;
  r.msg_id = ids_.next(now, MsgIdKind::client);
  r.seq_no = seq_.next(content_related);
  Request& added = table_.add(std::move(r));
  send_queue_.push_back(added.key);
  return added.msg_id;
}

std::uint64_t ClientSession::send_query(Bytes body, std::uint64_t token, TimePoint now) {
  // "Service Messages", "Packed Object": gzip_packed may carry queries to the server.
  if (auto packed = maybe_gzip(body, cfg_.gzip_queries_over)) body = std::move(*packed);
  // "Mobile Protocol: Detailed Description": API queries must be content-related (else bad_msg 35).
  return enqueue(RequestKind::query, std::move(body), token, true, now);
}

bool ClientSession::cancel(std::uint64_t token, TimePoint now) {
  Request* r = table_.find_by_token(token);
  if (!r) return false;
  const std::uint64_t key = r->key;
  const bool sent = r->state != RequestState::queued;
  const std::uint64_t msg_id = r->msg_id;
  table_.erase(key);
  std::erase(send_queue_, key);
  // "Service Messages", "Cancellation of an RPC Query".
  if (sent) enqueue(RequestKind::drop_answer, write_rpc_drop_answer(msg_id), 0, true, now);
  return true;
}

std::uint64_t ClientSession::send_ping(std::uint64_t ping_id, TimePoint now) {
  // Pings do not require acknowledgments ("Service Messages"): not content-related.
  const std::uint64_t id = enqueue(RequestKind::ping, write_ping(ping_id), 0, false, now);
  table_.find(id)->ping_id = ping_id;
  return id;
}

std::uint64_t ClientSession::send_ping_delay_disconnect(std::uint64_t ping_id, std::int32_t disconnect_delay,
                                                        TimePoint now) {
  const std::uint64_t id =
      enqueue(RequestKind::ping, write_ping_delay_disconnect(ping_id, disconnect_delay), 0, false, now);
  table_.find(id)->ping_id = ping_id;
  return id;
}

std::uint64_t ClientSession::request_future_salts(TimePoint now, std::int32_t num) {
  if (num <= 0) num = cfg_.future_salts_num;
  num = std::clamp(num, 1, 64);  // "Service Messages": between 1 and 64
  return enqueue(RequestKind::get_future_salts, write_get_future_salts(num), 0, true, now);
}

std::uint64_t ClientSession::destroy_session(std::uint64_t other_session_id, TimePoint now) {
  const std::uint64_t id =
      enqueue(RequestKind::destroy_session, write_destroy_session(ids::destroy_session, other_session_id), 0, true, now);
  table_.find(id)->target_session = other_session_id;
  return id;
}

void ClientSession::requeue(Request& r, TimePoint now) {
  // "Service Messages about Messages": a message the server may not have got is re-sent
  // with a new msg_id (and so a new seqno), never alone under its old one.
  table_.rekey(r, ids_.next(now, MsgIdKind::client));
  r.seq_no = seq_.next(r.content_related);
  if (r.state != RequestState::queued) {
    r.state = RequestState::queued;
    send_queue_.push_back(r.key);
  }
}

void ClientSession::queue_service(Bytes body) { service_out_.push_back(std::move(body)); }

void ClientSession::note_ack(std::uint64_t msg_id, bool content_related, TimePoint now) {
  // "Mobile Protocol: Detailed Description", "Content-related Message": the client must ack through msgs_ack.
  if (!content_related) return;
  pending_acks_.push_back(msg_id);
  if (!ack_deadline_) ack_deadline_ = now + cfg_.ack_delay;
}

void ClientSession::drop(Events& ev, DropReason reason, std::string detail) {
  ++dropped_count_;
  ev.push_back(Dropped{reason, std::move(detail)});
}

std::vector<ClientEvent> ClientSession::on_packet(std::span<const std::uint8_t> packet, TimePoint now) {
  Events ev;
  DecryptedMessage m;
  if (auto err = decrypt_packet(key_, Side::server, packet, m)) {
    drop(ev, drop_reason(*err), to_string(*err));
    return ev;
  }
  // "Security Guidelines for Client Developers", "Checking session_id" and "Checking msg_id".
  if (m.header.session_id != session_id_) {
    drop(ev, DropReason::wrong_session, "session_id is not this session's");
    return ev;
  }
  handle_message(Incoming{m.header.msg_id, m.header.seq_no, m.body()}, now, ev, false);
  return ev;
}

void ClientSession::handle_message(const Incoming& m, TimePoint now, Events& ev, bool in_container) {
  if ((m.msg_id & 1) == 0) {
    drop(ev, DropReason::msg_id_parity, "server msg_id with even parity");
    return;
  }
  const WindowVerdict v = received_.insert(m.msg_id, m.seq_no);
  if (v != WindowVerdict::fresh) {
    // A copy of something already processed: ack it again (our ack may have been lost) but do
    // not process it twice.
    if (v == WindowVerdict::duplicate) note_ack(m.msg_id, is_content_related_seqno(m.seq_no), now);
    if (v == WindowVerdict::duplicate) drop(ev, DropReason::duplicate_msg_id, "duplicate msg_id");
    else drop(ev, DropReason::msg_id_too_old, "msg_id older than the replay window");
    return;
  }
  note_ack(m.msg_id, is_content_related_seqno(m.seq_no), now);
  if (constructor_of(m.body) == ids::msg_container) {
    if (in_container) {
      drop(ev, DropReason::bad_container, "msg_container nested in a msg_container");
      return;
    }
    handle_container(m, now, ev);
    return;
  }
  dispatch(m.msg_id, m.body, now, ev, 0);
}

void ClientSession::handle_container(const Incoming& m, TimePoint now, Events& ev) {
  auto inner = parse_container(m.body);
  if (!inner) {
    drop(ev, DropReason::bad_container, inner.message());
    return;
  }
  // Every inner message keeps its own msg_id: each is checked, deduplicated and acked by it.
  for (const InnerMessage& im : *inner) {
    if (im.msg_id >= m.msg_id) {
      drop(ev, DropReason::bad_container, "container message msg_id not below the container's");
      continue;
    }
    handle_message(Incoming{im.msg_id, im.seq_no, im.body}, now, ev, true);
  }
}

void ClientSession::dispatch(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now, Events& ev,
                             int depth) {
  const auto ctor = constructor_of(body);
  if (!ctor) {
    drop(ev, DropReason::malformed, "message shorter than a constructor id");
    return;
  }
  switch (*ctor) {
    case ids::gzip_packed: {
      if (depth > 0) {
        drop(ev, DropReason::bad_gzip, "gzip_packed inside gzip_packed");
        return;
      }
      auto unpacked = unpack_gzip(body, cfg_.max_inflated);
      if (!unpacked) {
        drop(ev, DropReason::bad_gzip, unpacked.message());
        return;
      }
      dispatch(msg_id, *unpacked, now, ev, depth + 1);
      return;
    }
    case ids::rpc_result: handle_rpc_result(msg_id, body, ev); return;
    case ids::msgs_ack: handle_msgs_ack(body, ev); return;
    case ids::bad_server_salt: handle_bad_server_salt(msg_id, body, now, ev); return;
    case ids::bad_msg_notification: handle_bad_msg_notification(msg_id, body, now, ev); return;
    case ids::new_session_created: handle_new_session(body, now, ev); return;
    case ids::pong: handle_pong(body, ev); return;
    case ids::future_salts: handle_future_salts(body, ev); return;
    case ids::msg_detailed_info:
    case ids::msg_new_detailed_info: handle_detailed_info(*ctor, body, now, ev); return;
    case ids::msgs_state_req: handle_state_req(msg_id, body, ev); return;
    case ids::msgs_state_info: handle_state_info(body, now, ev); return;
    case ids::msgs_all_info: handle_all_info(body, ev); return;
    case ids::msg_resend_req: handle_resend_req(msg_id, body, now, ev); return;
    case ids::destroy_session_ok:
    case ids::destroy_session_none: handle_destroy_session_answer(*ctor, body, ev); return;
    case ids::msg_container: drop(ev, DropReason::bad_container, "msg_container inside gzip_packed"); return;
    case ids::msg_copy: drop(ev, DropReason::unsupported, "msg_copy is not used (MTProto: Service Messages)"); return;
    default: ev.push_back(Update{msg_id, Bytes(body.begin(), body.end())}); return;
  }
}

std::vector<Request*> ClientSession::requests_for(std::uint64_t sent_msg_id) {
  std::vector<Request*> out;
  for (const auto& [container_id, inner] : sent_containers_) {
    if (container_id != sent_msg_id) continue;
    for (std::uint64_t id : inner)
      if (Request* r = table_.find(id); r && r->msg_id == id) out.push_back(r);
    return out;
  }
  if (Request* r = table_.find(sent_msg_id); r && r->msg_id == sent_msg_id) out.push_back(r);
  return out;
}

void ClientSession::reset_session(TimePoint now) {
  // bad_msg_notification 32/33: our seqno bookkeeping and the server's disagree; start a new
  // session (new session_id, seqno from 0) and re-send every unanswered request there.
  session_id_ = crypto::random_u64(random_);
  seq_.reset();
  received_.clear();
  pending_acks_.clear();
  ack_deadline_.reset();
  sent_containers_.clear();
  state_requests_.clear();
  state_req_due_.clear();
  service_out_.clear();
  send_queue_.clear();
  for (auto& [key, r] : table_.all()) {
    r.state = RequestState::sent;  // force requeue to enqueue it again
    requeue(r, now);
  }
}

void ClientSession::on_reconnect(TimePoint now) {
  std::vector<std::uint64_t> dead_pings;
  for (auto& [key, r] : table_.all()) {
    if (r.state == RequestState::queued) continue;
    if (r.kind == RequestKind::ping) {
      dead_pings.push_back(key);  // a pong belongs to the connection that carried the ping
    } else if (r.state == RequestState::sent) {
      requeue(r, now);
    } else {
      // Acknowledged: the server has it and re-sends the answer on the new connection; ask its
      // state so a forgotten one gets re-sent (handle_state_info).
      state_req_due_.push_back(r.msg_id);
    }
  }
  for (std::uint64_t key : dead_pings) table_.erase(key);
}

}  // namespace mtjson::mtproto::session
