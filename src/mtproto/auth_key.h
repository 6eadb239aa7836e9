// An authorization key ("Mobile Protocol: Detailed Description", "Authorization Key"): 2048
// bits shared by client and server, named on the wire by auth_key_id = the
// low 64 bits of SHA1(auth_key). Secret: never logged.
#pragma once

#include <array>
#include <cstdint>

namespace mtjson::mtproto {

struct AuthKey {
  std::array<std::uint8_t, 256> key{};
  std::uint64_t id = 0;  // auth_key_id, little-endian SHA1(key)[12..20]
  bool empty() const { return id == 0; }
};

}  // namespace mtjson::mtproto
