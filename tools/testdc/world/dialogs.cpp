// messages.getDialogs: private chats and the channels the user is in, newest top message first.
// A channel's dialog carries the channel's pts ("Working with Updates", "Fetching state": "the initial
// channel state can be obtained from the dialog constructor when fetching dialogs"); no read
// marks are kept for channels, so everything in them counts as read.
#include <algorithm>

#include "testdc/world/args.h"
#include "testdc/world/channel_views.h"
#include "testdc/world/handlers.h"
#include "testdc/world/views.h"

namespace mtjson::testdc {

using nlohmann::json;

namespace {

// One dialog before paging: where it sorts (its top message) and how to render it.
struct Entry {
  std::int32_t date = 0;
  std::int32_t top_id = 0;
  const Message* message = nullptr;      // private chat
  const Channel* channel = nullptr;      // channel
  const ChannelMessage* post = nullptr;  // the channel's top message
};

json dialog_json(json peer, std::int32_t top, std::int32_t read_in, std::int32_t read_out, std::int32_t unread) {
  return {{"_cons", "dialog"},
          {"peer", std::move(peer)},
          {"top_message", top},
          {"read_inbox_max_id", read_in},
          {"read_outbox_max_id", read_out},
          {"unread_count", unread},
          {"unread_mentions_count", 0},
          {"unread_reactions_count", 0},
          {"unread_poll_votes_count", 0},
          {"notify_settings", {{"_cons", "peerNotifySettings"}}}};
}

std::vector<Entry> all_dialogs(World::Impl& w, const Account& me) {
  std::map<std::int64_t, const Message*> top;  // peer -> newest message
  for (const auto& [id, m] : me.box.messages) top[m.peer_user_id] = &m;
  std::vector<Entry> out;
  for (const auto& [peer, m] : top) out.push_back(Entry{m->date, m->id, m, nullptr, nullptr});
  for (const auto& [id, ch] : w.channels) {
    if (!ch.is_member(me.id) || ch.messages.empty()) continue;
    const ChannelMessage& post = ch.messages.rbegin()->second;
    out.push_back(Entry{post.date, post.id, nullptr, &ch, &post});
  }
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.date != b.date ? a.date > b.date : a.top_id > b.top_id;
  });
  return out;
}

}  // namespace

json messages_get_dialogs(Ctx& c) {
  Account& me = c.me();
  std::int32_t offset_date = int_arg(c.m, "offset_date");
  std::int32_t offset_id = int_arg(c.m, "offset_id");
  arg(c.m, "offset_peer");
  std::int32_t limit = int_arg(c.m, "limit");
  if (limit <= 0 || limit > 100) limit = 100;
  long_arg(c.m, "hash");
  std::int32_t folder = has_arg(c.m, "folder_id") ? int_arg(c.m, "folder_id") : 0;

  std::vector<Entry> order;
  if (folder == 0) order = all_dialogs(c.w, me);
  std::size_t total = order.size();
  if (offset_date != 0 || offset_id != 0) {
    std::erase_if(order, [&](const Entry& e) {
      if (offset_date != 0 && e.date != offset_date) return e.date > offset_date;
      return offset_id != 0 && e.top_id >= offset_id;
    });
  }
  if (order.size() > static_cast<std::size_t>(limit)) order.resize(limit);

  json dialogs = json::array();
  json messages = json::array();
  json chats = json::array();
  std::set<std::int64_t> users{me.id};
  for (const Entry& e : order) {
    if (e.channel) {
      const Channel& ch = *e.channel;
      json d = dialog_json(peer_channel(ch.id), e.top_id, e.top_id, e.top_id, 0);
      d["pts"] = ch.pts;
      dialogs.push_back(std::move(d));
      messages.push_back(channel_message_json(ch, *e.post, me.id));
      chats.push_back(channel_json(ch, me));
      if (!ch.broadcast) users.insert(e.post->from_user_id);
      continue;
    }
    const Message& m = *e.message;
    DialogState ds;
    if (auto it = me.box.dialogs.find(m.peer_user_id); it != me.box.dialogs.end()) ds = it->second;
    std::int32_t unread = 0;
    for (const auto& [id, x] : me.box.messages)
      if (x.peer_user_id == m.peer_user_id && !x.out && id > ds.read_inbox_max_id) ++unread;
    dialogs.push_back(dialog_json(peer_user(m.peer_user_id), m.id, ds.read_inbox_max_id, ds.read_outbox_max_id, unread));
    messages.push_back(message_json(m, me.id));
    users.insert(m.peer_user_id);
  }
  json out = {{"dialogs", dialogs}, {"messages", messages}, {"chats", chats}, {"users", users_json(c.w, users, &me)}};
  if (dialogs.size() < total) {
    out["_cons"] = "messages.dialogsSlice";
    out["count"] = static_cast<std::int32_t>(total);
  } else {
    out["_cons"] = "messages.dialogs";
  }
  return out;
}

}  // namespace mtjson::testdc
