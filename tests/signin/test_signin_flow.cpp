// SigninFlow against canned daemon answers in the daemon's own JSON shape (daemon_wire.h):
// every path of "User Authorization"'s sign-in the tool supports, 2FA with a real SRP check on the
// server side (crypto/srp.h), and the failures that must end with the right exit code.
#include <catch2/catch.hpp>

#include "base/base64.h"
#include "crypto/dh.h"
#include "crypto/random.h"
#include "crypto/srp.h"
#include "daemon_wire.h"
#include "signin/signin_flow.h"

using namespace mtjson::signin;
using mtjson::signin::test::answer;
using mtjson::signin::test::parse_request;
using mtjson::signin::test::Request;
using mtjson::signin::test::rpc_error;
namespace crypto = mtjson::crypto;

namespace {

const char* kPhone = "9996621234";

SigninConfig signin_config() {
  SigninConfig c;
  c.app.api_id = 12345;
  c.app.api_hash = "0123456789abcdef0123456789abcdef";
  c.app.device_model = "test device";
  c.app.system_version = "test os";
  c.app.app_version = "0.1.0";
  c.app.lang_code = "en";
  c.app.layer = test::schema()->layer();
  c.phone = kPhone;
  return c;
}

Json test_user(std::int64_t id, const std::string& first, bool bot = false) {
  Json u = {{"_cons", "user"}, {"self", true}, {"id", id}, {"access_hash", 555}, {"first_name", first}};
  if (bot) u["bot"] = true;
  else u["phone"] = kPhone;
  if (bot) u["bot_info_version"] = 1;
  return u;
}

Json authorization(const Json& user) { return {{"_cons", "auth.authorization"}, {"user", user}}; }

Json sent_code(const std::string& type = "auth.sentCodeTypeSms") {
  return {{"_cons", "auth.sentCode"}, {"type", {{"_cons", type}, {"length", 5}}}, {"phone_code_hash", "c0ffee"}};
}

std::string session_answer(std::int64_t id, bool with_user_id = false) {
  Json s = {{"auth_key", std::string(344, 'A')}, {"dc", 2}, {"test", false},
            {"server", {{"host", "127.0.0.1"}, {"port", 4431}}}};
  if (with_user_id) s["user_id"] = 999;
  return Json{{"id", id}, {"session", s}}.dump();
}

std::string b64(std::span<const std::uint8_t> d) { return mtjson::base64_encode(d); }

std::vector<std::uint8_t> unb64(const Json& v) {
  auto decoded = mtjson::base64_decode(v.get<std::string>());
  REQUIRE(decoded.ok());
  return std::move(decoded).value();
}

// The test DC's side of 2FA ("Two-factor authentication"): an algo with the known prime, v for a password, a
// fresh challenge per account.getPassword.
struct PasswordServer {
  crypto::SrpAlgo algo;
  std::vector<std::uint8_t> v;
  crypto::SrpServerChallenge challenge;
  std::int64_t srp_id = 0;

  explicit PasswordServer(const std::string& password) {
    algo.salt1.assign(40, 0x11);
    algo.salt2.assign(16, 0x22);
    algo.g = 3;
    const auto& p = crypto::known_dh_prime();
    algo.p.assign(p.begin(), p.end());
    auto verifier = crypto::srp_verifier(algo, password);
    REQUIRE(verifier.ok());
    v.assign(verifier->begin(), verifier->end());
  }

  Json algo_json() const {
    return {{"_cons", "passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow"},
            {"salt1", b64(algo.salt1)}, {"salt2", b64(algo.salt2)}, {"g", algo.g}, {"p", b64(algo.p)}};
  }

  Json account_password(const std::string& hint = "") {
    auto c = crypto::srp_server_challenge(algo, v);
    REQUIRE(c.ok());
    challenge = *c;
    srp_id = srp_id == 0 ? 0x7000000000000001LL : srp_id + 1;  // a new srp_id per challenge
    Json out = {{"_cons", "account.password"}, {"has_password", true}, {"current_algo", algo_json()},
                {"srp_B", b64(challenge.B)}, {"srp_id", srp_id}};
    if (!hint.empty()) out["hint"] = hint;
    out["new_algo"] = algo_json();
    out["new_secure_algo"] = {{"_cons", "securePasswordKdfAlgoSHA512"}, {"salt", b64(std::vector<std::uint8_t>(8, 3))}};
    out["secure_random"] = b64(std::vector<std::uint8_t>(32, 4));
    return out;
  }

  // Whether auth.checkPassword's inputCheckPasswordSRP proves the password.
  bool accepts(const Json& check) {
    REQUIRE(check.at("_cons") == "inputCheckPasswordSRP");
    REQUIRE(check.at("srp_id").get<std::int64_t>() == srp_id);
    return crypto::srp_server_verify(algo, v, challenge, unb64(check.at("A")), unb64(check.at("M1"))).ok();
  }
};

struct Harness {
  crypto::SecureRandom random;
  SigninFlow flow;
  Step step;

  explicit Harness(SigninConfig c) : flow(std::move(c), random) { step = flow.start(); }

  Request sent(const std::string& method) {
    INFO("expected a request " << method << ", got step kind " << int(step.kind) << ": " << step.message);
    REQUIRE(step.kind == Step::Kind::Send);
    Request r = parse_request(step.line);
    if (method == "session" || method == "server") {
      CHECK(r.line.contains(method));
    } else {
      CHECK(r.method.value("_cons", "") == method);
      CHECK(r.layer == test::schema()->layer());
      CHECK(r.init_connection);
    }
    return r;
  }
  Prompt prompt(Field field) {
    INFO("expected a prompt for " << field_name(field) << ", got step kind " << int(step.kind) << ": " << step.message);
    REQUIRE(step.kind == Step::Kind::Prompt);
    CHECK(step.prompt.field == field);
    return step.prompt;
  }
  void reply(const std::string& line) { step = flow.on_line(line); }
  void type(const std::string& text) { step = flow.on_input(text); }
  Json done() {
    INFO("step: " << int(step.kind) << " " << step.message);
    REQUIRE(step.kind == Step::Kind::Done);
    CHECK(flow.finished());
    Json out = Json::parse(step.line);
    REQUIRE(out.contains("session"));
    return out.at("session");
  }
  void failed(int exit_code, const std::string& fragment) {
    INFO("step: " << int(step.kind) << " " << step.message);
    REQUIRE(step.kind == Step::Kind::Fail);
    CHECK(step.exit_code == exit_code);
    CHECK_THAT(step.message, Catch::Contains(fragment));
    CHECK(step.message.find('\n') == std::string::npos);
    CHECK(flow.finished());
  }
};

}  // namespace

TEST_CASE("existing user: sendCode wrapped in the schema's layer, code, signIn, session", "[signin]") {
  Harness h(signin_config());
  REQUIRE(test::schema()->layer() == 228);
  Request send_code = h.sent("auth.sendCode");
  CHECK(send_code.id == 1);
  CHECK(send_code.method.at("phone_number") == kPhone);
  CHECK(send_code.method.at("api_id") == 12345);
  CHECK(send_code.line.at("message").at("query").at("device_model") == "test device");
  CHECK(send_code.line.at("message").at("query").at("system_lang_code") == "en");

  h.reply(answer(1, "auth.sendCode", sent_code("auth.sentCodeTypeApp")));
  Prompt code = h.prompt(Field::Code);
  CHECK_FALSE(code.secret);
  CHECK_THAT(code.notice, Catch::Contains("Telegram app") && Catch::Contains("5 characters"));

  h.type(" 22 222\n");
  Request sign_in = h.sent("auth.signIn");
  CHECK(sign_in.id == 2);
  CHECK(sign_in.method.at("phone_code") == "22222");
  CHECK(sign_in.method.at("phone_code_hash") == "c0ffee");
  CHECK(sign_in.method.at("phone_number") == kPhone);

  h.reply(answer(2, "auth.signIn", authorization(test_user(424242, "Ada"))));
  Request session = h.sent("session");
  CHECK(session.line.at("session") == Json::object());
  h.reply(session_answer(session.id));
  Json s = h.done();
  CHECK(s.at("user_id") == 424242);       // added from the authorization
  CHECK(s.at("dc") == 2);                  // the daemon's object, kept
  CHECK(s.at("auth_key").get<std::string>().size() == 344);
  CHECK(h.step.message == "Signed in as Ada (id 424242, +9996621234).");
  CHECK(h.flow.user().at("id") == 424242);
}

TEST_CASE("the daemon's own user_id is kept", "[signin]") {
  Harness h(signin_config());
  h.reply(answer(1, "auth.sendCode", sent_code()));
  h.type("22222");
  h.reply(answer(2, "auth.signIn", authorization(test_user(424242, "Ada"))));
  h.reply(session_answer(3, true));
  CHECK(h.done().at("user_id") == 999);
}

TEST_CASE("new user: authorizationSignUpRequired asks for names, then auth.signUp", "[signin]") {
  Harness h(signin_config());
  h.reply(answer(1, "auth.sendCode", sent_code()));
  h.type("22222");
  h.reply(answer(2, "auth.signIn", Json{{"_cons", "auth.authorizationSignUpRequired"}}));
  Prompt first = h.prompt(Field::FirstName);
  CHECK_THAT(first.notice, Catch::Contains("new one"));
  h.type("   ");  // empty: asked again, no request
  h.prompt(Field::FirstName);
  h.type("Grace\n");
  h.prompt(Field::LastName);
  h.type("\n");  // may be empty
  Request up = h.sent("auth.signUp");
  CHECK(up.method.at("first_name") == "Grace");
  CHECK(up.method.at("last_name") == "");
  CHECK(up.method.at("phone_code_hash") == "c0ffee");
  h.reply(answer(up.id, "auth.signUp", authorization(test_user(5001, "Grace"))));
  h.sent("session");
  h.reply(session_answer(up.id + 1));
  CHECK(h.done().at("user_id") == 5001);
}

TEST_CASE("wrong code: asked again, three tries in all", "[signin]") {
  Harness h(signin_config());
  h.reply(answer(1, "auth.sendCode", sent_code()));
  h.type("11111");
  h.sent("auth.signIn");
  h.reply(rpc_error(2, 400, "PHONE_CODE_INVALID"));
  Prompt again = h.prompt(Field::Code);
  CHECK_THAT(again.notice, Catch::Contains("Wrong code") && Catch::Contains("2 tries left"));

  SECTION("then the right one") {
    h.type("22222");
    Request r = h.sent("auth.signIn");
    CHECK(r.id == 3);
    h.reply(answer(3, "auth.signIn", authorization(test_user(7, "Bob"))));
    h.reply(session_answer(4));
    CHECK(h.done().at("user_id") == 7);
  }
  SECTION("three wrong codes fail with exit 1") {
    h.type("11112");
    h.reply(rpc_error(3, 400, "PHONE_CODE_INVALID"));
    CHECK_THAT(h.prompt(Field::Code).notice, Catch::Contains("1 try left"));
    h.type("11113");
    h.reply(rpc_error(4, 400, "PHONE_CODE_INVALID"));
    h.failed(kExitInput, "3 times");
  }
}

TEST_CASE("2FA: SESSION_PASSWORD_NEEDED, getPassword, SRP proof the server accepts", "[signin][srp]") {
  PasswordServer server("correct horse");
  Harness h(signin_config());
  h.reply(answer(1, "auth.sendCode", sent_code()));
  h.type("22222");
  h.reply(rpc_error(2, 401, "SESSION_PASSWORD_NEEDED"));
  Request get = h.sent("account.getPassword");
  h.reply(answer(get.id, "account.getPassword", server.account_password("horse")));
  Prompt p = h.prompt(Field::Password);
  CHECK(p.secret);
  CHECK_THAT(p.text, Catch::Contains("hint: horse"));

  SECTION("right password") {
    h.type("correct horse\n");
    Request check = h.sent("auth.checkPassword");
    CHECK(server.accepts(check.method.at("password")));
    h.reply(answer(check.id, "auth.checkPassword", authorization(test_user(31, "Eve"))));
    h.reply(session_answer(check.id + 1));
    CHECK(h.done().at("user_id") == 31);
  }
  SECTION("wrong password: a fresh challenge and the prompt again; third failure is exit 1") {
    for (int attempt = 1; attempt <= 3; ++attempt) {
      h.type("wrong " + std::to_string(attempt));
      Request check = h.sent("auth.checkPassword");
      CHECK_FALSE(server.accepts(check.method.at("password")));
      h.reply(rpc_error(check.id, 400, "PASSWORD_HASH_INVALID"));
      if (attempt == 3) break;
      Request again = h.sent("account.getPassword");  // the srp_id is spent
      h.reply(answer(again.id, "account.getPassword", server.account_password()));
      CHECK_THAT(h.prompt(Field::Password).notice, Catch::Contains("Wrong password"));
    }
    h.failed(kExitInput, "wrong 2FA password 3 times");
  }
  SECTION("wrong, then right") {
    h.type("wrong");
    Request check = h.sent("auth.checkPassword");
    h.reply(rpc_error(check.id, 400, "PASSWORD_HASH_INVALID"));
    Request again = h.sent("account.getPassword");
    h.reply(answer(again.id, "account.getPassword", server.account_password()));
    CHECK_THAT(h.prompt(Field::Password).notice, Catch::Contains("2 tries left"));
    h.type("correct horse");
    Request check2 = h.sent("auth.checkPassword");
    CHECK(server.accepts(check2.method.at("password")));
    h.reply(answer(check2.id, "auth.checkPassword", authorization(test_user(31, "Eve"))));
    h.reply(session_answer(check2.id + 1));
    CHECK(h.done().at("user_id") == 31);
  }
  SECTION("an expired challenge (SRP_ID_INVALID) is fetched again without asking") {
    h.type("correct horse");
    Request check = h.sent("auth.checkPassword");
    h.reply(rpc_error(check.id, 400, "SRP_ID_INVALID"));
    Request again = h.sent("account.getPassword");
    h.reply(answer(again.id, "account.getPassword", server.account_password()));
    Request check2 = h.sent("auth.checkPassword");
    CHECK(server.accepts(check2.method.at("password")));
  }
}

TEST_CASE("2FA with --password: used without a prompt; a wrong one fails at once", "[signin][srp]") {
  PasswordServer server("flag pass");
  SigninConfig c = signin_config();
  SECTION("right") {
    c.password = "flag pass";
    Harness h(c);
    h.reply(answer(1, "auth.sendCode", sent_code()));
    h.type("22222");
    h.reply(rpc_error(2, 401, "SESSION_PASSWORD_NEEDED"));
    h.reply(answer(3, "account.getPassword", server.account_password()));
    Request check = h.sent("auth.checkPassword");
    CHECK(server.accepts(check.method.at("password")));
  }
  SECTION("wrong") {
    c.password = "not it";
    Harness h(c);
    h.reply(answer(1, "auth.sendCode", sent_code()));
    h.type("22222");
    h.reply(rpc_error(2, 401, "SESSION_PASSWORD_NEEDED"));
    h.reply(answer(3, "account.getPassword", server.account_password()));
    Request check = h.sent("auth.checkPassword");
    CHECK_FALSE(server.accepts(check.method.at("password")));
    h.reply(rpc_error(check.id, 400, "PASSWORD_HASH_INVALID"));
    h.failed(kExitInput, "--password");
  }
}

TEST_CASE("2FA: an unknown KDF algo or a bad prime is refused", "[signin][srp]") {
  PasswordServer server("x");
  Harness h(signin_config());
  h.reply(answer(1, "auth.sendCode", sent_code()));
  h.type("22222");
  h.reply(rpc_error(2, 401, "SESSION_PASSWORD_NEEDED"));
  SECTION("unknown algo") {
    Json info = server.account_password();
    info["current_algo"] = Json{{"_cons", "passwordKdfAlgoUnknown"}};
    h.reply(answer(3, "account.getPassword", info));
    h.failed(kExitInput, "passwordKdfAlgoUnknown");
  }
  SECTION("a p that is not a safe prime: the password is never sent") {
    Json info = server.account_password();
    std::vector<std::uint8_t> p(256, 0xff);
    info["current_algo"]["p"] = b64(p);
    h.reply(answer(3, "account.getPassword", info));
    REQUIRE(h.step.kind == Step::Kind::Prompt);
    h.type("x");
    h.failed(kExitUnreachable, "security checks");
  }
}

TEST_CASE("bot token: auth.importBotAuthorization, flags 0, no code", "[signin]") {
  SigninConfig c = signin_config();
  c.phone.clear();
  c.bot_token = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
  Harness h(c);
  Request r = h.sent("auth.importBotAuthorization");
  CHECK(r.method.at("flags") == 0);
  CHECK(r.method.at("bot_auth_token") == c.bot_token);
  CHECK(r.method.at("api_hash") == *c.app.api_hash);
  h.reply(answer(r.id, "auth.importBotAuthorization", authorization(test_user(123456, "Test bot", true))));
  h.reply(session_answer(r.id + 1));
  CHECK(h.done().at("user_id") == 123456);
  CHECK_THAT(h.step.message, Catch::Contains("bot"));

  SECTION("an invalid token is exit 1") {
    Harness bad(c);
    bad.reply(rpc_error(1, 400, "ACCESS_TOKEN_INVALID"));
    bad.failed(kExitInput, "@BotFather");
  }
}

TEST_CASE("missing inputs are asked in order: phone (or a bot token), api_id, api_hash", "[signin]") {
  SigninConfig c = signin_config();
  c.phone.clear();
  c.app.api_id.reset();
  c.app.api_hash.reset();
  SECTION("phone") {
    Harness h(c);
    h.prompt(Field::Phone);
    h.type("hello");
    CHECK_THAT(h.prompt(Field::Phone).notice, Catch::Contains("digits"));
    h.type("+999 662-1234");
    h.prompt(Field::ApiId);
    h.type("-5");
    CHECK_THAT(h.prompt(Field::ApiId).notice, Catch::Contains("positive"));
    h.type("777");
    h.prompt(Field::ApiHash);
    h.type("abc\n");
    Request r = h.sent("auth.sendCode");
    CHECK(r.method.at("phone_number") == kPhone);
    CHECK(r.method.at("api_id") == 777);
    CHECK(r.method.at("api_hash") == "abc");
    CHECK(r.line.at("message").at("query").at("api_id") == 777);  // initConnection too
  }
  SECTION("a bot token typed at the phone prompt") {
    Harness h(c);
    h.prompt(Field::Phone);
    h.type("42:secret_token");
    h.type("1");
    h.type("h");
    Request r = h.sent("auth.importBotAuthorization");
    CHECK(r.method.at("bot_auth_token") == "42:secret_token");
  }
  SECTION("PHONE_NUMBER_INVALID for a typed number asks again") {
    Harness h(c);
    h.type("12345");
    h.type("1");
    h.type("h");
    h.sent("auth.sendCode");
    h.reply(rpc_error(1, 400, "PHONE_NUMBER_INVALID"));
    CHECK_THAT(h.prompt(Field::Phone).notice, Catch::Contains("PHONE_NUMBER_INVALID"));
    h.type(kPhone);
    Request r = h.sent("auth.sendCode");  // api_id/api_hash are kept
    CHECK(r.method.at("phone_number") == kPhone);
  }
}

TEST_CASE("PHONE_NUMBER_INVALID for --phone is exit 1 at once", "[signin]") {
  Harness h(signin_config());
  h.reply(rpc_error(1, 400, "PHONE_NUMBER_INVALID"));
  h.failed(kExitInput, "international format");
}

TEST_CASE("FLOOD_WAIT_X: a clear message with the wait, exit 2", "[signin]") {
  Harness h(signin_config());
  h.reply(rpc_error(1, 420, "FLOOD_WAIT_3725"));
  h.failed(kExitUnreachable, "wait 1 h 2 min");
  CHECK_THAT(h.step.message, Catch::Contains("FLOOD_WAIT_3725") && Catch::Contains("run mtjson-signin again"));
}

TEST_CASE("a PHONE_MIGRATE that reaches the tool is the daemon's failure, exit 2", "[signin]") {
  Harness h(signin_config());
  h.reply(rpc_error(1, 303, "PHONE_MIGRATE_1"));
  h.failed(kExitUnreachable, "PHONE_MIGRATE_1");
}

TEST_CASE("rpc_timeout and daemon errors", "[signin]") {
  Harness h(signin_config());
  SECTION("rpc_timeout is exit 2") {
    h.reply(R"({"id":1,"message":{"_cons":"rpc_timeout"}})");
    h.failed(kExitUnreachable, "no answer from Telegram to auth.sendCode");
  }
  SECTION("a tl error from the daemon is exit 2") {
    h.reply(R"({"id":1,"error":"tl","msg":"message.query: unknown constructor"})");
    h.failed(kExitUnreachable, "same version");
  }
  SECTION("a line that is not JSON is exit 2") {
    h.reply("HTTP/1.1 400 Bad Request");
    h.failed(kExitUnreachable, "not a protocol answer");
  }
  SECTION("a PHONE_CODE_EXPIRED is exit 1, told to run again") {
    h.reply(answer(1, "auth.sendCode", sent_code()));
    h.type("22222");
    h.reply(rpc_error(2, 400, "PHONE_CODE_EXPIRED"));
    h.failed(kExitInput, "run mtjson-signin again");
  }
}

TEST_CASE("updates and other ids are ignored while waiting", "[signin]") {
  Harness h(signin_config());
  h.reply(R"({"id":0,"message":{"_cons":"updatesTooLong"}})");
  CHECK(h.step.kind == Step::Kind::Wait);
  h.reply(rpc_error(77, 400, "SOMETHING_ELSE"));
  CHECK(h.step.kind == Step::Kind::Wait);
  h.reply(answer(1, "auth.sendCode", sent_code()));
  h.prompt(Field::Code);
}

TEST_CASE("server settings go first: --test, --server/--rsa", "[signin]") {
  SigninConfig c = signin_config();
  SECTION("test DCs") {
    c.server = Json{{"test", true}};
    Harness h(c);
    Request r = h.sent("server");
    CHECK(r.line.at("server") == Json{{"test", true}});
    h.reply(R"({"id":1,"server":{"test":true,"dc":2}})");
    Request send_code = h.sent("auth.sendCode");
    CHECK(send_code.id == 2);
  }
  SECTION("refused settings are exit 1") {
    c.server = Json{{"host", "127.0.0.1"}, {"port", 4430}, {"rsa", "not a key"}};
    Harness h(c);
    CHECK(h.sent("server").line.at("server").at("rsa") == "not a key");
    h.reply(R"({"id":1,"error":"server","msg":"server.rsa: not a PEM public key"})");
    h.failed(kExitInput, "--rsa");
  }
}

TEST_CASE("auth.sentCode variants", "[signin]") {
  SECTION("sentCodeSuccess signs in without a code") {
    Harness h(signin_config());
    h.reply(answer(1, "auth.sendCode",
                   Json{{"_cons", "auth.sentCodeSuccess"}, {"authorization", authorization(test_user(8, "Zed"))}}));
    Request r = h.sent("session");
    h.reply(session_answer(r.id));
    CHECK(h.done().at("user_id") == 8);
  }
  SECTION("an email set-up requirement is exit 1") {
    Harness h(signin_config());
    h.reply(answer(1, "auth.sendCode",
                   Json{{"_cons", "auth.sentCode"},
                        {"type", {{"_cons", "auth.sentCodeTypeSetUpEmailRequired"}}},
                        {"phone_code_hash", "x"}}));
    h.failed(kExitInput, "official app");
  }
  SECTION("a missed call names the prefix") {
    Harness h(signin_config());
    h.reply(answer(1, "auth.sendCode",
                   Json{{"_cons", "auth.sentCode"},
                        {"type", {{"_cons", "auth.sentCodeTypeMissedCall"}, {"prefix", "+4930"}, {"length", 4}}},
                        {"phone_code_hash", "x"}}));
    CHECK_THAT(h.prompt(Field::Code).notice, Catch::Contains("+4930"));
  }
}

TEST_CASE("a session answer without an auth_key is exit 2", "[signin]") {
  Harness h(signin_config());
  h.reply(answer(1, "auth.sendCode", sent_code()));
  h.type("22222");
  h.reply(answer(2, "auth.signIn", authorization(test_user(1, "A"))));
  h.reply(R"({"id":3,"session":{"dc":2}})");
  h.failed(kExitUnreachable, "auth_key");
}
