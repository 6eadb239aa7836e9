// An in-memory DC for the DcLink tests: the real server-side core (transport ServerConnection,
// ServerHandshake, ServerSession) without sockets, on a clock the test moves. One connection at
// a time, like one DcLink uses. Auth keys and their sessions outlive connections, as on a real
// server, so a reconnect finds its session (and the server re-sends unacknowledged answers).
//
// The "application" answers each API query with "re:" + the query's text, unless told to hold
// queries (answer later with release()) or to ignore the client altogether (blackhole: a dead
// peer that accepted the TCP connection). Tests that speak TL (the Account tests) give it an
// `application` instead: a result, an rpc_error (FLOOD_WAIT_X, PHONE_MIGRATE_X, ...) or silence
// for each query.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "mtproto/handshake/plain_message.h"
#include "mtproto/handshake/server_handshake.h"
#include "mtproto/session/packet_crypto.h"
#include "mtproto/session/server_session.h"
#include "mtproto/transport_padding.h"
#include "tests/mtproto/handshake/test_util.h"
#include "transport/server_connection.h"

namespace mtjson::daemon::test {

using mtproto::session::Duration;
using mtproto::session::TimePoint;
using Bytes = std::vector<std::uint8_t>;
namespace hs = mtproto::handshake;
namespace ss = mtproto::session;

// Test payloads stand in for TL objects: zero-padded to a multiple of 4 bytes.
inline Bytes payload(std::string_view text) {
  Bytes b(text.begin(), text.end());
  b.resize((b.size() + 3) & ~std::size_t{3}, 0);
  return b;
}
inline std::string text_of(const Bytes& b) {
  std::string s(b.begin(), b.end());
  while (!s.empty() && s.back() == 0) s.pop_back();
  return s;
}

// The handshake tests' key pair (tests/vectors): the DC's RSA key.
inline const crypto::RsaPrivateKey& dc_rsa_key() { return hs::test::selfmade_private_key(); }

class FakeDc {
 public:
  struct HeldQuery {
    std::uint64_t auth_key_id = 0;
    ss::Query query;
  };

  explicit FakeDc(const TimePoint& now) : now_(now), random_(0x5eed0dc) {}

  // What the application makes of one API query (its bytes as the client sent them, any
  // invokeWithLayer/initConnection prefix included).
  struct Reply {
    enum class Kind { result, error, silence };
    Kind kind = Kind::result;
    Bytes body;             // result: the answer object
    std::int32_t code = 0;  // error: rpc_error error_code and error_message
    std::string message;
    static Reply result(Bytes b) { return {Kind::result, std::move(b), 0, {}}; }
    static Reply error(std::int32_t code, std::string message) { return {Kind::error, {}, code, std::move(message)}; }
    static Reply silence() { return {Kind::silence, {}, 0, {}}; }
  };
  using Application = std::function<Reply(std::uint64_t auth_key_id, const Bytes& query)>;

  // --- what the test controls ---
  bool answer_queries = true;  // false: queries wait in held() until release()
  bool blackhole = false;      // read nothing, write nothing
  Application application;     // empty: "re:" + the query's text

  // Registers a key as if a previous key exchange had made it (restored sessions).
  void add_key(const mtproto::AuthKey& key, std::uint64_t salt) {
    keys_[key.id] = key;
    salts_[key.id] = salt;
  }
  // The server loses every auth key (and its sessions): the next encrypted packet gets -404.
  void forget_keys() {
    keys_.clear();
    sessions_.clear();
    attached_.clear();
  }
  // A server-initiated message (an update) for the session of `auth_key_id`.
  bool push_update(std::uint64_t auth_key_id, Bytes body) {
    auto it = sessions_.find(auth_key_id);
    if (it == sessions_.end()) return false;
    it->second->push_update(std::move(body), now_);
    return true;
  }
  // Answers every held query now.
  void release() {
    auto held = std::move(held_);
    held_.clear();
    for (auto& h : held) answer(h.auth_key_id, h.query);
  }

  // --- the socket, as the test's glue sees it ---
  void accept() {
    transport::ServerOptions opts;
    opts.clock = [this] { return ss::to_unix_seconds(now_); };
    connection_ = std::make_unique<transport::ServerConnection>(opts, random_);
    handshake_.reset();
    plain_ = std::make_unique<hs::PlainChannel>(crypto::Side::server, unix_ns_clock());
    attached_.clear();
    closing_ = false;
    close_reason_.clear();
    ++connections_;
  }
  // The client closed the connection (or it broke).
  void disconnect() {
    connection_.reset();
    attached_.clear();
  }
  bool connected() const { return connection_ != nullptr; }

  void on_bytes(std::span<const std::uint8_t> bytes) {
    if (!connection_ || closing_ || blackhole) return;
    bytes_received_ += bytes.size();
    connection_->on_bytes_received(bytes);
    while (connection_ && !closing_) {
      transport::Decoded d = connection_->next();
      if (d.kind == transport::Decoded::Kind::need_more) break;
      if (d.kind == transport::Decoded::Kind::error) {
        close("transport: " + d.reason);
        break;
      }
      if (d.kind == transport::Decoded::Kind::frame) on_frame(d.payload);
    }
  }

  // What the server writes now (answers, acks due, ...). After close(), the bytes queued before
  // it (a transport error) still come out once; then closed() is true.
  Bytes take_output() {
    if (!connection_ || blackhole) return {};
    if (!closing_) {
      for (std::uint64_t id : attached_) {
        auto it = sessions_.find(id);
        if (it == sessions_.end()) continue;
        ss::ServerSession& s = *it->second;
        // "Service Messages", ping_delay_disconnect: the client asked to be cut off.
        if (auto d = s.disconnect_deadline(); d && *d <= now_) {
          close("ping_delay_disconnect deadline passed");
          break;
        }
        while (auto p = s.take_outgoing(now_)) {
          if (!connection_->send_frame(*p).ok()) {
            close("send_frame failed");
            break;
          }
        }
      }
    }
    return connection_->take_output();
  }
  bool closed() const { return connection_ && closing_; }
  const std::string& close_reason() const { return close_reason_; }

  std::optional<TimePoint> next_timer() const {
    if (!connection_ || closing_ || blackhole) return std::nullopt;
    std::optional<TimePoint> t;
    auto consider = [&t](std::optional<TimePoint> x) {
      if (x && (!t || *x < *t)) t = x;
    };
    for (std::uint64_t id : attached_) {
      auto it = sessions_.find(id);
      if (it == sessions_.end()) continue;
      consider(it->second->next_timer(now_));
      consider(it->second->disconnect_deadline());
    }
    return t;
  }

  // --- what the test inspects ---
  int connections() const { return connections_; }
  int handshakes_done() const { return handshakes_done_; }
  int transport_errors_sent() const { return transport_errors_sent_; }
  std::size_t bytes_received() const { return bytes_received_; }
  std::size_t frames_received() const { return frames_received_; }  // transport frames (packets)
  const std::vector<std::string>& queries_seen() const { return queries_seen_; }
  std::size_t count_seen(const std::string& text) const {
    return static_cast<std::size_t>(std::count(queries_seen_.begin(), queries_seen_.end(), text));
  }
  const std::vector<HeldQuery>& held() const { return held_; }
  std::size_t key_count() const { return keys_.size(); }
  bool knows_key(std::uint64_t id) const { return keys_.count(id) != 0; }
  ss::ServerSession* session(std::uint64_t auth_key_id) {
    auto it = sessions_.find(auth_key_id);
    return it == sessions_.end() ? nullptr : it->second.get();
  }

 private:
  hs::UnixClock unix_ns_clock() const {
    return [this] { return now_.time_since_epoch().count(); };
  }

  void close(std::string reason) {
    closing_ = true;
    close_reason_ = std::move(reason);
  }

  void on_frame(std::span<const std::uint8_t> frame) {
    ++frames_received_;
    std::span<const std::uint8_t> p = frame;
    for (transport::Layer l : connection_->layers())
      if (l == transport::Layer::padded_intermediate) p = mtproto::strip_transport_padding(p);
    const auto key_id = ss::packet_auth_key_id(p);
    if (!key_id) return close("frame shorter than an auth_key_id");
    if (*key_id == 0) return on_plain(p);
    on_encrypted(p, *key_id);
  }

  void on_plain(std::span<const std::uint8_t> packet) {
    auto body = plain_->unwrap(packet);
    if (!body) return close("bad unencrypted message: " + body.message());
    if (!handshake_) {
      hs::ServerConfig cfg;
      cfg.keys.push_back(dc_rsa_key());
      cfg.require_dc_match = false;
      handshake_ = std::make_unique<hs::ServerHandshake>(std::move(cfg), random_, unix_ns_clock());
    }
    auto r = handshake_->on_message(*body);
    if (!r) return close("handshake failed: " + r.message());
    if (!connection_->send_frame(plain_->wrap(r->send)).ok()) return close("send_frame failed");
    if (r->done) {
      const hs::ServerResult& res = handshake_->result();
      add_key(res.auth_key, static_cast<std::uint64_t>(res.server_salt));
      ++handshakes_done_;
      handshake_.reset();
    }
  }

  void on_encrypted(std::span<const std::uint8_t> packet, std::uint64_t key_id) {
    if (!keys_.count(key_id)) {
      // "MTProto transports", "Transport errors": -404 for an unknown auth key.
      if (connection_->send_transport_error(-404).ok()) ++transport_errors_sent_;
      return close("unknown auth_key_id");
    }
    auto it = sessions_.find(key_id);
    const bool created = it == sessions_.end();
    if (created) {
      const std::int32_t t = static_cast<std::int32_t>(ss::to_unix_seconds(now_));
      std::vector<ss::FutureSalt> salts{{t - 600, t + 24 * 3600, salts_[key_id]}};
      ss::AuthKeyLookup lookup = [this](std::uint64_t id) -> const mtproto::AuthKey* {
        auto k = keys_.find(id);
        return k == keys_.end() ? nullptr : &k->second;
      };
      it = sessions_.emplace(key_id, std::make_unique<ss::ServerSession>(lookup, salts, random_)).first;
    }
    if (!attached_.count(key_id)) {
      // A new connection of a known session: unacknowledged answers go out again.
      if (!created) it->second->on_reconnect(now_);
      attached_.insert(key_id);
    }
    for (auto& ev : it->second->on_packet(packet, now_)) {
      if (auto* q = std::get_if<ss::Query>(&ev)) {
        queries_seen_.push_back(text_of(q->body));
        if (answer_queries)
          answer(key_id, *q);
        else
          held_.push_back({key_id, *q});
      }
    }
  }

  void answer(std::uint64_t key_id, const ss::Query& q) {
    auto it = sessions_.find(key_id);
    if (it == sessions_.end()) return;
    if (!application) {
      it->second->reply(q.msg_id, payload("re:" + text_of(q.body)), now_);
      return;
    }
    Reply r = application(key_id, q.body);
    switch (r.kind) {
      case Reply::Kind::result: it->second->reply(q.msg_id, r.body, now_); break;
      case Reply::Kind::error: it->second->reply_error(q.msg_id, r.code, r.message, now_); break;
      case Reply::Kind::silence: break;
    }
  }

  const TimePoint& now_;
  hs::test::SeededRandom random_;
  std::map<std::uint64_t, mtproto::AuthKey> keys_;
  std::map<std::uint64_t, std::uint64_t> salts_;
  std::map<std::uint64_t, std::unique_ptr<ss::ServerSession>> sessions_;  // by auth_key_id
  std::set<std::uint64_t> attached_;  // sessions that used the current connection
  std::unique_ptr<transport::ServerConnection> connection_;
  std::unique_ptr<hs::ServerHandshake> handshake_;
  std::unique_ptr<hs::PlainChannel> plain_;
  bool closing_ = false;
  std::string close_reason_;
  int connections_ = 0;
  int handshakes_done_ = 0;
  int transport_errors_sent_ = 0;
  std::size_t bytes_received_ = 0;
  std::size_t frames_received_ = 0;
  std::vector<std::string> queries_seen_;
  std::vector<HeldQuery> held_;
};

}  // namespace mtjson::daemon::test
