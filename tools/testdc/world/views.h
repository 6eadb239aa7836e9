// JSON constructors (layer-228 shape, present in layers 144 and 198 too) for the world's objects,
// and resolution of InputPeer / InputUser arguments.
#pragma once

#include <set>

#include <nlohmann/json.hpp>

#include "testdc/world/handlers.h"

namespace mtjson::testdc {

nlohmann::json peer_user(std::int64_t user_id);
nlohmann::json user_json(const Account& user, const Account* viewer);
nlohmann::json message_json(const Message& m, std::int64_t owner_id);
// Vector<User> of the given ids as seen by viewer (unknown ids skipped).
nlohmann::json users_json(World::Impl& w, const std::set<std::int64_t>& ids, const Account* viewer);

// InputPeer: inputPeerSelf, inputPeerUser (access_hash checked). Else 400 PEER_ID_INVALID.
Account& resolve_input_peer(Ctx& c, const nlohmann::json& peer);
// InputUser: inputUserSelf, inputUser. Else 400 USER_ID_INVALID.
Account& resolve_input_user(Ctx& c, const nlohmann::json& user);

}  // namespace mtjson::testdc
