// Channels in the dialog list; editMessage and channels.deleteMessages on channels, pushed with the
// channel's pts and returned by getChannelDifference; edits across save/load.
#include "world_fixture.h"

using namespace mtjson::testdc;
using namespace mtjson::testdc::test;

namespace {

json edit(const json& chat, int id, const std::string& text) {
  return {{"_cons", "messages.editMessage"}, {"peer", Fixture::input_peer_channel(chat)}, {"id", id}, {"message", text}};
}

json delete_messages(const json& chat, std::vector<int> ids) {
  return {{"_cons", "channels.deleteMessages"}, {"channel", Fixture::input_channel(chat)}, {"id", ids}};
}

json get_dialogs(int limit = 100) {
  return {{"_cons", "messages.getDialogs"}, {"offset_date", 0}, {"offset_id", 0},
          {"offset_peer", {{"_cons", "inputPeerEmpty"}}}, {"limit", limit}, {"hash", 0}};
}

// A (creator, session 1 live) with a public channel `kind`; B (session 2 live) a member.
struct EditWorld {
  Fixture f;
  json a, b, chat;
  Caller ca = Fixture::caller(1, 0xA1, 1), cb = Fixture::caller(1, 0xA2, 2);

  explicit EditWorld(bool megagroup = false) {
    a = f.login("9996610001", 0xA1);
    b = f.login("9996610002", 0xA2);
    chat = f.ok(ca, Fixture::create_channel("Edits", megagroup))["chats"][0];
    f.ok(ca, Fixture::set_username(chat, "editschannel"));
    f.ok(cb, {{"_cons", "channels.joinChannel"}, {"channel", Fixture::input_channel(chat)}});
    f.world.session_opened(ca);
    f.world.session_opened(cb);
  }
};

}  // namespace

TEST_CASE("world: getDialogs lists channels with their pts, top message and chat", "[testdc][channels][dialogs]") {
  EditWorld w;
  w.f.clock += 10;
  w.f.ok(w.ca, Fixture::post(w.chat, "newest post", 1));  // id 2, pts 2
  w.f.clock -= 5;
  w.f.ok(w.cb, Fixture::send(w.a, "older private", 2));
  w.f.clock += 5;

  json d = w.f.ok(w.cb, get_dialogs());
  CHECK(d["_cons"] == "messages.dialogs");
  REQUIRE(d["dialogs"].size() == 2);
  json ch = d["dialogs"][0];  // the newest top message first
  CHECK(ch["peer"] == json{{"_cons", "peerChannel"}, {"channel_id", w.chat["id"]}});
  CHECK(ch["top_message"] == 2);
  CHECK(ch["pts"] == 2);
  CHECK(ch["unread_count"] == 0);
  CHECK(d["dialogs"][1]["peer"] == json{{"_cons", "peerUser"}, {"user_id", w.a["id"]}});
  CHECK_FALSE(d["dialogs"][1].contains("pts"));
  REQUIRE(d["messages"].size() == 2);
  CHECK(d["messages"][0]["message"] == "newest post");
  CHECK(d["messages"][0]["peer_id"]["channel_id"] == w.chat["id"]);
  CHECK(d["messages"][1]["message"] == "older private");
  REQUIRE(d["chats"].size() == 1);
  CHECK(d["chats"][0]["id"] == w.chat["id"]);
  CHECK(d["chats"][0]["_cons"] == "channel");

  // Paging counts channels too; a channel the user left is gone.
  json one = w.f.ok(w.cb, get_dialogs(1));
  CHECK(one["_cons"] == "messages.dialogsSlice");
  CHECK(one["count"] == 2);
  CHECK(one["dialogs"].size() == 1);
  CHECK(one["dialogs"][0]["peer"]["_cons"] == "peerChannel");
  w.f.ok(w.cb, {{"_cons", "channels.leaveChannel"}, {"channel", Fixture::input_channel(w.chat)}});
  json after = w.f.ok(w.cb, get_dialogs());
  REQUIRE(after["dialogs"].size() == 1);
  CHECK(after["dialogs"][0]["peer"]["_cons"] == "peerUser");
  CHECK(after["chats"] == json::array());
}

TEST_CASE("world: editMessage on a channel pushes updateEditChannelMessage with the channel's pts", "[testdc][channels]") {
  EditWorld w;
  w.f.ok(w.ca, Fixture::post(w.chat, "first", 1));  // id 2, pts 2
  w.f.clock += 3;
  CallResult r = w.f.call(w.ca, edit(w.chat, 2, "first, edited"));
  REQUIRE(r.ok);
  REQUIRE(r.result["updates"].size() == 1);
  json mine = r.result["updates"][0];
  CHECK(mine["_cons"] == "updateEditChannelMessage");
  CHECK(mine["pts"] == 3);
  CHECK(mine["pts_count"] == 1);
  CHECK(mine["message"]["message"] == "first, edited");
  CHECK(mine["message"]["edit_date"] == w.f.clock);
  CHECK(mine["message"]["out"] == true);
  CHECK(r.result["seq"] == 0);
  CHECK(r.result["chats"][0]["id"] == w.chat["id"]);
  REQUIRE(r.pushes.size() == 1);  // the member; the caller's session has its answer
  CHECK(r.pushes[0].session_id == 2);
  json theirs = r.pushes[0].updates["updates"][0];
  CHECK(theirs["_cons"] == "updateEditChannelMessage");
  CHECK(theirs["pts"] == 3);
  CHECK(theirs["message"]["message"] == "first, edited");
  CHECK_FALSE(theirs["message"].contains("out"));

  CHECK(w.f.err(w.ca, edit(w.chat, 2, "first, edited")) == "400 MESSAGE_NOT_MODIFIED");
  CHECK(w.f.err(w.ca, edit(w.chat, 99, "x")) == "400 MESSAGE_ID_INVALID");
  CHECK(w.f.err(w.ca, edit(w.chat, 1, "x")) == "400 MESSAGE_ID_INVALID");  // the service message
  CHECK(w.f.err(w.cb, edit(w.chat, 2, "hijack")) == "403 MESSAGE_AUTHOR_REQUIRED");
  CHECK(w.f.err(w.ca, edit(w.chat, 2, " ")) == "400 MESSAGE_EMPTY");
  // The history shows the edit.
  json h = w.f.ok(w.cb, {{"_cons", "messages.getHistory"}, {"peer", Fixture::input_peer_channel(w.chat)},
                         {"offset_id", 0}, {"offset_date", 0}, {"add_offset", 0}, {"limit", 1}, {"max_id", 0},
                         {"min_id", 0}, {"hash", 0}});
  CHECK(h["messages"][0]["message"] == "first, edited");
  CHECK(h["pts"] == 3);
}

TEST_CASE("world: supergroup members edit and delete their own messages only", "[testdc][channels]") {
  EditWorld w(true);
  w.f.ok(w.cb, Fixture::post(w.chat, "from b", 1));  // id 2, pts 2
  w.f.ok(w.ca, Fixture::post(w.chat, "from a", 2));  // id 3, pts 3
  CHECK(w.f.err(w.cb, edit(w.chat, 3, "no")) == "403 MESSAGE_AUTHOR_REQUIRED");
  CHECK(w.f.err(w.cb, delete_messages(w.chat, {3})) == "403 MESSAGE_DELETE_FORBIDDEN");
  CHECK(w.f.ok(w.cb, edit(w.chat, 2, "from b!"))["updates"][0]["message"]["from_id"]["user_id"] == w.b["id"]);
  // The creator may delete anyone's.
  json affected = w.f.ok(w.ca, delete_messages(w.chat, {2}));
  CHECK(affected == json{{"_cons", "messages.affectedMessages"}, {"pts", 5}, {"pts_count", 1}});
}

TEST_CASE("world: channels.deleteMessages pushes updateDeleteChannelMessages; getChannelDifference has every event",
          "[testdc][channels][updates]") {
  EditWorld w;
  for (int k = 0; k < 3; ++k) w.f.ok(w.ca, Fixture::post(w.chat, "post " + std::to_string(k), 10 + k));  // ids 2..4, pts 2..4
  w.f.ok(w.ca, edit(w.chat, 3, "post 1 edited"));  // pts 5
  CallResult r = w.f.call(w.ca, delete_messages(w.chat, {2, 4, 77}));  // 77 does not exist: skipped
  REQUIRE(r.ok);
  CHECK(r.result == json{{"_cons", "messages.affectedMessages"}, {"pts", 7}, {"pts_count", 2}});
  REQUIRE(r.pushes.size() == 1);
  CHECK(r.pushes[0].session_id == 2);
  CHECK(r.pushes[0].updates["seq"] == 0);
  CHECK(r.pushes[0].updates["updates"][0] == json{{"_cons", "updateDeleteChannelMessages"}, {"channel_id", w.chat["id"]},
                                                  {"messages", {2, 4}}, {"pts", 7}, {"pts_count", 2}});
  // Nothing left to delete: nothing changes.
  CHECK(w.f.ok(w.ca, delete_messages(w.chat, {2})) == json{{"_cons", "messages.affectedMessages"}, {"pts", 7}, {"pts_count", 0}});
  CHECK(w.f.err(w.ca, edit(w.chat, 2, "gone")) == "400 MESSAGE_ID_INVALID");

  json d = w.f.ok(w.cb, Fixture::channel_difference(w.chat, 4));
  CHECK(d["_cons"] == "updates.channelDifference");
  CHECK(d["final"] == true);
  CHECK(d["pts"] == 7);
  CHECK(d["new_messages"] == json::array());
  REQUIRE(d["other_updates"].size() == 2);
  CHECK(d["other_updates"][0]["_cons"] == "updateEditChannelMessage");
  CHECK(d["other_updates"][0]["pts"] == 5);
  CHECK(d["other_updates"][0]["message"]["message"] == "post 1 edited");
  CHECK_FALSE(d["other_updates"][0]["message"].contains("out"));  // rendered for the member
  CHECK(d["other_updates"][1]["_cons"] == "updateDeleteChannelMessages");
  CHECK(d["other_updates"][1]["messages"] == json{2, 4});
  CHECK(d["other_updates"][1]["pts"] == 7);
  CHECK(d["other_updates"][1]["pts_count"] == 2);
  // Paged: limit 1 gives one event per answer, pts by pts_count.
  json p = w.f.ok(w.cb, Fixture::channel_difference(w.chat, 5, 1));
  CHECK(p["pts"] == 7);
  CHECK(p["other_updates"].size() == 1);

  // A non-member cannot delete; the dialog's top message follows the deletions.
  w.f.ok(w.cb, {{"_cons", "channels.leaveChannel"}, {"channel", Fixture::input_channel(w.chat)}});
  CHECK(w.f.err(w.cb, delete_messages(w.chat, {3})) == "403 CHAT_WRITE_FORBIDDEN");
  json dl = w.f.ok(w.ca, get_dialogs());
  REQUIRE(dl["dialogs"].size() == 1);
  CHECK(dl["dialogs"][0]["top_message"] == 3);
  CHECK(dl["dialogs"][0]["pts"] == 7);
}

TEST_CASE("world: channel edits survive save/load", "[testdc][channels][persist]") {
  EditWorld w;
  w.f.ok(w.ca, Fixture::post(w.chat, "text", 1));
  w.f.clock += 7;
  w.f.ok(w.ca, edit(w.chat, 2, "text 2"));
  Fixture g;
  World world = g.reloaded(w.f.world, "edits");
  CallResult d = world.call(Fixture::caller(1, 0xA2), Fixture::channel_difference(w.chat, 2));
  REQUIRE(d.ok);
  REQUIRE(d.result["other_updates"].size() == 1);
  CHECK(d.result["other_updates"][0]["message"]["message"] == "text 2");
  CHECK(d.result["other_updates"][0]["message"]["edit_date"] == w.f.clock);
}
