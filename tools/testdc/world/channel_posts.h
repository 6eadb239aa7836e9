// Messages in channels: messages.sendMessage and messages.getHistory with an inputPeerChannel.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "testdc/world/handlers.h"

namespace mtjson::testdc {

// Posts `text` (already checked) as the caller. Non-members get 403 CHAT_WRITE_FORBIDDEN, members
// of a broadcast channel other than its creator 403 CHAT_ADMIN_REQUIRED. A repeated random_id of
// the same sender gets the first answer again, and posts nothing.
nlohmann::json channel_send_message(Ctx& c, Channel& ch, const std::string& text, const nlohmann::json& entities,
                                    std::int64_t random_id);
nlohmann::json channel_get_history(Ctx& c, Channel& ch);

}  // namespace mtjson::testdc
