// Proxy URLs for the dialer: socks5://[user:pass@]host[:port] (socks5h:// too) and
// http://[user:pass@]host[:port]. IPv6 hosts in brackets; user and password percent-decoded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "transport/socks5.h"  // ProxyCredentials

namespace mtjson::transport {

struct ProxyUrl {
  enum class Kind { socks5, http_connect };
  Kind kind = Kind::socks5;
  std::string host;
  std::uint16_t port = 0;
  std::optional<ProxyCredentials> credentials;
};

// An error says what is wrong ("proxy URL: missing host").
Result<ProxyUrl> parse_proxy_url(std::string_view text);

}  // namespace mtjson::transport
