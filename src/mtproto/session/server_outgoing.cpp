// The server's answers, updates and outgoing packing ("Service Messages").
#include "mtproto/session/ids.h"
#include "mtproto/session/server_session.h"

namespace mtjson::mtproto::session {

std::uint64_t ServerSession::queue(Bytes body, bool content_related, MsgIdKind kind, TimePoint now,
                                   std::uint64_t answers) {
  Out o;
  o.msg_id = ids_.next(now, kind);
  o.seq_no = seq_.next(content_related);
  o.body = std::move(body);
  o.content_related = content_related;
  o.answers = answers;
  send_queue_.push_back(std::move(o));
  return send_queue_.back().msg_id;
}

void ServerSession::remember_answer(std::uint64_t req_msg_id, const Bytes& rpc_result) {
  if (answers_.emplace(req_msg_id, rpc_result).second) answers_order_.push_back(req_msg_id);
  while (answers_order_.size() > cfg_.answer_cache) {
    answers_.erase(answers_order_.front());
    answers_order_.pop_front();
  }
}

bool ServerSession::reply(std::uint64_t req_msg_id, std::span<const std::uint8_t> result, TimePoint now) {
  if (!running_.erase(req_msg_id)) return false;
  Bytes rpc;
  if (drop_running_.erase(req_msg_id)) {
    rpc = write_rpc_result(req_msg_id, write_bare_constructor(ids::rpc_answer_dropped_running));
  } else if (auto packed = maybe_gzip(result, cfg_.gzip_answers_over)) {
    // "Service Messages", "Packed Object": big answers travel gzip_packed.
    rpc = write_rpc_result(req_msg_id, *packed);
  } else {
    rpc = write_rpc_result(req_msg_id, result);
  }
  remember_answer(req_msg_id, rpc);
  queue(std::move(rpc), true, MsgIdKind::server_response, now, req_msg_id);
  return true;
}

bool ServerSession::reply_error(std::uint64_t req_msg_id, std::int32_t code, std::string_view message,
                                TimePoint now) {
  if (!running_.count(req_msg_id)) return false;
  const Bytes err = write_rpc_error(code, message);
  drop_running_.erase(req_msg_id);
  running_.erase(req_msg_id);
  Bytes rpc = write_rpc_result(req_msg_id, err);
  remember_answer(req_msg_id, rpc);
  queue(std::move(rpc), true, MsgIdKind::server_response, now, req_msg_id);
  return true;
}

std::uint64_t ServerSession::push_update(Bytes body, TimePoint now) {
  return queue(std::move(body), true, MsgIdKind::server_initiated, now);
}

void ServerSession::on_reconnect(TimePoint now) {
  (void)now;
  std::deque<Out> again;
  for (const auto& [id, o] : unacked_) again.push_back(o);
  if (!again.empty()) force_container_ = true;
  for (Out& o : send_queue_) again.push_back(std::move(o));
  send_queue_ = std::move(again);
  disconnect_deadline_.reset();
}

std::optional<TimePoint> ServerSession::next_timer(TimePoint now) const {
  if (!send_queue_.empty()) return now;
  if (pending_acks_.empty()) return std::nullopt;
  return ack_deadline_ ? *ack_deadline_ : now;
}

std::optional<Bytes> ServerSession::take_outgoing(TimePoint now) {
  if (!key_ || session_id_ == 0) return std::nullopt;
  const bool acks_due = !pending_acks_.empty() && (!send_queue_.empty() || (ack_deadline_ && now >= *ack_deadline_));
  if (send_queue_.empty() && !acks_due) return std::nullopt;

  std::vector<Out> batch;
  if (acks_due) {
    const std::size_t n = std::min(pending_acks_.size(), kMaxIdsPerMessage);
    Out ack;
    ack.body = write_long_vector_message(ids::msgs_ack, std::span(pending_acks_).first(n));
    ack.msg_id = ids_.next(now, MsgIdKind::server_response);
    ack.seq_no = seq_.next(false);
    batch.push_back(std::move(ack));
    pending_acks_.erase(pending_acks_.begin(), pending_acks_.begin() + static_cast<std::ptrdiff_t>(n));
    if (pending_acks_.empty()) ack_deadline_.reset();
  }
  std::size_t bytes = 0;
  while (!send_queue_.empty() && batch.size() < cfg_.max_container_messages) {
    Out& o = send_queue_.front();
    if (!batch.empty() && bytes + o.body.size() > cfg_.max_packet_body) break;
    bytes += o.body.size();
    if (o.content_related) unacked_[o.msg_id] = o;  // kept until acked, re-sent on reconnect
    batch.push_back(std::move(o));
    send_queue_.pop_front();
  }

  MessageHeader h;
  h.server_salt = current_salt(now);
  h.session_id = session_id_;
  if (batch.size() == 1 && !force_container_) {
    h.msg_id = batch[0].msg_id;
    h.seq_no = batch[0].seq_no;
    return encrypt_packet(*key_, Side::server, h, batch[0].body, random_, cfg_.max_extra_padding_blocks);
  }
  if (send_queue_.empty()) force_container_ = false;
  std::vector<OutMessage> msgs;
  msgs.reserve(batch.size());
  for (const Out& o : batch) msgs.push_back(OutMessage{o.msg_id, o.seq_no, o.body});
  h.msg_id = ids_.next(now, MsgIdKind::server_initiated);
  h.seq_no = seq_.next(false);
  const Bytes body = write_container(msgs);
  return encrypt_packet(*key_, Side::server, h, body, random_, cfg_.max_extra_padding_blocks);
}

}  // namespace mtjson::mtproto::session
