// Channel pts events and their delivery ("Working with Updates", "Message-related event sequences": each
// channel has its own box and pts; "Recovering gaps": getDifference names channels to catch up
// on with updateChannelTooLong).
#pragma once

#include <nlohmann/json.hpp>

#include "testdc/world/handlers.h"

namespace mtjson::testdc {

// Appends a pts event to the channel's box: sets update.pts / update.pts_count, returns the event.
const Event& add_channel_event(World::Impl& w, Channel& ch, nlohmann::json& update, std::int32_t pts_count);

// Queues the event, as an `updates` with seq 0 (pts orders it, not seq), for every live session
// of every member, each rendered for its user; `except` is the calling session.
void push_to_members(World::Impl& w, const Channel& ch, const Event& e, const Caller* except);

// updateChannelTooLong for each channel the user is in that changed (or that it joined) at or
// after `since_date` (0: every channel it is in), for updates.getDifference.
nlohmann::json channels_too_long(World::Impl& w, const Account& user, std::int32_t since_date);

}  // namespace mtjson::testdc
