#include "testdc/world/channel_posts.h"

#include "testdc/world/args.h"
#include "testdc/world/channel_updates.h"
#include "testdc/world/channel_views.h"
#include "testdc/world/history_page.h"
#include "testdc/world/updates.h"
#include "testdc/world/views.h"

namespace mtjson::testdc {

using nlohmann::json;

namespace {

// The sender's answer: updateMessageID (random_id -> id) and the message, seq 0 like every
// channel update (its pts orders it).
json sent_updates(World::Impl& w, Account& me, const Channel& ch, const ChannelMessage& m) {
  json update = {{"_cons", "updateNewChannelMessage"},
                 {"message", channel_message_json(ch, m, me.id)},
                 {"pts", m.pts},
                 {"pts_count", 1}};
  json list = json::array({{{"_cons", "updateMessageID"}, {"id", m.id}, {"random_id", m.random_id}}, update});
  std::set<std::int64_t> users;
  if (!ch.broadcast) users.insert(me.id);
  return make_updates(w, me, std::move(list), users, false, json::array({channel_json(ch, me)}));
}

}  // namespace

json channel_send_message(Ctx& c, Channel& ch, const std::string& text, const json& entities, std::int64_t random_id) {
  Account& me = c.me();
  if (!ch.is_member(me.id)) fail(403, "CHAT_WRITE_FORBIDDEN");
  if (ch.broadcast && ch.creator_id != me.id) fail(403, "CHAT_ADMIN_REQUIRED");
  if (random_id != 0) {
    auto it = ch.by_random_id.find({me.id, random_id});
    if (it != ch.by_random_id.end()) return sent_updates(c.w, me, ch, ch.messages.at(it->second));
  }
  ChannelMessage m;
  m.id = ch.next_id++;
  m.from_user_id = me.id;
  m.date = c.w.now32();
  m.text = text;
  m.entities = entities;
  m.random_id = random_id;
  ChannelMessage& stored = ch.messages.emplace(m.id, std::move(m)).first->second;
  json update = {{"_cons", "updateNewChannelMessage"}, {"message", channel_message_json(ch, stored, me.id)}};
  const Event& e = add_channel_event(c.w, ch, update, 1);
  stored.pts = e.pts;
  if (random_id != 0) ch.by_random_id[{me.id, random_id}] = stored.id;
  push_to_members(c.w, ch, e, &c.caller);
  return sent_updates(c.w, me, ch, stored);
}

json channel_get_history(Ctx& c, Channel& ch) {
  Account& me = c.me();
  require_read_access(c, ch);
  HistoryQuery q = history_query(c.m);
  std::int32_t max_id = int_arg(c.m, "max_id");
  std::int32_t min_id = int_arg(c.m, "min_id");
  long_arg(c.m, "hash");

  std::vector<const ChannelMessage*> all;  // newest first
  for (auto it = ch.messages.rbegin(); it != ch.messages.rend(); ++it)
    if ((max_id == 0 || it->first < max_id) && (min_id == 0 || it->first > min_id)) all.push_back(&it->second);
  auto [start, end] = history_window(all, q);

  json messages = json::array();
  std::set<std::int64_t> users;
  for (auto i = start; i < end; ++i) {
    messages.push_back(channel_message_json(ch, *all[i], me.id));
    if (!ch.broadcast) users.insert(all[i]->from_user_id);
  }
  return {{"_cons", "messages.channelMessages"},
          {"pts", ch.pts},
          {"count", static_cast<std::int32_t>(all.size())},
          {"messages", messages},
          {"topics", json::array()},
          {"chats", json::array({channel_json(ch, me)})},
          {"users", users_json(c.w, users, &me)}};
}

}  // namespace mtjson::testdc
