// pts / seq and updates.getDifference ("Working with Updates", "Recovering gaps").
#include "world_fixture.h"

using namespace mtjson::testdc;
using namespace mtjson::testdc::test;

namespace {
json get_difference(int pts, int limit = 0) {
  json m = {{"_cons", "updates.getDifference"}, {"pts", pts}, {"date", 0}, {"qts", 0}};
  if (limit > 0) m["pts_total_limit"] = limit;
  return m;
}
}  // namespace

TEST_CASE("world: pts increase by one per message in every session of the recipient", "[testdc][updates]") {
  Fixture f;
  json a = f.login("9996611401", 0x1A);
  json b = f.login("9996611402", 0x1B);
  f.login("9996611402", 0x1C);
  Caller ca = Fixture::caller(1, 0x1A), cb = Fixture::caller(1, 0x1B, 5), cc = Fixture::caller(1, 0x1C, 6);
  f.world.session_opened(cb);
  f.world.session_opened(cc);
  std::map<std::int64_t, std::vector<int>> seen;  // session -> pts received
  f.world.on_update = [&](std::uint64_t, std::int64_t session, const json& u) {
    if (u["_cons"] == "updateShortMessage") seen[session].push_back(u["pts"]);
    else seen[session].push_back(u["updates"][0]["pts"]);
  };
  for (int i = 0; i < 4; ++i) {
    CallResult r = f.call(ca, Fixture::send(b, "n" + std::to_string(i), 100 + i));
    REQUIRE(r.ok);
    CHECK(r.pushes.empty());  // handed to on_update instead
  }
  CHECK(seen[5] == std::vector<int>{1, 2, 3, 4});
  CHECK(seen[6] == std::vector<int>{1, 2, 3, 4});
  json state = f.ok(cb, {{"_cons", "updates.getState"}});
  CHECK(state == json{{"_cons", "updates.state"}, {"pts", 4}, {"qts", 0}, {"date", 1700000000}, {"seq", 1},
                      {"unread_count", 4}});
  CHECK(f.ok(cb, get_difference(4)) == json{{"_cons", "updates.differenceEmpty"}, {"date", 1700000000}, {"seq", 1}});
}

TEST_CASE("world: getDifference returns exactly what a closed session missed, in order", "[testdc][updates]") {
  Fixture f;
  json a = f.login("9996611501", 0x2A);
  json b = f.login("9996611502", 0x2B);
  Caller ca = Fixture::caller(1, 0x2A), cb = Fixture::caller(1, 0x2B, 9);
  f.world.session_opened(cb);
  f.ok(ca, Fixture::send(b, "seen", 1));
  int pts = f.ok(cb, {{"_cons", "updates.getState"}})["pts"];
  CHECK(pts == 1);

  f.world.session_closed(0x2B, 9);
  std::vector<std::string> texts = {"m1", "m2", "m3"};
  for (std::size_t i = 0; i < texts.size(); ++i) {
    CallResult r = f.call(ca, Fixture::send(b, texts[i], 10 + i));
    REQUIRE(r.ok);
    CHECK(r.pushes.empty());
  }
  f.ok(ca, {{"_cons", "messages.editMessage"}, {"peer", Fixture::input_peer(b)}, {"id", 2}, {"message", "m1!"}});

  json d = f.ok(cb, get_difference(pts));
  CHECK(d["_cons"] == "updates.difference");
  REQUIRE(d["new_messages"].size() == 3);
  for (std::size_t i = 0; i < texts.size(); ++i) {
    CHECK(d["new_messages"][i]["message"] == texts[i]);
    CHECK(d["new_messages"][i]["id"] == static_cast<int>(i) + 2);
  }
  REQUIRE(d["other_updates"].size() == 1);
  CHECK(d["other_updates"][0]["_cons"] == "updateEditMessage");
  CHECK(d["other_updates"][0]["message"]["message"] == "m1!");
  CHECK(d["new_encrypted_messages"] == json::array());
  CHECK(d["state"]["pts"] == 5);
  CHECK(d["state"]["seq"] == f.ok(cb, {{"_cons", "updates.getState"}})["seq"]);
  bool has_a = false;
  for (const auto& u : d["users"]) has_a |= u["id"] == a["id"];
  CHECK(has_a);

  // In slices of two: the intermediate state says where to continue.
  json s = f.ok(cb, get_difference(pts, 2));
  CHECK(s["_cons"] == "updates.differenceSlice");
  CHECK(s["new_messages"].size() == 2);
  CHECK(s["intermediate_state"]["pts"] == 3);
  json rest = f.ok(cb, get_difference(3, 2));
  CHECK(rest["_cons"] == "updates.difference");
  CHECK(rest["new_messages"].size() == 1);
  CHECK(rest["new_messages"][0]["message"] == "m3");
  CHECK(rest["other_updates"].size() == 1);
  // A pts from the future (e.g. a wiped world) gives an empty difference.
  CHECK(f.ok(cb, get_difference(50))["_cons"] == "updates.differenceEmpty");
  CHECK(f.err(cb, get_difference(-1)) == "400 INPUT_REQUEST_INVALID");
}
