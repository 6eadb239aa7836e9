// The `session` object of the JSON protocol (what mtjson-signin prints, what restores a
// signed-in account): {"auth_key": base64 of the 256-byte key, "dc", "user_id", "bot",
// "server": {...}}. The auth key is a secret: this is the only place it is ever written out.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "daemon/account/account.h"
#include "daemon/account/server_settings.h"
#include "daemon/front/request.h"

namespace mtjson::daemon {

nlohmann::json session_to_json(const SessionState& session, const ServerSettings& server);

// The restore form of a session object over `server`: its server object first, then auth_key
// (+ dc, user_id, bot, server_salt, time_offset). Errors name the key ("session.auth_key:
// expected 256 bytes, got 12"); on error `session` and `server` are left as they were.
Status restore_session(const SessionFields& fields, SessionState& session, ServerSettings& server);

// A parsed server object applied over `settings` by ServerSettings::apply (which checks what
// depends on the current settings); on error `settings` is left as it was.
Status apply_server_fields(ServerSettings& settings, const ServerFields& fields);

// For logs: replaces the value of every "auth_key" string in JSON text by "<redacted>".
std::string redact_secrets(std::string text);

}  // namespace mtjson::daemon
