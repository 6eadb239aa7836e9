// Recovered updates as clients read pushed ones: the answer to updates.getDifference or
// updates.getChannelDifference becomes one `updates` object, so a client handles a recovered
// message exactly like a pushed one.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

namespace mtjson::daemon::updates {

// updates.difference / updates.differenceSlice -> {"_cons":"updates","updates":[...],"users",
// "chats","date","seq":0}: each of new_messages as updateNewMessage, each of
// new_encrypted_messages as updateNewEncryptedMessage, then other_updates as they are. The new
// messages come first: other_updates may edit or delete them. The recovered objects carry no
// pts/qts of their own (0): the difference's state covers them. null when there is nothing.
nlohmann::json difference_as_updates(const nlohmann::json& difference, std::int32_t date);

// updates.channelDifference: new_messages as updateNewChannelMessage, then other_updates.
nlohmann::json channel_difference_as_updates(const nlohmann::json& difference, std::int32_t date);

}  // namespace mtjson::daemon::updates
