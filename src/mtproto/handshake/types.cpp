#include "mtproto/handshake/types.h"

#include <chrono>

namespace mtjson::mtproto::handshake {

UnixClock system_clock() {
  return [] {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

UnixClock fixed_clock(std::int64_t unix_seconds, std::int64_t extra_ns) {
  return [t = unix_seconds * 1'000'000'000 + extra_ns] { return t; };
}

}  // namespace mtjson::mtproto::handshake
