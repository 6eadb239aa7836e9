// Padded intermediate ("MTProto transports", "Padded intermediate") appends 0..15
// random bytes to every payload; the framing cannot tell them from data, so the receiver cuts
// them off using the MTProto envelope itself: an unencrypted message knows its length
// (message_data_length), an encrypted one is 24 header bytes plus whole 16-byte AES blocks.
// Both roles use it: the test DC for what clients send, the daemon for what servers send.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/bytes.h"

namespace mtjson::mtproto {

inline std::span<const std::uint8_t> strip_transport_padding(std::span<const std::uint8_t> payload) {
  if (payload.size() < 8) return payload;
  const std::uint64_t key_id = load_le64(payload);
  if (key_id == 0) {
    if (payload.size() < 20) return payload;
    const std::size_t length = load_le32(payload.data() + 16);
    if (length <= payload.size() - 20) return payload.first(20 + length);
    return payload;
  }
  if (payload.size() < 24) return payload;
  return payload.first(24 + (payload.size() - 24) / 16 * 16);
}

}  // namespace mtjson::mtproto
