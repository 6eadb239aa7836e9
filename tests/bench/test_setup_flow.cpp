// The setup state machine fed with the answers the test DC gives ("User Authorization", "Sign in/sign up").
#include <catch2/catch.hpp>

#include "bench/setup_flow.h"

using namespace mtjson::bench;
using nlohmann::json;
using Kind = SetupFlow::Step::Kind;

namespace {

json answer(const json& message) { return {{"id", 1}, {"message", message}}; }
json rpc_error(int code, const std::string& m) {
  return answer({{"_cons", "rpc_error"}, {"error_code", code}, {"error_message", m}});
}
json body(const SetupFlow::Step& s) {
  REQUIRE(s.kind == Kind::send_message);
  return json::parse(s.body);
}
json sent_code() { return answer({{"_cons", "auth.sentCode"}, {"phone_code_hash", "abc123"}}); }
json authorization(std::int64_t uid) {
  return answer({{"_cons", "auth.authorization"}, {"user", {{"_cons", "user"}, {"id", uid}}}});
}
json resolved_echo() {
  return answer({{"_cons", "contacts.resolvedPeer"},
                 {"peer", {{"_cons", "peerUser"}, {"user_id", 42}}},
                 {"chats", json::array()},
                 {"users", {{{"_cons", "user"}, {"id", 7}, {"access_hash", 1}},
                            {{"_cons", "user"}, {"id", 42}, {"access_hash", -99887766554433LL}}}}});
}

}  // namespace

TEST_CASE("no sign-in: one initConnection(help.getConfig) wrapped in invokeWithLayer") {
  Options o;
  SetupFlow f(o, 0);
  json m = body(f.start());
  CHECK(m["_cons"] == "invokeWithLayer");
  CHECK(m["layer"] == 228);
  CHECK(m["query"]["_cons"] == "initConnection");
  CHECK(m["query"]["api_id"] == 1);
  CHECK(m["query"]["query"]["_cons"] == "help.getConfig");
  CHECK(f.on_answer(answer({{"_cons", "config"}})).kind == Kind::done);
}

TEST_CASE("--no-init without sign-in: nothing to do") {
  Options o;
  o.init = false;
  SetupFlow f(o, 0);
  CHECK(f.start().kind == Kind::done);
  Options s;
  s.method = Method::server;
  CHECK(SetupFlow(s, 0).start().kind == Kind::done);
}

TEST_CASE("new account: sendCode, signIn, signUp, resolveUsername echo") {
  Options o;
  o.method = Method::send_message;
  o.signin = "9996620000";
  SetupFlow f(o, 3);  // client 3 uses 9996620003

  json m = body(f.start());
  REQUIRE(m["_cons"] == "invokeWithLayer");
  json q = m["query"]["query"];
  CHECK(q["_cons"] == "auth.sendCode");
  CHECK(q["phone_number"] == "9996620003");
  CHECK(q["settings"]["_cons"] == "codeSettings");

  m = body(f.on_answer(sent_code()));
  CHECK(m["_cons"] == "auth.signIn");
  CHECK(m["phone_number"] == "9996620003");
  CHECK(m["phone_code_hash"] == "abc123");
  CHECK(m["phone_code"] == "22222");  // DC 2

  m = body(f.on_answer(answer({{"_cons", "auth.authorizationSignUpRequired"}})));
  CHECK(m["_cons"] == "auth.signUp");
  CHECK(m["phone_code_hash"] == "abc123");
  CHECK(m["first_name"] == "Bench");

  m = body(f.on_answer(authorization(1000001)));
  CHECK(m["_cons"] == "contacts.resolveUsername");
  CHECK(m["username"] == "echo");
  CHECK(f.user_id() == 1000001);

  CHECK(f.on_answer(resolved_echo()).kind == Kind::done);
  CHECK(f.peer().user_id == 42);
  CHECK(f.peer().access_hash == -99887766554433LL);
}

TEST_CASE("existing account, getConfig: sendCode, signIn, done; longs as strings are accepted") {
  Options o;
  o.signin = "9996631234";
  o.init = false;
  SetupFlow f(o, 0);
  json m = body(f.start());
  CHECK(m["_cons"] == "auth.sendCode");  // not wrapped with --no-init
  m = body(f.on_answer(sent_code()));
  CHECK(m["phone_code"] == "33333");
  auto done = f.on_answer(answer({{"_cons", "auth.authorization"}, {"user", {{"_cons", "user"}, {"id", "12345"}}}}));
  CHECK(done.kind == Kind::done);
  CHECK(f.user_id() == 12345);
}

TEST_CASE("PHONE_MIGRATE_X moves the client, then starts over") {
  Options o;
  o.signin = "9996631234";
  SetupFlow f(o, 0);
  f.start();
  auto s = f.on_answer(rpc_error(303, "PHONE_MIGRATE_3"));
  REQUIRE(s.kind == Kind::send_server);
  CHECK(json::parse(s.body) == json{{"dc", 3}});
  json m = body(f.on_answer({{"id", 2}, {"server", {{"dc", 3}}}}));
  CHECK(m["query"]["query"]["_cons"] == "auth.sendCode");  // wrapped again: a new connection to DC 3
  // A DC that keeps sending us away gives up.
  for (int i = 0; i < 2; ++i) {  // migrations 2 and 3
    REQUIRE(f.on_answer(rpc_error(303, "PHONE_MIGRATE_3")).kind == Kind::send_server);
    f.on_answer({{"id", 2}, {"server", {{"dc", 3}}}});
  }
  auto last = f.on_answer(rpc_error(303, "PHONE_MIGRATE_3"));
  CHECK(last.kind == Kind::failed);
  CHECK(last.error.find("too many migrations") != std::string::npos);
}

TEST_CASE("failures say which step and why") {
  Options o;
  o.signin = "9996621234";
  o.method = Method::send_message;
  {
    SetupFlow f(o, 0);
    f.start();
    auto s = f.on_answer(rpc_error(400, "PHONE_NUMBER_INVALID"));
    CHECK(s.kind == Kind::failed);
    CHECK(s.error == "auth.sendCode +9996621234: rpc_error 400 PHONE_NUMBER_INVALID");
  }
  {
    SetupFlow f(o, 0);
    f.start();
    f.on_answer(sent_code());
    auto s = f.on_answer(rpc_error(401, "SESSION_PASSWORD_NEEDED"));
    CHECK(s.kind == Kind::failed);
    CHECK(s.error.find("2FA") != std::string::npos);
  }
  {
    SetupFlow f(o, 0);
    f.start();
    auto s = f.on_answer({{"id", 1}, {"error", "tl"}, {"msg", "message.query: unknown constructor"}});
    CHECK(s.kind == Kind::failed);
    CHECK(s.error.find("error line \"tl\"") != std::string::npos);
  }
  {
    SetupFlow f(o, 0);
    f.start();
    f.on_answer(sent_code());
    f.on_answer(authorization(5));
    // Wrong types from a broken daemon: a failure, not an exception.
    auto s = f.on_answer(answer({{"_cons", "contacts.resolvedPeer"}, {"peer", {{"_cons", "peerUser"}, {"user_id", 42}}},
                                 {"users", {{{"_cons", "user"}, {"id", 42}}}}}));
    CHECK(s.kind == Kind::failed);
    CHECK(s.error.find("without access_hash") != std::string::npos);
  }
  {
    SetupFlow f(o, 0);
    f.start();
    auto s = f.on_answer(answer({{"_cons", "rpc_error"}, {"error_code", "x"}}));
    CHECK(s.kind == Kind::failed);
    CHECK_FALSE(s.error.empty());
  }
  {
    SetupFlow f(o, 0);
    f.start();
    CHECK(f.on_answer(json::parse("[1]", nullptr, false)).kind == Kind::failed);
  }
}
