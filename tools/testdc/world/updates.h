// pts events, seq, and delivery of Updates objects to live sessions ("Working with Updates").
#pragma once

#include <set>

#include <nlohmann/json.hpp>

#include "testdc/world/handlers.h"

namespace mtjson::testdc {

// Appends a pts event to the user's box: sets update.pts / update.pts_count and returns the pts.
std::int32_t add_event(World::Impl& w, Account& user, nlohmann::json& update, std::int32_t pts_count);

// Appends a qts event (updateNewEncryptedMessage) to the user's box: sets update.qts, returns it.
std::int32_t add_qts_event(World::Impl& w, Account& user, nlohmann::json& update);

// An `updates` object for user: updates + the users they mention. `sequenced`: it takes the
// user's next seq, which is right only when every session of the user gets it (a push that
// skips the calling session uses seq 0, "apply immediately", or that session would see a gap).
// `chats`: the Vector<Chat> the updates mention (channels, as user sees them).
nlohmann::json make_updates(World::Impl& w, Account& user, nlohmann::json update_list,
                            const std::set<std::int64_t>& user_ids, bool sequenced,
                            nlohmann::json chats = nlohmann::json::array());

// updateShort (no seq): for the caller's other sessions.
nlohmann::json make_update_short(World::Impl& w, nlohmann::json update);

// Queues `updates` for every live session authorized as user_id, except `except` (the calling
// session, which gets the same information as its rpc_result).
void push_to_user(World::Impl& w, std::int64_t user_id, const nlohmann::json& updates, const Caller* except);

// Incoming messages not yet read, over all dialogs of the box.
std::int32_t unread_total(const Box& box);

}  // namespace mtjson::testdc
