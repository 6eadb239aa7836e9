// Sign-up / sign-in of test numbers, DC redirects, bots, authorization transfer ("User Authorization",
// "Working with Different Data Centers").
#include "world_fixture.h"

using namespace mtjson::testdc;
using namespace mtjson::testdc::test;

TEST_CASE("world: sign-up of a new number: sendCode, signIn -> signUpRequired, signUp", "[testdc][auth]") {
  Fixture f;
  Caller c = Fixture::caller(2, 0x1111);
  json sent = f.ok(c, Fixture::send_code("+9996621234"));
  CHECK(sent["_cons"] == "auth.sentCode");
  CHECK(sent["type"]["_cons"] == "auth.sentCodeTypeSms");
  CHECK(sent["type"]["length"] == 5);
  std::string hash = sent["phone_code_hash"];
  CHECK_FALSE(hash.empty());
  // The code is logged: the DC digit five times.
  REQUIRE_FALSE(f.log.empty());
  CHECK(f.log.back() == "auth.sendCode: code for +9996621234 is 22222");

  json a = f.ok(c, Fixture::sign_in("9996621234", hash, "22222"));
  CHECK(a == json{{"_cons", "auth.authorizationSignUpRequired"}});
  CHECK(f.err(c, {{"_cons", "updates.getState"}}) == "401 AUTH_KEY_UNREGISTERED");

  CHECK(f.err(c, Fixture::sign_up("9996621234", hash, "   ")) == "400 FIRSTNAME_INVALID");
  a = f.ok(c, Fixture::sign_up("9996621234", hash, "Alice"));
  CHECK(a["_cons"] == "auth.authorization");
  json user = a["user"];
  CHECK(user["_cons"] == "user");
  CHECK(user["first_name"] == "Alice");
  CHECK(user["phone"] == "9996621234");
  CHECK(user["self"] == true);
  CHECK(user["id"].get<std::int64_t>() > 0);
  CHECK(f.world.user_of(0x1111) == user["id"].get<std::int64_t>());

  // The code was used up; signing up again with it fails.
  CHECK(f.err(c, Fixture::sign_up("9996621234", hash, "Alice")) == "400 PHONE_CODE_EXPIRED");
  // users.getUsers(inputUserSelf) is what clients call as get_me.
  json me = f.ok(c, {{"_cons", "users.getUsers"}, {"id", json::array({{{"_cons", "inputUserSelf"}}})}});
  REQUIRE(me.size() == 1);
  CHECK(me[0]["id"] == user["id"]);
}

TEST_CASE("world: existing user signs in; second sendCode goes to the app", "[testdc][auth]") {
  Fixture f({SeedAccount{"9996611111", "Bob", "", "bobby", ""}});
  Caller first = Fixture::caller(1, 0xA);
  f.world.session_opened(first);
  json bob = f.login("9996611111", 0xA);
  CHECK(bob["first_name"] == "Bob");
  CHECK(bob["username"] == "bobby");

  Caller second = Fixture::caller(1, 0xB);
  json sent = f.ok(second, Fixture::send_code("9996611111"));
  CHECK(sent["type"]["_cons"] == "auth.sentCodeTypeApp");  // a live session exists
  json a = f.ok(second, Fixture::sign_in("9996611111", sent["phone_code_hash"], "11111"));
  CHECK(a["_cons"] == "auth.authorization");
  CHECK(a["user"]["id"] == bob["id"]);
}

TEST_CASE("world: wrong, empty and expired codes", "[testdc][auth]") {
  Fixture f;
  Caller c = Fixture::caller(3, 0x33);
  std::string hash = f.ok(c, Fixture::send_code("9996631000"))["phone_code_hash"];
  CHECK(f.err(c, Fixture::sign_in("9996631000", hash, "12345")) == "400 PHONE_CODE_INVALID");
  CHECK(f.err(c, Fixture::sign_in("9996631000", hash, "")) == "400 PHONE_CODE_EMPTY");
  CHECK(f.err(c, Fixture::sign_in("9996631000", "", "33333")) == "400 PHONE_CODE_HASH_EMPTY");
  CHECK(f.err(c, Fixture::sign_in("9996631000", "deadbeef", "33333")) == "400 PHONE_CODE_EXPIRED");
  CHECK(f.err(c, Fixture::sign_up("9996631000", hash, "X")) == "400 PHONE_CODE_INVALID");  // not verified yet
  f.world.set_clock_offset(301);  // code_ttl_seconds = 300
  CHECK(f.err(c, Fixture::sign_in("9996631000", hash, "33333")) == "400 PHONE_CODE_EXPIRED");
}

TEST_CASE("world: invalid phone numbers", "[testdc][auth]") {
  Fixture f;
  Caller c = Fixture::caller(1, 0x1);
  CHECK(f.err(c, Fixture::send_code("12345")) == "400 PHONE_NUMBER_INVALID");
  CHECK(f.err(c, Fixture::send_code("9996641234")) == "400 PHONE_NUMBER_INVALID");  // DC 4 of 3
  CHECK(f.err(c, Fixture::send_code("99966a1234")) == "400 PHONE_NUMBER_INVALID");
  CHECK(f.err(c, Fixture::send_code("99966112345")) == "400 PHONE_NUMBER_INVALID");
}

TEST_CASE("world: PHONE_MIGRATE_X for a number of another DC", "[testdc][auth]") {
  Fixture f;
  CHECK(f.err(Fixture::caller(1, 0x1), Fixture::send_code("9996631234")) == "303 PHONE_MIGRATE_3");
  CHECK(f.err(Fixture::caller(3, 0x2), Fixture::send_code("9996621234")) == "303 PHONE_MIGRATE_2");
  CHECK(f.err(Fixture::caller(2, 0x3), Fixture::sign_in("9996611234", "h", "11111")) == "303 PHONE_MIGRATE_1");
}

TEST_CASE("world: USER_MIGRATE_X for an authorized user on the wrong DC", "[testdc][auth]") {
  Fixture f;
  json u = f.login("9996611234", 0x10);
  Caller home = Fixture::caller(1, 0x10);
  f.ok(home, {{"_cons", "updates.getState"}});
  REQUIRE(f.world.move_user(u["id"], 2));
  CHECK(f.err(home, {{"_cons", "updates.getState"}}) == "303 USER_MIGRATE_2");
  // DC-neutral methods still answer there.
  CHECK(f.ok(home, {{"_cons", "help.getNearestDc"}})["this_dc"] == 1);
  CHECK_FALSE(f.world.move_user(u["id"], 4));
  CHECK_FALSE(f.world.move_user(424242, 1));
}

TEST_CASE("world: exportAuthorization / importAuthorization across DCs", "[testdc][auth]") {
  Fixture f;
  json u = f.login("9996611235", 0x20);
  Caller home = Fixture::caller(1, 0x20);
  CHECK(f.err(home, {{"_cons", "auth.exportAuthorization"}, {"dc_id", 1}}) == "400 DC_ID_INVALID");
  CHECK(f.err(home, {{"_cons", "auth.exportAuthorization"}, {"dc_id", 7}}) == "400 DC_ID_INVALID");
  json ex = f.ok(home, {{"_cons", "auth.exportAuthorization"}, {"dc_id", 2}});
  CHECK(ex["_cons"] == "auth.exportedAuthorization");
  CHECK(ex["id"] == u["id"]);

  Caller dc3 = Fixture::caller(3, 0x30);
  json import = {{"_cons", "auth.importAuthorization"}, {"id", ex["id"]}, {"bytes", ex["bytes"]}};
  CHECK(f.err(dc3, import) == "400 AUTH_BYTES_INVALID");  // exported for DC 2
  Caller dc2 = Fixture::caller(2, 0x31);
  json wrong_id = import;
  wrong_id["id"] = u["id"].get<std::int64_t>() + 1;
  CHECK(f.err(dc2, wrong_id) == "400 AUTH_BYTES_INVALID");
  json a = f.ok(dc2, import);
  CHECK(a["_cons"] == "auth.authorization");
  CHECK(a["user"]["id"] == u["id"]);
  CHECK(f.world.user_of(0x31) == u["id"].get<std::int64_t>());
  CHECK(f.err(dc2, import) == "400 AUTH_BYTES_INVALID");  // used once
  // On a DC that is not its home, the user is redirected for everything but DC-neutral methods.
  CHECK(f.err(dc2, {{"_cons", "messages.getDialogs"}, {"offset_date", 0}, {"offset_id", 0},
                    {"offset_peer", {{"_cons", "inputPeerEmpty"}}}, {"limit", 10}, {"hash", 0}}) ==
        "303 USER_MIGRATE_1");
  CHECK(f.ok(dc2, {{"_cons", "help.getConfig"}})["this_dc"] == 2);
}

TEST_CASE("world: bot token import", "[testdc][auth]") {
  Fixture f;
  auto import = [](const std::string& token) {
    return json{{"_cons", "auth.importBotAuthorization"}, {"flags", 0}, {"api_id", 1}, {"api_hash", "x"},
                {"bot_auth_token", token}};
  };
  Caller c = Fixture::caller(2, 0x40);
  json a = f.ok(c, import("123456:AAHsecret_-x"));
  CHECK(a["user"]["id"] == 123456);
  CHECK(a["user"]["bot"] == true);
  CHECK(a["user"]["username"] == "bot123456_bot");
  CHECK(f.ok(c, {{"_cons", "updates.getState"}})["pts"] == 0);

  CHECK(f.err(Fixture::caller(2, 0x41), import("123456:other")) == "400 ACCESS_TOKEN_INVALID");
  CHECK(f.err(Fixture::caller(1, 0x42), import("123456:AAHsecret_-x")) == "303 USER_MIGRATE_2");
  CHECK(f.err(c, import("no-colon")) == "400 ACCESS_TOKEN_INVALID");
  CHECK(f.err(c, import(":secret")) == "400 ACCESS_TOKEN_INVALID");
  CHECK(f.err(c, import("12ab:secret")) == "400 ACCESS_TOKEN_INVALID");
  CHECK(f.err(c, import("123:")) == "400 ACCESS_TOKEN_INVALID");
  CHECK(f.err(c, import("123:bad secret")) == "400 ACCESS_TOKEN_INVALID");
  // The echo bot's id is taken and has no token.
  CHECK(f.err(c, import(std::to_string(World::kEchoUserId) + ":x")) == "400 ACCESS_TOKEN_INVALID");
}

TEST_CASE("world: logOut and destroyed authorizations give 401", "[testdc][auth]") {
  Fixture f;
  f.login("9996611236", 0x50);
  f.login("9996611236", 0x51);
  Caller a = Fixture::caller(1, 0x50);
  Caller b = Fixture::caller(1, 0x51);
  CHECK(f.ok(a, {{"_cons", "auth.logOut"}})["_cons"] == "auth.loggedOut");
  CHECK(f.err(a, {{"_cons", "updates.getState"}}) == "401 AUTH_KEY_UNREGISTERED");
  CHECK(f.err(a, {{"_cons", "auth.logOut"}}) == "401 AUTH_KEY_UNREGISTERED");

  f.ok(b, {{"_cons", "updates.getState"}});
  CHECK(f.world.destroy_authorization(0x51));
  CHECK_FALSE(f.world.destroy_authorization(0x51));
  CHECK(f.err(b, {{"_cons", "updates.getState"}}) == "401 AUTH_KEY_UNREGISTERED");
  CHECK_FALSE(f.world.user_of(0x51).has_value());
}

TEST_CASE("world: help.getConfig and help.getNearestDc", "[testdc][help]") {
  Fixture f;
  json cfg = f.ok(Fixture::caller(2, 0x60), {{"_cons", "help.getConfig"}});
  CHECK(cfg["_cons"] == "config");
  CHECK(cfg["this_dc"] == 2);
  CHECK(cfg["test_mode"] == true);
  CHECK(cfg["date"] == 1700000000);
  CHECK(cfg["expires"] == 1700003600);
  REQUIRE(cfg["dc_options"].size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(cfg["dc_options"][i]["_cons"] == "dcOption");
    CHECK(cfg["dc_options"][i]["id"] == i + 1);
    CHECK(cfg["dc_options"][i]["ip_address"] == "127.0.0.1");
    CHECK(cfg["dc_options"][i]["port"] == 20443 + i);
  }
  json n = f.ok(Fixture::caller(3, 0x60), {{"_cons", "help.getNearestDc"}});
  CHECK(n == json{{"_cons", "nearestDc"}, {"country", "US"}, {"this_dc", 3}, {"nearest_dc", 3}});
}

TEST_CASE("world: help.getConfig lists each DC's own port when they are not consecutive", "[testdc][help]") {
  Fixture f;
  WorldOptions o = f.options({});
  o.ports = {40001, 38000, 52123};  // ephemeral ports, as the tests' servers get them
  World world(std::move(o));
  CallResult r = world.call(Fixture::caller(1, 0x60), {{"_cons", "help.getConfig"}});
  REQUIRE(r.ok);
  const json& cfg = r.result;
  REQUIRE(cfg["dc_options"].size() == 3);
  CHECK(cfg["dc_options"][0]["port"] == 40001);
  CHECK(cfg["dc_options"][1]["port"] == 38000);
  CHECK(cfg["dc_options"][2]["port"] == 52123);
}

TEST_CASE("world: help.getNearestDc answers the caller's DC", "[testdc][help]") {
  Fixture f;
  json n = f.ok(Fixture::caller(3, 0x60), {{"_cons", "help.getNearestDc"}});
  CHECK(n == json{{"_cons", "nearestDc"}, {"country", "US"}, {"this_dc", 3}, {"nearest_dc", 3}});
}
