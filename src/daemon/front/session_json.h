// The `session` object of the JSON protocol (what mtjson-signin prints, what restores a
// signed-in account): {"auth_key": base64 of the 256-byte key, "dc", "user_id", "bot",
// "server": {...}}. The auth key is a secret: this is the only place it is ever written out.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "daemon/account/account.h"
#include "daemon/account/server_settings.h"

namespace mtjson::daemon {

nlohmann::json session_to_json(const SessionState& session, const ServerSettings& server);

// Reads auth_key (+ dc, user_id, bot, server_salt, server) into `session` / `server`. Errors
// name the key ("session.auth_key: expected 256 bytes of base64, got 12").
bool session_from_json(const nlohmann::json& j, SessionState& session, ServerSettings& server, std::string& error);

// For logs: replaces the value of every "auth_key" string in JSON text by "<redacted>".
std::string redact_secrets(std::string text);

}  // namespace mtjson::daemon
