// MTProxy secrets ("MTProto transports", "Transport obfuscation"): 16 bytes (plain),
// 17 bytes whose first byte selects padded intermediate (usually 0xdd), or 0xee + 16 bytes +
// a domain name for fake TLS. Written as hex or as base64url in proxy links.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "transport/codec.h"

namespace mtjson::transport {

struct ProxySecret {
  enum class Kind { plain, padded, fake_tls };
  Kind kind = Kind::plain;
  std::array<std::uint8_t, 16> key{};  // what obfuscated2 and the fake-TLS HMAC use
  std::string domain;                  // fake_tls only: the SNI to present

  // dd and ee secrets imply padded intermediate; a plain secret leaves the choice open.
  std::optional<Mode> required_mode() const {
    if (kind == Kind::plain) return std::nullopt;
    return Mode::padded_intermediate;
  }
  std::string to_hex() const;  // canonical form: "dd"/"ee" prefix, key, hex of the domain
};

// Longest domain accepted in an ee secret (TDLib's ProxySecret::MAX_DOMAIN_LENGTH).
inline constexpr std::size_t kMaxFakeTlsDomain = 182;

// Accepts hex (any case) or base64/base64url (padding optional). Hex is tried first when the
// text consists of hex digits only.
Result<ProxySecret> parse_proxy_secret(std::string_view text);

}  // namespace mtjson::transport
