// The client role of an MTProto 2.0 encrypted session ("Mobile Protocol: Detailed Description",
// "Service Messages" and "Service Messages about Messages"), sans-I/O: the caller feeds decrypted-to-be packets with
// on_packet(), pulls packets to send with take_outgoing(), and asks next_timer() when to call
// take_outgoing() again. Time and randomness are injected.
//
// Split by concern: client_session.cpp (state, queueing, receive path), client_outgoing.cpp
// (packing and encryption), client_handle_rpc.cpp (rpc_result), client_handle_bad_msg.cpp
// (bad_server_salt, bad_msg_notification), client_handle_service.cpp (acks, new session, pong,
// salts, message status, resend requests, destroy_session).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "crypto/random.h"
#include "mtproto/auth_key.h"
#include "mtproto/session/events.h"
#include "mtproto/session/msg_id.h"
#include "mtproto/session/packet_crypto.h"
#include "mtproto/session/sent_table.h"

namespace mtjson::mtproto::session {

struct ClientConfig {
  // Acks are piggybacked on the next packet; with nothing else to send they go alone after
  // ack_delay, or at once when ack_batch are pending ("Service Messages about Messages"
  // suggests a stand-alone ack past ~16 unacknowledged messages).
  Duration ack_delay = std::chrono::milliseconds(200);
  std::size_t ack_batch = 16;
  std::size_t max_container_messages = kMaxContainerMessages;
  std::size_t max_packet_body = 1 << 20;  // container size cap (bytes of inner bodies)
  std::size_t gzip_queries_over = 0;      // 0: never gzip queries
  std::size_t max_inflated = 16 << 20;    // gzip bomb guard
  std::size_t replay_window = 1024;
  std::size_t max_extra_padding_blocks = 3;
  // A queued message whose msg_id got older than this (server clock) gets a fresh one before it
  // is sent, so it stays well inside the server's 300 s window.
  Duration refresh_msg_id_after = std::chrono::seconds(120);
  // Ask get_future_salts when the known salts run out within this margin.
  Duration salt_refresh_margin = std::chrono::minutes(10);
  std::int32_t future_salts_num = 32;
};

class ClientSession {
 public:
  // session_id is drawn from `random` (a new random 64-bit session, "Mobile Protocol: Detailed Description").
  ClientSession(AuthKey key, std::uint64_t server_salt, crypto::RandomSource& random, ClientConfig config = {});

  // Queues an API query; returns its msg_id (usable in invokeAfterMsg; a re-send gets a new one,
  // but answers to any copy still reach `token`).
  std::uint64_t send_query(Bytes body, std::uint64_t token, TimePoint now);
  // Stops waiting for a query's answer: unsent -> removed; sent -> rpc_drop_answer. Its answer
  // is never delivered. False if no such query is pending.
  bool cancel(std::uint64_t token, TimePoint now);
  // Keep-alive: ping / ping_delay_disconnect (the server closes the connection disconnect_delay
  // seconds after the last one). The answer is a Pong event.
  std::uint64_t send_ping(std::uint64_t ping_id, TimePoint now);
  std::uint64_t send_ping_delay_disconnect(std::uint64_t ping_id, std::int32_t disconnect_delay, TimePoint now);
  std::uint64_t request_future_salts(TimePoint now, std::int32_t num = 0);
  std::uint64_t destroy_session(std::uint64_t other_session_id, TimePoint now);

  // One encrypted packet with everything due (queued messages, acks, service answers), as a
  // single message or a msg_container; nullopt when nothing is due. Call until nullopt.
  std::optional<Bytes> take_outgoing(TimePoint now);
  // When take_outgoing should be called next (now if something is queued); nullopt: idle.
  std::optional<TimePoint> next_timer(TimePoint now) const;

  // Processes one received packet (already unframed by the transport). Never throws.
  std::vector<ClientEvent> on_packet(std::span<const std::uint8_t> packet, TimePoint now);

  // The connection was re-established: unanswered messages the server did not acknowledge are
  // re-queued under new msg_ids; for acknowledged ones their state is asked (msgs_state_req).
  void on_reconnect(TimePoint now);

  std::uint64_t session_id() const { return session_id_; }
  std::uint64_t server_salt() const { return server_salt_; }
  void set_server_salt(std::uint64_t salt) { server_salt_ = salt; }
  const std::vector<FutureSalt>& future_salts() const { return future_salts_; }
  Duration time_offset() const { return ids_.offset(); }
  void set_time_offset(Duration d) { ids_.set_offset(d); }
  std::size_t pending_requests() const { return table_.size(); }
  std::size_t pending_acks() const { return pending_acks_.size(); }
  std::uint64_t dropped_count() const { return dropped_count_; }
  const SentTable& table() const { return table_; }

 private:
  struct Incoming {
    std::uint64_t msg_id = 0;
    std::uint32_t seq_no = 0;
    std::span<const std::uint8_t> body;
  };
  using Events = std::vector<ClientEvent>;

  // client_session.cpp
  std::uint64_t enqueue(RequestKind kind, Bytes body, std::uint64_t token, bool content_related, TimePoint now);
  void requeue(Request& r, TimePoint now);
  void queue_service(Bytes body);
  void note_ack(std::uint64_t msg_id, bool content_related, TimePoint now);
  void drop(Events& ev, DropReason reason, std::string detail);
  void handle_message(const Incoming& m, TimePoint now, Events& ev, bool in_container);
  void dispatch(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now, Events& ev, int depth);
  void handle_container(const Incoming& m, TimePoint now, Events& ev);
  std::vector<Request*> requests_for(std::uint64_t sent_msg_id);
  void reset_session(TimePoint now);

  // client_outgoing.cpp
  void refresh_salt(TimePoint now);

  // client_handle_rpc.cpp
  void handle_rpc_result(std::uint64_t msg_id, std::span<const std::uint8_t> body, Events& ev);
  void complete(Request& r, std::uint64_t answered_msg_id, std::span<const std::uint8_t> result, Events& ev);

  // client_handle_bad_msg.cpp
  void handle_bad_server_salt(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now, Events& ev);
  void handle_bad_msg_notification(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now,
                                   Events& ev);

  // client_handle_service.cpp
  void handle_msgs_ack(std::span<const std::uint8_t> body, Events& ev);
  void handle_new_session(std::span<const std::uint8_t> body, TimePoint now, Events& ev);
  void handle_pong(std::span<const std::uint8_t> body, Events& ev);
  void handle_future_salts(std::span<const std::uint8_t> body, Events& ev);
  void handle_detailed_info(std::uint32_t ctor, std::span<const std::uint8_t> body, TimePoint now, Events& ev);
  void handle_state_req(std::uint64_t msg_id, std::span<const std::uint8_t> body, Events& ev);
  void handle_state_info(std::span<const std::uint8_t> body, TimePoint now, Events& ev);
  void handle_all_info(std::span<const std::uint8_t> body, Events& ev);
  void handle_resend_req(std::uint64_t msg_id, std::span<const std::uint8_t> body, TimePoint now, Events& ev);
  void handle_destroy_session_answer(std::uint32_t ctor, std::span<const std::uint8_t> body, Events& ev);
  void mark_acked(std::uint64_t msg_id);
  Bytes state_info_bytes(std::span<const std::uint64_t> ids) const;

  AuthKey key_;
  crypto::RandomSource& random_;
  ClientConfig cfg_;
  std::uint64_t session_id_ = 0;
  std::uint64_t server_salt_ = 0;
  std::vector<FutureSalt> future_salts_;
  MsgIdGenerator ids_;
  SeqNoCounter seq_;
  MsgIdWindow received_;
  SentTable table_;
  std::deque<std::uint64_t> send_queue_;  // request keys, in order
  std::vector<Bytes> service_out_;        // non-content service messages due (state info, resend req...)
  std::vector<std::uint64_t> pending_acks_;
  std::optional<TimePoint> ack_deadline_;
  // msg_id of each recent container we sent -> the msg_ids inside it, so a notification about a
  // container reaches the messages it carried.
  std::deque<std::pair<std::uint64_t, std::vector<std::uint64_t>>> sent_containers_;
  // msgs_state_req we sent: its msg_id -> the ids asked about (answered by msgs_state_info).
  std::deque<std::pair<std::uint64_t, std::vector<std::uint64_t>>> state_requests_;
  std::vector<std::uint64_t> state_req_due_;  // ids to ask about in the next packet
  std::uint64_t dropped_count_ = 0;
};

}  // namespace mtjson::mtproto::session
