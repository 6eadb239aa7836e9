#include "testdc/server/connection.h"

#include <asio/co_spawn.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cstdio>

#include "crypto/kdf.h"
#include "mtproto/session/packet_crypto.h"
#include "testdc/server/padding.h"
#include "transport/detect.h"

namespace mtjson::testdc::server {

using mtproto::session::TimePoint;

namespace {

// One read buffer for every connection of a thread: bytes are handed on before the next wait.
std::span<std::uint8_t> read_scratch() {
  thread_local std::vector<std::uint8_t> buffer(64 * 1024);
  return buffer;
}

std::string hex_id(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

transport::ServerOptions transport_options(const ServerCore& core) {
  transport::ServerOptions o;
  o.secrets = core.secrets;
  return o;
}

}  // namespace

TimePoint now_point() {
  return std::chrono::time_point_cast<mtproto::session::Duration>(std::chrono::system_clock::now());
}

TimePoint ServerCore::now() const { return now_point() + std::chrono::seconds(faults.clock_skew); }

void ServerCore::deliver_push(const Push& push, TimePoint now) {
  SessionEntry* entry = sessions.find(push.auth_key_id, static_cast<std::uint64_t>(push.session_id));
  if (!entry || entry->api.without_updates) return;  // "Calling API Methods", "Disabling updates"
  if (faults.skip_updates > 0) {
    --faults.skip_updates;
    ++stats.updates_skipped;
    ++stats.faults_fired;
    info("fault skip_updates: update for session " + std::to_string(push.session_id) + " not delivered (" +
         std::to_string(faults.skip_updates) + " more to skip)");
    return;
  }
  if (faults.too_long_updates > 0) {
    --faults.too_long_updates;
    ++stats.updates_too_long;
    ++stats.faults_fired;
    info("fault too_long_updates: updatesTooLong sent to session " + std::to_string(push.session_id) +
         " instead of an update (" + std::to_string(faults.too_long_updates) + " more)");
    if (auto bytes = api.encode_updates(entry->api, {{"_cons", "updatesTooLong"}})) {
      entry->session.push_update(std::move(*bytes), now);
      if (entry->attached) entry->attached->wake();
    }
    return;
  }
  auto bytes = api.encode_updates(entry->api, push.updates);
  if (!bytes) return;
  entry->session.push_update(std::move(*bytes), now);
  if (entry->attached) entry->attached->wake();
}

Connection::Connection(ServerCore& core, asio::ip::tcp::socket socket, int dc_id)
    : core_(core), socket_(std::move(socket)), timer_(socket_.get_executor()), dc_id_(dc_id),
      id_(core.next_connection_id++), transport_(transport_options(core), core.random),
      plain_ids_(crypto::Side::server, [c = &core] { return c->now().time_since_epoch().count(); }) {
  asio::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  peer_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
}

Connection::~Connection() { finish(); }

std::string Connection::name() const { return "dc" + std::to_string(dc_id_) + " #" + std::to_string(id_); }

void Connection::start() {
  core_.connections.insert(this);
  ++core_.stats.connections_accepted;
  auto self = shared_from_this();
  asio::co_spawn(socket_.get_executor(), reader(), [self](std::exception_ptr) {});
  asio::co_spawn(socket_.get_executor(), writer(), [self](std::exception_ptr) {});
}

void Connection::wake() { timer_.cancel(); }

void Connection::close(std::string reason) {
  if (!closing_) {
    closing_ = true;
    close_reason_ = std::move(reason);
  }
  wake();
}

void Connection::abort(std::string reason) {
  if (finished_ || aborted_) return;
  if (!closing_) {
    closing_ = true;
    close_reason_ = std::move(reason);
  }
  aborted_ = true;
  asio::error_code ec;
  // SO_LINGER 0: close() sends RST, not FIN, and discards what the kernel still holds.
  socket_.set_option(asio::socket_base::linger(true, 0), ec);
  socket_.close(ec);
  wake();
}

void Connection::detach(SessionEntry* entry) {
  std::erase(sessions_, entry);
  if (entry->attached == this) entry->attached = nullptr;
}

asio::awaitable<void> Connection::reader() {
  // Readiness first, then a read of what arrived into a buffer shared by the thread's connections
  // (handed to the transport before the next co_await): no read known to find nothing, and no
  // large buffer per idle connection.
  asio::error_code ec;
  socket_.non_blocking(true, ec);
  try {
    while (!closing_) {
      co_await socket_.async_wait(asio::ip::tcp::socket::wait_read, asio::use_awaitable);
      for (;;) {
        if (closing_) break;
        std::span<std::uint8_t> buf = read_scratch();
        const std::size_t n = socket_.read_some(asio::buffer(buf.data(), buf.size()), ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) break;
        if (ec) throw std::system_error(ec);
        on_bytes(buf.first(n));
        if (n < buf.size()) break;  // the kernel had no more; a full buffer may have left some
      }
      wake();
    }
  } catch (const std::system_error& e) {
    if (e.code() == asio::error::eof)
      close("closed by the client");
    else if (e.code() != asio::error::operation_aborted)
      close("read: " + e.code().message());
  }
}

void Connection::on_bytes(std::span<const std::uint8_t> bytes) {
  transport_.on_bytes_received(bytes);
  while (!closing_) {
    transport::Decoded d = transport_.next();
    if (d.kind == transport::Decoded::Kind::need_more) break;
    if (d.kind == transport::Decoded::Kind::error) {
      close("transport: " + d.reason);
      break;
    }
    if (d.kind == transport::Decoded::Kind::frame) on_frame(std::move(d.payload), d.quick_ack_requested);
  }
  if (transport_.failed() && !closing_) close("transport: " + transport_.error().message());
  if (!logged_open_ && transport_.established()) {
    logged_open_ = true;
    core_.info(name() + " open from " + peer_ + " (" + transport::describe_layers(transport_.layers()) + ")");
  }
}

asio::awaitable<void> Connection::writer() {
  try {
    for (;;) {
      if (aborted_) break;
      const TimePoint now = core_.now();
      if (!closing_) collect_output(now);
      std::vector<std::uint8_t> out = transport_.take_output();
      if (aborted_) break;
      if (!out.empty()) {
        co_await asio::async_write(socket_, asio::buffer(out), asio::use_awaitable);
        continue;
      }
      if (closing_) break;
      const auto next = next_wake(now);
      // Timers are in the server's (skewed) clock; the system timer runs on the real one.
      const auto skew = std::chrono::seconds(core_.faults.clock_skew);
      const auto until = next ? std::chrono::time_point_cast<std::chrono::system_clock::duration>(*next - skew)
                              : std::chrono::system_clock::now() + std::chrono::hours(1);
      timer_.expires_at(until);
      asio::error_code ec;
      co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
  } catch (const std::system_error& e) {
    close("write: " + e.code().message());
  }
  finish();
}

void Connection::collect_output(TimePoint now) {
  // Copy: answering may not change the list, but closing paths below must not invalidate it.
  const std::vector<SessionEntry*> sessions = sessions_;
  for (SessionEntry* e : sessions) {
    if (e->attached != this) continue;  // detached meanwhile (destroy_keys)
    release_delayed(*e, now);
    auto timeouts = core_.api.on_timer(e->api, now);
    if (!timeouts.empty()) answer(*e, std::move(timeouts), now);
    // "Service Messages", ping_delay_disconnect: the client asked to be cut off.
    if (auto d = e->session.disconnect_deadline(); d && *d <= now) {
      close("ping_delay_disconnect deadline passed");
      return;
    }
    while (auto packet = e->session.take_outgoing(now)) {
      if (auto st = transport_.send_frame(*packet); !st.ok()) {
        close("transport: " + st.message());
        return;
      }
    }
  }
}

std::optional<TimePoint> Connection::next_wake(TimePoint now) {
  std::optional<TimePoint> t;
  auto consider = [&t](std::optional<TimePoint> x) {
    if (x && (!t || *x < *t)) t = x;
  };
  for (SessionEntry* e : sessions_) {
    consider(e->session.next_timer(now));
    consider(core_.api.next_deadline(e->api));
    consider(e->session.disconnect_deadline());
    if (!e->delayed.empty()) consider(e->delayed.front().due);
  }
  return t;
}

void Connection::on_frame(std::vector<std::uint8_t> frame, bool quick_ack_requested) {
  std::span<const std::uint8_t> payload = frame;
  for (transport::Layer l : transport_.layers())
    if (l == transport::Layer::padded_intermediate) payload = strip_transport_padding(payload);
  const auto key_id = mtproto::session::packet_auth_key_id(payload);
  if (!key_id) return close("frame shorter than an auth_key_id");
  if (*key_id == 0)
    on_plain(payload);
  else
    on_encrypted(payload, *key_id, quick_ack_requested);
}

void Connection::on_plain(std::span<const std::uint8_t> payload) {
  namespace hs = mtproto::handshake;
  auto msg = hs::decode_plain(payload, crypto::Side::client);
  if (!msg) {
    core_.info(name() + " handshake: bad unencrypted message: " + msg.message());
    return close("bad unencrypted message");
  }
  if (!handshake_) {
    hs::ServerConfig cfg;
    cfg.keys = core_.rsa_keys;
    cfg.dc = dc_id_;
    cfg.require_dc_match = false;  // clients send test/media variants of the dc (+10000, negative)
    ServerCore* core = &core_;
    cfg.key_id_taken = [core](std::uint64_t id) { return core->keys.taken(id, core->unix_now()); };
    // server_time in server_DH_inner_data follows the server's (possibly skewed) clock.
    hs::UnixClock clock = [core] { return core->now().time_since_epoch().count(); };
    handshake_ = std::make_unique<hs::ServerHandshake>(std::move(cfg), core_.random, std::move(clock));
  }
  auto r = handshake_->on_message(msg->body);
  if (!r) {
    core_.info(name() + " handshake failed: " + r.message());
    return close("handshake failed");
  }
  if (auto st = transport_.send_frame(hs::encode_plain(plain_ids_.next(), r->send)); !st.ok())
    return close("transport: " + st.message());
  if (r->done) {
    const hs::ServerResult& res = handshake_->result();
    core_.keys.add(res.auth_key, dc_id_, static_cast<std::uint64_t>(res.server_salt), core_.unix_now());
    core_.dirty = true;
    ++core_.stats.handshakes_completed;
    core_.info(name() + " handshake done: auth_key_id " + hex_id(res.auth_key.id) +
               (res.temp ? " (temporary, " + std::to_string(res.expires_in) + " s)" : std::string()) +
               (res.has_dc ? ", client dc " + std::to_string(res.dc) : std::string()));
    handshake_.reset();  // a later req_pq_multi on this connection starts a new exchange
  } else if (handshake_->state() == hs::ServerHandshake::State::Failed) {
    core_.info(name() + " handshake failed: too many dh_gen_retry");
    handshake_.reset();
  }
}

void Connection::on_encrypted(std::span<const std::uint8_t> payload, std::uint64_t auth_key_id,
                              bool quick_ack_requested) {
  const TimePoint now = core_.now();
  const std::int64_t unix_now = mtproto::session::to_unix_seconds(now);
  ServerKeyState* key = core_.keys.find(auth_key_id, unix_now);
  if (!key) {
    // "MTProto transports", "Transport errors": -404 for an unknown auth key.
    core_.info(name() + ": unknown auth_key_id " + hex_id(auth_key_id) + " -> transport error -404");
    if (transport_.send_transport_error(-404).ok()) ++core_.stats.transport_errors_sent;
    return close("unknown auth_key_id");
  }
  // Decrypted here, once: the session_id inside picks the session, which takes the result.
  mtproto::session::DecryptedMessage message;
  if (auto err = mtproto::session::decrypt_packet(key->key, crypto::Side::client, payload, message)) {
    // "Security Guidelines for Client Developers": a packet that does not decrypt closes the connection.
    return close(std::string("undecryptable packet: ") + mtproto::session::to_string(*err));
  }
  if (chance(core_.random, core_.faults.drop_rate)) {
    // Lost on the way: never processed, the client has to send it again.
    ++core_.stats.faults_fired;
    ++core_.stats.dropped_by_faults;
    core_.info(name() + ": fault drop_rate: packet lost, connection cut");
    return abort("fault drop_rate");
  }
  if (quick_ack_requested) send_quick_ack(key->key, message);

  const std::uint64_t session_id = message.header.session_id;
  bool created = false;
  ServerCore* core = &core_;
  SessionEntry& entry = core_.sessions.get_or_create(
      auth_key_id, session_id,
      [core, key]() {
        mtproto::session::AuthKeyLookup lookup = [core](std::uint64_t id) -> const mtproto::AuthKey* {
          ServerKeyState* k = core->keys.find(id, core->unix_now());
          return k ? &k->key : nullptr;
        };
        return std::make_unique<SessionEntry>(std::move(lookup), key->salts, core->random);
      },
      created);
  if (created) {
    entry.ctx.auth_key_id = auth_key_id;
    entry.ctx.session_id = session_id;
    entry.api.layer = core_.api.initial_layer(auth_key_id, unix_now);
  }
  entry.ctx.dc_id = dc_id_;
  entry.last_seen_unix = unix_now;
  attach(entry, created, now);

  for (auto& ev : entry.session.on_decrypted(key->key, message, now)) {
    if (auto* q = std::get_if<mtproto::session::Query>(&ev)) {
      core_.dirty = true;
      answer(entry, core_.api.on_query(entry.ctx, entry.api, q->msg_id, q->body, now), now);
    } else if (auto* c = std::get_if<mtproto::session::SessionCreated>(&ev)) {
      if (core_.verbose) core_.info(name() + ": new session " + hex_id(c->session_id) + " on key " + hex_id(auth_key_id));
    } else if (auto* d = std::get_if<mtproto::session::Dropped>(&ev)) {
      if (core_.verbose) core_.info(name() + ": dropped: " + d->detail);
    }
  }
  if (drop_after_reached()) {
    // Processed (answers wait in the session for the client's next connection), then cut.
    ++core_.stats.faults_fired;
    ++core_.stats.dropped_by_faults;
    core_.info(name() + ": fault drop_after: cut after " + std::to_string(drop_count_) + " encrypted packets");
    abort("fault drop_after");
  }
}

void Connection::send_quick_ack(const mtproto::AuthKey& key, const mtproto::session::DecryptedMessage& message) {
  // "MTProto transports", "Quick ack": the first 32 bits of the msg_key_large hash
  // (SHA-256 of auth_key[88..120] + the decrypted data with its padding), MSB set.
  const auto large = crypto::msg_key_large(crypto::AuthKeyView(key.key), crypto::Side::client, message.plaintext);
  const std::uint32_t token = crypto::quick_ack_token(large);
  if (auto st = transport_.send_quick_ack(token); !st.ok()) {
    if (core_.verbose) core_.info(name() + ": quick ack not sent: " + st.message());
    return;
  }
  ++core_.stats.quick_acks_sent;
}

bool Connection::drop_after_reached() {
  const auto& d = core_.faults.drop_after;
  if (!d || (d->dc && *d->dc != dc_id_)) return false;
  if (drop_generation_ != core_.faults.drop_after_generation) {
    drop_generation_ = core_.faults.drop_after_generation;
    drop_count_ = 0;
  }
  return ++drop_count_ >= d->packets;
}

void Connection::attach(SessionEntry& entry, bool created, TimePoint now) {
  (void)created;
  if (entry.attached == this) return;
  if (entry.attached) {
    entry.attached->detach(&entry);  // moved here; stays live for the world
  } else {
    Caller caller;
    caller.dc_id = dc_id_;
    caller.auth_key_id = entry.ctx.auth_key_id;
    caller.session_id = static_cast<std::int64_t>(entry.ctx.session_id);
    caller.layer = core_.api.layer_of(entry.api).layer;
    core_.world.session_opened(caller);
  }
  // A known session on a new connection: unacknowledged messages go out again.
  if (entry.ever_attached) entry.session.on_reconnect(now);
  entry.attached = this;
  entry.ever_attached = true;
  sessions_.push_back(&entry);
}

void Connection::answer(SessionEntry& entry, std::vector<Answer> answers, TimePoint now) {
  const auto delay = core_.faults.delay;
  for (Answer& a : answers) {
    // Behind answers already held, an answer waits its turn (order is kept when delay changes).
    if (delay.count() > 0 || !entry.delayed.empty()) {
      if (delay.count() > 0) {
        ++core_.stats.faults_fired;
        core_.info(name() + ": fault delay: answer to msg_id " + std::to_string(a.req_msg_id) + " held " +
                   std::to_string(delay.count()) + " ms");
      }
      entry.delayed.push_back({now + delay, std::move(a)});
      continue;
    }
    send_answer(entry, a, now);
  }
}

void Connection::send_answer(SessionEntry& entry, Answer& a, TimePoint now) {
  if (a.ok) {
    entry.session.reply(a.req_msg_id, a.result, now);
  } else if (entry.session.reply_error(a.req_msg_id, a.error_code, a.error_message, now)) {
    ++core_.stats.rpc_errors_sent;
  }
  // World: pushes for the calling session come after its rpc_result.
  for (const Push& p : a.pushes) core_.deliver_push(p, now);
}

void Connection::release_delayed(SessionEntry& entry, TimePoint now) {
  while (!entry.delayed.empty() && entry.delayed.front().due <= now) {
    Answer a = std::move(entry.delayed.front().answer);
    entry.delayed.pop_front();
    send_answer(entry, a, now);
  }
}

void Connection::finish() {
  if (finished_) return;
  finished_ = true;
  core_.connections.erase(this);
  if (core_.connections.empty() && core_.on_last_closed) core_.on_last_closed();
  for (SessionEntry* e : sessions_) {
    e->attached = nullptr;
    core_.world.session_closed(e->ctx.auth_key_id, static_cast<std::int64_t>(e->ctx.session_id));
  }
  sessions_.clear();
  const std::string layers =
      transport_.layers().empty() ? "transport not detected" : transport::describe_layers(transport_.layers());
  core_.info(name() + " closed (" + layers + "): " + (close_reason_.empty() ? "server stopping" : close_reason_));
  asio::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  timer_.cancel();
}

}  // namespace mtjson::testdc::server
