// Channels and supergroups: create, username, join/leave, posting, history, access checks.
#include "world_fixture.h"

using namespace mtjson::testdc;
using namespace mtjson::testdc::test;

namespace {

// The updates of one kind inside an Updates object.
std::vector<json> of_kind(const json& updates, const std::string& cons) {
  std::vector<json> out;
  for (const auto& u : updates["updates"])
    if (u["_cons"] == cons) out.push_back(u);
  return out;
}

}  // namespace

TEST_CASE("world: createChannel makes a broadcast channel whose box starts at pts 1", "[testdc][channels]") {
  Fixture f;
  json a = f.login("9996617001", 0x71);
  Caller ca = Fixture::caller(1, 0x71, 1), ca2 = Fixture::caller(1, 0x71, 2);
  f.world.session_opened(ca);
  f.world.session_opened(ca2);

  CallResult r = f.call(ca, Fixture::create_channel("News"));
  REQUIRE(r.ok);
  const json& u = r.result;
  CHECK(u["_cons"] == "updates");
  REQUIRE(u["chats"].size() == 1);
  json chat = u["chats"][0];
  CHECK(chat["_cons"] == "channel");
  CHECK(chat["title"] == "News");
  CHECK(chat["broadcast"] == true);
  CHECK(chat["creator"] == true);
  CHECK_FALSE(chat.contains("megagroup"));
  CHECK_FALSE(chat.contains("left"));
  CHECK(chat["admin_rights"]["post_messages"] == true);
  CHECK(chat["participants_count"] == 1);

  auto upd = of_kind(u, "updateChannel");
  REQUIRE(upd.size() == 1);
  CHECK(upd[0]["channel_id"] == chat["id"]);
  auto created = of_kind(u, "updateNewChannelMessage");
  REQUIRE(created.size() == 1);
  CHECK(created[0]["pts"] == 1);
  CHECK(created[0]["pts_count"] == 1);
  CHECK(created[0]["message"]["_cons"] == "messageService");
  CHECK(created[0]["message"]["action"] == json{{"_cons", "messageActionChannelCreate"}, {"title", "News"}});
  CHECK(created[0]["message"]["peer_id"] == json{{"_cons", "peerChannel"}, {"channel_id", chat["id"]}});
  CHECK(created[0]["message"]["post"] == true);

  // A seq-bearing Updates: the creator's next seq, and its other session gets the same object.
  CHECK(u["seq"] == 1);
  REQUIRE(r.pushes.size() == 1);
  CHECK(r.pushes[0].session_id == 2);
  CHECK(r.pushes[0].updates == u);
  CHECK(f.ok(ca, {{"_cons", "updates.getState"}})["seq"] == 1);
  CHECK(f.ok(ca, {{"_cons", "updates.getState"}})["pts"] == 0);  // the common box is untouched

  json full = f.ok(ca, {{"_cons", "channels.getFullChannel"}, {"channel", Fixture::input_channel(chat)}});
  CHECK(full["_cons"] == "messages.chatFull");
  CHECK(full["full_chat"]["_cons"] == "channelFull");
  CHECK(full["full_chat"]["pts"] == 1);
  CHECK(full["full_chat"]["about"] == "about News");
  CHECK(full["full_chat"]["participants_count"] == 1);
  CHECK(full["chats"][0]["id"] == chat["id"]);
}

TEST_CASE("world: createChannel megagroup; bad titles", "[testdc][channels]") {
  Fixture f;
  json a = f.login("9996617011", 0x72);
  Caller ca = Fixture::caller(1, 0x72);
  json u = f.ok(ca, Fixture::create_channel("Group", true));
  json chat = u["chats"][0];
  CHECK(chat["megagroup"] == true);
  CHECK_FALSE(chat.contains("broadcast"));
  json msg = of_kind(u, "updateNewChannelMessage").at(0)["message"];
  CHECK(msg["from_id"] == json{{"_cons", "peerUser"}, {"user_id", a["id"]}});
  CHECK_FALSE(msg.contains("post"));
  CHECK(msg["out"] == true);

  CHECK(f.err(ca, Fixture::create_channel(" ")) == "400 CHAT_TITLE_EMPTY");
  CHECK(f.err(ca, Fixture::create_channel(std::string(129, 'x'))) == "400 CHAT_TITLE_TOO_LONG");
  json both = Fixture::create_channel("x");
  both["megagroup"] = true;
  CHECK(f.err(ca, both) == "400 INPUT_REQUEST_INVALID");
  // Two channels: distinct ids, each its own pts.
  json second = f.ok(ca, Fixture::create_channel("Other", true))["chats"][0];
  CHECK(second["id"] != chat["id"]);
}

TEST_CASE("world: username makes a channel public; join, getChannels, leave", "[testdc][channels]") {
  Fixture f;
  json a = f.login("9996617021", 0x73);
  json b = f.login("9996617022", 0x74);
  Caller ca = Fixture::caller(1, 0x73), cb = Fixture::caller(1, 0x74, 1), cb2 = Fixture::caller(1, 0x74, 2);
  f.world.session_opened(cb);
  f.world.session_opened(cb2);
  json chat = f.ok(ca, Fixture::create_channel("Public news"))["chats"][0];
  json join = {{"_cons", "channels.joinChannel"}, {"channel", Fixture::input_channel(chat)}};

  // Private: B cannot join, and sees channelForbidden.
  CHECK(f.err(cb, join) == "400 CHANNEL_PRIVATE");
  json got = f.ok(cb, {{"_cons", "channels.getChannels"}, {"id", json::array({Fixture::input_channel(chat)})}});
  CHECK(got["_cons"] == "messages.chats");
  CHECK(got["chats"][0]["_cons"] == "channelForbidden");
  CHECK(f.err(cb, {{"_cons", "contacts.resolveUsername"}, {"username", "publicnews"}}) == "400 USERNAME_NOT_OCCUPIED");

  // Usernames: only the creator, valid, free (users and channels share the namespace).
  CHECK(f.err(cb, Fixture::set_username(chat, "publicnews")) == "400 CHAT_ADMIN_REQUIRED");
  CHECK(f.err(ca, Fixture::set_username(chat, "1abc_")) == "400 USERNAME_INVALID");
  CHECK(f.err(ca, Fixture::set_username(chat, "echo")) == "400 USERNAME_INVALID");  // too short
  f.ok(ca, Fixture::set_username(chat, "EchoNews"));
  CHECK(f.err(ca, Fixture::set_username(chat, "EchoNews")) == "400 USERNAME_NOT_MODIFIED");
  json other = f.ok(ca, Fixture::create_channel("Other"))["chats"][0];
  CHECK(f.err(ca, Fixture::set_username(other, "echonews")) == "400 USERNAME_OCCUPIED");
  f.ok(ca, Fixture::set_username(chat, "publicnews"));

  json resolved = f.ok(cb, {{"_cons", "contacts.resolveUsername"}, {"username", "PublicNews"}});
  CHECK(resolved["peer"] == json{{"_cons", "peerChannel"}, {"channel_id", chat["id"]}});
  REQUIRE(resolved["chats"].size() == 1);
  CHECK(resolved["chats"][0]["left"] == true);
  CHECK(resolved["chats"][0]["username"] == "publicnews");
  CHECK(resolved["chats"][0]["access_hash"] == chat["access_hash"]);
  CHECK(resolved["users"] == json::array());

  // Join (layer 228): chatInviteJoinResultOk around a seq-bearing Updates, pushed to B's other session.
  std::int32_t seq0 = f.ok(cb, {{"_cons", "updates.getState"}})["seq"];
  CallResult r = f.call(cb, join);
  REQUIRE(r.ok);
  CHECK(r.result["_cons"] == "messages.chatInviteJoinResultOk");
  json u = r.result["updates"];
  CHECK(u["_cons"] == "updates");
  CHECK(u["seq"] == seq0 + 1);
  CHECK(of_kind(u, "updateChannel").size() == 1);
  CHECK_FALSE(u["chats"][0].contains("left"));
  CHECK_FALSE(u["chats"][0].contains("creator"));
  REQUIRE(r.pushes.size() == 1);
  CHECK(r.pushes[0].session_id == 2);
  CHECK(r.pushes[0].updates == u);
  CHECK(f.err(cb, join) == "400 USER_ALREADY_PARTICIPANT");

  got = f.ok(cb, {{"_cons", "channels.getChannels"}, {"id", json::array({Fixture::input_channel(chat)})}});
  CHECK(got["chats"][0]["_cons"] == "channel");
  CHECK(got["chats"][0]["participants_count"] == 2);

  // Leave: a seq-bearing Updates; leaving twice is an error.
  json leave = {{"_cons", "channels.leaveChannel"}, {"channel", Fixture::input_channel(chat)}};
  json left = f.ok(cb, leave);
  CHECK(left["_cons"] == "updates");
  CHECK(left["seq"] == seq0 + 2);
  CHECK(left["chats"][0]["left"] == true);
  CHECK(f.err(cb, leave) == "400 USER_NOT_PARTICIPANT");
  CHECK(f.ok(cb, {{"_cons", "updates.getState"}})["seq"] == seq0 + 2);

  // Older layers: joinChannel returns the Updates itself.
  Caller old = Fixture::caller(1, 0x74, 3);
  old.layer = 198;
  CHECK(f.ok(old, join)["_cons"] == "updates");
}

TEST_CASE("world: posts reach every live session of every member, with the channel's pts", "[testdc][channels]") {
  Fixture f;
  json a = f.login("9996617031", 0x75);
  json b = f.login("9996617032", 0x76);
  json c = f.login("9996617033", 0x77);
  Caller ca = Fixture::caller(1, 0x75, 1), ca2 = Fixture::caller(1, 0x75, 2);
  Caller cb = Fixture::caller(1, 0x76, 3), cb2 = Fixture::caller(1, 0x76, 4), cc = Fixture::caller(1, 0x77, 5);
  for (const Caller& x : {ca, ca2, cb, cb2, cc}) f.world.session_opened(x);
  json chat = f.ok(ca, Fixture::create_channel("Feed"))["chats"][0];
  f.ok(ca, Fixture::set_username(chat, "feedchannel"));
  f.ok(cb, {{"_cons", "channels.joinChannel"}, {"channel", Fixture::input_channel(chat)}});
  json b_state = f.ok(cb, {{"_cons", "updates.getState"}});

  std::map<std::int64_t, std::vector<json>> seen;  // session -> Updates received
  f.world.on_update = [&](std::uint64_t, std::int64_t session, const json& u) { seen[session].push_back(u); };
  json sent = f.ok(ca, Fixture::post(chat, "first post", 501));
  CHECK(sent["_cons"] == "updates");
  CHECK(sent["seq"] == 0);  // channel updates are ordered by the channel's pts, not by seq
  auto ids = of_kind(sent, "updateMessageID");
  REQUIRE(ids.size() == 1);
  CHECK(ids[0]["id"] == 2);  // 1 is the "channel created" service message
  CHECK(ids[0]["random_id"] == 501);
  auto mine = of_kind(sent, "updateNewChannelMessage");
  REQUIRE(mine.size() == 1);
  CHECK(mine[0]["pts"] == 2);
  CHECK(mine[0]["pts_count"] == 1);
  CHECK(mine[0]["message"]["out"] == true);
  CHECK(mine[0]["message"]["message"] == "first post");

  // A's other session and both of B's; not C (not a member), not the calling session.
  CHECK(seen.count(1) == 0);
  CHECK(seen.count(5) == 0);
  for (std::int64_t s : {2, 3, 4}) {
    INFO("session " << s);
    REQUIRE(seen[s].size() == 1);
    const json& u = seen[s][0];
    CHECK(u["_cons"] == "updates");
    CHECK(u["seq"] == 0);
    REQUIRE(u["updates"].size() == 1);
    CHECK(u["updates"][0]["_cons"] == "updateNewChannelMessage");
    CHECK(u["updates"][0]["pts"] == 2);
    CHECK(u["updates"][0]["message"]["id"] == 2);
    CHECK(u["updates"][0]["message"]["post"] == true);
    REQUIRE(u["chats"].size() == 1);
    CHECK(u["chats"][0]["id"] == chat["id"]);
  }
  CHECK(seen[2][0]["updates"][0]["message"]["out"] == true);
  CHECK_FALSE(seen[3][0]["updates"][0]["message"].contains("out"));

  // The common box of the reader did not move: channel posts are not in getState/getDifference.
  json b_after = f.ok(cb, {{"_cons", "updates.getState"}});
  CHECK(b_after["pts"] == b_state["pts"]);
  CHECK(b_after["seq"] == b_state["seq"]);

  // A resend with the same random_id: the same answer, nothing new posted or pushed.
  seen.clear();
  json again = f.ok(ca, Fixture::post(chat, "first post", 501));
  CHECK(of_kind(again, "updateMessageID")[0]["id"] == 2);
  CHECK(of_kind(again, "updateNewChannelMessage")[0]["pts"] == 2);
  CHECK(seen.empty());
  json full = f.ok(cb, {{"_cons", "channels.getFullChannel"}, {"channel", Fixture::input_channel(chat)}});
  CHECK(full["full_chat"]["pts"] == 2);
  // The same random_id from another channel is another message.
  json chat2 = f.ok(ca, Fixture::create_channel("Feed 2"))["chats"][0];
  CHECK(of_kind(f.ok(ca, Fixture::post(chat2, "x", 501)), "updateNewChannelMessage")[0]["pts"] == 2);
}

TEST_CASE("world: supergroup messages carry from_id; members may post", "[testdc][channels]") {
  Fixture f;
  json a = f.login("9996617041", 0x78);
  json b = f.login("9996617042", 0x79);
  Caller ca = Fixture::caller(1, 0x78, 1), cb = Fixture::caller(1, 0x79, 2);
  f.world.session_opened(ca);
  f.world.session_opened(cb);
  json chat = f.ok(ca, Fixture::create_channel("Talk", true))["chats"][0];
  f.ok(ca, Fixture::set_username(chat, "talkgroup"));
  f.ok(cb, {{"_cons", "channels.joinChannel"}, {"channel", Fixture::input_channel(chat)}});

  CallResult r = f.call(cb, Fixture::post(chat, "hi from b", 7));
  REQUIRE(r.ok);
  REQUIRE(r.pushes.size() == 1);
  CHECK(r.pushes[0].session_id == 1);
  const json& u = r.pushes[0].updates;
  json msg = u["updates"][0]["message"];
  CHECK(msg["from_id"] == json{{"_cons", "peerUser"}, {"user_id", b["id"]}});
  CHECK_FALSE(msg.contains("out"));
  CHECK_FALSE(msg.contains("post"));
  REQUIRE(u["users"].size() == 1);
  CHECK(u["users"][0]["id"] == b["id"]);
  CHECK(of_kind(r.result, "updateNewChannelMessage")[0]["message"]["out"] == true);
}

TEST_CASE("world: channel access checks", "[testdc][channels]") {
  Fixture f;
  json a = f.login("9996617051", 0x7A);
  json b = f.login("9996617052", 0x7B);
  Caller ca = Fixture::caller(1, 0x7A), cb = Fixture::caller(1, 0x7B);
  json chat = f.ok(ca, Fixture::create_channel("Private"))["chats"][0];
  json group = f.ok(ca, Fixture::create_channel("Group", true))["chats"][0];

  // Posting: non-members may not write; in a broadcast channel only its creator posts.
  CHECK(f.err(cb, Fixture::post(chat, "x", 1)) == "403 CHAT_WRITE_FORBIDDEN");
  CHECK(f.err(cb, Fixture::post(group, "x", 1)) == "403 CHAT_WRITE_FORBIDDEN");
  f.ok(ca, Fixture::set_username(chat, "opennews"));
  f.ok(cb, {{"_cons", "channels.joinChannel"}, {"channel", Fixture::input_channel(chat)}});
  CHECK(f.err(cb, Fixture::post(chat, "x", 1)) == "403 CHAT_ADMIN_REQUIRED");
  CHECK(f.err(ca, Fixture::post(chat, " ", 2)) == "400 MESSAGE_EMPTY");

  // Unknown channel or wrong access_hash: CHANNEL_INVALID everywhere.
  json bad = chat;
  bad["access_hash"] = chat["access_hash"].get<std::int64_t>() ^ 1;
  json unknown = chat;
  unknown["id"] = 42;
  for (const json& x : {bad, unknown}) {
    CHECK(f.err(ca, Fixture::post(x, "x", 3)) == "400 CHANNEL_INVALID");
    CHECK(f.err(ca, Fixture::channel_difference(x, 1)) == "400 CHANNEL_INVALID");
    CHECK(f.err(ca, {{"_cons", "channels.joinChannel"}, {"channel", Fixture::input_channel(x)}}) ==
          "400 CHANNEL_INVALID");
    CHECK(f.err(ca, {{"_cons", "channels.getChannels"}, {"id", json::array({Fixture::input_channel(x)})}}) ==
          "400 CHANNEL_INVALID");
    CHECK(f.err(ca, {{"_cons", "channels.getFullChannel"}, {"channel", Fixture::input_channel(x)}}) ==
          "400 CHANNEL_INVALID");
    CHECK(f.err(ca, {{"_cons", "messages.getHistory"}, {"peer", Fixture::input_peer_channel(x)}, {"offset_id", 0},
                     {"offset_date", 0}, {"add_offset", 0}, {"limit", 10}, {"max_id", 0}, {"min_id", 0}, {"hash", 0}}) ==
          "400 CHANNEL_INVALID");
  }
  CHECK(f.err(ca, {{"_cons", "channels.getFullChannel"}, {"channel", {{"_cons", "inputChannelEmpty"}}}}) ==
        "400 CHANNEL_INVALID");

  // A private channel is invisible to non-members: difference, history, full info.
  CHECK(f.err(cb, Fixture::channel_difference(group, 1)) == "400 CHANNEL_PRIVATE");
  CHECK(f.err(cb, {{"_cons", "channels.getFullChannel"}, {"channel", Fixture::input_channel(group)}}) ==
        "400 CHANNEL_PRIVATE");
  CHECK(f.err(cb, {{"_cons", "messages.getHistory"}, {"peer", Fixture::input_peer_channel(group)}, {"offset_id", 0},
                   {"offset_date", 0}, {"add_offset", 0}, {"limit", 10}, {"max_id", 0}, {"min_id", 0}, {"hash", 0}}) ==
        "400 CHANNEL_PRIVATE");
  // A public one may be read ("Working with Updates": passive updates of public channels by polling).
  f.ok(cb, {{"_cons", "channels.leaveChannel"}, {"channel", Fixture::input_channel(chat)}});
  CHECK(f.ok(cb, Fixture::channel_difference(chat, 1))["_cons"] == "updates.channelDifferenceEmpty");
}

TEST_CASE("world: getHistory on a channel pages like a private chat", "[testdc][channels]") {
  Fixture f;
  json a = f.login("9996617061", 0x7C);
  Caller ca = Fixture::caller(1, 0x7C);
  json chat = f.ok(ca, Fixture::create_channel("Log"))["chats"][0];
  for (int i = 1; i <= 5; ++i) f.ok(ca, Fixture::post(chat, "p" + std::to_string(i), 10 + i));
  auto history = [&](int offset_id, int limit) {
    return f.ok(ca, {{"_cons", "messages.getHistory"}, {"peer", Fixture::input_peer_channel(chat)},
                     {"offset_id", offset_id}, {"offset_date", 0}, {"add_offset", 0}, {"limit", limit},
                     {"max_id", 0}, {"min_id", 0}, {"hash", 0}});
  };
  json h = history(0, 3);
  CHECK(h["_cons"] == "messages.channelMessages");
  CHECK(h["pts"] == 6);
  CHECK(h["count"] == 6);  // five posts and the service message
  REQUIRE(h["messages"].size() == 3);
  CHECK(h["messages"][0]["id"] == 6);
  CHECK(h["messages"][0]["message"] == "p5");
  CHECK(h["messages"][2]["id"] == 4);
  CHECK(h["chats"][0]["id"] == chat["id"]);
  json older = history(4, 10);
  REQUIRE(older["messages"].size() == 3);
  CHECK(older["messages"][0]["id"] == 3);
  CHECK(older["messages"][2]["_cons"] == "messageService");
}
