#include "mtproto/session/server_session.h"

#include <algorithm>

#include "mtproto/session/ids.h"
#include "mtproto/session/shared_helpers.h"

namespace mtjson::mtproto::session {

namespace {

// Constructors a client may send without marking them content-related; any other (an API
// query) with an even seqno gets bad_msg_notification 35 ("Mobile Protocol: Detailed Description",
// "Content-related Message").
bool may_be_non_content(std::uint32_t ctor) {
  switch (ctor) {
    case ids::msgs_ack: case ids::msg_container: case ids::msg_copy: case ids::gzip_packed:
    case ids::ping: case ids::ping_delay_disconnect: case ids::get_future_salts:
    case ids::msgs_state_req: case ids::msgs_state_info: case ids::msgs_all_info:
    case ids::msg_resend_req: case ids::msg_detailed_info: case ids::msg_new_detailed_info:
    case ids::destroy_session: case ids::rpc_drop_answer: case ids::http_wait:
      return true;
    default:
      return false;
  }
}

// ... and the ones it must never mark content-related (else 34).
bool must_be_non_content(std::uint32_t ctor) {
  return ctor == ids::msgs_ack || ctor == ids::msg_container || ctor == ids::msg_copy;
}

}  // namespace

ServerSession::ServerSession(AuthKeyLookup lookup, std::vector<FutureSalt> salts, crypto::RandomSource& random,
                             ServerConfig config)
    : lookup_(std::move(lookup)), salts_(std::move(salts)), random_(random), cfg_(config),
      received_(config.replay_window) {}

std::uint64_t ServerSession::current_salt(TimePoint now) const {
  const std::int64_t t = to_unix_seconds(now);
  const FutureSalt* best = nullptr;
  for (const FutureSalt& s : salts_)
    if (s.valid_since <= t && t < s.valid_until && (!best || s.valid_since > best->valid_since)) best = &s;
  if (best) return best->salt;
  return salts_.empty() ? 0 : salts_.back().salt;
}

bool ServerSession::salt_ok(std::uint64_t salt, TimePoint now) const {
  const std::int64_t t = to_unix_seconds(now);
  for (const FutureSalt& s : salts_)
    if (s.salt == salt && s.valid_since <= t + 60 && t <= std::int64_t{s.valid_until} + cfg_.salt_grace_seconds)
      return true;
  return false;
}

void ServerSession::start_session(std::uint64_t session_id) {
  if (session_id_ != 0) old_sessions_.insert(session_id_);
  session_id_ = session_id;
  unique_id_ = crypto::random_u64(random_);
  announce_session_ = true;
  received_.clear();
  seq_.reset();
  send_queue_.clear();
  unacked_.clear();
  pending_acks_.clear();
  ack_deadline_.reset();
  running_.clear();
  drop_running_.clear();
  answers_.clear();
  answers_order_.clear();
  force_container_ = false;
}

void ServerSession::drop(Events& ev, DropReason reason, std::string detail) {
  ++dropped_count_;
  ev.push_back(Dropped{reason, std::move(detail)});
}

void ServerSession::notify(std::uint64_t bad_msg_id, std::uint32_t bad_seqno, std::int32_t code, TimePoint now) {
  ++notified_[code];
  // Notifications do not require acknowledgment (not content-related).
  Bytes body = code == 48 ? write_bad_server_salt(bad_msg_id, bad_seqno, current_salt(now))
                          : write_bad_msg_notification(bad_msg_id, bad_seqno, code);
  queue(std::move(body), false, MsgIdKind::server_response, now);
}

std::optional<std::int32_t> ServerSession::check_seqno(std::uint64_t msg_id, std::uint32_t seq_no,
                                                       std::span<const std::uint8_t> body) const {
  const std::uint32_t ctor = constructor_of(body).value_or(0);
  const bool content = is_content_related_seqno(seq_no);
  if (content && must_be_non_content(ctor)) return 34;
  if (!content && !may_be_non_content(ctor)) return 35;
  // "Service Messages about Messages", codes 32/33: compare with the neighbours by msg_id.
  const auto& seen = received_.entries();
  auto next = seen.upper_bound(msg_id);
  if (next != seen.begin()) {
    const std::uint32_t prev_seq = std::prev(next)->second;
    if (prev_seq > seq_no || (prev_seq == seq_no && content)) return 32;
  }
  if (next != seen.end()) {
    const std::uint32_t next_seq = next->second;
    if (next_seq < seq_no || (next_seq == seq_no && content)) return 33;
  }
  return std::nullopt;
}

std::vector<ServerEvent> ServerSession::on_packet(std::span<const std::uint8_t> packet, TimePoint now) {
  Events ev;
  const auto key_id = packet_auth_key_id(packet);
  if (!key_id) {
    drop(ev, DropReason::too_short, "packet too short");
    return ev;
  }
  if (!key_ || key_->id != *key_id) {
    const AuthKey* k = lookup_ ? lookup_(*key_id) : nullptr;
    if (!k) {
      ev.emplace_back(std::in_place_type<UnknownAuthKey>, UnknownAuthKey{*key_id});
      return ev;
    }
    key_ = *k;
    session_id_ = 0;
  }
  DecryptedMessage m;
  if (auto err = decrypt_packet(*key_, Side::client, packet, m)) {
    drop(ev, drop_reason(*err), to_string(*err));
    return ev;
  }
  return on_decrypted(*key_, m, now);
}

std::vector<ServerEvent> ServerSession::on_decrypted(const AuthKey& key, const DecryptedMessage& m, TimePoint now) {
  Events ev;
  if (!key_ || key_->id != key.id) {
    key_ = key;
    session_id_ = 0;
  }
  if (m.header.session_id != session_id_) start_session(m.header.session_id);
  handle_outer(m.header.msg_id, m.header.seq_no, m.body(), m.header.server_salt, now, ev);
  return ev;
}

void ServerSession::handle_outer(std::uint64_t msg_id, std::uint32_t seq_no, std::span<const std::uint8_t> body,
                                 std::uint64_t salt, TimePoint now, Events& ev) {
  // Order: msg_id parity and time window, replay window, salt, container shape, seqno.
  if (msg_id % 4 != 0) return notify(msg_id, seq_no, 18, now);
  switch (check_msg_id_time(msg_id, now)) {
    case TimeVerdict::too_old: return notify(msg_id, seq_no, 16, now);
    case TimeVerdict::too_new: return notify(msg_id, seq_no, 17, now);
    case TimeVerdict::ok: break;
  }
  switch (received_.check(msg_id)) {
    case WindowVerdict::duplicate: return drop(ev, DropReason::duplicate_msg_id, "duplicate msg_id (replayed packet)");
    case WindowVerdict::too_old: return notify(msg_id, seq_no, 20, now);
    case WindowVerdict::fresh: break;
  }
  if (!salt_ok(salt, now)) return notify(msg_id, seq_no, 48, now);

  std::vector<InnerMessage> inner;
  const bool container = constructor_of(body) == ids::msg_container;
  if (container) {
    auto parsed = parse_container(body);
    if (!parsed) return notify(msg_id, seq_no, 64, now);
    inner = std::move(*parsed);
    for (const InnerMessage& im : inner) {
      if (im.msg_id >= msg_id || im.msg_id % 4 != 0 || constructor_of(im.body) == ids::msg_container)
        return notify(msg_id, seq_no, 64, now);
    }
  }
  if (auto code = check_seqno(msg_id, seq_no, body)) return notify(msg_id, seq_no, *code, now);
  received_.insert(msg_id, seq_no);

  if (announce_session_) {
    // "Service Messages", "New Session Creation Notification": first_msg_id is the
    // first message of this session we process (the lowest inside a container).
    std::uint64_t first = msg_id;
    for (const InnerMessage& im : inner) first = std::min(first, im.msg_id);
    announce_session_ = false;
    queue(write_new_session_created(first, unique_id_, current_salt(now)), true, MsgIdKind::server_initiated, now);
    ev.emplace_back(std::in_place_type<SessionCreated>, SessionCreated{session_id_, first, unique_id_});
  }
  if (!container) {
    if (is_content_related_seqno(seq_no)) {
      pending_acks_.push_back(msg_id);
      if (!ack_deadline_) ack_deadline_ = now + cfg_.ack_delay;
    }
    dispatch(msg_id, body, now, ev, 0);
    return;
  }
  for (const InnerMessage& im : inner) handle_inner(im.msg_id, im.seq_no, im.body, now, ev);
}

void ServerSession::handle_inner(std::uint64_t msg_id, std::uint32_t seq_no, std::span<const std::uint8_t> body,
                                 TimePoint now, Events& ev) {
  const bool content = is_content_related_seqno(seq_no);
  switch (received_.check(msg_id)) {
    case WindowVerdict::duplicate: {
      // A re-sent query: the cached answer again, never a second execution.
      if (auto it = answers_.find(msg_id); it != answers_.end())
        queue(it->second, true, MsgIdKind::server_response, now, msg_id);
      else if (content)
        pending_acks_.push_back(msg_id);
      return;
    }
    case WindowVerdict::too_old: return notify(msg_id, seq_no, 20, now);
    case WindowVerdict::fresh: break;
  }
  if (auto code = check_seqno(msg_id, seq_no, body)) return notify(msg_id, seq_no, *code, now);
  received_.insert(msg_id, seq_no);
  if (content) {
    pending_acks_.push_back(msg_id);
    if (!ack_deadline_) ack_deadline_ = now + cfg_.ack_delay;
  }
  dispatch(msg_id, body, now, ev, 0);
}

}  // namespace mtjson::mtproto::session
