// One MTProto connection to one DC, client role, as a sans-I/O state machine:
// the glue (dc_link_io.h) reports socket events and bytes, and performs what the link asks for
// (connect, write, close, run a handshake step on a worker thread, wake at next_timer()).
//
//   idle -start-> connecting -on_connected-> handshaking (no auth key yet) -key-> ready
//                            -on_connected-> ready (key known)
//   connecting/handshaking/ready -on_disconnected/timeout/fatal-> backoff -timer-> connecting
//   any -close-> closing (pending acks flushed) -> closed
//
// The auth key and the MTProto session (session_id, seqno, salts, unanswered queries) live across
// reconnects: ClientSession::on_reconnect re-sends what the server did not acknowledge, so every
// query gets exactly one answer ("Mobile Protocol: Detailed Description"; "Service Messages about Messages").
// Keepalive: ping_delay_disconnect every ping_interval (the server closes the connection
// disconnect_delay seconds after the last one, so a dead peer is noticed from both sides).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/status.h"
#include "crypto/random.h"
#include "crypto/telegram_keys.h"
#include "daemon/dc/backoff.h"
#include "mtproto/auth_key.h"
#include "mtproto/handshake/client_handshake.h"
#include "mtproto/handshake/plain_message.h"
#include "mtproto/session/client_session.h"
#include "transport/client_connection.h"

namespace mtjson::daemon {

using mtproto::session::Duration;
using mtproto::session::TimePoint;
using Bytes = std::vector<std::uint8_t>;

struct DcLinkConfig {
  int dc_id = 2;
  bool test_dc = false;  // Telegram's test DCs: dc + 10000 in the key exchange
  bool media = false;
  transport::ClientOptions transport;
  crypto::PublicKeyRing server_keys;
  mtproto::session::ClientConfig session;
  Duration ping_interval = std::chrono::seconds(60);
  // The server drops the connection this long after a ping if no other ping follows
  // ("Service Messages", ping_delay_disconnect; Telegram's apps use 75 s for 60 s pings).
  Duration ping_grace = std::chrono::seconds(15);
  Duration connect_timeout = std::chrono::seconds(10);
  Duration handshake_timeout = std::chrono::seconds(30);
  BackoffPolicy backoff;
};

// What survives a daemon restart (session files) or a reconnect.
struct KeyState {
  mtproto::AuthKey auth_key;
  std::uint64_t server_salt = 0;
  Duration time_offset{};
};

// --- events for the owner ---
struct KeyCreated {  // a new auth key exists (persist it; an authorization is bound to it)
  KeyState key;
};
struct LinkUp {};  // a connection is ready to carry queries
struct LinkDown {  // the connection is gone; the link reconnects by itself unless closed
  std::string reason;
};
// The server no longer knows our auth key (transport error -404 on an encrypted packet): a new
// key is being created; any authorization bound to the old one is lost.
struct KeyLost {};
struct LinkClosed {};  // close() finished

using LinkEvent = std::variant<mtproto::session::RpcResult, mtproto::session::RpcError, mtproto::session::Update,
                               mtproto::session::NewSession, KeyCreated, LinkUp, LinkDown, KeyLost, LinkClosed>;

// A key-exchange step to run off the event loop (the DH and RSA work, several ms): run() touches
// only the handshake it holds; hand the job back with DcLink::on_job_done on the loop.
class HandshakeJob {
 public:
  void run();

 private:
  friend class DcLink;
  std::shared_ptr<mtproto::handshake::ClientHandshake> handshake;
  std::shared_ptr<mtproto::handshake::PlainChannel> channel;
  Bytes packet;
  std::uint64_t generation = 0;
  // results
  Status status;  // failed: the key exchange is over and the connection is to be dropped
  Bytes reply;  // wrapped plain message to send, if any
  bool done = false;
};

class DcLink {
 public:
  enum class State { idle, connecting, handshaking, ready, backoff, closing, closed };

  DcLink(DcLinkConfig config, crypto::RandomSource& random, std::optional<KeyState> key);

  // --- from the owner ---
  void start(TimePoint now);
  // Queued until the link is ready; the answer comes as RpcResult/RpcError with this token.
  void send_query(Bytes body, std::uint64_t token, TimePoint now);
  // Forget a query (its answer will not be reported). False if unknown.
  bool cancel(std::uint64_t token, TimePoint now);
  // Graceful end: flush what is due (acks), then close. LinkClosed follows.
  void close(TimePoint now);

  // --- from the I/O glue ---
  void on_connected(TimePoint now);
  void on_connect_failed(const std::string& reason, TimePoint now);
  void on_bytes(std::span<const std::uint8_t> bytes, TimePoint now);
  void on_disconnected(const std::string& reason, TimePoint now);
  void on_timer(TimePoint now);
  void on_job_done(HandshakeJob job, TimePoint now);

  // --- to the I/O glue ---
  bool take_connect_request();                      // open a new TCP connection now
  std::optional<std::string> take_close_request();  // close the socket (after writing output)
  std::optional<HandshakeJob> take_job();
  Bytes take_output(TimePoint now);
  std::optional<TimePoint> next_timer(TimePoint now) const;
  std::vector<LinkEvent> take_events();

  State state() const { return state_; }
  int dc_id() const { return config_.dc_id; }
  std::optional<KeyState> key_state() const;
  std::size_t pending_queries() const;
  std::uint64_t reconnects() const { return reconnects_; }
  std::uint64_t session_id() const { return session_ ? session_->session_id() : 0; }

 private:
  void begin_connection(TimePoint now);
  void lose_connection(const std::string& reason, TimePoint now);
  void enter_ready(TimePoint now);
  void on_frame(std::span<const std::uint8_t> payload, TimePoint now);
  void on_plain_frame(std::span<const std::uint8_t> payload, TimePoint now);
  void start_handshake(TimePoint now);
  void new_session(const KeyState& key, TimePoint now);
  void key_lost(TimePoint now);
  void pump_session(TimePoint now);
  void send_frame(std::span<const std::uint8_t> payload);

  DcLinkConfig config_;
  crypto::RandomSource& random_;
  State state_ = State::idle;
  Backoff backoff_;
  std::optional<KeyState> key_;
  std::unique_ptr<mtproto::session::ClientSession> session_;
  std::unique_ptr<transport::ClientConnection> connection_;
  bool padded_ = false;

  // key exchange in progress
  std::shared_ptr<mtproto::handshake::ClientHandshake> handshake_;
  std::shared_ptr<mtproto::handshake::PlainChannel> plain_;
  std::uint64_t generation_ = 0;  // bumps on every new connection: stale jobs are ignored
  bool job_running_ = false;
  std::optional<HandshakeJob> job_;

  // queries waiting for a key (no session yet)
  std::vector<std::pair<std::uint64_t, Bytes>> waiting_;

  bool connect_requested_ = false;
  std::optional<std::string> close_requested_;
  Bytes out_;
  std::vector<LinkEvent> events_;
  TimePoint deadline_{};        // connecting/handshaking timeout, backoff end
  TimePoint next_ping_{};
  TimePoint last_received_{};
  std::uint64_t ping_id_ = 0;
  bool answered_since_connect_ = false;
  std::uint64_t reconnects_ = 0;
};

}  // namespace mtjson::daemon
