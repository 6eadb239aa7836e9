// updates.getChannelDifference (paging, final, timeout, TooLong), getDifference's
// updateChannelTooLong, seq consistency per account, channels across save/load.
#include <filesystem>
#include <unistd.h>

#include "world_fixture.h"

using namespace mtjson::testdc;
using namespace mtjson::testdc::test;

namespace {

json get_channel_difference_of_user(int pts, int date) {
  return {{"_cons", "updates.getDifference"}, {"pts", pts}, {"date", date}, {"qts", 0}};
}

// A creator (A, session 1) with a public broadcast channel and a member (B) whose sessions are closed.
struct ChannelWorld {
  Fixture f;
  json a, b, chat;
  Caller ca = Fixture::caller(1, 0x81, 1), cb = Fixture::caller(1, 0x82, 2);

  explicit ChannelWorld(const std::function<void(WorldOptions&)>& tweak = {}) : f({}, tweak) {
    a = f.login("9996618001", 0x81);
    b = f.login("9996618002", 0x82);
    chat = f.ok(ca, Fixture::create_channel("Stream"))["chats"][0];
    f.ok(ca, Fixture::set_username(chat, "streamchannel"));
    f.ok(cb, {{"_cons", "channels.joinChannel"}, {"channel", Fixture::input_channel(chat)}});
  }
  void post_n(int n, int first_random_id) {
    for (int i = 0; i < n; ++i) f.ok(ca, Fixture::post(chat, "post " + std::to_string(first_random_id + i), first_random_id + i));
  }
};

}  // namespace

TEST_CASE("world: getChannelDifference pages by limit; only the last page is final", "[testdc][channels][updates]") {
  ChannelWorld w;
  w.post_n(7, 100);  // pts 2..8, message ids 2..8
  json d = w.f.ok(w.cb, Fixture::channel_difference(w.chat, 1, 3));
  CHECK(d["_cons"] == "updates.channelDifference");
  CHECK_FALSE(d.contains("final"));
  CHECK_FALSE(d.contains("timeout"));  // not final: call again at once
  CHECK(d["pts"] == 4);
  REQUIRE(d["new_messages"].size() == 3);
  CHECK(d["new_messages"][0]["id"] == 2);
  CHECK(d["new_messages"][0]["message"] == "post 100");
  CHECK(d["new_messages"][2]["id"] == 4);
  CHECK(d["other_updates"] == json::array());
  CHECK(d["chats"][0]["id"] == w.chat["id"]);

  // Each page continues where the last ended; the pts of the pages cover 2..8 exactly once.
  std::vector<int> ids;
  int pts = 1;
  bool final = false;
  int pages = 0;
  while (!final) {
    REQUIRE(++pages < 10);
    json p = w.f.ok(w.cb, Fixture::channel_difference(w.chat, pts, 3));
    REQUIRE(p["_cons"] == "updates.channelDifference");
    for (const auto& m : p["new_messages"]) ids.push_back(m["id"]);
    pts = p["pts"];
    final = p.value("final", false);
    if (final) CHECK(p["timeout"] == 30);
  }
  CHECK(pages == 3);
  CHECK(pts == 8);
  CHECK(ids == std::vector<int>{2, 3, 4, 5, 6, 7, 8});

  // Up to date: channelDifferenceEmpty, final, with a timeout for the next poll.
  CHECK(w.f.ok(w.cb, Fixture::channel_difference(w.chat, 8, 3)) ==
        json{{"_cons", "updates.channelDifferenceEmpty"}, {"final", true}, {"pts", 8}, {"timeout", 30}});
  // A limit of 0 or beyond the maximum means the maximum (100 here): everything at once, final.
  json all = w.f.ok(w.cb, Fixture::channel_difference(w.chat, 1, 0));
  CHECK(all["new_messages"].size() == 7);
  CHECK(all["final"] == true);
  // The creator's own posts come back as `out`, the member's copies not.
  CHECK(w.f.ok(w.ca, Fixture::channel_difference(w.chat, 7))["new_messages"][0]["out"] == true);
  CHECK_FALSE(all["new_messages"][0].contains("out"));

  CHECK(w.f.err(w.cb, Fixture::channel_difference(w.chat, 0)) == "400 PERSISTENT_TIMESTAMP_EMPTY");
  CHECK(w.f.err(w.cb, Fixture::channel_difference(w.chat, 9)) == "400 PERSISTENT_TIMESTAMP_INVALID");
  json filter = Fixture::channel_difference(w.chat, 1);
  filter["filter"] = {{"_cons", "inputPeerSelf"}};
  CHECK(w.f.err(w.cb, filter) == "400 INPUT_REQUEST_INVALID");
}

TEST_CASE("world: a gap beyond channel_too_long gives channelDifferenceTooLong", "[testdc][channels][updates]") {
  ChannelWorld w([](WorldOptions& o) {
    o.channel_too_long = 5;
    o.channel_difference_timeout = 7;
  });
  w.post_n(8, 200);  // pts 9
  json d = w.f.ok(w.cb, Fixture::channel_difference(w.chat, 1, 3));
  CHECK(d["_cons"] == "updates.channelDifferenceTooLong");
  CHECK(d["final"] == true);
  CHECK(d["timeout"] == 7);
  CHECK(d["dialog"]["_cons"] == "dialog");
  CHECK(d["dialog"]["peer"] == json{{"_cons", "peerChannel"}, {"channel_id", w.chat["id"]}});
  CHECK(d["dialog"]["pts"] == 9);  // the state to continue from
  CHECK(d["dialog"]["top_message"] == 9);
  REQUIRE(d["messages"].size() == 3);  // the newest `limit` messages, newest first
  CHECK(d["messages"][0]["id"] == 9);
  CHECK(d["messages"][2]["id"] == 7);
  CHECK(d["chats"][0]["id"] == w.chat["id"]);

  // Within the bound: an ordinary difference (pts 4 -> 9 is a gap of exactly 5).
  json ok = w.f.ok(w.cb, Fixture::channel_difference(w.chat, 4, 100));
  CHECK(ok["_cons"] == "updates.channelDifference");
  CHECK(ok["new_messages"].size() == 5);
  CHECK(ok["timeout"] == 7);
}

TEST_CASE("world: getDifference leaves channel messages out but names changed channels", "[testdc][channels][updates]") {
  ChannelWorld w;
  json state = w.f.ok(w.cb, {{"_cons", "updates.getState"}});
  CHECK(state["qts"] == 0);

  // Nothing new in the common box and no channel changed since `date`: empty.
  w.f.clock += 10;
  std::int32_t later = static_cast<std::int32_t>(w.f.clock);
  CHECK(w.f.ok(w.cb, get_channel_difference_of_user(state["pts"], later))["_cons"] == "updates.differenceEmpty");

  // A post at `later`: the channel is named with updateChannelTooLong (and its chat), the post is not in it.
  w.post_n(2, 300);
  json d = w.f.ok(w.cb, get_channel_difference_of_user(state["pts"], later));
  CHECK(d["_cons"] == "updates.difference");
  CHECK(d["new_messages"] == json::array());
  REQUIRE(d["other_updates"].size() == 1);
  CHECK(d["other_updates"][0] == json{{"_cons", "updateChannelTooLong"}, {"channel_id", w.chat["id"]}, {"pts", 3}});
  REQUIRE(d["chats"].size() == 1);
  CHECK(d["chats"][0]["id"] == w.chat["id"]);
  CHECK(d["state"]["pts"] == state["pts"]);
  CHECK(d["state"]["seq"] == state["seq"]);
  CHECK(d["state"]["qts"] == 0);

  // Common-box events come as before, with the channel named in the last piece.
  w.f.ok(w.ca, Fixture::send(w.b, "private", 9));
  d = w.f.ok(w.cb, get_channel_difference_of_user(state["pts"], later));
  REQUIRE(d["new_messages"].size() == 1);
  CHECK(d["new_messages"][0]["message"] == "private");
  CHECK(d["other_updates"].size() == 1);
  CHECK(d["state"]["pts"] == state["pts"].get<int>() + 1);
  // A later date: the channel did not change since.
  w.f.clock += 10;
  d = w.f.ok(w.cb, get_channel_difference_of_user(state["pts"], static_cast<std::int32_t>(w.f.clock)));
  CHECK(d["other_updates"] == json::array());
  // After leaving, the channel is not named any more.
  w.f.ok(w.cb, {{"_cons", "channels.leaveChannel"}, {"channel", Fixture::input_channel(w.chat)}});
  CHECK(w.f.ok(w.cb, get_channel_difference_of_user(state["pts"].get<int>() + 1, 0))["_cons"] == "updates.differenceEmpty");
}

TEST_CASE("world: seq is consecutive per account across every session, and getState reports it", "[testdc][updates][seq]") {
  Fixture f;
  json a = f.login("9996618101", 0x91);
  json b = f.login("9996618102", 0x92);
  Caller a1 = Fixture::caller(1, 0x91, 1), a2 = Fixture::caller(1, 0x91, 2), b1 = Fixture::caller(1, 0x92, 3);
  for (const Caller& c : {a1, a2, b1}) f.world.session_opened(c);
  std::map<std::int64_t, std::vector<int>> seqs;  // session -> non-zero seq of the Updates it got, in order
  auto note = [&](std::int64_t session, const json& u) {
    if (!u.is_object()) return;  // e.g. Bool
    if ((u["_cons"] == "updates" || u["_cons"] == "updatesCombined") && u["seq"] != 0) seqs[session].push_back(u["seq"]);
  };
  f.world.on_update = [&](std::uint64_t, std::int64_t session, const json& u) { note(session, u); };
  auto call = [&](const Caller& c, const json& m) {
    json r = f.ok(c, m);
    note(c.session_id, r.is_object() && r["_cons"] == "messages.chatInviteJoinResultOk" ? r["updates"] : r);
    return r;
  };

  json chat = call(a1, Fixture::create_channel("Seq"))["chats"][0];  // A: seq 1
  call(a1, Fixture::set_username(chat, "seqchannel"));
  call(b1, Fixture::send(a, "hello", 1));  // A: seq 2 (first contact: a full `updates`)
  call(b1, {{"_cons", "channels.joinChannel"}, {"channel", Fixture::input_channel(chat)}});  // B: seq 1
  call(a2, Fixture::post(chat, "post", 2));  // channel updates: seq 0 everywhere
  json sent = call(a1, Fixture::send(b, "reply", 3));  // updateShort*: no seq
  CHECK(sent["_cons"] == "updateShortSentMessage");
  call(a1, {{"_cons", "messages.editMessage"}, {"peer", Fixture::input_peer(b)}, {"id", sent["id"]},
            {"message", "reply!"}});  // A: seq 3, B: seq 2
  call(b1, {{"_cons", "channels.leaveChannel"}, {"channel", Fixture::input_channel(chat)}});  // B: seq 3
  call(a2, {{"_cons", "messages.readHistory"}, {"peer", Fixture::input_peer(b)}, {"max_id", 0}});  // B: seq 4

  CHECK(seqs[1] == std::vector<int>{1, 2, 3});
  CHECK(seqs[2] == std::vector<int>{1, 2, 3});
  CHECK(seqs[3] == std::vector<int>{1, 2, 3, 4});
  CHECK(f.ok(a1, {{"_cons", "updates.getState"}})["seq"] == 3);
  CHECK(f.ok(b1, {{"_cons", "updates.getState"}})["seq"] == 4);
  CHECK(f.ok(b1, get_channel_difference_of_user(f.ok(b1, {{"_cons", "updates.getState"}})["pts"], 0))["_cons"] ==
        "updates.differenceEmpty");  // B left the only channel: nothing to name
}

TEST_CASE("world: channels survive save/load: members, messages, pts, random_id dedup", "[testdc][channels][persist]") {
  auto dir = (std::filesystem::temp_directory_path() / ("mtjson-world-channels-" + std::to_string(::getpid()))).string();
  std::filesystem::remove_all(dir);
  json chat, full_before;
  {
    ChannelWorld w;
    w.post_n(3, 400);
    full_before = w.f.ok(w.cb, {{"_cons", "channels.getFullChannel"}, {"channel", Fixture::input_channel(w.chat)}});
    chat = w.chat;
    REQUIRE(w.f.world.save(dir).ok());
  }
  Fixture g;
  auto loaded = World::load(dir, g.options({}));
  REQUIRE(loaded.ok());
  World& world = loaded.value();
  Caller ca = Fixture::caller(1, 0x81), cb = Fixture::caller(1, 0x82);
  CallResult full = world.call(cb, {{"_cons", "channels.getFullChannel"}, {"channel", Fixture::input_channel(chat)}});
  REQUIRE(full.ok);
  CHECK(full.result == full_before);
  CHECK(full.result["full_chat"]["pts"] == 4);
  // The resend of an old post is recognised; a new one continues the pts.
  CallResult again = world.call(ca, Fixture::post(chat, "post 401", 401));
  REQUIRE(again.ok);
  CHECK(again.result["updates"][0]["id"] == 3);
  CallResult next = world.call(ca, Fixture::post(chat, "new", 999));
  REQUIRE(next.ok);
  CHECK(next.result["updates"][1]["pts"] == 5);
  CallResult d = world.call(cb, Fixture::channel_difference(chat, 1));
  REQUIRE(d.ok);
  CHECK(d.result["new_messages"].size() == 4);
  CHECK(world.call(cb, {{"_cons", "contacts.resolveUsername"}, {"username", "streamchannel"}}).result["peer"]["channel_id"] ==
        chat["id"]);
  // A second channel gets a new id.
  CallResult other = world.call(ca, Fixture::create_channel("Another"));
  REQUIRE(other.ok);
  CHECK(other.result["chats"][0]["id"] != chat["id"]);
  std::filesystem::remove_all(dir);
}
