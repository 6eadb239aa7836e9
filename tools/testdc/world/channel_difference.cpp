// updates.getChannelDifference ("Working with Updates", "Recovering gaps"): the events of one channel
// after the client's pts, at most `limit` of them (no `final` flag: call again from the returned
// pts), or channelDifferenceTooLong when the gap exceeds WorldOptions::channel_too_long.
// The filter is accepted but not applied (channelMessagesFilter ranges are ignored); `force` too.
#include <algorithm>

#include "testdc/world/args.h"
#include "testdc/world/channel_views.h"
#include "testdc/world/handlers.h"
#include "testdc/world/views.h"

namespace mtjson::testdc {

using nlohmann::json;

namespace {

json too_long(Ctx& c, const Channel& ch, std::int32_t limit, std::int32_t timeout) {
  // channelDifferenceTooLong: the newest messages and a dialog whose pts is the new state.
  const Account& me = c.me();
  json messages = json::array();
  std::set<std::int64_t> users;
  for (auto it = ch.messages.rbegin(); it != ch.messages.rend() && static_cast<std::int32_t>(messages.size()) < limit;
       ++it) {
    messages.push_back(channel_message_json(ch, it->second, me.id));
    if (!ch.broadcast) users.insert(it->second.from_user_id);
  }
  std::int32_t top = ch.messages.empty() ? 0 : ch.messages.rbegin()->first;
  json dialog = {{"_cons", "dialog"},
                 {"peer", peer_channel(ch.id)},
                 {"top_message", top},
                 {"read_inbox_max_id", top},
                 {"read_outbox_max_id", top},
                 {"unread_count", 0},
                 {"unread_mentions_count", 0},
                 {"unread_reactions_count", 0},
                 {"unread_poll_votes_count", 0},
                 {"notify_settings", {{"_cons", "peerNotifySettings"}}},
                 {"pts", ch.pts}};
  return {{"_cons", "updates.channelDifferenceTooLong"},
          {"final", true},
          {"timeout", timeout},
          {"dialog", dialog},
          {"messages", messages},
          {"chats", json::array({channel_json(ch, me)})},
          {"users", users_json(c.w, users, &me)}};
}

}  // namespace

json updates_get_channel_difference(Ctx& c) {
  Channel& ch = resolve_input_channel(c, arg(c.m, "channel"));
  std::string filter = cons_of(arg(c.m, "filter"));
  if (filter != "channelMessagesFilterEmpty" && filter != "channelMessagesFilter") bad_input();
  std::int32_t pts = int_arg(c.m, "pts");
  std::int32_t limit = int_arg(c.m, "limit");
  require_read_access(c, ch);
  if (pts <= 0) fail(400, "PERSISTENT_TIMESTAMP_EMPTY");
  if (pts > ch.pts) fail(400, "PERSISTENT_TIMESTAMP_INVALID");
  const auto& o = c.w.options;
  if (limit <= 0 || limit > o.channel_difference_limit) limit = o.channel_difference_limit;
  const std::int32_t timeout = o.channel_difference_timeout;

  if (pts == ch.pts) return {{"_cons", "updates.channelDifferenceEmpty"}, {"final", true}, {"pts", pts}, {"timeout", timeout}};
  if (ch.pts - pts > o.channel_too_long) return too_long(c, ch, limit, timeout);

  const Account& me = c.me();
  auto it = std::upper_bound(ch.events.begin(), ch.events.end(), pts,
                             [](std::int32_t p, const Event& e) { return p < e.pts; });
  json new_messages = json::array();
  json other_updates = json::array();
  std::set<std::int64_t> users;
  std::int32_t last_pts = pts;
  for (std::int32_t taken = 0; it != ch.events.end() && taken < limit; ++it, ++taken) {
    json u = channel_event_update(ch, *it, me.id);
    if (u.value("_cons", "") == "updateNewChannelMessage") {
      if (!ch.broadcast) users.insert(u["message"]["from_id"]["user_id"].get<std::int64_t>());
      new_messages.push_back(std::move(u["message"]));
    } else {
      other_updates.push_back(std::move(u));
    }
    last_pts = it->pts;
  }
  json out = {{"_cons", "updates.channelDifference"},
              {"pts", last_pts},
              {"new_messages", new_messages},
              {"other_updates", other_updates},
              {"chats", json::array({channel_json(ch, me)})},
              {"users", users_json(c.w, users, &me)}};
  if (it == ch.events.end()) {
    out["final"] = true;
    out["timeout"] = timeout;
  }
  return out;
}

}  // namespace mtjson::testdc
