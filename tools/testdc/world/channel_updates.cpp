#include "testdc/world/channel_updates.h"

#include "testdc/world/channel_views.h"
#include "testdc/world/updates.h"
#include "testdc/world/views.h"

namespace mtjson::testdc {

using nlohmann::json;

const Event& add_channel_event(World::Impl& w, Channel& ch, json& update, std::int32_t pts_count) {
  ch.pts += pts_count;
  update["pts"] = ch.pts;
  update["pts_count"] = pts_count;
  ch.events.push_back(Event{ch.pts, pts_count, w.now32(), update});
  return ch.events.back();
}

void push_to_members(World::Impl& w, const Channel& ch, const Event& e, const Caller* except) {
  std::set<std::int64_t> users;
  if (!ch.broadcast && e.update.contains("message"))
    if (auto m = ch.messages.find(e.update.at("message").at("id").get<std::int32_t>()); m != ch.messages.end())
      users.insert(m->second.from_user_id);
  for (const auto& [user_id, member] : ch.members) {
    Account* u = w.find_user(user_id);
    if (!u) continue;
    json updates = make_updates(w, *u, json::array({channel_event_update(ch, e, user_id)}), users, false,
                                json::array({channel_json(ch, *u)}));
    push_to_user(w, user_id, updates, except);
  }
}

json channels_too_long(World::Impl& w, const Account& user, std::int32_t since_date) {
  json out = json::array();
  for (const auto& [id, ch] : w.channels) {
    auto m = ch.members.find(user.id);
    if (m == ch.members.end()) continue;
    bool changed = since_date == 0 || m->second.date >= since_date ||
                   (!ch.events.empty() && ch.events.back().date >= since_date);
    if (changed) out.push_back({{"_cons", "updateChannelTooLong"}, {"channel_id", ch.id}, {"pts", ch.pts}});
  }
  return out;
}

}  // namespace mtjson::testdc
