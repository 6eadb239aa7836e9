// The unencrypted message envelope used by the key exchange ("Mobile Protocol: Detailed Description",
// "Unencrypted Message"): auth_key_id = 0 (int64), message_id (int64), message_data_length
// (int32), message_data. The handshake state machines work on message_data only.
#pragma once

#include <cstdint>
#include <span>

#include "crypto/kdf.h"
#include "mtproto/handshake/types.h"

namespace mtjson::mtproto::handshake {

inline constexpr std::size_t kPlainHeaderSize = 20;
// Largest body accepted; the longest handshake message (server_DH_params_ok) is well under 1 KiB.
inline constexpr std::size_t kMaxPlainBody = 64 * 1024;

Bytes encode_plain(std::uint64_t msg_id, std::span<const std::uint8_t> body);

struct PlainMessage {
  std::uint64_t msg_id = 0;
  Bytes body;
};

// Validates auth_key_id == 0, message_data_length == the bytes that follow (4..kMaxPlainBody,
// multiple of 4) and, if `sender` is given, the msg_id parity of that side
// ("Mobile Protocol: Detailed Description", "Message Identifier": client msg_id % 4 == 0, server responses % 4 == 1).
Result<PlainMessage> decode_plain(std::span<const std::uint8_t> packet);
Result<PlainMessage> decode_plain(std::span<const std::uint8_t> packet, crypto::Side sender);

// msg_id source: approximately unixtime * 2^32, low bits 0 (client) or 1 (server response,
// mod 4), strictly increasing even when the clock stalls or steps back.
class MsgIdGenerator {
 public:
  MsgIdGenerator(crypto::Side side, UnixClock clock) : side_(side), clock_(std::move(clock)) {}
  std::uint64_t next();

 private:
  crypto::Side side_;
  UnixClock clock_;
  std::uint64_t last_ = 0;
};

// msg_id from a Unix time in nanoseconds, before parity and monotonicity adjustments.
std::uint64_t msg_id_from_unix_ns(std::int64_t unix_ns);

// Wraps / unwraps handshake bodies in plain messages for one side of a connection.
class PlainChannel {
 public:
  PlainChannel(crypto::Side self, UnixClock clock) : self_(self), ids_(self, std::move(clock)) {}
  Bytes wrap(std::span<const std::uint8_t> body) { return encode_plain(ids_.next(), body); }
  // Checks the envelope and the peer's msg_id parity; returns the body.
  Result<Bytes> unwrap(std::span<const std::uint8_t> packet);

 private:
  crypto::Side self_;
  MsgIdGenerator ids_;
  std::uint64_t last_peer_msg_id_ = 0;
};

}  // namespace mtjson::mtproto::handshake
