#include "transport/mtproxy_secret.h"

#include <vector>

#include "base/base64.h"

namespace mtjson::transport {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::vector<std::uint8_t>> from_hex(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const int hi = hex_value(s[i]);
    const int lo = hex_value(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(hi * 16 + lo));
  }
  return out;
}

bool is_domain_char(std::uint8_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

}  // namespace

std::string ProxySecret::to_hex() const {
  static const char* digits = "0123456789abcdef";
  std::string out;
  auto put = [&](std::uint8_t b) {
    out += digits[b >> 4];
    out += digits[b & 15];
  };
  if (kind == Kind::padded) put(0xdd);
  if (kind == Kind::fake_tls) put(0xee);
  for (auto b : key) put(b);
  for (char c : domain) put(static_cast<std::uint8_t>(c));
  return out;
}

Result<ProxySecret> parse_proxy_secret(std::string_view text) {
  using R = Result<ProxySecret>;
  if (text.empty()) {
    return R::error("MTProxy secret: empty");
  }
  auto bytes = from_hex(text);
  if (!bytes)
    if (auto decoded = base64_decode(text)) bytes = std::move(decoded).value();
  if (!bytes) {
    return R::error("MTProxy secret: neither hex nor base64url");
  }
  ProxySecret secret;
  const auto& b = *bytes;
  if (b.size() == 16) {
    secret.kind = ProxySecret::Kind::plain;
    std::copy(b.begin(), b.end(), secret.key.begin());
  } else if (b.size() >= 17 && b[0] == 0xee) {
    if (b.size() == 17) {
      return R::error("MTProxy secret: fake-TLS (ee) secret without a domain");
    }
    if (b.size() - 17 > kMaxFakeTlsDomain) {
      return R::error("MTProxy secret: fake-TLS domain longer than " + std::to_string(kMaxFakeTlsDomain) + " bytes");
    }
    for (std::size_t i = 17; i < b.size(); ++i) {
      if (!is_domain_char(b[i])) {
        return R::error("MTProxy secret: fake-TLS domain has an invalid character at byte " + std::to_string(i));
      }
    }
    secret.kind = ProxySecret::Kind::fake_tls;
    std::copy(b.begin() + 1, b.begin() + 17, secret.key.begin());
    secret.domain.assign(b.begin() + 17, b.end());
  } else if (b.size() == 17) {
    // "clients should default to the padded intermediate transport whenever an additional byte in
    // the secret is encountered" ("MTProto transports").
    secret.kind = ProxySecret::Kind::padded;
    std::copy(b.begin() + 1, b.end(), secret.key.begin());
  } else {
    return R::error("MTProxy secret: " + std::to_string(b.size()) + " bytes (expected 16, 17 or ee+16+domain)");
  }
  return secret;
}

}  // namespace mtjson::transport
