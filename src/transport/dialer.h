// Thin Asio glue: connect a TCP socket to host:port directly or through a SOCKS5 / HTTP CONNECT
// proxy. The handshakes themselves are the sans-I/O machines of socks5.h and http_connect.h.
#pragma once

// A standard header must come before the first Asio header: Asio decides whether to use
// aligned_alloc from libstdc++'s config macros, and TUs that decide differently pair malloc with
// operator delete (an ODR violation ASan reports as alloc-dealloc-mismatch).
#include <cstdint>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "transport/proxy_url.h"

namespace mtjson::transport {

// A connected socket's extra: the bytes a proxy sent after its handshake (normally none).
struct Dialed {
  std::vector<std::uint8_t> leftover;
};

// Never throws for network errors: they come back as the Result's error.
asio::awaitable<Result<Dialed>> dial(asio::ip::tcp::socket& socket, std::string host, std::uint16_t port,
                                     std::optional<ProxyUrl> proxy = std::nullopt);

}  // namespace mtjson::transport
