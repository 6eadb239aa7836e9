// Time as the session layer sees it: an explicit "now" passed in by the caller (sans-I/O; tests
// drive the clock), and the msg_id <-> time mapping of "Mobile Protocol: Detailed Description" ("msg_id must
// approximately equal unixtime*2^32", the low 32 bits being the fraction of a second).
#pragma once

#include <chrono>
#include <cstdint>

namespace mtjson::mtproto::session {

// Nanoseconds since the Unix epoch.
using Duration = std::chrono::nanoseconds;
using TimePoint = std::chrono::time_point<std::chrono::system_clock, Duration>;

inline TimePoint from_unix_seconds(std::int64_t s) { return TimePoint(std::chrono::seconds(s)); }
inline std::int64_t to_unix_seconds(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

// The moment a msg_id names: high 32 bits = seconds, low 32 bits = fraction of a second.
inline TimePoint msg_id_time(std::uint64_t msg_id) {
  const std::uint64_t secs = msg_id >> 32;
  const std::uint64_t frac_ns = ((msg_id & 0xffffffffu) * 1000000000ull) >> 32;
  return TimePoint(Duration(static_cast<std::int64_t>(secs * 1000000000ull + frac_ns)));
}

// The msg_id for a moment, before parity and monotonicity adjustments (msg_id.h).
inline std::uint64_t raw_msg_id(TimePoint t) {
  const std::int64_t ns = t.time_since_epoch().count();
  if (ns <= 0) return 0;
  const std::uint64_t u = static_cast<std::uint64_t>(ns);
  const std::uint64_t secs = u / 1000000000ull;
  const std::uint64_t frac = ((u % 1000000000ull) << 32) / 1000000000ull;
  return (secs << 32) | frac;
}

}  // namespace mtjson::mtproto::session
