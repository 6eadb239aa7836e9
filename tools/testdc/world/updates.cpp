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

std::int32_t add_qts_event(World::Impl& w, Account& user, json& update) {
  Box& box = user.box;
  box.qts += 1;
  update["qts"] = box.qts;
  box.qts_events.push_back(QtsEvent{box.qts, w.now32(), update.at("message")});
  return box.qts;
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

json state_json(World::Impl& w, const Account& u, std::int32_t pts, std::int32_t qts) {
  return {{"_cons", "updates.state"}, {"pts", pts},    {"qts", qts},
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

// The first element of a pts- or qts-ordered log above `after`.
template <typename E, typename Key>
auto first_after(const std::vector<E>& log, std::int32_t after, Key key) {
  return std::upper_bound(log.begin(), log.end(), after, [&](std::int32_t p, const E& e) { return p < key(e); });
}

}  // namespace

json updates_get_state(Ctx& c) { return state_json(c.w, c.me(), c.me().box.pts, c.me().box.qts); }

// "Working with Updates", "Recovering gaps": the events of the common box after the client's pts (new
// messages apart) and the secondary (qts) events after its qts, as new_encrypted_messages in qts
// order. At most `limit` events per answer, pts events first: when more remain the answer is a
// differenceSlice whose intermediate_state holds the pts and qts reached, so the next call
// continues from both. Channel messages are never in it: the last piece (updates.difference)
// names, with updateChannelTooLong{channel_id, pts}, each channel the user is in that changed
// since the client's `date` (or that it joined since), for updates.getChannelDifference
// ("Working with Updates": getChannelDifference "will be automatically triggered ... by a set of
// updateChannelTooLong updates that will be returned by the updates.getDifference call").
json updates_get_difference(Ctx& c) {
  std::int32_t pts = int_arg(c.m, "pts");
  std::int32_t date = int_arg(c.m, "date");
  std::int32_t qts = int_arg(c.m, "qts");
  std::int32_t limit = c.w.options.difference_limit;
  if (has_arg(c.m, "pts_total_limit")) limit = std::min(limit, int_arg(c.m, "pts_total_limit"));
  if (limit <= 0) limit = 1;

  Account& u = c.me();
  const Box& box = u.box;
  json channels = channels_too_long(c.w, u, date);
  if (pts >= box.pts && qts >= box.qts && channels.empty())
    return {{"_cons", "updates.differenceEmpty"}, {"date", c.w.now32()}, {"seq", box.seq}};
  if (pts < 0 || qts < 0) bad_input();
  pts = std::min(pts, box.pts);
  qts = std::min(qts, box.qts);

  json new_messages = json::array();
  json new_encrypted = json::array();
  json other_updates = json::array();
  std::set<std::int64_t> user_ids{u.id};
  std::int32_t taken = 0;
  auto it = first_after(box.events, pts, [](const Event& e) { return e.pts; });
  for (; it != box.events.end() && taken < limit; ++it, ++taken) {
    if (it->update.value("_cons", "") == "updateNewMessage")
      new_messages.push_back(it->update.at("message"));
    else
      other_updates.push_back(it->update);
    collect_users(it->update, user_ids);
    pts = it->pts;
  }
  auto q = first_after(box.qts_events, qts, [](const QtsEvent& e) { return e.qts; });
  for (; q != box.qts_events.end() && taken < limit; ++q, ++taken) {
    new_encrypted.push_back(q->message);
    qts = q->qts;
  }
  bool slice = it != box.events.end() || q != box.qts_events.end();
  json out = {{"new_messages", new_messages},
              {"new_encrypted_messages", new_encrypted},
              {"other_updates", other_updates},
              {"chats", json::array()},
              {"users", users_json(c.w, user_ids, &u)}};
  if (slice) {
    out["_cons"] = "updates.differenceSlice";
    out["intermediate_state"] = state_json(c.w, u, pts, qts);
  } else {
    for (auto& ch : channels) {
      out["chats"].push_back(channel_json(*c.w.find_channel(ch.at("channel_id").get<std::int64_t>()), u));
      out["other_updates"].push_back(std::move(ch));
    }
    out["_cons"] = "updates.difference";
    out["state"] = state_json(c.w, u, box.pts, box.qts);
  }
  return out;
}

}  // namespace mtjson::testdc
