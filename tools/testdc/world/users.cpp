// users.getUsers, users.getFullUser, contacts.resolveUsername (users and public channels),
// contacts.getContacts, contacts.importContacts.
#include <algorithm>
#include <cctype>

#include "testdc/world/args.h"
#include "testdc/world/channel_views.h"
#include "testdc/world/handlers.h"
#include "testdc/world/views.h"

namespace mtjson::testdc {

using nlohmann::json;

json users_get_users(Ctx& c) {
  const json& ids = arg(c.m, "id");
  if (!ids.is_array()) bad_input();
  json out = json::array();
  for (const auto& input : ids) {
    // Telegram leaves out what it cannot resolve instead of failing the whole call.
    std::string cons = cons_of(input);
    if (cons == "inputUserSelf") {
      out.push_back(user_json(c.me(), &c.me()));
    } else if (cons == "inputUser") {
      const Account* u = c.w.find_user(long_arg(input, "user_id"));
      if (u && u->access_hash == long_arg(input, "access_hash")) out.push_back(user_json(*u, &c.me()));
    }
  }
  return out;
}

json users_get_full_user(Ctx& c) {
  Account& u = resolve_input_user(c, arg(c.m, "id"));
  json full = {{"_cons", "userFull"},
               {"id", u.id},
               {"settings", {{"_cons", "peerSettings"}}},
               {"notify_settings", {{"_cons", "peerNotifySettings"}}},
               {"common_chats_count", 0}};
  if (u.bot) {
    full["bot_info"] = {{"_cons", "botInfo"}, {"user_id", u.id}, {"description", u.id == World::kEchoUserId
                                                                                    ? "Answers every message with its text."
                                                                                    : ""}};
  }
  return {{"_cons", "users.userFull"},
          {"full_user", full},
          {"chats", json::array()},
          {"users", json::array({user_json(u, &c.me())})}};
}

json contacts_resolve_username(Ctx& c) {
  std::string name = string_arg(c.m, "username");
  if (!name.empty() && name[0] == '@') name.erase(0, 1);
  bool valid = name.size() >= 4 && name.size() <= 32 &&
               std::all_of(name.begin(), name.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; });
  Account* u = c.w.find_by_username(name);
  if (!u) {
    if (const Channel* ch = c.w.find_channel_by_username(name))
      return {{"_cons", "contacts.resolvedPeer"},
              {"peer", peer_channel(ch->id)},
              {"chats", json::array({channel_json(*ch, c.me())})},
              {"users", json::array()}};
  }
  if (!u) fail(400, valid ? "USERNAME_NOT_OCCUPIED" : "USERNAME_INVALID");
  return {{"_cons", "contacts.resolvedPeer"},
          {"peer", peer_user(u->id)},
          {"chats", json::array()},
          {"users", json::array({user_json(*u, &c.me())})}};
}

// The world has no address book: the contacts of a user are the people it has a dialog with.
json contacts_get_contacts(Ctx& c) {
  long_arg(c.m, "hash");
  Account& me = c.me();
  std::set<std::int64_t> ids;
  for (const auto& [id, m] : me.box.messages) {
    const Account* u = c.w.find_user(m.peer_user_id);
    if (u && u->id != me.id && !u->bot) ids.insert(u->id);
  }
  json contacts = json::array();
  for (auto id : ids) contacts.push_back({{"_cons", "contact"}, {"user_id", id}, {"mutual", true}});
  json users = users_json(c.w, ids, &me);
  for (auto& u : users) {
    u["contact"] = true;
    u["mutual_contact"] = true;
  }
  return {{"_cons", "contacts.contacts"}, {"contacts", contacts}, {"saved_count", 0}, {"users", users}};
}

// Finds the given phone numbers among the accounts, so two test users can reach each other
// (an access_hash comes with each user). Numbers are matched on their digits; unknown numbers
// are left out, as Telegram does. Nothing is stored: contacts are derived from dialogs.
json contacts_import_contacts(Ctx& c) {
  const json& list = arg(c.m, "contacts");
  if (!list.is_array()) bad_input();
  Account& me = c.me();
  json imported = json::array();
  std::set<std::int64_t> ids;
  for (const auto& contact : list) {
    if (cons_of(contact) != "inputPhoneContact") bad_input();
    std::string digits;
    for (char ch : string_arg(contact, "phone"))
      if (std::isdigit(static_cast<unsigned char>(ch))) digits += ch;
    const Account* u = c.w.find_by_phone(digits);
    if (!u || u->id == me.id) continue;
    imported.push_back({{"_cons", "importedContact"}, {"user_id", u->id}, {"client_id", long_arg(contact, "client_id")}});
    ids.insert(u->id);
  }
  // The importer knows these numbers, so (as on Telegram) the users come with their phone.
  json users = users_json(c.w, ids, &me);
  for (auto& u : users)
    if (const Account* a = c.w.find_user(u["id"].get<std::int64_t>())) u["phone"] = a->phone;
  return {{"_cons", "contacts.importedContacts"},
          {"imported", imported},
          {"popular_invites", json::array()},
          {"retry_contacts", json::array()},
          {"users", users}};
}

}  // namespace mtjson::testdc
