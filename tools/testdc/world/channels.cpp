// channels.createChannel, joinChannel, leaveChannel, getChannels, getFullChannel, updateUsername.
// A channel with a username is public: anyone may read and join it. Without one it is private:
// only its members see it (there are no invite links here). Membership changes are not pts
// events; their `updates` (updateChannel) take the user's next seq ("Working with Updates", "seq").
#include <algorithm>
#include <cctype>

#include "testdc/world/args.h"
#include "testdc/world/channel_updates.h"
#include "testdc/world/channel_views.h"
#include "testdc/world/handlers.h"
#include "testdc/world/updates.h"
#include "testdc/world/views.h"

namespace mtjson::testdc {

using nlohmann::json;

namespace {

constexpr std::size_t kTitleMax = 128;
constexpr std::size_t kAboutMax = 255;

// An `updates` with updateChannel (plus `extra`) for every session of the user: the caller gets
// it as its result, the user's other sessions as a push; sequenced, since all of them get it.
json membership_updates(Ctx& c, const Channel& ch, json extra = json::array()) {
  json list = json::array({{{"_cons", "updateChannel"}, {"channel_id", ch.id}}});
  for (auto& u : extra) list.push_back(std::move(u));
  json updates = make_updates(c.w, c.me(), std::move(list), {c.me().id}, true, json::array({channel_json(ch, c.me())}));
  push_to_user(c.w, c.me().id, updates, &c.caller);
  return updates;
}

bool valid_username(const std::string& s) {
  return s.size() >= 5 && s.size() <= 32 && std::isalpha(static_cast<unsigned char>(s[0])) &&
         std::all_of(s.begin(), s.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; });
}

}  // namespace

json channels_create_channel(Ctx& c) {
  Account& me = c.me();
  std::string title = string_arg(c.m, "title");
  std::string about = string_arg(c.m, "about");
  bool broadcast = as_flag(c.m, "broadcast");
  bool megagroup = as_flag(c.m, "megagroup");
  if (broadcast && megagroup) bad_input();
  if (title.find_first_not_of(" \t\r\n") == std::string::npos) fail(400, "CHAT_TITLE_EMPTY");
  if (title.size() > kTitleMax) fail(400, "CHAT_TITLE_TOO_LONG");
  if (about.size() > kAboutMax) fail(400, "CHAT_ABOUT_TOO_LONG");

  auto& w = c.w;
  while (w.channels.count(w.next_channel_id)) ++w.next_channel_id;
  Channel ch;
  ch.id = w.next_channel_id++;
  ch.access_hash = w.random_long();
  ch.title = title;
  ch.about = about;
  ch.broadcast = !megagroup;  // neither flag: a broadcast channel
  ch.creator_id = me.id;
  ch.date = w.now32();
  ch.members[me.id] = ChannelMember{me.id, ch.date};
  Channel& stored = w.channels.emplace(ch.id, std::move(ch)).first->second;

  // The channel's box starts with the service message "channel created" at pts 1.
  ChannelMessage created;
  created.id = stored.next_id++;
  created.from_user_id = me.id;
  created.date = stored.date;
  created.action = {{"_cons", "messageActionChannelCreate"}, {"title", title}};
  json update = {{"_cons", "updateNewChannelMessage"}, {"message", channel_message_json(stored, created, me.id)}};
  created.pts = add_channel_event(w, stored, update, 1).pts;
  stored.messages.emplace(created.id, created);
  return membership_updates(c, stored, json::array({update}));
}

json channels_join_channel(Ctx& c) {
  Channel& ch = resolve_input_channel(c, arg(c.m, "channel"));
  Account& me = c.me();
  if (ch.is_member(me.id)) fail(400, "USER_ALREADY_PARTICIPANT");
  if (ch.username.empty()) fail(400, "CHANNEL_PRIVATE");  // private: only by invite, which we lack
  ch.members[me.id] = ChannelMember{me.id, c.w.now32()};
  json updates = membership_updates(c, ch);
  // Layer 228 wraps the Updates in messages.chatInviteJoinResultOk; older layers return Updates.
  if (c.caller.layer > 0 && c.caller.layer < 228) return updates;
  return {{"_cons", "messages.chatInviteJoinResultOk"}, {"updates", std::move(updates)}};
}

json channels_leave_channel(Ctx& c) {
  Channel& ch = resolve_input_channel(c, arg(c.m, "channel"));
  Account& me = c.me();
  if (!ch.is_member(me.id)) fail(400, "USER_NOT_PARTICIPANT");
  ch.members.erase(me.id);
  return membership_updates(c, ch);
}

json channels_get_channels(Ctx& c) {
  const json& ids = arg(c.m, "id");
  if (!ids.is_array()) bad_input();
  json chats = json::array();
  for (const auto& input : ids) chats.push_back(channel_json(resolve_input_channel(c, input), c.me()));
  return {{"_cons", "messages.chats"}, {"chats", chats}};
}

json channels_get_full_channel(Ctx& c) {
  Channel& ch = resolve_input_channel(c, arg(c.m, "channel"));
  require_read_access(c, ch);
  // No read marks are kept for channels: everything counts as read.
  std::int32_t top = ch.messages.empty() ? 0 : ch.messages.rbegin()->first;
  json full = {{"_cons", "channelFull"},
               {"id", ch.id},
               {"about", ch.about},
               {"participants_count", static_cast<std::int32_t>(ch.members.size())},
               {"read_inbox_max_id", top},
               {"read_outbox_max_id", top},
               {"unread_count", 0},
               {"chat_photo", {{"_cons", "photoEmpty"}, {"id", 0}}},
               {"notify_settings", {{"_cons", "peerNotifySettings"}}},
               {"bot_info", json::array()},
               {"pts", ch.pts}};
  if (!ch.broadcast || ch.creator_id == c.me().id) full["can_view_participants"] = true;
  if (ch.creator_id == c.me().id) full["can_set_username"] = true;
  return {{"_cons", "messages.chatFull"},
          {"full_chat", full},
          {"chats", json::array({channel_json(ch, c.me())})},
          {"users", json::array()}};
}

json channels_update_username(Ctx& c) {
  Channel& ch = resolve_input_channel(c, arg(c.m, "channel"));
  std::string name = string_arg(c.m, "username");
  if (!ch.is_member(c.me().id) || ch.creator_id != c.me().id) fail(400, "CHAT_ADMIN_REQUIRED");
  if (!name.empty() && !valid_username(name)) fail(400, "USERNAME_INVALID");
  if (name == ch.username) fail(400, "USERNAME_NOT_MODIFIED");
  if (!name.empty()) {
    const Channel* other = c.w.find_channel_by_username(name);
    if (c.w.find_by_username(name) || (other && other->id != ch.id)) fail(400, "USERNAME_OCCUPIED");
  }
  ch.username = name;
  return true;
}

}  // namespace mtjson::testdc
