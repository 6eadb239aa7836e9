#include "daemon/updates/difference.h"

#include <string>

namespace mtjson::daemon::updates {

using nlohmann::json;

namespace {

const json& array_field(const json& obj, const char* key) {
  static const json empty = json::array();
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? *it : empty;
}

json wrap(json list, const json& difference, std::int32_t date) {
  if (list.empty()) return nullptr;
  return {{"_cons", "updates"},
          {"updates", std::move(list)},
          {"users", array_field(difference, "users")},
          {"chats", array_field(difference, "chats")},
          {"date", date},
          {"seq", 0}};
}

}  // namespace

json difference_as_updates(const json& difference, std::int32_t date) {
  json list = json::array();
  for (const json& m : array_field(difference, "new_messages"))
    list.push_back({{"_cons", "updateNewMessage"}, {"message", m}, {"pts", 0}, {"pts_count", 0}});
  for (const json& m : array_field(difference, "new_encrypted_messages"))
    list.push_back({{"_cons", "updateNewEncryptedMessage"}, {"message", m}, {"qts", 0}});
  for (const json& u : array_field(difference, "other_updates")) list.push_back(u);
  return wrap(std::move(list), difference, date);
}

json channel_difference_as_updates(const json& difference, std::int32_t date) {
  json list = json::array();
  for (const json& m : array_field(difference, "new_messages"))
    list.push_back({{"_cons", "updateNewChannelMessage"}, {"message", m}, {"pts", 0}, {"pts_count", 0}});
  for (const json& u : array_field(difference, "other_updates")) list.push_back(u);
  return wrap(std::move(list), difference, date);
}

}  // namespace mtjson::daemon::updates
