#include "transport/http_connect.h"

#include "base/base64.h"

namespace mtjson::transport {

HttpConnectHandshake::HttpConnectHandshake(std::string host, std::uint16_t port,
                                           std::optional<ProxyCredentials> credentials)
    : host_(std::move(host)), port_(port), credentials_(std::move(credentials)) {}

std::vector<std::uint8_t> HttpConnectHandshake::start() {
  started_ = true;
  // IPv6 literals go in brackets in the authority form.
  const std::string authority =
      (host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_) + ":" + std::to_string(port_);
  std::string req = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
  if (credentials_) {
    const std::string user_pass = credentials_->username + ":" + credentials_->password;
    req += "Proxy-Authorization: Basic " +
           base64_encode(std::span(reinterpret_cast<const std::uint8_t*>(user_pass.data()), user_pass.size())) + "\r\n";
  }
  req += "\r\n";
  return {req.begin(), req.end()};
}

ProxyStep HttpConnectHandshake::on_bytes(std::span<const std::uint8_t> bytes) {
  if (!error_.ok()) return ProxyStep::failure(error_.message());
  auto fail = [&](std::string why) {
    error_ = Status::error(why);
    return ProxyStep::failure(std::move(why));
  };
  if (!started_) return fail("HTTP CONNECT: on_bytes before start");
  if (finished_) return fail("HTTP CONNECT: bytes after the handshake was done");
  response_.append(bytes.begin(), bytes.end());
  const std::size_t end = response_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (response_.size() > kMaxResponseHeader) return fail("HTTP CONNECT: response header too large");
    return {};
  }
  const std::string status_line = response_.substr(0, response_.find("\r\n"));
  // "HTTP/1.x 200 ..." (any 2xx means the tunnel is open).
  if (status_line.size() < 12 || status_line.compare(0, 7, "HTTP/1.") != 0 || status_line[8] != ' ') {
    return fail("HTTP CONNECT: malformed status line \"" + status_line.substr(0, 80) + "\"");
  }
  if (status_line[9] != '2') return fail("HTTP CONNECT: proxy answered \"" + status_line.substr(0, 80) + "\"");
  ProxyStep step;
  step.status = ProxyStep::Status::done;
  step.leftover.assign(response_.begin() + static_cast<std::ptrdiff_t>(end + 4), response_.end());
  finished_ = true;
  return step;
}

}  // namespace mtjson::transport
