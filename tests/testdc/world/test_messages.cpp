// Private messages between two users and with @echo: delivery to live sessions, dedup,
// edit / delete / history / dialogs / read.
#include "world_fixture.h"

using namespace mtjson::testdc;
using namespace mtjson::testdc::test;

namespace {

struct TwoUsers : Fixture {
  // Alice on DC 1 with sessions a1 (the one calling) and a2; Bob on DC 2 with b1 and b2.
  Caller a1 = caller(1, 0xA1, 11), a2 = caller(1, 0xA2, 12);
  Caller b1 = caller(2, 0xB1, 21), b2 = caller(2, 0xB2, 22);
  json alice, bob;

  TwoUsers() {
    alice = login("9996611001", 0xA1, "Alice");
    login("9996611001", 0xA2, "Alice");
    bob = login("9996621001", 0xB1, "Bob");
    login("9996621001", 0xB2, "Bob");
    for (const Caller& c : {a1, a2, b1, b2}) world.session_opened(c);
  }

  static std::vector<std::int64_t> sessions_of(const CallResult& r) {
    std::vector<std::int64_t> out;
    for (const Push& p : r.pushes) out.push_back(p.session_id);
    return out;
  }
};

json history(const json& peer, int limit, int offset_id = 0, int add_offset = 0) {
  return {{"_cons", "messages.getHistory"}, {"peer", peer}, {"offset_id", offset_id}, {"offset_date", 0},
          {"add_offset", add_offset}, {"limit", limit}, {"max_id", 0}, {"min_id", 0}, {"hash", 0}};
}

json dialogs(int limit) {
  return {{"_cons", "messages.getDialogs"}, {"offset_date", 0}, {"offset_id", 0},
          {"offset_peer", {{"_cons", "inputPeerEmpty"}}}, {"limit", limit}, {"hash", 0}};
}

}  // namespace

TEST_CASE("world: a message is delivered to every live session of the recipient and the sender's others",
          "[testdc][messages]") {
  TwoUsers t;
  CallResult r = t.call(t.a1, Fixture::send(t.bob, "hi Bob", 1001));
  REQUIRE(r.ok);
  CHECK(r.result == json{{"_cons", "updateShortSentMessage"}, {"out", true}, {"id", 1}, {"pts", 1},
                         {"pts_count", 1}, {"date", 1700000000}});
  // Bob's two sessions (first contact: a full `updates` carrying Alice), then Alice's other session.
  REQUIRE(TwoUsers::sessions_of(r) == std::vector<std::int64_t>{21, 22, 12});
  const json& to_bob = r.pushes[0].updates;
  CHECK(r.pushes[0].auth_key_id == 0xB1);
  CHECK(to_bob["_cons"] == "updates");
  CHECK(to_bob["seq"] == 1);
  REQUIRE(to_bob["updates"].size() == 1);
  const json& u = to_bob["updates"][0];
  CHECK(u["_cons"] == "updateNewMessage");
  CHECK(u["pts"] == 1);
  CHECK(u["pts_count"] == 1);
  CHECK(u["message"]["id"] == 1);
  CHECK(u["message"]["message"] == "hi Bob");
  CHECK_FALSE(u["message"].contains("out"));
  CHECK(u["message"]["peer_id"] == json{{"_cons", "peerUser"}, {"user_id", t.alice["id"]}});
  CHECK(u["message"]["from_id"] == json{{"_cons", "peerUser"}, {"user_id", t.alice["id"]}});
  bool has_alice = false;
  for (const auto& user : to_bob["users"]) has_alice |= user["id"] == t.alice["id"] && user.contains("access_hash");
  CHECK(has_alice);
  CHECK(r.pushes[1].updates == to_bob);
  CHECK(r.pushes[2].updates == json{{"_cons", "updateShortMessage"}, {"out", true}, {"id", 1},
                                    {"user_id", t.bob["id"]}, {"message", "hi Bob"}, {"pts", 1},
                                    {"pts_count", 1}, {"date", 1700000000}});

  // Bob answers; now Alice knows Bob: updateShortMessage to both her sessions, pts 2.
  t.clock += 5;
  r = t.call(t.b2, Fixture::send(t.alice, "hi Alice", 2001));
  REQUIRE(r.ok);
  CHECK(r.result["id"] == 2);
  CHECK(r.result["pts"] == 2);
  REQUIRE(TwoUsers::sessions_of(r) == std::vector<std::int64_t>{11, 12, 21});
  CHECK(r.pushes[0].updates == json{{"_cons", "updateShortMessage"}, {"id", 2}, {"user_id", t.bob["id"]},
                                    {"message", "hi Alice"}, {"pts", 2}, {"pts_count", 1}, {"date", 1700000005}});
  CHECK(r.pushes[2].updates["out"] == true);

  // A closed session gets nothing.
  t.world.session_closed(0xA2, 12);
  r = t.call(t.b1, Fixture::send(t.alice, "again", 2002));
  CHECK(TwoUsers::sessions_of(r) == std::vector<std::int64_t>{11, 22});
  CHECK(r.pushes[0].updates["pts"] == 3);
}

TEST_CASE("world: sendMessage is deduplicated by random_id", "[testdc][messages]") {
  TwoUsers t;
  CallResult first = t.call(t.a1, Fixture::send(t.bob, "once", 77));
  t.clock += 10;
  CallResult again = t.call(t.a1, Fixture::send(t.bob, "once", 77));
  REQUIRE(again.ok);
  CHECK(again.result == first.result);
  CHECK(again.pushes.empty());
  CHECK(t.ok(t.a1, {{"_cons", "updates.getState"}})["pts"] == 1);
  CHECK(t.ok(t.b1, {{"_cons", "updates.getState"}})["pts"] == 1);
  // random_id as a decimal string is the same long (README.md).
  json as_string = Fixture::send(t.bob, "once", 0);
  as_string["random_id"] = "77";
  CHECK(t.ok(t.a1, as_string) == first.result);
  // random_id 0 is not deduplicated.
  t.ok(t.a1, Fixture::send(t.bob, "zero", 0));
  t.ok(t.a1, Fixture::send(t.bob, "zero", 0));
  CHECK(t.ok(t.a1, {{"_cons", "updates.getState"}})["pts"] == 3);
}

TEST_CASE("world: sendMessage argument errors", "[testdc][messages]") {
  TwoUsers t;
  CHECK(t.err(t.a1, Fixture::send(t.bob, "", 1)) == "400 MESSAGE_EMPTY");
  CHECK(t.err(t.a1, Fixture::send(t.bob, " \n ", 1)) == "400 MESSAGE_EMPTY");
  CHECK(t.err(t.a1, Fixture::send(t.bob, std::string(4097, 'x'), 1)) == "400 MESSAGE_TOO_LONG");
  json bad_hash = Fixture::send(t.bob, "x", 1);
  bad_hash["peer"]["access_hash"] = t.bob["access_hash"].get<std::int64_t>() ^ 1;
  CHECK(t.err(t.a1, bad_hash) == "400 PEER_ID_INVALID");
  json chat = Fixture::send(t.bob, "x", 1);
  chat["peer"] = {{"_cons", "inputPeerChat"}, {"chat_id", 5}};
  CHECK(t.err(t.a1, chat) == "400 PEER_ID_INVALID");
  json missing = Fixture::send(t.bob, "x", 1);
  missing.erase("random_id");
  CHECK(t.err(t.a1, missing) == "400 INPUT_REQUEST_INVALID");
  json wrong_type = Fixture::send(t.bob, "x", 1);
  wrong_type["message"] = 5;
  CHECK(t.err(t.a1, wrong_type) == "400 INPUT_REQUEST_INVALID");
  CHECK(t.ok(t.a1, {{"_cons", "updates.getState"}})["pts"] == 0);
}

TEST_CASE("world: Saved Messages (inputPeerSelf) keep one outgoing copy", "[testdc][messages]") {
  TwoUsers t;
  json r = t.ok(t.a1, {{"_cons", "messages.sendMessage"}, {"peer", {{"_cons", "inputPeerSelf"}}},
                       {"message", "note"}, {"random_id", 5}});
  CHECK(r["id"] == 1);
  json h = t.ok(t.a1, history({{"_cons", "inputPeerSelf"}}, 10));
  REQUIRE(h["messages"].size() == 1);
  CHECK(h["messages"][0]["out"] == true);
  CHECK(h["messages"][0]["peer_id"]["user_id"] == t.alice["id"]);
}

TEST_CASE("world: @echo answers every private message with the same text", "[testdc][messages][echo]") {
  TwoUsers t;
  json resolved = t.ok(t.a1, {{"_cons", "contacts.resolveUsername"}, {"username", "echo"}});
  CHECK(resolved["_cons"] == "contacts.resolvedPeer");
  CHECK(resolved["peer"] == json{{"_cons", "peerUser"}, {"user_id", World::kEchoUserId}});
  REQUIRE(resolved["users"].size() == 1);
  json echo = resolved["users"][0];
  CHECK(echo["bot"] == true);
  CHECK(echo["username"] == "echo");
  CHECK(t.ok(t.a1, {{"_cons", "contacts.resolveUsername"}, {"username", "@Echo"}})["peer"] == resolved["peer"]);
  CHECK(t.err(t.a1, {{"_cons", "contacts.resolveUsername"}, {"username", "nobody_here"}}) ==
        "400 USERNAME_NOT_OCCUPIED");
  CHECK(t.err(t.a1, {{"_cons", "contacts.resolveUsername"}, {"username", "a b"}}) == "400 USERNAME_INVALID");

  CallResult r = t.call(t.a1, Fixture::send(echo, "ping?", 9));
  REQUIRE(r.ok);
  CHECK(r.result["pts"] == 1);
  // Alice's other session sees her message (pts 1); both sessions, the caller's too, get the answer
  // (pts 2: to be sent after the rpc_result).
  REQUIRE(TwoUsers::sessions_of(r) == std::vector<std::int64_t>{12, 11, 12});
  CHECK(r.pushes[0].updates["_cons"] == "updateShortMessage");
  CHECK(r.pushes[0].updates["out"] == true);
  CHECK(r.pushes[1].updates == json{{"_cons", "updateShortMessage"}, {"id", 2}, {"user_id", World::kEchoUserId},
                                    {"message", "ping?"}, {"pts", 2}, {"pts_count", 1}, {"date", 1700000000}});
  CHECK(r.pushes[2].updates == r.pushes[1].updates);

  r = t.call(t.a1, Fixture::send(echo, "second", 10));
  REQUIRE(TwoUsers::sessions_of(r) == std::vector<std::int64_t>{12, 11, 12});
  CHECK(r.pushes[1].updates == json{{"_cons", "updateShortMessage"}, {"id", 4}, {"user_id", World::kEchoUserId},
                                    {"message", "second"}, {"pts", 4}, {"pts_count", 1}, {"date", 1700000000}});
  json h = t.ok(t.a1, history(Fixture::input_peer(echo), 10));
  REQUIRE(h["messages"].size() == 4);
  CHECK(h["messages"][0]["message"] == "second");
  CHECK_FALSE(h["messages"][0].contains("out"));
  CHECK(h["messages"][1]["out"] == true);

  json full = t.ok(t.a1, {{"_cons", "users.getFullUser"}, {"id", {{"_cons", "inputUser"}, {"user_id", echo["id"]},
                                                                  {"access_hash", echo["access_hash"]}}}});
  CHECK(full["_cons"] == "users.userFull");
  CHECK(full["full_user"]["id"] == World::kEchoUserId);
  CHECK(full["full_user"]["bot_info"]["_cons"] == "botInfo");
  CHECK(full["users"][0]["id"] == World::kEchoUserId);
}

TEST_CASE("world: editMessage updates both copies", "[testdc][messages]") {
  TwoUsers t;
  t.ok(t.a1, Fixture::send(t.bob, "draft", 1));
  t.clock += 60;
  json edit = {{"_cons", "messages.editMessage"}, {"peer", Fixture::input_peer(t.bob)}, {"id", 1}, {"message", "final"}};
  CallResult r = t.call(t.a1, edit);
  REQUIRE(r.ok);
  CHECK(r.result["_cons"] == "updates");
  CHECK(r.result["seq"] == 1);
  const json& mine = r.result["updates"][0];
  CHECK(mine["_cons"] == "updateEditMessage");
  CHECK(mine["pts"] == 2);
  CHECK(mine["message"]["message"] == "final");
  CHECK(mine["message"]["edit_date"] == 1700000060);
  REQUIRE(TwoUsers::sessions_of(r) == std::vector<std::int64_t>{21, 22, 12});
  CHECK(r.pushes[0].updates["updates"][0]["message"]["message"] == "final");
  CHECK(r.pushes[0].updates["updates"][0]["pts"] == 2);  // Bob: new message (1), edit (2)
  CHECK(r.pushes[2].updates == r.result);

  CHECK(t.err(t.a1, edit) == "400 MESSAGE_NOT_MODIFIED");
  json other = edit;
  other["id"] = 99;
  CHECK(t.err(t.a1, other) == "400 MESSAGE_ID_INVALID");
  json empty = edit;
  empty["message"] = "";
  CHECK(t.err(t.a1, empty) == "400 MESSAGE_EMPTY");
  json by_bob = {{"_cons", "messages.editMessage"}, {"peer", Fixture::input_peer(t.alice)}, {"id", 1}, {"message", "mine"}};
  CHECK(t.err(t.b1, by_bob) == "403 MESSAGE_AUTHOR_REQUIRED");
}

TEST_CASE("world: deleteMessages, with and without revoke", "[testdc][messages]") {
  TwoUsers t;
  for (int i = 1; i <= 3; ++i) t.ok(t.a1, Fixture::send(t.bob, "m" + std::to_string(i), i));
  // A malformed id list deletes nothing.
  CHECK(t.err(t.a1, {{"_cons", "messages.deleteMessages"}, {"id", json::array({1, "x"})}}) == "400 INPUT_REQUEST_INVALID");
  CHECK(t.ok(t.a1, history(Fixture::input_peer(t.bob), 10))["messages"].size() == 3);
  json del = {{"_cons", "messages.deleteMessages"}, {"id", json::array({1, 42})}};
  CallResult r = t.call(t.a1, del);
  REQUIRE(r.ok);
  CHECK(r.result == json{{"_cons", "messages.affectedMessages"}, {"pts", 4}, {"pts_count", 1}});
  REQUIRE(TwoUsers::sessions_of(r) == std::vector<std::int64_t>{12});  // Bob keeps his copy
  CHECK(r.pushes[0].updates["_cons"] == "updateShort");
  CHECK(r.pushes[0].updates["update"]["messages"] == json::array({1}));
  CHECK(t.ok(t.b1, history(Fixture::input_peer(t.alice), 10))["messages"].size() == 3);

  del = {{"_cons", "messages.deleteMessages"}, {"revoke", true}, {"id", json::array({2, 3})}};
  r = t.call(t.a1, del);
  REQUIRE(r.ok);
  CHECK(r.result["pts_count"] == 2);
  CHECK(r.result["pts"] == 6);
  REQUIRE(TwoUsers::sessions_of(r) == std::vector<std::int64_t>{12, 21, 22});
  const json& bob_update = r.pushes[1].updates["updates"][0];
  CHECK(bob_update["_cons"] == "updateDeleteMessages");
  CHECK(bob_update["messages"] == json::array({2, 3}));
  CHECK(bob_update["pts"] == 5);
  CHECK(bob_update["pts_count"] == 2);
  CHECK(t.ok(t.b1, history(Fixture::input_peer(t.alice), 10))["messages"].size() == 1);
  // Nothing left to delete: pts unchanged.
  CHECK(t.ok(t.a1, del) == json{{"_cons", "messages.affectedMessages"}, {"pts", 6}, {"pts_count", 0}});
}

TEST_CASE("world: getHistory pages newest first", "[testdc][messages]") {
  TwoUsers t;
  for (int i = 1; i <= 5; ++i) {
    t.clock += 1;
    t.ok(t.a1, Fixture::send(t.bob, "m" + std::to_string(i), i));
  }
  json h = t.ok(t.a1, history(Fixture::input_peer(t.bob), 2));
  CHECK(h["_cons"] == "messages.messagesSlice");
  CHECK(h["count"] == 5);
  REQUIRE(h["messages"].size() == 2);
  CHECK(h["messages"][0]["id"] == 5);
  CHECK(h["messages"][1]["id"] == 4);
  h = t.ok(t.a1, history(Fixture::input_peer(t.bob), 2, 4));
  REQUIRE(h["messages"].size() == 2);
  CHECK(h["messages"][0]["id"] == 3);
  CHECK(h["messages"][1]["id"] == 2);
  h = t.ok(t.a1, history(Fixture::input_peer(t.bob), 10, 4, -2));  // two newer than 4, then older
  REQUIRE(h["messages"].size() == 5);
  CHECK(h["messages"][0]["id"] == 5);
  h = t.ok(t.a1, history(Fixture::input_peer(t.bob), 100));
  CHECK(h["_cons"] == "messages.messages");
  CHECK(h["messages"].size() == 5);
  bool has_bob = false;
  for (const auto& u : h["users"]) has_bob |= u["id"] == t.bob["id"];
  CHECK(has_bob);
  json hm = history(Fixture::input_peer(t.bob), 100);
  hm["min_id"] = 2;
  hm["max_id"] = 5;
  h = t.ok(t.a1, hm);
  REQUIRE(h["messages"].size() == 2);
  CHECK(h["messages"][0]["id"] == 4);
  CHECK(h["messages"][1]["id"] == 3);
}

TEST_CASE("world: dialogs, readHistory and contacts", "[testdc][messages]") {
  TwoUsers t;
  json echo = t.ok(t.a1, {{"_cons", "contacts.resolveUsername"}, {"username", "echo"}})["users"][0];
  t.ok(t.a1, Fixture::send(t.bob, "one", 1));
  t.ok(t.a1, Fixture::send(t.bob, "two", 2));
  t.clock += 10;
  t.ok(t.a1, Fixture::send(echo, "e", 3));  // Alice: 3 sent + 1 answer

  json d = t.ok(t.a1, dialogs(10));
  CHECK(d["_cons"] == "messages.dialogs");
  REQUIRE(d["dialogs"].size() == 2);
  CHECK(d["dialogs"][0]["peer"]["user_id"] == World::kEchoUserId);  // newest first
  CHECK(d["dialogs"][0]["top_message"] == 4);
  CHECK(d["dialogs"][0]["unread_count"] == 1);
  CHECK(d["dialogs"][1]["peer"]["user_id"] == t.bob["id"]);
  CHECK(d["dialogs"][1]["top_message"] == 2);
  CHECK(d["messages"].size() == 2);
  json d1 = t.ok(t.a1, dialogs(1));
  CHECK(d1["_cons"] == "messages.dialogsSlice");
  CHECK(d1["count"] == 2);

  json bd = t.ok(t.b1, dialogs(10));
  REQUIRE(bd["dialogs"].size() == 1);
  CHECK(bd["dialogs"][0]["unread_count"] == 2);
  CHECK(t.ok(t.b1, {{"_cons", "updates.getState"}})["unread_count"] == 2);

  json read = {{"_cons", "messages.readHistory"}, {"peer", Fixture::input_peer(t.alice)}, {"max_id", 1}};
  CallResult r = t.call(t.b1, read);
  REQUIRE(r.ok);
  CHECK(r.result == json{{"_cons", "messages.affectedMessages"}, {"pts", 3}, {"pts_count", 1}});
  REQUIRE(TwoUsers::sessions_of(r) == std::vector<std::int64_t>{22, 11, 12});
  const json& inbox = r.pushes[0].updates["update"];
  CHECK(inbox["_cons"] == "updateReadHistoryInbox");
  CHECK(inbox["max_id"] == 1);
  CHECK(inbox["still_unread_count"] == 1);
  const json& outbox = r.pushes[1].updates["updates"][0];
  CHECK(outbox["_cons"] == "updateReadHistoryOutbox");
  CHECK(outbox["peer"]["user_id"] == t.bob["id"]);
  CHECK(outbox["max_id"] == 1);
  CHECK(outbox["pts"] == 5);
  CHECK(t.ok(t.b1, dialogs(10))["dialogs"][0]["unread_count"] == 1);
  CHECK(t.ok(t.a1, dialogs(10))["dialogs"][1]["read_outbox_max_id"] == 1);
  // Reading again changes nothing.
  CHECK(t.ok(t.b1, read)["pts_count"] == 0);
  read["max_id"] = 0;  // everything
  CHECK(t.ok(t.b1, read)["pts_count"] == 1);
  CHECK(t.ok(t.b1, {{"_cons", "updates.getState"}})["unread_count"] == 0);

  json contacts = t.ok(t.a1, {{"_cons", "contacts.getContacts"}, {"hash", 0}});
  CHECK(contacts["_cons"] == "contacts.contacts");
  REQUIRE(contacts["contacts"].size() == 1);  // Bob, not the bot
  CHECK(contacts["contacts"][0]["user_id"] == t.bob["id"]);
  CHECK(contacts["users"][0]["contact"] == true);
}


TEST_CASE("world: contacts.importContacts finds users by phone, with their access_hash", "[testdc][contacts]") {
  TwoUsers t;
  json contacts = json::array({
      {{"_cons", "inputPhoneContact"}, {"client_id", 7}, {"phone", "+999 662 1001"}, {"first_name", "B"}, {"last_name", ""}},
      {{"_cons", "inputPhoneContact"}, {"client_id", 8}, {"phone", "9996629999"}, {"first_name", "X"}, {"last_name", ""}},
  });
  json r = t.ok(t.a1, {{"_cons", "contacts.importContacts"}, {"contacts", contacts}});
  CHECK(r["_cons"] == "contacts.importedContacts");
  REQUIRE(r["imported"].size() == 1);  // unknown numbers are left out
  CHECK(r["imported"][0]["user_id"] == t.bob["id"]);
  CHECK(r["imported"][0]["client_id"] == 7);
  REQUIRE(r["users"].size() == 1);
  CHECK(r["users"][0]["access_hash"] == t.bob["access_hash"]);
  CHECK(r["users"][0]["phone"] == "9996621001");
  // The access_hash works for sending.
  t.ok(t.a1, TwoUsers::send(r["users"][0], "hi Bob", 99));
  CHECK(t.err(t.a1, {{"_cons", "contacts.importContacts"}, {"contacts", 5}}) == "400 INPUT_REQUEST_INVALID");
}
