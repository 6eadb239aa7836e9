#include "daemon/dc/dc_link.h"

#include <algorithm>

#include "base/bytes.h"
#include "mtproto/session/packet_crypto.h"
#include "mtproto/transport_padding.h"

namespace mtjson::daemon {

namespace hs = mtproto::handshake;
namespace ss = mtproto::session;

namespace {

// "Security Guidelines for Client Developers", "Behavior in case of mismatch": a packet that fails the
// decryption checks is discarded and the TCP connection made again. Other drops (a duplicate
// msg_id after a reconnect, ...) are normal and keep the connection.
bool undecryptable(const mtproto::session::Dropped& dropped) {
  return mtproto::session::is_decrypt_failure(dropped.reason);
}

}  // namespace

void HandshakeJob::run() {
  auto body = channel->unwrap(packet);
  if (!body) {
    status = body.status().prefixed("key exchange: ");
    return;
  }
  auto out = handshake->on_message(*body);
  if (!out) {
    status = out.status().prefixed("key exchange: ");
    return;
  }
  if (!out->send.empty()) reply = channel->wrap(out->send);
  done = out->done;
}

DcLink::DcLink(DcLinkConfig config, crypto::RandomSource& random, std::optional<KeyState> key)
    : config_(std::move(config)), random_(random), backoff_(config_.backoff), key_(std::move(key)) {
  const auto& t = config_.transport;
  padded_ = t.mode == transport::Mode::padded_intermediate ||
            (t.secret && t.secret->kind != transport::ProxySecret::Kind::plain);
}

std::optional<KeyState> DcLink::key_state() const {
  if (!key_) return std::nullopt;
  KeyState k = *key_;
  if (session_) {
    k.server_salt = session_->server_salt();
    k.time_offset = session_->time_offset();
  }
  return k;
}

std::size_t DcLink::pending_queries() const {
  return waiting_.size() + (session_ ? session_->pending_requests() : 0);
}

void DcLink::start(TimePoint now) {
  if (state_ != State::idle) return;
  if (key_) new_session(*key_, now);
  begin_connection(now);
}

void DcLink::begin_connection(TimePoint now) {
  ++generation_;
  handshake_.reset();
  plain_.reset();
  job_.reset();
  job_running_ = false;
  connection_ = std::make_unique<transport::ClientConnection>(config_.transport, random_);
  out_.clear();
  answered_since_connect_ = false;
  state_ = State::connecting;
  deadline_ = now + config_.connect_timeout;
  connect_requested_ = true;
}

void DcLink::on_connected(TimePoint now) {
  if (state_ != State::connecting) return;
  if (auto st = connection_->start(); !st.ok()) {
    lose_connection("transport: " + st.message(), now);
    return;
  }
  out_ = connection_->take_output();
  last_received_ = now;
  if (key_) {
    enter_ready(now);
  } else {
    start_handshake(now);
  }
}

void DcLink::start_handshake(TimePoint now) {
  hs::ClientConfig cfg;
  cfg.dc_id = config_.dc_id;
  cfg.test_dc = config_.test_dc;
  cfg.media = config_.media;
  cfg.keys = config_.server_keys;
  // The handshake reads the time when it checks server_time (step 5); the job may run on another
  // thread, so it reads the value captured here rather than the owner's clock.
  const std::int64_t now_ns = now.time_since_epoch().count();
  hs::UnixClock clock = [now_ns] { return now_ns; };
  handshake_ = std::make_shared<hs::ClientHandshake>(cfg, random_, clock);
  plain_ = std::make_shared<hs::PlainChannel>(crypto::Side::client, clock);
  state_ = State::handshaking;
  deadline_ = now + config_.handshake_timeout;
  send_frame(plain_->wrap(handshake_->start()));
}

void DcLink::enter_ready(TimePoint now) {
  state_ = State::ready;
  session_->on_reconnect(now);
  next_ping_ = now;  // first ping right away: it also tells the server our disconnect delay
  events_.push_back(LinkUp{});
  pump_session(now);
}

void DcLink::new_session(const KeyState& key, TimePoint now) {
  (void)now;
  session_ = std::make_unique<ss::ClientSession>(key.auth_key, key.server_salt, random_, config_.session);
  session_->set_time_offset(key.time_offset);
  for (auto& [token, body] : waiting_) session_->send_query(std::move(body), token, now);
  waiting_.clear();
}

void DcLink::send_query(Bytes body, std::uint64_t token, TimePoint now) {
  if (!session_) {
    waiting_.emplace_back(token, std::move(body));
    return;
  }
  session_->send_query(std::move(body), token, now);
}

bool DcLink::cancel(std::uint64_t token, TimePoint now) {
  auto it = std::find_if(waiting_.begin(), waiting_.end(), [&](const auto& w) { return w.first == token; });
  if (it != waiting_.end()) {
    waiting_.erase(it);
    return true;
  }
  return session_ && session_->cancel(token, now);
}

void DcLink::close(TimePoint now) {
  if (state_ == State::closed || state_ == State::closing) return;
  if (state_ == State::ready) {
    // Acks and anything else due go out first. Acks normally wait ack_delay for a packet to
    // ride on; none will follow, so they go now (next_timer names the ack deadline then).
    const auto due = session_ ? session_->next_timer(now) : std::nullopt;
    pump_session(due ? std::max(now, *due) : now);
    state_ = State::closing;
    close_requested_ = "closed by the daemon";
    return;
  }
  const bool had_socket = state_ == State::connecting || state_ == State::handshaking;
  state_ = State::closing;
  if (had_socket) {
    close_requested_ = "closed by the daemon";
  } else {
    state_ = State::closed;
    events_.push_back(LinkClosed{});
  }
}

void DcLink::lose_connection(const std::string& reason, TimePoint now) {
  if (state_ == State::closing || state_ == State::closed) return;
  const bool was_up = state_ == State::ready;
  close_requested_ = reason;
  out_.clear();  // written for a connection that is gone
  ++generation_;
  handshake_.reset();
  plain_.reset();
  job_.reset();
  job_running_ = false;
  if (answered_since_connect_) backoff_.reset();
  state_ = State::backoff;
  deadline_ = now + backoff_.next(random_);
  ++reconnects_;
  if (was_up) events_.push_back(LinkDown{reason});
}

void DcLink::on_connect_failed(const std::string& reason, TimePoint now) {
  if (state_ == State::closing) {
    state_ = State::closed;
    events_.push_back(LinkClosed{});
    return;
  }
  if (state_ != State::connecting) return;
  lose_connection("connect: " + reason, now);
  close_requested_.reset();  // there is no socket
}

void DcLink::on_disconnected(const std::string& reason, TimePoint now) {
  if (state_ == State::closing) {
    state_ = State::closed;
    events_.push_back(LinkClosed{});
    return;
  }
  if (state_ == State::backoff || state_ == State::idle || state_ == State::closed) return;
  lose_connection(reason, now);
  close_requested_.reset();  // already gone
}

void DcLink::on_bytes(std::span<const std::uint8_t> bytes, TimePoint now) {
  if (state_ != State::handshaking && state_ != State::ready) return;
  last_received_ = now;
  connection_->on_bytes_received(bytes);
  for (;;) {
    if (state_ != State::handshaking && state_ != State::ready) return;
    transport::Decoded d = connection_->next();
    switch (d.kind) {
      case transport::Decoded::Kind::need_more:
        pump_session(now);
        return;
      case transport::Decoded::Kind::quick_ack:
        break;
      case transport::Decoded::Kind::transport_error:
        // "MTProto transports", "Transport errors": -404 on an encrypted packet means
        // the server does not know our auth key.
        if (d.error_code == -404 && state_ == State::ready) {
          key_lost(now);
          lose_connection("server does not know the auth key (-404)", now);
        } else {
          lose_connection("transport error " + std::to_string(d.error_code), now);
        }
        return;
      case transport::Decoded::Kind::error:
        lose_connection("transport: " + d.reason, now);
        return;
      case transport::Decoded::Kind::frame: {
        auto payload = padded_ ? mtproto::strip_transport_padding(d.payload) : std::span<const std::uint8_t>(d.payload);
        on_frame(payload, now);
        break;
      }
    }
  }
}

void DcLink::on_frame(std::span<const std::uint8_t> payload, TimePoint now) {
  if (payload.size() >= 8 && load_le64(payload) == 0) {
    on_plain_frame(payload, now);
    return;
  }
  if (state_ != State::ready || !session_) {
    lose_connection("encrypted packet before the key exchange finished", now);
    return;
  }
  for (ss::ClientEvent& ev : session_->on_packet(payload, now)) {
    if (auto* f = std::get_if<ss::Fatal>(&ev)) {
      lose_connection("session: " + f->reason, now);
      return;
    }
    if (auto* d = std::get_if<ss::Dropped>(&ev); d && undecryptable(*d)) {
      lose_connection("undecryptable packet: " + d->detail, now);
      return;
    }
    if (std::holds_alternative<ss::Dropped>(ev) || std::holds_alternative<ss::Pong>(ev) ||
        std::holds_alternative<ss::FutureSaltsReceived>(ev) || std::holds_alternative<ss::DestroySessionResult>(ev))
      continue;
    if (std::holds_alternative<ss::RpcResult>(ev) || std::holds_alternative<ss::RpcError>(ev)) {
      answered_since_connect_ = true;
      backoff_.reset();
    }
    std::visit(
        [&](auto&& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, ss::RpcResult> || std::is_same_v<E, ss::RpcError> ||
                        std::is_same_v<E, ss::Update> || std::is_same_v<E, ss::NewSession>)
            events_.push_back(std::move(e));
        },
        ev);
  }
}

void DcLink::on_plain_frame(std::span<const std::uint8_t> payload, TimePoint now) {
  if (state_ != State::handshaking || !handshake_ || job_running_) {
    lose_connection("unexpected unencrypted packet", now);
    return;
  }
  HandshakeJob job;
  job.handshake = handshake_;
  job.channel = plain_;
  job.packet.assign(payload.begin(), payload.end());
  job.generation = generation_;
  job_ = std::move(job);
  job_running_ = true;
}

void DcLink::on_job_done(HandshakeJob job, TimePoint now) {
  if (job.generation != generation_ || state_ != State::handshaking) return;  // stale
  job_running_ = false;
  if (!job.status) {
    lose_connection(job.status.message(), now);
    return;
  }
  if (!job.reply.empty()) send_frame(job.reply);
  if (!job.done) return;
  const hs::ClientResult& r = handshake_->result();
  KeyState key;
  key.auth_key = r.auth_key;
  key.server_salt = static_cast<std::uint64_t>(r.server_salt);
  key.time_offset = std::chrono::seconds(r.server_time_offset);
  key_ = key;
  handshake_.reset();
  plain_.reset();
  events_.push_back(KeyCreated{key});
  new_session(key, now);
  enter_ready(now);
}

void DcLink::key_lost(TimePoint now) {
  // Unanswered queries move back to the waiting list and go out again under the new key.
  if (session_) {
    for (auto& [k, req] : session_->table().all())
      if (req.kind == ss::RequestKind::query) waiting_.emplace_back(req.token, req.body);
  }
  session_.reset();
  key_.reset();
  events_.push_back(KeyLost{});
  (void)now;
}

void DcLink::on_timer(TimePoint now) {
  switch (state_) {
    case State::connecting:
      if (now >= deadline_) {
        lose_connection("connect timed out", now);
      }
      break;
    case State::handshaking:
      if (now >= deadline_) lose_connection("key exchange timed out", now);
      break;
    case State::backoff:
      if (now >= deadline_) begin_connection(now);
      break;
    case State::ready:
      // >=: next_timer() names this very moment, so the check must fire at it.
      if (now - last_received_ >= config_.ping_interval + config_.ping_grace) {
        lose_connection("no data from the server for " +
                            std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now - last_received_).count()) +
                            " s",
                        now);
        break;
      }
      if (now >= next_ping_) {
        const auto delay = std::chrono::duration_cast<std::chrono::seconds>(config_.ping_interval + config_.ping_grace);
        session_->send_ping_delay_disconnect(++ping_id_, static_cast<std::int32_t>(delay.count()), now);
        next_ping_ = now + config_.ping_interval;
      }
      pump_session(now);
      break;
    default:
      break;
  }
}

void DcLink::pump_session(TimePoint now) {
  if ((state_ != State::ready) || !session_) return;
  while (auto packet = session_->take_outgoing(now)) send_frame(*packet);
}

void DcLink::send_frame(std::span<const std::uint8_t> payload) {
  if (auto st = connection_->send_frame(payload); !st.ok()) {
    // Only an oversized payload fails here; the session never builds one.
    close_requested_ = "transport: " + st.message();
    return;
  }
  Bytes more = connection_->take_output();
  out_.insert(out_.end(), more.begin(), more.end());
}

bool DcLink::take_connect_request() { return std::exchange(connect_requested_, false); }

std::optional<std::string> DcLink::take_close_request() { return std::exchange(close_requested_, std::nullopt); }

std::optional<HandshakeJob> DcLink::take_job() { return std::exchange(job_, std::nullopt); }

Bytes DcLink::take_output(TimePoint now) {
  pump_session(now);
  return std::exchange(out_, {});
}

std::optional<TimePoint> DcLink::next_timer(TimePoint now) const {
  switch (state_) {
    case State::connecting:
    case State::handshaking:
    case State::backoff:
      return deadline_;
    case State::ready: {
      TimePoint t = std::min(next_ping_, last_received_ + config_.ping_interval + config_.ping_grace);
      if (session_) {
        if (auto s = session_->next_timer(now)) t = std::min(t, *s);
      }
      return t;
    }
    default:
      return std::nullopt;
  }
}

std::vector<LinkEvent> DcLink::take_events() { return std::exchange(events_, {}); }

}  // namespace mtjson::daemon
