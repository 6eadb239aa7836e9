#include "testdc/world/updates.h"

#include <algorithm>

#include "testdc/world/args.h"
#include "testdc/world/channel_updates.h"
#include "testdc/world/channel_views.h"
#include "testdc/world/views.h"

namespace mtjson::testdc {

using nlohmann::json;

std::int32_t add_event(World::Impl& w, Account& user, json& update, std::int32_t pts_count) {
  Box& box = user.box;
  box.pts += pts_count;
  update["pts"] = box.pts;
  update["pts_count"] = pts_count;
  box.events.push_back(Event{box.pts, pts_count, w.now32(), update});
  return box.pts;
}

json make_updates(World::Impl& w, Account& user, json update_list, const std::set<std::int64_t>& user_ids,
                  bool sequenced, json chats) {
  if (sequenced) user.box.seq += 1;
  return {{"_cons", "updates"},
          {"updates", std::move(update_list)},
          {"users", users_json(w, user_ids, &user)},
          {"chats", std::move(chats)},
          {"date", w.now32()},
          {"seq", sequenced ? user.box.seq : 0}};
}

json make_update_short(World::Impl& w, json update) {
  return {{"_cons", "updateShort"}, {"update", std::move(update)}, {"date", w.now32()}};
}

void push_to_user(World::Impl& w, std::int64_t user_id, const json& updates, const Caller* except) {
  for (const auto& [auth_key_id, session_ids] : w.sessions) {
    auto a = w.authorizations.find(auth_key_id);
    if (a == w.authorizations.end() || a->second.user_id != user_id) continue;
    for (std::int64_t session_id : session_ids) {
      if (except && except->auth_key_id == auth_key_id && except->session_id == session_id) continue;
      w.pushes.push_back(Push{auth_key_id, session_id, updates});
    }
  }
}

std::int32_t unread_total(const Box& box) {
  std::int32_t n = 0;
  for (const auto& [id, m] : box.messages) {
    if (m.out) continue;
    auto d = box.dialogs.find(m.peer_user_id);
    std::int32_t read = d == box.dialogs.end() ? 0 : d->second.read_inbox_max_id;
    if (id > read) ++n;
  }
  return n;
}

namespace {

// qts stays 0: there is no secondary event sequence in the world (see updates_get_difference).
json state_json(World::Impl& w, const Account& u, std::int32_t pts) {
  return {{"_cons", "updates.state"}, {"pts", pts},    {"qts", 0},
          {"date", w.now32()},         {"seq", u.box.seq}, {"unread_count", unread_total(u.box)}};
}

void collect_users(const json& v, std::set<std::int64_t>& ids) {
  if (v.is_object()) {
    auto c = v.find("_cons");
    if (c != v.end() && *c == "peerUser") ids.insert(v.at("user_id").get<std::int64_t>());
    for (const auto& [k, x] : v.items()) collect_users(x, ids);
  } else if (v.is_array()) {
    for (const auto& x : v) collect_users(x, ids);
  }
}

}  // namespace

json updates_get_state(Ctx& c) { return state_json(c.w, c.me(), c.me().box.pts); }

// api_updates.md "Recovering gaps": the events of the common box after the client's pts, new
// messages apart. Channel messages are never in it: the last piece (updates.difference) names,
// with updateChannelTooLong{channel_id, pts}, each channel the user is in that changed since the
// client's `date` (or that it joined since), for updates.getChannelDifference (api_updates.md:
// getChannelDifference "will be automatically triggered ... by a set of updateChannelTooLong
// updates that will be returned by the updates.getDifference call"). qts: the world has no
// secondary event sequence (no secret chats, no bot qts updates), so it stays 0.
json updates_get_difference(Ctx& c) {
  std::int32_t pts = int_arg(c.m, "pts");
  std::int32_t date = int_arg(c.m, "date");
  int_arg(c.m, "qts");
  std::int32_t limit = c.w.options.difference_limit;
  if (has_arg(c.m, "pts_total_limit")) limit = std::min(limit, int_arg(c.m, "pts_total_limit"));
  if (limit <= 0) limit = 1;

  Account& u = c.me();
  const auto& events = u.box.events;
  json channels = channels_too_long(c.w, u, date);
  if (pts >= u.box.pts && channels.empty())
    return {{"_cons", "updates.differenceEmpty"}, {"date", c.w.now32()}, {"seq", u.box.seq}};
  if (pts < 0) bad_input();
  pts = std::min(pts, u.box.pts);

  auto first = std::upper_bound(events.begin(), events.end(), pts,
                                [](std::int32_t p, const Event& e) { return p < e.pts; });
  json new_messages = json::array();
  json other_updates = json::array();
  std::set<std::int64_t> user_ids{u.id};
  std::int32_t last_pts = pts;
  std::int32_t taken = 0;
  auto it = first;
  for (; it != events.end() && taken < limit; ++it, ++taken) {
    if (it->update.value("_cons", "") == "updateNewMessage")
      new_messages.push_back(it->update.at("message"));
    else
      other_updates.push_back(it->update);
    collect_users(it->update, user_ids);
    last_pts = it->pts;
  }
  bool slice = it != events.end();
  json out = {{"new_messages", new_messages},
              {"new_encrypted_messages", json::array()},
              {"other_updates", other_updates},
              {"chats", json::array()},
              {"users", users_json(c.w, user_ids, &u)}};
  if (slice) {
    out["_cons"] = "updates.differenceSlice";
    out["intermediate_state"] = state_json(c.w, u, last_pts);
  } else {
    for (auto& ch : channels) {
      out["chats"].push_back(channel_json(*c.w.find_channel(ch.at("channel_id").get<std::int64_t>()), u));
      out["other_updates"].push_back(std::move(ch));
    }
    out["_cons"] = "updates.difference";
    out["state"] = state_json(c.w, u, u.box.pts);
  }
  return out;
}

}  // namespace mtjson::testdc
