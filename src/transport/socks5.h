// SOCKS5 client handshake (RFC 1928, CONNECT only) with optional username/password
// authentication (RFC 1929). Sans-I/O: start() gives the greeting, then feed each chunk the
// proxy sends to on_bytes() and write what it returns.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "transport/byte_queue.h"
#include "transport/proxy_handshake.h"

namespace mtjson::transport {

struct ProxyCredentials {
  std::string username;
  std::string password;
};

class Socks5Handshake {
 public:
  Socks5Handshake(std::string host, std::uint16_t port, std::optional<ProxyCredentials> credentials = {});

  // The greeting; empty with an error reason in error() if the target or credentials are invalid.
  std::vector<std::uint8_t> start();
  const Status& error() const { return error_; }
  ProxyStep on_bytes(std::span<const std::uint8_t> bytes);

 private:
  enum class State { greeting, method, auth, reply, done, failed };
  ProxyStep fail(std::string why);
  std::vector<std::uint8_t> connect_request() const;

  std::string host_;
  std::uint16_t port_;
  std::optional<ProxyCredentials> credentials_;
  State state_ = State::greeting;
  ByteQueue in_;
  Status error_;
};

// RFC 1928 section 6 reply codes.
const char* socks5_reply_text(std::uint8_t code);

}  // namespace mtjson::transport
