#include "testdc/world/views.h"

#include "testdc/world/args.h"

namespace mtjson::testdc {

using nlohmann::json;

json peer_user(std::int64_t user_id) { return {{"_cons", "peerUser"}, {"user_id", user_id}}; }

json user_json(const Account& u, const Account* viewer) {
  json j = {{"_cons", "user"}, {"id", u.id}, {"access_hash", u.access_hash}, {"first_name", u.first_name}};
  if (!u.last_name.empty()) j["last_name"] = u.last_name;
  if (!u.username.empty()) j["username"] = u.username;
  bool self = viewer && viewer->id == u.id;
  if (self) j["self"] = true;
  // Telegram shows the phone to the user itself (and to contacts); keep it to self here.
  if (self && !u.phone.empty()) j["phone"] = u.phone;
  if (u.bot) {
    j["bot"] = true;
    j["bot_nochats"] = true;
    j["bot_info_version"] = 1;
  } else {
    j["status"] = {{"_cons", "userStatusRecently"}};
  }
  return j;
}

json message_json(const Message& m, std::int64_t owner_id) {
  json j = {{"_cons", "message"}, {"id", m.id}, {"from_id", peer_user(m.from_user_id)},
            {"peer_id", peer_user(m.peer_user_id)}, {"date", m.date}, {"message", m.text}};
  if (m.out) j["out"] = true;
  if (m.peer_user_id == owner_id) j["out"] = true;  // Saved Messages: always outgoing
  if (!m.entities.is_null()) j["entities"] = m.entities;
  if (m.edit_date != 0) j["edit_date"] = m.edit_date;
  return j;
}

json users_json(World::Impl& w, const std::set<std::int64_t>& ids, const Account* viewer) {
  json out = json::array();
  for (auto id : ids)
    if (const Account* u = w.find_user(id)) out.push_back(user_json(*u, viewer));
  return out;
}

namespace {
Account& by_id_and_hash(Ctx& c, const json& v, const char* error) {
  std::int64_t id = long_arg(v, "user_id");
  std::int64_t hash = long_arg(v, "access_hash");
  Account* u = c.w.find_user(id);
  if (!u || u->access_hash != hash) fail(400, error);
  return *u;
}
}  // namespace

Account& resolve_input_peer(Ctx& c, const json& peer) {
  std::string cons = cons_of(peer);
  if (cons == "inputPeerSelf") return c.me();
  if (cons == "inputPeerUser") return by_id_and_hash(c, peer, "PEER_ID_INVALID");
  fail(400, "PEER_ID_INVALID");
}

Account& resolve_input_user(Ctx& c, const json& user) {
  std::string cons = cons_of(user);
  if (cons == "inputUserSelf") return c.me();
  if (cons == "inputUser") return by_id_and_hash(c, user, "USER_ID_INVALID");
  fail(400, "USER_ID_INVALID");
}

}  // namespace mtjson::testdc
