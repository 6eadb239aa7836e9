// What the client and the server sessions compute the same way: the per-message status bytes
// of msgs_state_info (MTProto: Service Messages about Messages, "Request for Message Status
// Information").
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mtproto/session/msg_id.h"
#include "mtproto/session/service_codec.h"

namespace mtjson::mtproto::session {

// One status byte per asked msg_id, from the window of received ids: received ones get
// `received_state(id)` (the role-specific flags on top of msg_state::received); the others 1
// (below a full window: may have been forgotten), 3 (above everything received) or 2.
template <typename ReceivedState>
Bytes msgs_state_info_bytes(const MsgIdWindow& received, std::span<const std::uint64_t> asked,
                            ReceivedState&& received_state) {
  Bytes info;
  info.reserve(asked.size());
  const auto low = received.lowest();
  const auto high = received.highest();
  for (std::uint64_t id : asked) {
    if (received.contains(id)) {
      info.push_back(received_state(id));
    } else if (low && id < *low && received.full()) {
      info.push_back(msg_state::unknown_too_low);
    } else if (!high || id > *high) {
      info.push_back(msg_state::not_received_too_high);
    } else {
      info.push_back(msg_state::not_received);
    }
  }
  return info;
}

}  // namespace mtjson::mtproto::session
