// Where a client's account talks to Telegram: the `server` object of the JSON protocol.
// Production DCs with the built-in key by default; `test` selects Telegram's test DCs; host/port
// (+ rsa) a custom server such as mtjson-testdc; `proxy` a SOCKS5/HTTP proxy or an MTProxy.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/status.h"
#include "crypto/telegram_keys.h"
#include "daemon/dc/dc_link_io.h"
#include "transport/codec.h"
#include "transport/mtproxy_secret.h"
#include "transport/proxy_url.h"

namespace mtjson::daemon {

struct ServerSettings {
  int dc = 2;        // the home DC of a new account
  bool test = false;  // Telegram's test DCs (and key)
  std::string host;  // empty: the built-in address of `dc`
  std::uint16_t port = 443;
  std::string rsa_pem;  // an extra trusted server key (custom servers)
  transport::Mode mode = transport::Mode::intermediate;
  bool obfuscated = false;
  std::string proxy;  // as given: socks5://.., http://.., or MTProxy host:port:secret
  // Known addresses of other DCs (the embedded test DC fills them; otherwise help.getConfig).
  std::map<int, std::pair<std::string, std::uint16_t>> dc_addresses;

  nlohmann::json to_json() const;
  // Applies the keys present in `j` over *this; on error names the key and leaves *this as it was.
  Status apply(const nlohmann::json& j);

  // Connection details for `dc_id`; nullopt when its address is unknown (ask help.getConfig).
  std::optional<DcAddress> address(int dc_id) const;
  // The address dc_addresses holds for `dc_id`, if any: DC dc_id of this same server.
  std::optional<std::pair<std::string, std::uint16_t>> known_address(int dc_id) const;
  // These settings as seen from DC `dc_id` (a session's home DC): dc = dc_id and, for a custom
  // server reached directly (a custom server's host:port is the address of one DC), that DC's
  // known address as host:port. apply() takes that address back as the same server.
  ServerSettings seen_from(int dc_id) const;
  // `proxy` is an MTProxy (host:port:secret): one address for every DC.
  bool via_mtproxy() const { return !proxy.empty() && proxy.find("://") == std::string::npos; }
  // Link configuration for `dc_id` (transport, keys, obfuscation/MTProxy).
  Result<DcLinkConfig> link_config(int dc_id) const;
};

// Telegram's bootstrap addresses (the list built into Telegram's apps and TDLib), port 443.
std::optional<std::string> builtin_dc_host(int dc_id, bool test);

}  // namespace mtjson::daemon
