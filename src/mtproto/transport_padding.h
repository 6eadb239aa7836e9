// Padded intermediate ("MTProto transports", "Padded intermediate") appends 0..15
// random bytes to every payload; the framing cannot tell them from data, so the receiver cuts
// them off using the MTProto envelope itself: an unencrypted message knows its length
// (message_data_length), an encrypted one is 24 header bytes plus whole 16-byte AES blocks.
// Both roles use it: the test DC for what clients send, the daemon for what servers send.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace mtjson::mtproto {

inline std::span<const std::uint8_t> strip_transport_padding(std::span<const std::uint8_t> payload) {
  if (payload.size() < 8) return payload;
  std::uint64_t key_id = 0;
  for (int i = 7; i >= 0; --i) key_id = (key_id << 8) | payload[static_cast<std::size_t>(i)];
  if (key_id == 0) {
    if (payload.size() < 20) return payload;
    const std::size_t length = std::size_t(payload[16]) | std::size_t(payload[17]) << 8 |
                               std::size_t(payload[18]) << 16 | std::size_t(payload[19]) << 24;
    if (length <= payload.size() - 20) return payload.first(20 + length);
    return payload;
  }
  if (payload.size() < 24) return payload;
  return payload.first(24 + (payload.size() - 24) / 16 * 16);
}

}  // namespace mtjson::mtproto
