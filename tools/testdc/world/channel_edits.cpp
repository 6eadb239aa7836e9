#include "testdc/world/channel_edits.h"

#include "testdc/world/args.h"
#include "testdc/world/channel_updates.h"
#include "testdc/world/channel_views.h"
#include "testdc/world/updates.h"
#include "testdc/world/views.h"

namespace mtjson::testdc {

using nlohmann::json;

namespace {

// The creator runs the channel: it may change any message; others only their own.
bool may_change(const Channel& ch, const ChannelMessage& m, std::int64_t user_id) {
  return ch.creator_id == user_id || m.from_user_id == user_id;
}

}  // namespace

json channel_edit_message(Ctx& c, Channel& ch, std::int32_t id, const std::string* text, const json* entities) {
  Account& me = c.me();
  if (!ch.is_member(me.id)) fail(403, "CHAT_WRITE_FORBIDDEN");
  auto it = ch.messages.find(id);
  if (it == ch.messages.end() || !it->second.action.is_null()) fail(400, "MESSAGE_ID_INVALID");
  ChannelMessage& m = it->second;
  if (!may_change(ch, m, me.id)) fail(403, "MESSAGE_AUTHOR_REQUIRED");
  json new_entities = entities ? *entities : m.entities;
  if (new_entities.is_array() && new_entities.empty()) new_entities = json();
  std::string new_text = text ? *text : m.text;
  if (new_text == m.text && new_entities == m.entities) fail(400, "MESSAGE_NOT_MODIFIED");

  m.text = new_text;
  m.entities = new_entities;
  m.edit_date = c.w.now32();
  json update = {{"_cons", "updateEditChannelMessage"}, {"message", channel_message_json(ch, m, me.id)}};
  const Event& e = add_channel_event(c.w, ch, update, 1);
  push_to_members(c.w, ch, e, &c.caller);
  std::set<std::int64_t> users;
  if (!ch.broadcast) users.insert(m.from_user_id);
  return make_updates(c.w, me, json::array({update}), users, false, json::array({channel_json(ch, me)}));
}

json channels_delete_messages(Ctx& c) {
  Account& me = c.me();
  Channel& ch = resolve_input_channel(c, arg(c.m, "channel"));
  const json& ids = arg(c.m, "id");
  if (!ids.is_array()) bad_input();
  if (!ch.is_member(me.id)) fail(403, "CHAT_WRITE_FORBIDDEN");
  std::vector<std::int32_t> wanted;
  for (const auto& v : ids) wanted.push_back(as_int(v));  // all checked before anything changes
  for (std::int32_t id : wanted)
    if (auto it = ch.messages.find(id); it != ch.messages.end() && !may_change(ch, it->second, me.id))
      fail(403, "MESSAGE_DELETE_FORBIDDEN");
  json deleted = json::array();
  for (std::int32_t id : wanted)
    if (ch.messages.erase(id)) deleted.push_back(id);
  json affected = {{"_cons", "messages.affectedMessages"}, {"pts", ch.pts}, {"pts_count", 0}};
  if (deleted.empty()) return affected;
  auto count = static_cast<std::int32_t>(deleted.size());
  json update = {{"_cons", "updateDeleteChannelMessages"}, {"channel_id", ch.id}, {"messages", deleted}};
  const Event& e = add_channel_event(c.w, ch, update, count);
  push_to_members(c.w, ch, e, &c.caller);
  affected["pts"] = ch.pts;
  affected["pts_count"] = count;
  return affected;
}

}  // namespace mtjson::testdc
