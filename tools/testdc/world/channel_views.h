// JSON constructors (layer-228 shape) for channels and their messages, as one user sees them,
// and resolution of InputChannel / inputPeerChannel arguments.
#pragma once

#include <nlohmann/json.hpp>

#include "testdc/world/handlers.h"

namespace mtjson::testdc {

nlohmann::json peer_channel(std::int64_t channel_id);
// `channel` (creator / left / broadcast / megagroup as the viewer sees it), or channelForbidden
// for a private channel the viewer is not in.
nlohmann::json channel_json(const Channel& ch, const Account& viewer);
// message / messageService in the channel: broadcast posts carry `post` and no from_id;
// supergroup messages carry from_id; `out` when the viewer sent it.
nlohmann::json channel_message_json(const Channel& ch, const ChannelMessage& m, std::int64_t viewer_id);
// A stored channel event as `viewer` gets it (its message rendered for the viewer).
nlohmann::json channel_event_update(const Channel& ch, const Event& e, std::int64_t viewer_id);

// inputChannel / inputPeerChannel with the right access_hash, else 400 CHANNEL_INVALID.
Channel& resolve_input_channel(Ctx& c, const nlohmann::json& input);
// Members read everything; others only public channels (with a username): else 400 CHANNEL_PRIVATE.
void require_read_access(const Ctx& c, const Channel& ch);

}  // namespace mtjson::testdc
