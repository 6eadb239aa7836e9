// Private messages: send (deduplicated by random_id), edit, delete, history, read.
// sendMessage and getHistory with an inputPeerChannel go to channel_posts.cpp, editMessage to
// channel_edits.cpp; the dialog list is dialogs.cpp.
// Each side of a private chat has its own copy, id and pts ("Working with Updates": "private chats ...
// of one user have another common event sequence").
#include <algorithm>

#include "testdc/world/args.h"
#include "testdc/world/channel_edits.h"
#include "testdc/world/channel_posts.h"
#include "testdc/world/channel_views.h"
#include "testdc/world/handlers.h"
#include "testdc/world/history_page.h"
#include "testdc/world/updates.h"
#include "testdc/world/views.h"

namespace mtjson::testdc {

using nlohmann::json;

namespace {

constexpr std::size_t kMessageLengthMax = 4096;  // config.message_length_max

std::size_t utf16_length(const std::string& s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) == 0x80) continue;  // continuation byte
    n += b >= 0xF0 ? 2 : 1;            // 4-byte sequences are surrogate pairs
  }
  return n;
}

std::string message_text(const json& m, bool required) {
  if (!required && !has_arg(m, "message")) return {};
  std::string text = string_arg(m, "message");
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) fail(400, "MESSAGE_EMPTY");
  if (utf16_length(text) > kMessageLengthMax) fail(400, "MESSAGE_TOO_LONG");
  return text;
}

json short_message(const Message& m, const Account& owner, bool silent) {
  json j = {{"_cons", "updateShortMessage"}, {"id", m.id}, {"user_id", m.peer_user_id}, {"message", m.text},
            {"pts", m.pts}, {"pts_count", 1}, {"date", m.date}};
  if (m.out || m.peer_user_id == owner.id) j["out"] = true;
  if (silent) j["silent"] = true;
  if (!m.entities.is_null()) j["entities"] = m.entities;
  return j;
}

Message& store(World::Impl& w, Account& owner, Message m) {
  m.id = owner.box.next_id++;
  json update = {{"_cons", "updateNewMessage"}, {"message", message_json(m, owner.id)}};
  m.pts = add_event(w, owner, update, 1);
  if (m.random_id != 0) owner.box.by_random_id[m.random_id] = m.id;
  return owner.box.messages.emplace(m.id, std::move(m)).first->second;
}

bool has_dialog(const Account& owner, std::int64_t peer) {
  return std::any_of(owner.box.messages.begin(), owner.box.messages.end(),
                     [peer](const auto& kv) { return kv.second.peer_user_id == peer; });
}

// Stores both copies and queues the pushes; `except` is the calling session, which gets the
// sender's copy as its rpc_result (nullptr when the sender is not calling, e.g. @echo).
Message& deliver(World::Impl& w, Account& from, Account& to, const std::string& text, const json& entities,
                 std::int64_t random_id, bool silent, const Caller* except) {
  bool first_contact = !has_dialog(to, from.id);
  std::int32_t now = w.now32();
  Message& sent = store(w, from, Message{0, to.id, from.id, true, now, text, entities, 0, random_id, 0, 0});
  if (to.id != from.id) {
    Message& got = store(w, to, Message{0, from.id, from.id, false, now, text, entities, 0, 0, sent.id, 0});
    sent.counterpart_id = got.id;
    if (first_contact) {
      // The recipient may not know the sender yet: a full `updates` carries the user.
      json update = to.box.events.back().update;
      push_to_user(w, to.id, make_updates(w, to, json::array({update}), {from.id, to.id}, true), nullptr);
    } else {
      push_to_user(w, to.id, short_message(got, to, silent), nullptr);
    }
  }
  push_to_user(w, from.id, short_message(sent, from, silent), except);
  return sent;
}

json sent_result(const Message& m) {
  json j = {{"_cons", "updateShortSentMessage"}, {"out", true}, {"id", m.id}, {"pts", m.pts}, {"pts_count", 1},
            {"date", m.date}};
  if (!m.entities.is_null()) j["entities"] = m.entities;
  return j;
}

json affected(const Account& u, std::int32_t pts_count) {
  return {{"_cons", "messages.affectedMessages"}, {"pts", u.box.pts}, {"pts_count", pts_count}};
}

std::vector<const Message*> dialog_messages(const Account& owner, std::int64_t peer) {
  std::vector<const Message*> out;
  for (auto it = owner.box.messages.rbegin(); it != owner.box.messages.rend(); ++it)
    if (it->second.peer_user_id == peer) out.push_back(&it->second);
  return out;  // newest first
}

}  // namespace

json messages_send_message(Ctx& c) {
  Account& me = c.me();
  const bool to_channel = cons_of(arg(c.m, "peer")) == "inputPeerChannel";
  Channel* channel = to_channel ? &resolve_input_channel(c, c.m.at("peer")) : nullptr;
  Account& to = to_channel ? me : resolve_input_peer(c, arg(c.m, "peer"));
  std::string text = message_text(c.m, true);
  std::int64_t random_id = long_arg(c.m, "random_id");
  json entities = has_arg(c.m, "entities") ? c.m.at("entities") : json();
  if (!entities.is_null() && !entities.is_array()) bad_input();
  if (entities.is_array() && entities.empty()) entities = json();
  if (channel) return channel_send_message(c, *channel, text, entities, random_id);

  // A repeated random_id (a resend after a lost answer) gets the first answer again.
  if (random_id != 0) {
    auto it = me.box.by_random_id.find(random_id);
    if (it != me.box.by_random_id.end()) {
      auto m = me.box.messages.find(it->second);
      if (m != me.box.messages.end()) return sent_result(m->second);
      fail(400, "RANDOM_ID_DUPLICATE");  // its message was deleted since
    }
  }
  bool silent = as_flag(c.m, "silent");
  Message& sent = deliver(c.w, me, to, text, entities, random_id, silent, &c.caller);
  json result = sent_result(sent);
  if (to.id == World::kEchoUserId && me.id != to.id) {
    // The built-in @echo answers every private message with the same text.
    deliver(c.w, to, me, text, entities, 0, false, nullptr);
  }
  return result;
}

json messages_edit_message(Ctx& c) {
  if (cons_of(arg(c.m, "peer")) == "inputPeerChannel") {
    Channel& ch = resolve_input_channel(c, c.m.at("peer"));
    std::string text = has_arg(c.m, "message") ? message_text(c.m, true) : std::string();
    json entities = has_arg(c.m, "entities") ? c.m.at("entities") : json();
    return channel_edit_message(c, ch, int_arg(c.m, "id"), has_arg(c.m, "message") ? &text : nullptr,
                                has_arg(c.m, "entities") ? &entities : nullptr);
  }
  Account& me = c.me();
  Account& peer = resolve_input_peer(c, arg(c.m, "peer"));
  std::int32_t id = int_arg(c.m, "id");
  auto it = me.box.messages.find(id);
  if (it == me.box.messages.end() || it->second.peer_user_id != peer.id) fail(400, "MESSAGE_ID_INVALID");
  Message& m = it->second;
  if (!m.out) fail(403, "MESSAGE_AUTHOR_REQUIRED");
  std::string text = has_arg(c.m, "message") ? message_text(c.m, true) : m.text;
  json entities = has_arg(c.m, "entities") ? c.m.at("entities") : m.entities;
  if (entities.is_array() && entities.empty()) entities = json();
  if (text == m.text && entities == m.entities) fail(400, "MESSAGE_NOT_MODIFIED");

  std::int32_t now = c.w.now32();
  auto edit = [&](Account& owner, Message& copy) {
    copy.text = text;
    copy.entities = entities;
    copy.edit_date = now;
    json update = {{"_cons", "updateEditMessage"}, {"message", message_json(copy, owner.id)}};
    add_event(c.w, owner, update, 1);
    return update;
  };
  json mine = edit(me, m);
  if (peer.id != me.id && m.counterpart_id != 0) {
    auto other = peer.box.messages.find(m.counterpart_id);
    if (other != peer.box.messages.end()) {
      json theirs = edit(peer, other->second);
      push_to_user(c.w, peer.id, make_updates(c.w, peer, json::array({theirs}), {me.id, peer.id}, true), nullptr);
    }
  }
  // Every session of the sender sees the same `updates` (the caller as its result), so it is sequenced.
  json result = make_updates(c.w, me, json::array({mine}), {me.id, peer.id}, true);
  push_to_user(c.w, me.id, result, &c.caller);
  return result;
}

json messages_delete_messages(Ctx& c) {
  Account& me = c.me();
  const json& ids = arg(c.m, "id");
  if (!ids.is_array()) bad_input();
  bool revoke = as_flag(c.m, "revoke");
  json deleted = json::array();
  std::map<std::int64_t, json> theirs;  // peer user -> its copies' ids
  std::vector<std::int32_t> wanted;
  for (const auto& v : ids) wanted.push_back(as_int(v));  // all checked before anything changes
  for (std::int32_t id : wanted) {
    auto it = me.box.messages.find(id);
    if (it == me.box.messages.end()) continue;
    const Message& m = it->second;
    if (revoke && m.counterpart_id != 0 && m.peer_user_id != me.id) {
      if (Account* peer = c.w.find_user(m.peer_user_id); peer && peer->box.messages.erase(m.counterpart_id))
        theirs[peer->id].push_back(m.counterpart_id);
    }
    deleted.push_back(it->first);
    me.box.messages.erase(it);
  }
  if (deleted.empty()) return affected(me, 0);
  auto count = static_cast<std::int32_t>(deleted.size());
  json update = {{"_cons", "updateDeleteMessages"}, {"messages", deleted}};
  add_event(c.w, me, update, count);
  push_to_user(c.w, me.id, make_update_short(c.w, update), &c.caller);
  for (auto& [peer_id, their_ids] : theirs) {
    Account& peer = *c.w.find_user(peer_id);
    json u = {{"_cons", "updateDeleteMessages"}, {"messages", their_ids}};
    add_event(c.w, peer, u, static_cast<std::int32_t>(their_ids.size()));
    push_to_user(c.w, peer.id, make_updates(c.w, peer, json::array({u}), {}, true), nullptr);
  }
  return affected(me, count);
}

json messages_get_history(Ctx& c) {
  if (cons_of(arg(c.m, "peer")) == "inputPeerChannel")
    return channel_get_history(c, resolve_input_channel(c, c.m.at("peer")));
  Account& me = c.me();
  Account& peer = resolve_input_peer(c, arg(c.m, "peer"));
  HistoryQuery q = history_query(c.m);
  std::int32_t max_id = int_arg(c.m, "max_id");
  std::int32_t min_id = int_arg(c.m, "min_id");
  long_arg(c.m, "hash");

  std::vector<const Message*> all;
  for (const Message* m : dialog_messages(me, peer.id))
    if ((max_id == 0 || m->id < max_id) && (min_id == 0 || m->id > min_id)) all.push_back(m);
  auto [start, end] = history_window(all, q);

  json messages = json::array();
  std::set<std::int64_t> users{me.id, peer.id};
  for (auto i = start; i < end; ++i) messages.push_back(message_json(*all[i], me.id));
  json out = {{"messages", messages}, {"topics", json::array()}, {"chats", json::array()},
              {"users", users_json(c.w, users, &me)}};
  if (messages.size() < all.size()) {
    out["_cons"] = "messages.messagesSlice";
    out["count"] = static_cast<std::int32_t>(all.size());
  } else {
    out["_cons"] = "messages.messages";
  }
  return out;
}

json messages_read_history(Ctx& c) {
  Account& me = c.me();
  Account& peer = resolve_input_peer(c, arg(c.m, "peer"));
  std::int32_t max_id = int_arg(c.m, "max_id");
  DialogState& ds = me.box.dialogs[peer.id];
  std::int32_t read_to = ds.read_inbox_max_id;
  std::int32_t their_max = 0;  // newest of the peer's copies now read (its outbox)
  std::int32_t still_unread = 0;
  for (const Message* m : dialog_messages(me, peer.id)) {
    if (m->out) continue;
    if (max_id == 0 || m->id <= max_id) {
      read_to = std::max(read_to, m->id);
      their_max = std::max(their_max, m->counterpart_id);
    } else {
      ++still_unread;
    }
  }
  if (read_to <= ds.read_inbox_max_id) return affected(me, 0);
  ds.read_inbox_max_id = read_to;
  json update = {{"_cons", "updateReadHistoryInbox"}, {"peer", peer_user(peer.id)}, {"max_id", read_to},
                 {"still_unread_count", still_unread}};
  add_event(c.w, me, update, 1);
  push_to_user(c.w, me.id, make_update_short(c.w, update), &c.caller);
  if (peer.id != me.id && their_max != 0) {
    DialogState& theirs = peer.box.dialogs[me.id];
    if (their_max > theirs.read_outbox_max_id) {
      theirs.read_outbox_max_id = their_max;
      json u = {{"_cons", "updateReadHistoryOutbox"}, {"peer", peer_user(me.id)}, {"max_id", their_max}};
      add_event(c.w, peer, u, 1);
      push_to_user(c.w, peer.id, make_updates(c.w, peer, json::array({u}), {me.id}, true), nullptr);
    }
  }
  return affected(me, 1);
}

}  // namespace mtjson::testdc
