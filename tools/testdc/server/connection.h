// One client TCP connection to one DC: a reader coroutine feeds the transport
// (transport/server_connection.h) and routes frames: auth_key_id 0 -> the key
// exchange, a known key -> its session (by the session_id inside, each packet decrypted once),
// unknown -> transport error -404. A writer coroutine drains the sessions' outgoing packets and
// sleeps on a timer until the next one is due (Asio's chat_server pattern).
// The connection-level faults (faults.h) act here: drop_after, drop_rate, delay, aborts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/system_timer.hpp>

#include "mtproto/handshake/plain_message.h"
#include "mtproto/handshake/server_handshake.h"
#include "mtproto/session/packet_crypto.h"
#include "testdc/server/server_core.h"
#include "transport/server_connection.h"

namespace mtjson::testdc::server {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerCore& core, asio::ip::tcp::socket socket, int dc_id);
  ~Connection();

  void start();
  // Asks the writer to look for output now.
  void wake();
  // Closes after what is queued is written.
  void close(std::string reason);
  // Closes now, unwritten output lost, with a TCP reset: what a network failure looks like.
  void abort(std::string reason);
  bool closing() const { return closing_; }
  int dc_id() const { return dc_id_; }
  std::string name() const;
  void detach(SessionEntry* entry);

 private:
  asio::awaitable<void> reader();
  asio::awaitable<void> writer();
  void on_bytes(std::span<const std::uint8_t> bytes);
  void on_frame(std::vector<std::uint8_t> frame, bool quick_ack_requested);
  void on_plain(std::span<const std::uint8_t> payload);
  void on_encrypted(std::span<const std::uint8_t> payload, std::uint64_t auth_key_id, bool quick_ack_requested);
  void send_quick_ack(const mtproto::AuthKey& key, const mtproto::session::DecryptedMessage& message);
  // drop_after: counts one more encrypted packet; true when it was the last one allowed.
  bool drop_after_reached();
  void attach(SessionEntry& entry, bool created, mtproto::session::TimePoint now);
  void answer(SessionEntry& entry, std::vector<Answer> answers, mtproto::session::TimePoint now);
  void send_answer(SessionEntry& entry, Answer& a, mtproto::session::TimePoint now);
  void release_delayed(SessionEntry& entry, mtproto::session::TimePoint now);
  void collect_output(mtproto::session::TimePoint now);
  std::optional<mtproto::session::TimePoint> next_wake(mtproto::session::TimePoint now);
  void finish();

  ServerCore& core_;
  asio::ip::tcp::socket socket_;
  asio::system_timer timer_;
  int dc_id_;
  std::uint64_t id_;
  std::string peer_;
  transport::ServerConnection transport_;
  bool logged_open_ = false;
  bool closing_ = false;
  bool finished_ = false;
  bool aborted_ = false;
  std::uint64_t drop_generation_ = 0;  // FaultConfig::drop_after_generation last seen
  int drop_count_ = 0;                 // encrypted packets counted since
  std::string close_reason_;
  std::unique_ptr<mtproto::handshake::ServerHandshake> handshake_;
  mtproto::handshake::MsgIdGenerator plain_ids_;
  std::vector<SessionEntry*> sessions_;
};

}  // namespace mtjson::testdc::server
