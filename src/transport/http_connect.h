// HTTP CONNECT tunnel handshake (RFC 9110, 9.3.6), with optional Basic proxy authentication.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "transport/proxy_handshake.h"
#include "transport/socks5.h"  // ProxyCredentials

namespace mtjson::transport {

class HttpConnectHandshake {
 public:
  HttpConnectHandshake(std::string host, std::uint16_t port, std::optional<ProxyCredentials> credentials = {});

  std::vector<std::uint8_t> start();  // the request
  ProxyStep on_bytes(std::span<const std::uint8_t> bytes);

  // Longest response header accepted before giving up.
  static constexpr std::size_t kMaxResponseHeader = 16 * 1024;

 private:
  std::string host_;
  std::uint16_t port_;
  std::optional<ProxyCredentials> credentials_;
  std::string response_;
  bool started_ = false;
  bool finished_ = false;
  Status error_;
};

}  // namespace mtjson::transport
