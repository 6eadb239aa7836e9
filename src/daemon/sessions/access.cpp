#include "daemon/sessions/access.h"

#include <openssl/crypto.h>

#include <asio/ip/address.hpp>

#include "crypto/sha.h"
#include "daemon/sessions/session_name.h"

namespace mtjson::daemon {

Result<TokenEntry> parse_token_spec(const std::string& spec) {
  const auto colon = spec.find(':');
  const std::string token = spec.substr(0, colon);
  if (token.size() < 8 || token.size() > 256) {
    return Status::error("--token: a token is 8..256 characters (got " + std::to_string(token.size()) + ")");
  }
  for (char c : token)
    if (c <= ' ' || c > '~') {
      return Status::error("--token: a token is printable ASCII without spaces");
    }
  TokenEntry e;
  e.token = token;
  if (colon == std::string::npos) {
    e.grant.all = true;
  } else {
    const std::string list = spec.substr(colon + 1);
    std::size_t pos = 0;
    while (pos <= list.size()) {
      const auto comma = list.find(',', pos);
      const std::string name = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
      if (auto st = valid_session_name(name); !st)
        return Status::error("--token: after ':' a comma-separated list of session names: " + st.message());
      e.grant.names.insert(name);
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
  }
  return e;
}

std::optional<Grant> TokenSet::check(const std::string& token) const {
  const auto given = crypto::sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(token.data()), token.size()));
  std::optional<Grant> found;
  for (const TokenEntry& e : entries_) {
    const auto mine = crypto::sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(e.token.data()), e.token.size()));
    const bool same = CRYPTO_memcmp(given.data(), mine.data(), given.size()) == 0;
    if (same && !found) found = e.grant;
  }
  return found;
}

bool is_loopback_address(const std::string& host) {
  std::error_code ec;
  auto a = asio::ip::make_address(host, ec);
  if (ec) return false;
  if (a.is_v4()) return a.to_v4().is_loopback();
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).is_loopback();
  return v6.is_loopback();
}

}  // namespace mtjson::daemon
