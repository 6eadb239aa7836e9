// What a proxy handshake step returns (socks5.h, http_connect.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mtjson::transport {

struct ProxyStep {
  enum class Status { need_more, done, error };
  Status status = Status::need_more;
  std::vector<std::uint8_t> to_send;   // write these to the proxy now
  std::vector<std::uint8_t> leftover;  // done: bytes after the handshake (belong to the tunnel)
  std::string reason;                  // error

  static ProxyStep failure(std::string why) {
    ProxyStep s;
    s.status = Status::error;
    s.reason = std::move(why);
    return s;
  }
};

}  // namespace mtjson::transport
