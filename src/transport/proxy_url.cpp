#include "transport/proxy_url.h"

#include <charconv>

namespace mtjson::transport {

namespace {

std::optional<std::string> percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    unsigned v = 0;
    if (i + 2 >= s.size()) return std::nullopt;  // needs two hex digits
    auto r = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
    if (r.ec != std::errc() || r.ptr != s.data() + i + 3) return std::nullopt;
    out += static_cast<char>(v);
    i += 2;
  }
  return out;
}

}  // namespace

Result<ProxyUrl> parse_proxy_url(std::string_view text) {
  auto fail = [](std::string why) { return Result<ProxyUrl>::error("proxy URL: " + why); };
  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return fail("missing scheme (socks5://host:port or http://host:port)");
  const std::string_view scheme = text.substr(0, scheme_end);
  ProxyUrl url;
  std::uint16_t default_port;
  if (scheme == "socks5" || scheme == "socks5h") {
    url.kind = ProxyUrl::Kind::socks5;
    default_port = 1080;
  } else if (scheme == "http") {
    url.kind = ProxyUrl::Kind::http_connect;
    default_port = 80;
  } else {
    return fail("unsupported scheme \"" + std::string(scheme.substr(0, 32)) + "\" (socks5:// or http://)");
  }
  std::string_view rest = text.substr(scheme_end + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos) return fail("unexpected path, query or fragment");

  const std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    auto user = percent_decode(userinfo.substr(0, colon));
    auto pass = percent_decode(colon == std::string_view::npos ? std::string_view{} : userinfo.substr(colon + 1));
    if (!user || !pass) return fail("bad percent-encoding in the user or password");
    if (user->empty()) return fail("empty user name");
    url.credentials = ProxyCredentials{*user, *pass};
  }

  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return fail("unclosed '[' in the host");
    url.host = std::string(rest.substr(1, close - 1));
    rest = rest.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail("garbage after the IPv6 address");
      port_text = rest.substr(1);
      if (port_text.empty()) return fail("empty port");
    }
  } else {
    const std::size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos) {
      port_text = rest.substr(colon + 1);
      if (port_text.empty()) return fail("empty port");
      rest = rest.substr(0, colon);
    }
    url.host = std::string(rest);
  }
  if (url.host.empty()) return fail("missing host");
  url.port = default_port;
  if (!port_text.empty()) {
    unsigned port = 0;
    auto r = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (r.ec != std::errc() || r.ptr != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return fail("invalid port \"" + std::string(port_text.substr(0, 16)) + "\"");
    }
    url.port = static_cast<std::uint16_t>(port);
  }
  return url;
}

}  // namespace mtjson::transport
