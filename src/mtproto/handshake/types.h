// Small shared vocabulary of the key exchange: byte types, status, the injected clock.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "base/status.h"

namespace mtjson::mtproto::handshake {

using Bytes = std::vector<std::uint8_t>;
using Int128 = std::array<std::uint8_t, 16>;  // TL int128, wire order
using Int256 = std::array<std::uint8_t, 32>;  // TL int256, wire order


// Unix time in nanoseconds. Injected so tests are deterministic.
using UnixClock = std::function<std::int64_t()>;

UnixClock system_clock();
// Always returns `unix_seconds` (and `extra_ns` nanoseconds).
UnixClock fixed_clock(std::int64_t unix_seconds, std::int64_t extra_ns = 0);

// What a state machine wants sent after consuming a message.
struct Output {
  Bytes send;         // the next body to send (empty for a client that is done)
  bool done = false;  // the key is ready: see result()
};

inline std::int64_t unix_seconds(const UnixClock& clock) { return clock() / 1'000'000'000; }

}  // namespace mtjson::mtproto::handshake
