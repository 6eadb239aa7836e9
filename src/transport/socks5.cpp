#include "transport/socks5.h"

#include <arpa/inet.h>

#include <array>

#include "base/bytes.h"

namespace mtjson::transport {

namespace {
constexpr std::uint8_t kVersion = 5;
constexpr std::uint8_t kNoAuth = 0x00;
constexpr std::uint8_t kUserPass = 0x02;
constexpr std::uint8_t kNoAcceptable = 0xff;
}  // namespace

const char* socks5_reply_text(std::uint8_t code) {
  switch (code) {
    case 0x01: return "general SOCKS server failure";
    case 0x02: return "connection not allowed by ruleset";
    case 0x03: return "network unreachable";
    case 0x04: return "host unreachable";
    case 0x05: return "connection refused";
    case 0x06: return "TTL expired";
    case 0x07: return "command not supported";
    case 0x08: return "address type not supported";
    default: return "unknown error";
  }
}

Socks5Handshake::Socks5Handshake(std::string host, std::uint16_t port, std::optional<ProxyCredentials> credentials)
    : host_(std::move(host)), port_(port), credentials_(std::move(credentials)) {}

ProxyStep Socks5Handshake::fail(std::string why) {
  state_ = State::failed;
  error_ = Status::error(why);
  return ProxyStep::failure(std::move(why));
}

std::vector<std::uint8_t> Socks5Handshake::start() {
  if (host_.empty() || host_.size() > 255) {
    fail("SOCKS5: target host must be 1..255 bytes");
    return {};
  }
  if (credentials_ && (credentials_->username.empty() || credentials_->username.size() > 255 ||
                       credentials_->password.size() > 255)) {
    fail("SOCKS5: username must be 1..255 bytes and password at most 255 (RFC 1929)");
    return {};
  }
  state_ = State::method;
  if (credentials_) return {kVersion, 2, kNoAuth, kUserPass};
  return {kVersion, 1, kNoAuth};
}

std::vector<std::uint8_t> Socks5Handshake::connect_request() const {
  std::vector<std::uint8_t> r = {kVersion, 0x01 /* CONNECT */, 0x00};
  std::array<std::uint8_t, 16> addr{};
  if (inet_pton(AF_INET, host_.c_str(), addr.data()) == 1) {
    r.push_back(0x01);
    r.insert(r.end(), addr.begin(), addr.begin() + 4);
  } else if (inet_pton(AF_INET6, host_.c_str(), addr.data()) == 1) {
    r.push_back(0x04);
    r.insert(r.end(), addr.begin(), addr.end());
  } else {
    r.push_back(0x03);  // domain name: resolved by the proxy
    r.push_back(static_cast<std::uint8_t>(host_.size()));
    r.insert(r.end(), host_.begin(), host_.end());
  }
  append_be16(r, port_);
  return r;
}

ProxyStep Socks5Handshake::on_bytes(std::span<const std::uint8_t> bytes) {
  if (state_ == State::failed) return ProxyStep::failure(error_.message());
  if (state_ == State::greeting) return fail("SOCKS5: on_bytes before start");
  in_.append(bytes);
  ProxyStep step;
  for (;;) {
    auto v = in_.view();
    switch (state_) {
      case State::method: {
        if (v.size() < 2) return step;
        if (v[0] != kVersion) return fail("SOCKS5: proxy answered with version " + std::to_string(v[0]));
        const std::uint8_t method = v[1];
        in_.consume(2);
        if (method == kNoAuth) {
          step.to_send = connect_request();
          state_ = State::reply;
        } else if (method == kUserPass && credentials_) {
          std::vector<std::uint8_t> a = {0x01, static_cast<std::uint8_t>(credentials_->username.size())};
          a.insert(a.end(), credentials_->username.begin(), credentials_->username.end());
          a.push_back(static_cast<std::uint8_t>(credentials_->password.size()));
          a.insert(a.end(), credentials_->password.begin(), credentials_->password.end());
          step.to_send = std::move(a);
          state_ = State::auth;
        } else if (method == kNoAcceptable) {
          return fail(credentials_ ? "SOCKS5: proxy accepts none of our authentication methods"
                                   : "SOCKS5: proxy requires authentication");
        } else {
          return fail("SOCKS5: proxy chose an authentication method we did not offer");
        }
        break;
      }
      case State::auth: {
        if (v.size() < 2) return step;
        if (v[0] != 0x01) return fail("SOCKS5: bad authentication reply version");
        if (v[1] != 0x00) return fail("SOCKS5: username/password rejected");
        in_.consume(2);
        auto req = connect_request();
        step.to_send.insert(step.to_send.end(), req.begin(), req.end());
        state_ = State::reply;
        break;
      }
      case State::reply: {
        if (v.size() < 5) return step;
        if (v[0] != kVersion) return fail("SOCKS5: bad reply version " + std::to_string(v[0]));
        if (v[1] != 0x00) {
          return fail(std::string("SOCKS5: CONNECT failed: ") + socks5_reply_text(v[1]) + " (" + std::to_string(v[1]) + ")");
        }
        std::size_t addr_len;
        switch (v[3]) {
          case 0x01: addr_len = 4; break;
          case 0x04: addr_len = 16; break;
          case 0x03: addr_len = 1 + std::size_t{v[4]}; break;
          default: return fail("SOCKS5: bad address type " + std::to_string(v[3]) + " in the reply");
        }
        const std::size_t total = 4 + addr_len + 2;
        if (v.size() < total) return step;
        in_.consume(total);
        step.leftover = in_.take(in_.size());
        step.status = ProxyStep::Status::done;
        state_ = State::done;
        return step;
      }
      case State::done:
        return fail("SOCKS5: bytes after the handshake was done");
      default:
        return fail("SOCKS5: unexpected state");
    }
  }
}

}  // namespace mtjson::transport
