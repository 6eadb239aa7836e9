// Who may use the daemon (README, "Shared sessions"): --token TOKEN gives everything, --token
// TOKEN:alice,bob only the named sessions alice and bob. Tokens are compared in constant time
// and never logged.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"

namespace mtjson::daemon {

struct Grant {
  bool all = false;             // an unlimited token (or no authentication required)
  std::set<std::string> names;  // otherwise: the session names it may attach to

  bool allows(const std::string& name) const { return all || names.count(name) > 0; }
};

struct TokenEntry {
  std::string token;
  Grant grant;
};

// "TOKEN" or "TOKEN:name1,name2". A token is 8..256 printable ASCII characters without ':' or
// spaces; names follow session_name.h. Error names the problem, never the token.
Result<TokenEntry> parse_token_spec(const std::string& spec);

class TokenSet {
 public:
  void add(TokenEntry entry) { entries_.push_back(std::move(entry)); }
  bool empty() const { return entries_.empty(); }
  // The grant of `token`, nullopt when it is none of ours. Every entry is compared (digests,
  // CRYPTO_memcmp), so the time taken says nothing about which or how many characters matched.
  std::optional<Grant> check(const std::string& token) const;

 private:
  std::vector<TokenEntry> entries_;
};

// True for 127.0.0.0/8, ::1 and ::ffff:127.x (what only this machine can reach).
bool is_loopback_address(const std::string& host);

}  // namespace mtjson::daemon
