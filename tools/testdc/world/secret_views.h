// JSON constructors (layer-228 shape) for secret chats as one side sees them, and resolution of
// InputEncryptedChat arguments.
#pragma once

#include <nlohmann/json.hpp>

#include "testdc/world/handlers.h"

namespace mtjson::testdc {

// encryptedChatWaiting / encryptedChatRequested (before acceptance, for the creator / the invited
// side), encryptedChat (g_a_or_b: what the viewer needs, the other side's public value), or
// encryptedChatDiscarded.
nlohmann::json encrypted_chat_json(const SecretChat& chat, std::int64_t viewer_id);

// inputEncryptedChat of a chat the caller is a party of, with its access_hash; else 400
// CHAT_ID_INVALID.
SecretChat& resolve_secret_chat(Ctx& c, const nlohmann::json& input);

}  // namespace mtjson::testdc
