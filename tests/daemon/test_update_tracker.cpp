// The update tracker against "Working with Updates"'s rules, with layer-228 TL JSON as the daemon's decoder
// writes it. Time is a fake clock: every hold, retry and idle deadline is asserted exactly.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "daemon/updates/difference.h"
#include "daemon/updates/update_entry.h"
#include "daemon/updates/update_state.h"
#include "daemon/updates/update_tracker.h"

using nlohmann::json;
using namespace mtjson::daemon::updates;
using namespace std::chrono_literals;

namespace {

const TimePoint t0 = TimePoint{} + std::chrono::hours(1000);
constexpr std::int64_t kPeer = 777000123;
constexpr std::int64_t kChannel = 1000000042;
constexpr std::int64_t kChannelHash = -5544332211;

json short_message(std::int32_t id, std::int32_t pts, std::int32_t date = 1700000100) {
  return {{"_cons", "updateShortMessage"}, {"id", id}, {"user_id", kPeer}, {"message", "m" + std::to_string(id)},
          {"pts", pts}, {"pts_count", 1}, {"date", date}};
}

json message(std::int32_t id) {
  return {{"_cons", "message"}, {"id", id}, {"peer_id", {{"_cons", "peerUser"}, {"user_id", kPeer}}},
          {"date", 1700000100}, {"message", "m" + std::to_string(id)}};
}

json channel_message(std::int32_t id) {
  return {{"_cons", "message"}, {"id", id}, {"peer_id", {{"_cons", "peerChannel"}, {"channel_id", kChannel}}},
          {"date", 1700000100}, {"message", "post" + std::to_string(id)}};
}

json channel_post(std::int32_t id, std::int32_t pts) {
  return {{"_cons", "updates"},
          {"updates", json::array({{{"_cons", "updateNewChannelMessage"}, {"message", channel_message(id)},
                                    {"pts", pts}, {"pts_count", 1}}})},
          {"users", json::array()},
          {"chats", json::array({{{"_cons", "channel"}, {"id", kChannel}, {"access_hash", kChannelHash},
                                  {"title", "news"}}})},
          {"date", 1700000100},
          {"seq", 0}};
}

json state(std::int32_t pts, std::int32_t qts = 0, std::int32_t seq = 1, std::int32_t date = 1700000000) {
  return {{"_cons", "updates.state"}, {"pts", pts}, {"qts", qts}, {"date", date}, {"seq", seq},
          {"unread_count", 0}};
}

std::vector<json> delivered(const std::vector<Action>& actions) {
  std::vector<json> out;
  for (const Action& a : actions)
    if (a.kind == Action::Kind::deliver) out.push_back(a.body);
  return out;
}

std::vector<Action> calls(const std::vector<Action>& actions) {
  std::vector<Action> out;
  for (const Action& a : actions)
    if (a.kind == Action::Kind::call) out.push_back(a);
  return out;
}

bool holds(const std::vector<Action>& actions) {
  for (const Action& a : actions)
    if (a.kind == Action::Kind::hold) return true;
  return false;
}

// Started, with getState answered: pts 10, qts 0, seq 1.
UpdateTracker ready_tracker(TrackerOptions options = {}) {
  UpdateTracker t(options);
  auto a = t.start(t0);
  REQUIRE(calls(a).size() == 1);
  REQUIRE(a[0].body == json{{"_cons", "updates.getState"}});
  auto r = t.on_call_result(a[0].call_id, state(10), t0);
  REQUIRE(r.empty());
  REQUIRE(t.has_state());
  return t;
}

}  // namespace

TEST_CASE("update tracker: not started, every update passes as it came", "[updates]") {
  UpdateTracker t;
  auto a = t.on_push(short_message(1, 5), t0);
  REQUIRE(delivered(a) == std::vector<json>{short_message(1, 5)});
  REQUIRE(t.on_push(short_message(1, 5), t0).size() == 1);  // no state: no duplicate check
  REQUIRE(t.on_result({{"_cons", "messages.affectedMessages"}, {"pts", 6}, {"pts_count", 1}}, t0).empty());
}

TEST_CASE("update tracker: raw mode never tracks nor calls", "[updates]") {
  TrackerOptions o;
  o.raw = true;
  UpdateTracker t(o);
  REQUIRE(t.start(t0).empty());
  REQUIRE(delivered(t.on_push(short_message(1, 50), t0)).size() == 1);
  REQUIRE(delivered(t.on_push(short_message(1, 50), t0)).size() == 1);
  REQUIRE(delivered(t.on_push({{"_cons", "updatesTooLong"}}, t0)) == std::vector<json>{{{"_cons", "updatesTooLong"}}});
  REQUIRE(t.on_reconnect(t0).empty());
  REQUIRE_FALSE(t.next_timer());
}

TEST_CASE("update tracker: updates before getState answers are delivered, none twice", "[updates]") {
  UpdateTracker t;
  auto a = t.start(t0);
  REQUIRE(calls(a).size() == 1);
  // Pushed while getState is in flight: wait for the state.
  REQUIRE(holds(t.on_push(short_message(1, 10), t0)));
  REQUIRE(holds(t.on_push(short_message(2, 11), t0)));
  // The state already covers pts 10 but not 11: 10 goes out as it is, 11 is checked and applied.
  auto r = t.on_call_result(a[0].call_id, state(10), t0 + 10ms);
  REQUIRE(delivered(r) == std::vector<json>{short_message(1, 10), short_message(2, 11)});
  REQUIRE(t.state().pts == 11);
  REQUIRE(t.on_push(short_message(2, 11), t0).empty());  // a resend
}

TEST_CASE("update tracker: in-order updates are delivered at once and move the state", "[updates]") {
  auto t = ready_tracker();
  for (int i = 1; i <= 3; ++i) {
    auto a = t.on_push(short_message(i, 10 + i, 1700000100 + i), t0);
    REQUIRE(delivered(a) == std::vector<json>{short_message(i, 10 + i, 1700000100 + i)});
    REQUIRE_FALSE(holds(a));
  }
  REQUIRE(t.state().pts == 13);
  REQUIRE(t.state().date == 1700000103);
  // updateShort around a pts-carrying update, and one without pts.
  json read = {{"_cons", "updateShort"},
               {"update", {{"_cons", "updateReadHistoryOutbox"}, {"peer", {{"_cons", "peerUser"}, {"user_id", kPeer}}},
                           {"max_id", 3}, {"pts", 14}, {"pts_count", 1}}},
               {"date", 1700000200}};
  REQUIRE(delivered(t.on_push(read, t0)).size() == 1);
  json typing = {{"_cons", "updateShort"},
                 {"update", {{"_cons", "updateUserTyping"}, {"user_id", kPeer},
                             {"action", {{"_cons", "sendMessageTypingAction"}}}}},
                 {"date", 1700000201}};
  REQUIRE(delivered(t.on_push(typing, t0)) == std::vector<json>{typing});
  REQUIRE(t.state().pts == 14);
}

TEST_CASE("update tracker: duplicates are dropped", "[updates]") {
  auto t = ready_tracker();
  REQUIRE(delivered(t.on_push(short_message(1, 11), t0)).size() == 1);
  REQUIRE(t.on_push(short_message(1, 11), t0).empty());
  REQUIRE(t.on_push(short_message(0, 9), t0).empty());  // older than the state
  REQUIRE(t.held() == 0);
  // A container re-sent with one new update: only the new one goes out.
  json both = {{"_cons", "updates"},
               {"updates", json::array({{{"_cons", "updateNewMessage"}, {"message", message(1)}, {"pts", 11}, {"pts_count", 1}},
                                        {{"_cons", "updateNewMessage"}, {"message", message(2)}, {"pts", 12}, {"pts_count", 1}}})},
               {"users", json::array()}, {"chats", json::array()}, {"date", 1700000300}, {"seq", 0}};
  auto d = delivered(t.on_push(both, t0));
  REQUIRE(d.size() == 1);
  REQUIRE(d[0]["updates"].size() == 1);
  REQUIRE(d[0]["updates"][0]["pts"] == 12);
  REQUIRE(t.on_push(both, t0).empty());
}

TEST_CASE("update tracker: a gap filled within the wait is delivered in order", "[updates]") {
  auto t = ready_tracker();
  auto a = t.on_push(short_message(2, 12), t0);
  REQUIRE(delivered(a).empty());
  REQUIRE(holds(a));
  REQUIRE(a.back().deadline == t0 + 500ms);
  REQUIRE(t.next_timer() == t0 + 500ms);
  REQUIRE(t.on_timer(t0 + 499ms).empty());
  auto b = t.on_push(short_message(1, 11), t0 + 300ms);
  REQUIRE(delivered(b) == std::vector<json>{short_message(1, 11), short_message(2, 12)});
  REQUIRE(t.state().pts == 12);
  REQUIRE(t.held() == 0);
  REQUIRE(calls(t.on_timer(t0 + 600ms)).empty());  // no getDifference: nothing is missing
}

TEST_CASE("update tracker: an unfilled gap is recovered with getDifference, nothing twice", "[updates]") {
  auto t = ready_tracker();
  REQUIRE(delivered(t.on_push(short_message(1, 11), t0)).size() == 1);
  REQUIRE(holds(t.on_push(short_message(4, 14, 1700000400), t0)));  // 12 and 13 missing
  auto a = t.on_timer(t0 + 500ms);
  auto c = calls(a);
  REQUIRE(c.size() == 1);
  REQUIRE(c[0].body == json{{"_cons", "updates.getDifference"}, {"pts", 11}, {"date", 1700000100}, {"qts", 0}});
  REQUIRE_FALSE(t.next_timer());  // waiting for the answer, not for a timer

  // While the difference is fetched, even a gap-free update waits behind it.
  REQUIRE(holds(t.on_push(short_message(5, 15), t0 + 600ms)));
  REQUIRE(t.held() == 2);

  json diff = {{"_cons", "updates.difference"},
               {"new_messages", json::array({message(2), message(3), message(4)})},
               {"new_encrypted_messages", json::array()},
               {"other_updates", json::array({{{"_cons", "updateReadHistoryInbox"},
                                               {"peer", {{"_cons", "peerUser"}, {"user_id", kPeer}}},
                                               {"max_id", 2}, {"still_unread_count", 1}, {"pts", 14}, {"pts_count", 1}}})},
               {"chats", json::array()},
               {"users", json::array({{{"_cons", "user"}, {"id", kPeer}, {"first_name", "Peer"}}})},
               {"state", state(14, 0, 1, 1700000500)}};
  auto r = t.on_call_result(c[0].call_id, diff, t0 + 700ms);
  auto d = delivered(r);
  REQUIRE(d.size() == 2);
  // Recovered first, as one `updates`: the messages as updateNewMessage, then the rest.
  REQUIRE(d[0]["_cons"] == "updates");
  REQUIRE(d[0]["updates"].size() == 4);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(d[0]["updates"][i]["_cons"] == "updateNewMessage");
    REQUIRE(d[0]["updates"][i]["message"]["id"] == 2 + i);
  }
  REQUIRE(d[0]["updates"][3]["_cons"] == "updateReadHistoryInbox");
  REQUIRE(d[0]["users"].size() == 1);
  REQUIRE(d[0]["date"] == 1700000500);
  // Then the waiting ones: pts 14 was in the difference (dropped), pts 15 is new.
  REQUIRE(d[1] == short_message(5, 15));
  REQUIRE(t.state().pts == 15);
  REQUIRE(t.state().date == 1700000500);
  REQUIRE(t.held() == 0);
}

TEST_CASE("update tracker: differenceSlice is followed until the final difference", "[updates]") {
  auto t = ready_tracker();
  REQUIRE(holds(t.on_push(short_message(9, 19), t0)));
  auto c = calls(t.on_timer(t0 + 500ms));
  REQUIRE(c.size() == 1);
  json slice = {{"_cons", "updates.differenceSlice"},
                {"new_messages", json::array({message(1), message(2), message(3), message(4)})},
                {"new_encrypted_messages", json::array()}, {"other_updates", json::array()},
                {"chats", json::array()}, {"users", json::array()},
                {"intermediate_state", state(14, 0, 1, 1700000300)}};
  auto r = t.on_call_result(c[0].call_id, slice, t0 + 600ms);
  REQUIRE(delivered(r).size() == 1);
  auto next = calls(r);
  REQUIRE(next.size() == 1);
  REQUIRE(next[0].body == json{{"_cons", "updates.getDifference"}, {"pts", 14}, {"date", 1700000300}, {"qts", 0}});
  REQUIRE(t.held() == 1);  // not before the last slice

  json rest = {{"_cons", "updates.difference"},
               {"new_messages", json::array({message(5), message(6), message(7), message(8), message(9)})},
               {"new_encrypted_messages", json::array()}, {"other_updates", json::array()},
               {"chats", json::array()}, {"users", json::array()}, {"state", state(19, 0, 1, 1700000400)}};
  auto r2 = t.on_call_result(next[0].call_id, rest, t0 + 700ms);
  auto d = delivered(r2);
  REQUIRE(d.size() == 1);  // the held pts 19 came with the difference: not again
  REQUIRE(d[0]["updates"].size() == 5);
  REQUIRE(d[0]["updates"][4]["message"]["id"] == 9);
  REQUIRE(calls(r2).empty());
  REQUIRE(t.held() == 0);
  REQUIRE(t.state().pts == 19);
}

TEST_CASE("update tracker: differenceTooLong continues from the server's pts and tells clients", "[updates]") {
  auto t = ready_tracker();
  REQUIRE(t.on_push({{"_cons", "updatesTooLong"}}, t0).size() == 1);  // the getDifference call
  auto r = t.on_reconnect(t0);  // asked again while in flight: no second call yet
  REQUIRE(calls(r).empty());
  auto t2 = ready_tracker();
  auto c = calls(t2.on_push({{"_cons", "updatesTooLong"}}, t0));
  REQUIRE(c.size() == 1);
  REQUIRE(c[0].body["pts"] == 10);
  auto a = t2.on_call_result(c[0].call_id, {{"_cons", "updates.differenceTooLong"}, {"pts", 5000}}, t0);
  REQUIRE(delivered(a) == std::vector<json>{{{"_cons", "updatesTooLong"}}});
  auto again = calls(a);
  REQUIRE(again.size() == 1);
  REQUIRE(again[0].body["pts"] == 5000);
  auto e = t2.on_call_result(again[0].call_id, {{"_cons", "updates.differenceEmpty"}, {"date", 1700009999}, {"seq", 7}}, t0);
  REQUIRE(e.empty());
  REQUIRE(t2.state().pts == 5000);
  REQUIRE(t2.state().seq == 7);
  REQUIRE(t2.state().date == 1700009999);
  REQUIRE(delivered(t2.on_push(short_message(1, 5001), t0)).size() == 1);
}

TEST_CASE("update tracker: updatesTooLong is acted upon, not delivered", "[updates]") {
  auto t = ready_tracker();
  auto a = t.on_push({{"_cons", "updatesTooLong"}}, t0);
  REQUIRE(delivered(a).empty());
  auto c = calls(a);
  REQUIRE(c.size() == 1);
  REQUIRE(c[0].body == json{{"_cons", "updates.getDifference"}, {"pts", 10}, {"date", 1700000000}, {"qts", 0}});
}

TEST_CASE("update tracker: seq gaps, duplicates and updatesCombined", "[updates]") {
  auto t = ready_tracker();  // seq 1
  auto status = [](std::int32_t seq, std::int32_t seq_start = -1) {
    json u = {{"_cons", seq_start < 0 ? "updates" : "updatesCombined"},
              {"updates", json::array({{{"_cons", "updateUserStatus"}, {"user_id", kPeer},
                                        {"status", {{"_cons", "userStatusOnline"}, {"expires", 1700001000}}}}})},
              {"users", json::array()}, {"chats", json::array()}, {"date", 1700000100 + seq}, {"seq", seq}};
    if (seq_start >= 0) u["seq_start"] = seq_start;
    return u;
  };
  REQUIRE(delivered(t.on_push(status(2), t0)) == std::vector<json>{status(2)});
  REQUIRE(t.state().seq == 2);
  REQUIRE(t.on_push(status(2), t0).empty());  // already applied
  REQUIRE(holds(t.on_push(status(5, 4), t0)));  // seq 3 missing
  auto filled = t.on_push(status(3), t0 + 100ms);
  REQUIRE(delivered(filled) == std::vector<json>{status(3), status(5, 4)});
  REQUIRE(t.state().seq == 5);
  // seq 0: unordered, applied at once without moving seq.
  REQUIRE(delivered(t.on_push(status(0), t0)).size() == 1);
  REQUIRE(t.state().seq == 5);
  // A gap nobody fills: getDifference.
  REQUIRE(holds(t.on_push(status(9), t0 + 1s)));
  auto c = calls(t.on_timer(t0 + 1500ms));
  REQUIRE(c.size() == 1);
  REQUIRE(c[0].body["_cons"] == "updates.getDifference");
  auto r = t.on_call_result(c[0].call_id, {{"_cons", "updates.differenceEmpty"}, {"date", 1700000200}, {"seq", 8}}, t0 + 2s);
  REQUIRE(delivered(r) == std::vector<json>{status(9)});
  REQUIRE(t.state().seq == 9);
}

TEST_CASE("update tracker: qts gaps recover through getDifference", "[updates]") {
  UpdateTracker t;
  auto s = t.start(t0);
  t.on_call_result(s[0].call_id, state(10, 3), t0);
  json stopped = {{"_cons", "updateShort"},
                  {"update", {{"_cons", "updateBotStopped"}, {"user_id", kPeer}, {"date", 1700000100},
                              {"stopped", true}, {"qts", 4}}},
                  {"date", 1700000100}};
  REQUIRE(delivered(t.on_push(stopped, t0)).size() == 1);
  REQUIRE(t.state().qts == 4);
  REQUIRE(t.on_push(stopped, t0).empty());
  json later = stopped;
  later["update"]["qts"] = 6;
  REQUIRE(holds(t.on_push(later, t0)));
  auto c = calls(t.on_timer(t0 + 500ms));
  REQUIRE(c.size() == 1);
  REQUIRE(c[0].body == json{{"_cons", "updates.getDifference"}, {"pts", 10}, {"date", 1700000100}, {"qts", 4}});
}

TEST_CASE("update tracker: channel gaps use getChannelDifference until final", "[updates]") {
  TrackerOptions o;
  o.channel_limit = 2;
  auto t = ready_tracker(o);
  // The first update of an unknown channel sets its pts.
  REQUIRE(delivered(t.on_push(channel_post(1, 100), t0)).size() == 1);
  REQUIRE(t.state().channel_pts.at(kChannel) == 100);
  REQUIRE(delivered(t.on_push(channel_post(2, 101), t0)).size() == 1);
  REQUIRE(t.on_push(channel_post(2, 101), t0).empty());
  REQUIRE(holds(t.on_push(channel_post(6, 105), t0)));  // 102..104 missing
  auto c = calls(t.on_timer(t0 + 500ms));
  REQUIRE(c.size() == 1);
  json input = {{"_cons", "inputChannel"}, {"channel_id", kChannel}, {"access_hash", kChannelHash}};
  REQUIRE(c[0].body == json{{"_cons", "updates.getChannelDifference"}, {"channel", input},
                            {"filter", {{"_cons", "channelMessagesFilterEmpty"}}}, {"pts", 101}, {"limit", 2}});

  json page1 = {{"_cons", "updates.channelDifference"}, {"pts", 103},
                {"new_messages", json::array({channel_message(3), channel_message(4)})},
                {"other_updates", json::array()}, {"chats", json::array()}, {"users", json::array()}};
  auto r1 = t.on_call_result(c[0].call_id, page1, t0 + 600ms);
  auto d1 = delivered(r1);
  REQUIRE(d1.size() == 1);
  REQUIRE(d1[0]["updates"][0]["_cons"] == "updateNewChannelMessage");
  REQUIRE(d1[0]["updates"][1]["message"]["id"] == 4);
  auto c2 = calls(r1);  // not final: again, from the new pts
  REQUIRE(c2.size() == 1);
  REQUIRE(c2[0].body["pts"] == 103);
  REQUIRE(t.held() == 1);

  json page2 = {{"_cons", "updates.channelDifference"}, {"final", true}, {"pts", 104},
                {"new_messages", json::array({channel_message(5)})},
                {"other_updates", json::array()}, {"chats", json::array()}, {"users", json::array()}};
  auto r2 = t.on_call_result(c2[0].call_id, page2, t0 + 700ms);
  auto d2 = delivered(r2);
  REQUIRE(d2.size() == 2);
  REQUIRE(d2[0]["updates"][0]["message"]["id"] == 5);
  REQUIRE(d2[1] == channel_post(6, 105));  // the held one, after the recovered ones
  REQUIRE(calls(r2).empty());
  REQUIRE(t.state().channel_pts.at(kChannel) == 105);
  REQUIRE(t.state().pts == 10);  // the common box is untouched
}

TEST_CASE("update tracker: updateChannelTooLong starts getChannelDifference", "[updates]") {
  auto t = ready_tracker();
  REQUIRE(delivered(t.on_push(channel_post(1, 100), t0)).size() == 1);
  json too_long = {{"_cons", "updateShort"},
                   {"update", {{"_cons", "updateChannelTooLong"}, {"channel_id", kChannel}, {"pts", 180}}},
                   {"date", 1700000100}};
  auto a = t.on_push(too_long, t0);
  REQUIRE(delivered(a).empty());
  auto c = calls(a);
  REQUIRE(c.size() == 1);
  REQUIRE(c[0].body["pts"] == 100);  // from what we know, not from the update
  auto r = t.on_call_result(c[0].call_id,
                            {{"_cons", "updates.channelDifferenceTooLong"}, {"final", true},
                             {"dialog", {{"_cons", "dialog"}, {"peer", {{"_cons", "peerChannel"}, {"channel_id", kChannel}}},
                                         {"top_message", 180}, {"pts", 180}}},
                             {"messages", json::array()}, {"chats", json::array()}, {"users", json::array()}},
                            t0);
  auto d = delivered(r);
  REQUIRE(d.size() == 1);
  REQUIRE(d[0]["updates"][0] == json{{"_cons", "updateChannelTooLong"}, {"channel_id", kChannel}, {"pts", 180}});
  REQUIRE(t.state().channel_pts.at(kChannel) == 180);

  // Among a difference's other_updates it triggers the channel's difference too.
  REQUIRE(holds(t.on_push(short_message(2, 12), t0)));
  auto g = calls(t.on_timer(t0 + 500ms));
  REQUIRE(g.size() == 1);
  json diff = {{"_cons", "updates.difference"}, {"new_messages", json::array({message(1)})},
               {"new_encrypted_messages", json::array()},
               {"other_updates", json::array({{{"_cons", "updateChannelTooLong"}, {"channel_id", kChannel}}})},
               {"chats", json::array()}, {"users", json::array()}, {"state", state(11)}};
  auto r2 = t.on_call_result(g[0].call_id, diff, t0 + 600ms);
  auto c2 = calls(r2);
  REQUIRE(c2.size() == 1);
  REQUIRE(c2[0].body["_cons"] == "updates.getChannelDifference");
  REQUIRE(c2[0].body["pts"] == 180);
  auto d2 = delivered(r2);
  REQUIRE(d2.size() == 1);
  REQUIRE(d2[0]["updates"].size() == 1);  // the channel's too-long is not passed on
  REQUIRE(t.held() == 1);                 // waits for the channel difference too
  auto r3 = t.on_call_result(c2[0].call_id, {{"_cons", "updates.channelDifferenceEmpty"}, {"final", true}, {"pts", 180}}, t0);
  REQUIRE(delivered(r3) == std::vector<json>{short_message(2, 12)});
}

TEST_CASE("update tracker: new session and reconnect fetch the difference", "[updates]") {
  auto t = ready_tracker();
  auto a = t.on_new_session(t0);
  auto c = calls(a);
  REQUIRE(c.size() == 1);
  REQUIRE(c[0].body["_cons"] == "updates.getDifference");
  REQUIRE(calls(t.on_reconnect(t0)).empty());  // one at a time...
  auto r = t.on_call_result(c[0].call_id, {{"_cons", "updates.differenceEmpty"}, {"date", 1700000050}, {"seq", 1}}, t0);
  auto again = calls(r);  // ...but the reconnect's one follows
  REQUIRE(again.size() == 1);
  REQUIRE(again[0].body["date"] == 1700000050);
  REQUIRE(calls(t.on_call_result(again[0].call_id, {{"_cons", "updates.differenceEmpty"}, {"date", 1700000060}, {"seq", 1}}, t0)).empty());
  // Not started: nothing to fetch.
  UpdateTracker idle;
  REQUIRE(idle.on_reconnect(t0).empty());
}

TEST_CASE("update tracker: a restored state starts with getDifference", "[updates]") {
  UpdateState s;
  s.pts = 40;
  s.qts = 2;
  s.seq = 9;
  s.date = 1700000000;
  s.channel_pts[kChannel] = 77;
  UpdateTracker t;
  auto c = calls(t.start(s, t0));
  REQUIRE(c.size() == 1);
  REQUIRE(c[0].body == json{{"_cons", "updates.getDifference"}, {"pts", 40}, {"date", 1700000000}, {"qts", 2}});
  REQUIRE(holds(t.on_push(short_message(1, 41), t0)));
  auto r = t.on_call_result(c[0].call_id, {{"_cons", "updates.differenceEmpty"}, {"date", 1700000001}, {"seq", 9}}, t0);
  REQUIRE(delivered(r) == std::vector<json>{short_message(1, 41)});
  REQUIRE(t.state().channel_pts.at(kChannel) == 77);
}

TEST_CASE("update tracker: answers that carry pts move the state", "[updates]") {
  auto t = ready_tracker();
  json sent = {{"_cons", "updateShortSentMessage"}, {"out", true}, {"id", 5}, {"pts", 11}, {"pts_count", 1},
               {"date", 1700000100}};
  auto a = t.on_result(sent, t0);
  REQUIRE(a.size() == 1);
  REQUIRE(a[0].from_result);
  REQUIRE(t.on_result({{"_cons", "messages.affectedMessages"}, {"pts", 13}, {"pts_count", 2}}, t0).empty());
  REQUIRE(t.state().pts == 13);
  REQUIRE(t.on_result({{"_cons", "messages.messages"}, {"messages", json::array()}}, t0).empty());
  // The sender's own session then gets nothing that looks like a gap.
  auto b = t.on_push(short_message(6, 14), t0);
  REQUIRE(delivered(b).size() == 1);
  REQUIRE_FALSE(b[0].from_result);
  REQUIRE(t.on_push(short_message(5, 11), t0).empty());
}

TEST_CASE("update tracker: a dialog list or channelFull gives an untracked channel its pts", "[updates]") {
  auto t = ready_tracker();
  json peer = {{"_cons", "peerChannel"}, {"channel_id", kChannel}};
  json dialogs = {{"_cons", "messages.dialogs"},
                  {"dialogs", json::array({{{"_cons", "dialog"}, {"peer", peer}, {"top_message", 1}, {"pts", 1}},
                                           {{"_cons", "dialog"}, {"peer", {{"_cons", "peerUser"}, {"user_id", kPeer}}},
                                            {"top_message", 9}}})},
                  {"messages", json::array()},
                  {"chats", json::array({{{"_cons", "channel"}, {"id", kChannel}, {"access_hash", kChannelHash},
                                          {"title", "news"}}})},
                  {"users", json::array()}};
  REQUIRE(t.on_result(dialogs, t0).empty());  // nothing to deliver: the caller has its answer
  REQUIRE(t.state().channel_pts == std::map<std::int64_t, std::int32_t>{{kChannel, 1}});
  REQUIRE(t.state().pts == 10);

  // The first two posts after it are lost on the way: the third is a gap, not the new state.
  REQUIRE(holds(t.on_push(channel_post(4, 4), t0)));
  auto a = t.on_timer(t0 + 500ms);
  auto c = calls(a);
  REQUIRE(c.size() == 1);
  REQUIRE(c[0].body["_cons"] == "updates.getChannelDifference");
  REQUIRE(c[0].body["pts"] == 1);
  REQUIRE(c[0].body["channel"]["access_hash"] == kChannelHash);  // from the dialog list's chats
  json diff = {{"_cons", "updates.channelDifference"}, {"final", true}, {"pts", 3},
               {"new_messages", json::array({channel_message(2), channel_message(3)})},
               {"other_updates", json::array()}, {"chats", json::array()}, {"users", json::array()}};
  auto d = delivered(t.on_call_result(c[0].call_id, diff, t0 + 600ms));
  REQUIRE(d.size() == 2);
  REQUIRE(d[0]["updates"].size() == 2);
  REQUIRE(d[0]["updates"][0]["message"]["id"] == 2);
  REQUIRE(d[1] == channel_post(4, 4));
  REQUIRE(t.state().channel_pts.at(kChannel) == 4);

  // A known pts is not moved by an older answer; channelFull (longs as strings) sets an unknown one.
  REQUIRE(t.on_result(dialogs, t0).empty());
  REQUIRE(t.state().channel_pts.at(kChannel) == 4);
  json full = {{"_cons", "messages.chatFull"},
               {"full_chat", {{"_cons", "channelFull"}, {"id", "1000000043"}, {"pts", 17}}},
               {"chats", json::array()},
               {"users", json::array()}};
  REQUIRE(t.on_result(full, t0).empty());
  REQUIRE(t.state().channel_pts.at(1000000043) == 17);
}

TEST_CASE("update tracker: a gap the server cannot fill does not loop forever", "[updates]") {
  auto t = ready_tracker();
  REQUIRE(holds(t.on_push(short_message(3, 13), t0)));
  TimePoint now = t0;
  for (int round = 0; round < 2; ++round) {
    now += 500ms;
    auto c = calls(t.on_timer(now));
    REQUIRE(c.size() == 1);
    auto r = t.on_call_result(c[0].call_id, {{"_cons", "updates.differenceEmpty"}, {"date", 1700000000}, {"seq", 1}}, now);
    if (round == 0) {
      REQUIRE(delivered(r).empty());
      REQUIRE(t.next_timer() == now + 500ms);
    } else {
      REQUIRE(delivered(r) == std::vector<json>{short_message(3, 13)});
    }
  }
  REQUIRE(t.state().pts == 13);
}

TEST_CASE("update tracker: failed calls are retried, then given up", "[updates]") {
  TrackerOptions o;
  o.max_failures = 2;
  auto t = ready_tracker(o);
  REQUIRE(holds(t.on_push(short_message(3, 13), t0)));
  auto c = calls(t.on_timer(t0 + 500ms));
  REQUIRE(c.size() == 1);
  REQUIRE(t.on_call_failed(c[0].call_id, t0 + 600ms).empty());
  REQUIRE(t.next_timer() == t0 + 1600ms);
  auto retry = calls(t.on_timer(t0 + 1600ms));
  REQUIRE(retry.size() == 1);
  REQUIRE(retry[0].body == c[0].body);
  auto gave_up = t.on_call_failed(retry[0].call_id, t0 + 1700ms);
  REQUIRE(delivered(gave_up) == std::vector<json>{short_message(3, 13)});  // not lost
  REQUIRE_FALSE(t.started());
  REQUIRE(t.on_call_result(retry[0].call_id, state(1), t0).empty());  // a late answer is ignored
}

TEST_CASE("update tracker: idle for long, getDifference", "[updates]") {
  TrackerOptions o;
  o.idle_difference = std::chrono::minutes(15);
  auto t = ready_tracker(o);
  REQUIRE(t.next_timer() == t0 + std::chrono::minutes(15));
  REQUIRE(delivered(t.on_push(short_message(1, 11), t0 + std::chrono::minutes(1))).size() == 1);
  REQUIRE(t.next_timer() == t0 + std::chrono::minutes(16));
  auto c = calls(t.on_timer(t0 + std::chrono::minutes(16)));
  REQUIRE(c.size() == 1);
  REQUIRE(c[0].body["pts"] == 11);
}

TEST_CASE("update entry: sequences of layer-228 updates", "[updates]") {
  auto s = sequence_of({{"_cons", "updateDeleteChannelMessages"}, {"channel_id", "1000000042"},
                        {"messages", json::array({1})}, {"pts", 5}, {"pts_count", 1}});
  REQUIRE(s.box == Sequence::Box::channel);
  REQUIRE(s.channel_id == kChannel);  // longs_as_strings
  REQUIRE(sequence_of({{"_cons", "updateReadChannelInbox"}, {"channel_id", kChannel}, {"max_id", 3},
                       {"still_unread_count", 0}, {"pts", 9}}).count == 0);
  REQUIRE(sequence_of({{"_cons", "updateNewEncryptedMessage"}, {"message", json::object()}, {"qts", 3}}).box ==
          Sequence::Box::secondary);
  REQUIRE(sequence_of({{"_cons", "updateDeleteMessages"}, {"messages", json::array()}, {"pts", 3}, {"pts_count", 2}}).box ==
          Sequence::Box::common);
  REQUIRE(sequence_of({{"_cons", "updateUserTyping"}, {"user_id", 1}}).box == Sequence::Box::none);
  REQUIRE(check_pts(131, 132, 1) == Check::apply);  // "Working with Updates"'s worked example
  REQUIRE(check_pts(132, 132, 1) == Check::duplicate);
  REQUIRE(check_pts(132, 140, 5) == Check::gap);
  REQUIRE(check_seq(4, 0) == Check::apply);
}

TEST_CASE("update state: JSON round trip and clear errors", "[updates]") {
  UpdateState s;
  s.pts = 1;
  s.qts = 2;
  s.seq = 3;
  s.date = 4;
  s.channel_pts[kChannel] = 5;
  auto back = state_from_json(state_to_json(s));
  REQUIRE(back);
  REQUIRE(*back == s);
  auto bad = state_from_json({{"pts", 1}, {"qts", 2}, {"seq", "x"}, {"date", 4}});
  REQUIRE_FALSE(bad);
  REQUIRE(bad.message().find("\"seq\"") != std::string::npos);
}
