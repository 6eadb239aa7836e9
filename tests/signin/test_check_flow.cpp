// CheckFlow (--check FILE): session restore, users.getUsers [inputUserSelf], the summary.
#include <catch2/catch.hpp>

#include "daemon_wire.h"
#include "signin/check_flow.h"

using namespace mtjson::signin;
using mtjson::signin::test::answer;
using mtjson::signin::test::parse_request;
using mtjson::signin::test::Request;
using mtjson::signin::test::rpc_error;

namespace {

CheckConfig check_config(bool with_api_id = true) {
  CheckConfig c;
  if (with_api_id) c.app.api_id = 12345;
  c.app.layer = test::schema()->layer();
  c.session = Json{{"auth_key", "QUJD"}, {"dc", 2}, {"user_id", 424242}};
  return c;
}

Json user(std::int64_t id, bool bot) {
  Json u = {{"_cons", "user"}, {"self", true}, {"id", id}, {"first_name", "Ada"}, {"last_name", "L"}};
  if (bot) {
    u["bot"] = true;
    u["username"] = "ada_bot";
    u["bot_info_version"] = 1;
  } else {
    u["phone"] = "9996621234";
  }
  return u;
}

}  // namespace

TEST_CASE("check: restore, users.getUsers [inputUserSelf], who it is", "[check]") {
  CheckFlow flow(check_config());
  Step s = flow.start();
  REQUIRE(s.kind == Step::Kind::Send);
  Request restore = parse_request(s.line);
  CHECK(restore.line.at("session") == check_config().session);

  s = flow.on_line(R"({"id":1,"session":{"auth_key":"QUJD","dc":2,"user_id":424242}})");
  REQUIRE(s.kind == Step::Kind::Send);
  Request get = parse_request(s.line);
  CHECK(get.layer == 228);
  CHECK(get.init_connection);
  CHECK(get.method.at("_cons") == "users.getUsers");
  CHECK(get.method.at("id") == Json::array({Json{{"_cons", "inputUserSelf"}}}));

  SECTION("a user") {
    s = flow.on_line(answer(2, "users.getUsers", Json::array({user(424242, false)})));
    REQUIRE(s.kind == Step::Kind::Done);
    CHECK(s.message == "Signed in as Ada L (id 424242, +9996621234).");
    CHECK(Json::parse(s.line) ==
          Json{{"user", {{"id", 424242}, {"first_name", "Ada"}, {"last_name", "L"}, {"phone", "9996621234"}, {"bot", false}}}});
  }
  SECTION("a bot") {
    s = flow.on_line(answer(2, "users.getUsers", Json::array({user(424242, true)})));
    REQUIRE(s.kind == Step::Kind::Done);
    CHECK(Json::parse(s.line).at("user").at("bot") == true);
    CHECK_THAT(s.message, Catch::Contains("bot, @ada_bot"));
  }
  SECTION("another user than the file says") {
    s = flow.on_line(answer(2, "users.getUsers", Json::array({user(1, false)})));
    REQUIRE(s.kind == Step::Kind::Fail);
    CHECK(s.exit_code == kExitInput);
  }
  SECTION("not signed in") {
    s = flow.on_line(rpc_error(2, 401, "AUTH_KEY_UNREGISTERED"));
    REQUIRE(s.kind == Step::Kind::Fail);
    CHECK(s.exit_code == kExitInput);
    CHECK_THAT(s.message, Catch::Contains("sign in again"));
  }
}

TEST_CASE("check: a refused session is exit 1; api_id asked when missing", "[check]") {
  SECTION("refused") {
    CheckFlow flow(check_config());
    flow.start();
    Step s = flow.on_line(R"({"id":1,"error":"session","msg":"session.auth_key: not 256 bytes"})");
    REQUIRE(s.kind == Step::Kind::Fail);
    CHECK(s.exit_code == kExitInput);
    CHECK_THAT(s.message, Catch::Contains("not 256 bytes"));
  }
  SECTION("api_id") {
    CheckFlow flow(check_config(false));
    Step s = flow.start();
    REQUIRE(s.kind == Step::Kind::Prompt);
    CHECK(s.prompt.field == Field::ApiId);
    s = flow.on_input("x");
    REQUIRE(s.kind == Step::Kind::Prompt);
    s = flow.on_input("99");
    REQUIRE(s.kind == Step::Kind::Send);
    s = flow.on_line(R"({"id":1,"session":{}})");
    REQUIRE(s.kind == Step::Kind::Send);
    CHECK(parse_request(s.line).line.at("message").at("query").at("api_id") == 99);
  }
}
