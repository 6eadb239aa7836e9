// Packing of outgoing messages: queued requests, acks and service answers go out together as one
// message or one msg_container ("Service Messages", "Containers").
#include <algorithm>

#include "mtproto/session/client_session.h"
#include "mtproto/session/ids.h"

namespace mtjson::mtproto::session {

namespace {
constexpr std::size_t kRememberedContainers = 64;
constexpr std::size_t kRememberedStateRequests = 16;
}  // namespace

void ClientSession::refresh_salt(TimePoint now) {
  // "Service Messages", "Request for several future salts": switch to the salt valid
  // now (server clock), and ask for more before the known ones run out.
  const std::int64_t t = to_unix_seconds(ids_.corrected(now));
  std::erase_if(future_salts_, [t](const FutureSalt& s) { return s.valid_until <= t; });
  for (const FutureSalt& s : future_salts_) {
    if (s.valid_since <= t) {
      server_salt_ = s.salt;
      break;
    }
  }
  if (future_salts_.empty()) return;
  std::int64_t last = 0;
  for (const FutureSalt& s : future_salts_) last = std::max<std::int64_t>(last, s.valid_until);
  const std::int64_t margin = std::chrono::duration_cast<std::chrono::seconds>(cfg_.salt_refresh_margin).count();
  if (last - t >= margin) return;
  for (const auto& [key, r] : table_.all())
    if (r.kind == RequestKind::get_future_salts) return;
  request_future_salts(now);
}

std::optional<TimePoint> ClientSession::next_timer(TimePoint now) const {
  if (!send_queue_.empty() || !service_out_.empty() || !state_req_due_.empty()) return now;
  if (pending_acks_.empty()) return std::nullopt;
  if (pending_acks_.size() >= cfg_.ack_batch) return now;
  return ack_deadline_ ? *ack_deadline_ : now;
}

std::optional<Bytes> ClientSession::take_outgoing(TimePoint now) {
  refresh_salt(now);
  const bool have_payload = !send_queue_.empty() || !service_out_.empty() || !state_req_due_.empty();
  const bool acks_due = !pending_acks_.empty() &&
                        (have_payload || pending_acks_.size() >= cfg_.ack_batch || (ack_deadline_ && now >= *ack_deadline_));
  if (!have_payload && !acks_due) return std::nullopt;

  std::vector<Bytes> owned;  // bodies built here; spans into them stay valid (heap buffers)
  owned.reserve(3 + service_out_.size());
  std::vector<OutMessage> msgs;
  std::size_t bytes = 0;
  auto add_service = [&](Bytes body) -> std::uint64_t {
    owned.push_back(std::move(body));
    const std::uint64_t id = ids_.next(now, MsgIdKind::client);
    msgs.push_back(OutMessage{id, seq_.next(false), owned.back()});
    bytes += owned.back().size();
    return id;
  };

  if (acks_due) {
    const std::size_t n = std::min(pending_acks_.size(), kMaxIdsPerMessage);
    add_service(write_long_vector_message(ids::msgs_ack, std::span(pending_acks_).first(n)));
    pending_acks_.erase(pending_acks_.begin(), pending_acks_.begin() + static_cast<std::ptrdiff_t>(n));
    if (pending_acks_.empty()) ack_deadline_.reset();
  }
  if (!state_req_due_.empty()) {
    const std::size_t n = std::min(state_req_due_.size(), kMaxIdsPerMessage);
    std::vector<std::uint64_t> asked(state_req_due_.begin(), state_req_due_.begin() + static_cast<std::ptrdiff_t>(n));
    state_req_due_.erase(state_req_due_.begin(), state_req_due_.begin() + static_cast<std::ptrdiff_t>(n));
    const std::uint64_t id = add_service(write_long_vector_message(ids::msgs_state_req, asked));
    state_requests_.emplace_back(id, std::move(asked));
    if (state_requests_.size() > kRememberedStateRequests) state_requests_.pop_front();
  }
  for (Bytes& b : service_out_) add_service(std::move(b));
  service_out_.clear();

  const TimePoint server_now = ids_.corrected(now);
  while (!send_queue_.empty() && msgs.size() < cfg_.max_container_messages) {
    Request* r = table_.find_by_key(send_queue_.front());
    if (!r || r->state != RequestState::queued) {
      send_queue_.pop_front();
      continue;
    }
    if (!msgs.empty() && bytes + r->body.size() > cfg_.max_packet_body) break;
    if (server_now - msg_id_time(r->msg_id) > cfg_.refresh_msg_id_after) {
      table_.rekey(*r, ids_.next(now, MsgIdKind::client));
      r->seq_no = seq_.next(r->content_related);
    }
    msgs.push_back(OutMessage{r->msg_id, r->seq_no, r->body});
    bytes += r->body.size();
    r->state = RequestState::sent;
    r->sent_at = now;
    send_queue_.pop_front();
  }
  if (msgs.empty()) return std::nullopt;

  MessageHeader h;
  h.server_salt = server_salt_;
  h.session_id = session_id_;
  if (msgs.size() == 1) {
    h.msg_id = msgs[0].msg_id;
    h.seq_no = msgs[0].seq_no;
    return encrypt_packet(key_, Side::client, h, msgs[0].body, random_, cfg_.max_extra_padding_blocks);
  }
  // "Mobile Protocol: Detailed Description": a container's msg_id is greater than its messages', its seqno >= theirs.
  h.msg_id = ids_.next(now, MsgIdKind::client);
  h.seq_no = seq_.next(false);
  std::vector<std::uint64_t> inner;
  inner.reserve(msgs.size());
  for (const OutMessage& m : msgs) inner.push_back(m.msg_id);
  sent_containers_.emplace_back(h.msg_id, std::move(inner));
  if (sent_containers_.size() > kRememberedContainers) sent_containers_.pop_front();
  const Bytes body = write_container(msgs);
  return encrypt_packet(key_, Side::client, h, body, random_, cfg_.max_extra_padding_blocks);
}

}  // namespace mtjson::mtproto::session
