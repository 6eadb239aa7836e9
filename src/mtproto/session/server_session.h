// The server role of an MTProto 2.0 encrypted session, for the test DC: validates every incoming
// packet as the real server would (auth_key_id, session_id, salt, msg_id window/parity/replay,
// seqno) and answers with the matching notifications ("Service Messages about Messages"),
// hands API queries to the application as Query events and wraps its answers in rpc_result.
// Sans-I/O like ClientSession. One object follows one client session (a new session_id replaces
// the old one, which destroy_session can then forget); keep it across reconnects of the client.
//
// Split by concern: server_session.cpp (receive path and validation), server_handle.cpp (service
// messages), server_outgoing.cpp (answers, updates, packing).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <vector>

#include "crypto/random.h"
#include "mtproto/auth_key.h"
#include "mtproto/session/events.h"
#include "mtproto/session/msg_id.h"
#include "mtproto/session/packet_crypto.h"

namespace mtjson::mtproto::session {

struct ServerConfig {
  std::size_t gzip_answers_over = 512;  // rpc_result bodies above this are gzip_packed if smaller
  std::size_t replay_window = 1024;
  std::size_t answer_cache = 256;  // answers kept for duplicate queries
  std::size_t max_inflated = 16 << 20;
  std::size_t max_container_messages = kMaxContainerMessages;
  std::size_t max_packet_body = 1 << 20;
  Duration ack_delay = std::chrono::milliseconds(100);
  // "Mobile Protocol: Detailed Description", "Server Salt": an old salt is still accepted 1800 s after it expired.
  std::int32_t salt_grace_seconds = 1800;
  std::size_t max_extra_padding_blocks = 3;
};

// Finds an auth key by auth_key_id (nullptr: unknown -> UnknownAuthKey event).
using AuthKeyLookup = std::function<const AuthKey*(std::uint64_t auth_key_id)>;

class ServerSession {
 public:
  ServerSession(AuthKeyLookup lookup, std::vector<FutureSalt> salts, crypto::RandomSource& random,
                ServerConfig config = {});

  std::vector<ServerEvent> on_packet(std::span<const std::uint8_t> packet, TimePoint now);
  // The same for a packet the caller has already decrypted with `key` (a server reads the
  // session_id inside to pick this session): each packet is decrypted exactly once.
  std::vector<ServerEvent> on_decrypted(const AuthKey& key, const DecryptedMessage& message, TimePoint now);

  // Answers a Query once (false if unknown or already answered).
  bool reply(std::uint64_t req_msg_id, std::span<const std::uint8_t> result, TimePoint now);
  bool reply_error(std::uint64_t req_msg_id, std::int32_t code, std::string_view message, TimePoint now);
  // A server-initiated content-related message (an update): msg_id = 3 mod 4.
  std::uint64_t push_update(Bytes body, TimePoint now);

  std::optional<Bytes> take_outgoing(TimePoint now);
  std::optional<TimePoint> next_timer(TimePoint now) const;

  // A new connection from the same client: unacknowledged content messages are sent again (same
  // msg_ids, inside a container), as the real server does for TCP.
  void on_reconnect(TimePoint now);

  // Salts: the list replaces the old one (a test rotates the salt by passing a new list).
  void set_salts(std::vector<FutureSalt> salts) { salts_ = std::move(salts); }
  std::uint64_t current_salt(TimePoint now) const;
  // Set by ping_delay_disconnect: close the connection at this time.
  std::optional<TimePoint> disconnect_deadline() const { return disconnect_deadline_; }
  std::uint64_t session_id() const { return session_id_; }
  std::uint64_t dropped_count() const { return dropped_count_; }
  std::size_t unacked_count() const { return unacked_.size(); }
  // How many bad_msg_notification / bad_server_salt were sent, by error code (tests).
  const std::map<std::int32_t, std::size_t>& notifications_sent() const { return notified_; }
  // Simulates the server forgetting the session (it may, "Service Messages").
  void forget_session() { session_id_ = 0; }

 private:
  struct Out {
    std::uint64_t msg_id = 0;
    std::uint32_t seq_no = 0;
    Bytes body;
    bool content_related = false;
    std::uint64_t answers = 0;  // req_msg_id when this is an rpc_result
  };
  using Events = std::vector<ServerEvent>;

  // server_session.cpp
  void start_session(std::uint64_t session_id);
  bool salt_ok(std::uint64_t salt, TimePoint now) const;
  std::optional<std::int32_t> check_seqno(std::uint64_t msg_id, std::uint32_t seq_no,
                                          std::span<const std::uint8_t> body) const;
  void notify(std::uint64_t bad_msg_id, std::uint32_t bad_seqno, std::int32_t code, TimePoint now);
  void drop(Events& ev, DropReason reason, std::string detail);
  void handle_outer(std::uint64_t msg_id, std::uint32_t seq_no, std::span<const std::uint8_t> body,
                    std::uint64_t salt, TimePoint now, Events& ev);
  void handle_inner(std::uint64_t msg_id, std::uint32_t seq_no, std::span<const std::uint8_t> body, TimePoint now,
                    Events& ev);

  // server_handle.cpp
  void dispatch(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now, Events& ev, int depth);
  void handle_ack(std::span<const std::uint8_t> body);
  void handle_ping(std::uint32_t ctor, std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now);
  void handle_get_future_salts(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now);
  void handle_state_req(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now);
  void handle_resend_req(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now);
  void handle_destroy_session(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now);
  void handle_drop_answer(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now);
  Bytes state_info_bytes(std::span<const std::uint64_t> ids) const;

  // server_outgoing.cpp
  std::uint64_t queue(Bytes body, bool content_related, MsgIdKind kind, TimePoint now, std::uint64_t answers = 0);
  void remember_answer(std::uint64_t req_msg_id, const Bytes& rpc_result);

  AuthKeyLookup lookup_;
  std::vector<FutureSalt> salts_;
  crypto::RandomSource& random_;
  ServerConfig cfg_;
  std::optional<AuthKey> key_;
  std::uint64_t session_id_ = 0;
  std::uint64_t unique_id_ = 0;
  bool announce_session_ = false;  // new_session_created due with the next accepted message
  std::set<std::uint64_t> old_sessions_;
  MsgIdGenerator ids_;
  SeqNoCounter seq_;
  MsgIdWindow received_;
  std::deque<Out> send_queue_;
  bool force_container_ = false;  // re-sent messages keep their msg_id, so go in a container
  std::map<std::uint64_t, Out> unacked_;  // sent content-related messages by msg_id
  std::vector<std::uint64_t> pending_acks_;
  std::optional<TimePoint> ack_deadline_;
  std::set<std::uint64_t> running_;       // queries handed to the app, not answered yet
  std::set<std::uint64_t> drop_running_;  // ... whose answer the client dropped
  std::map<std::uint64_t, Bytes> answers_;  // req_msg_id -> rpc_result body (bounded)
  std::deque<std::uint64_t> answers_order_;
  std::optional<TimePoint> disconnect_deadline_;
  std::map<std::int32_t, std::size_t> notified_;
  std::uint64_t dropped_count_ = 0;
};

}  // namespace mtjson::mtproto::session
