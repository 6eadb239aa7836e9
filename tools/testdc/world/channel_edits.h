// Changing channel messages: messages.editMessage with an inputPeerChannel, and
// channels.deleteMessages. Both are pts events of the channel's box ("Working with Updates": "Each
// channel and supergroup has its message box and its event sequence"), pushed to every member
// and returned by updates.getChannelDifference.
#pragma once

#include <nlohmann/json.hpp>

#include "testdc/world/handlers.h"

namespace mtjson::testdc {

// `text` / `entities`: the new ones, already checked. Only the sender (in a broadcast channel
// also its creator) may edit: else 403 MESSAGE_AUTHOR_REQUIRED.
nlohmann::json channel_edit_message(Ctx& c, Channel& ch, std::int32_t id, const std::string* text,
                                    const nlohmann::json* entities);

}  // namespace mtjson::testdc
