// One receive buffer per thread, shared by every socket that thread serves. Readers wait for
// readiness first and then read into it, consuming the bytes before their next suspension: an
// idle connection holds no receive buffer, and no read is issued that is known to find nothing.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace mtjson {

inline std::span<std::uint8_t> thread_read_scratch() {
  thread_local std::vector<std::uint8_t> buffer(64 * 1024);
  return buffer;
}

}  // namespace mtjson
