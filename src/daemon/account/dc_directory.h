// Where the DCs are: addresses a help.getConfig answer lists ("Working with Different Data Centers", "Datacenter
// list": config.dc_options), for DCs the server settings do not know yet.
#pragma once

#include <nlohmann/json.hpp>

#include "daemon/account/server_settings.h"

namespace mtjson::daemon {

// Adds the IPv4 address of every DC in `config` (a decoded `config` object) that `server` does
// not know yet; media-only, CDN, IPv6 and TCPO-only entries are skipped. Anything else is ignored.
void add_dc_addresses(const nlohmann::json& config, ServerSettings& server);

}  // namespace mtjson::daemon
