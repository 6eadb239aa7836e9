// The parts around the flows: options, input clean-up, error texts, the session file, and
// run_flow with a fake daemon and fake inputs.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>

#include "daemon_wire.h"
#include "signin/driver.h"
#include "signin/input_text.h"
#include "signin/options.h"
#include "signin/protocol.h"
#include "signin/session_file.h"
#include "signin/signin_flow.h"

using namespace mtjson::signin;
namespace fs = std::filesystem;
namespace crypto = mtjson::crypto;

namespace {

mtjson::Result<Options> parse(std::vector<std::string> args) { return parse_options(args); }

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "mtjson-signin-test-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() { fs::remove_all(path); }
};

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("options: defaults and every flag", "[options]") {
  auto d = parse({});
  REQUIRE(d);
  CHECK(d->host == "localhost");
  CHECK(d->port == 1543);
  CHECK(d->lang_code == "en");
  CHECK_FALSE(d->json);
  CHECK(server_value(*d, "").is_null());

  auto o = parse({"--host", "127.0.0.1", "--port=1600", "--phone", "+999 662 1234", "--password", "pw",
                  "--api-id", "17", "--api-hash", "hh", "--device-model", "dm", "--system-version", "sv",
                  "--app-version", "av", "--lang-code", "de", "--server", "10.0.0.1:443", "--rsa", "k.pem",
                  "--out", "s.json", "--json", "--test"});
  REQUIRE(o);
  CHECK(o->port == 1600);
  CHECK(o->phone == "9996621234");
  CHECK(*o->password == "pw");
  CHECK(*o->api_id == 17);
  CHECK(*o->api_hash == "hh");
  CHECK(o->device_model == "dm");
  CHECK(o->system_version == "sv");
  CHECK(o->app_version == "av");
  CHECK(o->lang_code == "de");
  CHECK(o->out_file == "s.json");
  CHECK(o->json);
  Json server = server_value(*o, "-----BEGIN RSA PUBLIC KEY-----\n...");
  CHECK(server == Json{{"host", "10.0.0.1"}, {"port", 443}, {"rsa", "-----BEGIN RSA PUBLIC KEY-----\n..."}, {"test", true}});
  CHECK(server_value(*parse({"--test"}), "") == Json{{"test", true}});
}

TEST_CASE("options: bad values name the flag", "[options]") {
  auto bad = [](std::vector<std::string> args, const std::string& fragment) {
    auto r = parse_options(args);
    INFO(r.message());
    CHECK_FALSE(r);
    CHECK_THAT(r.message(), Catch::Contains(fragment));
  };
  bad({"--port", "0"}, "--port");
  bad({"--port"}, "--port needs");
  bad({"--api-id", "abc"}, "--api-id");
  bad({"--phone", "call me"}, "--phone");
  bad({"--bot-token", "nocolon"}, "--bot-token");
  bad({"--server", "host"}, "--server");
  bad({"--server", "::1:443"}, "--server");
  bad({"--phone", "1", "--bot-token", "1:a"}, "exclude");
  bad({"--check", "f", "--out", "g"}, "--check");
  bad({"--json=yes"}, "takes no value");
  bad({"--frobnicate"}, "unknown argument");
  bad({"--server", "a:70000"}, "--server: 'a:70000' is not HOST:PORT");
  bad({"--port", "x"}, "--port: 'x' is not a port number (1..65535)");
  bad({"--api-id", "0"}, "--api-id: '0' is not an api_id from https://my.telegram.org/apps (1..2147483647)");
  auto v6 = parse({"--server", "[::1]:8443"});
  REQUIRE(v6);
  CHECK(v6->server_host == "::1");
  CHECK(v6->server_port == 8443);
}

TEST_CASE("input clean-up", "[input]") {
  CHECK(normalize_phone(" +1 (555) 123-4567 ") == "15551234567");
  CHECK(normalize_phone("12a") == "");
  CHECK(normalize_phone("1+2") == "");
  CHECK(normalize_code(" 22-222 ") == "22222");
  CHECK(normalize_code(" apple ") == "apple");
  CHECK(looks_like_bot_token("123:abc"));
  CHECK_FALSE(looks_like_bot_token("abc:123"));
  CHECK_FALSE(looks_like_bot_token("123:"));
  CHECK(strip_line_end("pass word \r\n") == "pass word ");
  CHECK(trim("\t x \n") == "x");
}

TEST_CASE("error texts", "[protocol]") {
  CHECK(flood_wait_seconds("FLOOD_WAIT_30") == 30);
  CHECK(flood_wait_seconds("FLOOD_PREMIUM_WAIT_5") == 5);
  CHECK_FALSE(flood_wait_seconds("FLOOD_WAIT_"));
  CHECK_FALSE(flood_wait_seconds("PHONE_CODE_INVALID"));
  CHECK(duration_text(45) == "45 s");
  CHECK(duration_text(125) == "2 min 5 s");
  CHECK(duration_text(7200) == "2 h");
  CHECK(describe_rpc_error("auth.sendCode", 400, "API_ID_INVALID").exit_code == kExitInput);
  CHECK(describe_rpc_error("auth.sendCode", 500, "INTERNAL").exit_code == kExitUnreachable);
  CHECK(describe_rpc_error("auth.signIn", 400, "WHATEVER").exit_code == kExitInput);
  CHECK(describe_user(Json{{"_cons", "user"}, {"id", 5}}) == "id 5");
  CHECK(parse_answer("[1]").message() == "not a JSON object");
  CHECK(parse_answer(R"({"id":"1"})").message() == "no integer \"id\"");
  auto a = parse_answer(R"({"id":3,"message":{"_cons":"rpc_error","error_code":303,"error_message":"X"}})");
  REQUIRE(a);
  CHECK(a->kind == Answer::Kind::RpcError);
  CHECK(a->error_code == 303);
  CHECK(mtjson::json_long(Json("-8571234567890123456")) == -8571234567890123456LL);
  CHECK(mtjson::json_long(Json(18446744073709551615ULL)) == -1);
}

TEST_CASE("an unhandled answer is described by its kind, for any request", "[protocol]") {
  Answer rpc;
  rpc.kind = Answer::Kind::RpcError;
  rpc.error_code = 400;
  rpc.error = "API_ID_INVALID";
  Failure f = describe_answer_failure("auth.sendCode", rpc);
  CHECK(f.exit_code == describe_rpc_error("auth.sendCode", 400, "API_ID_INVALID").exit_code);
  CHECK(f.message == describe_rpc_error("auth.sendCode", 400, "API_ID_INVALID").message);

  Answer timeout;
  timeout.kind = Answer::Kind::RpcTimeout;
  CHECK(describe_answer_failure("users.getUsers", timeout).message == describe_timeout("users.getUsers").message);
  CHECK(describe_answer_failure("users.getUsers", timeout).exit_code == kExitUnreachable);

  Answer refused;
  refused.kind = Answer::Kind::DaemonError;
  refused.error = "session";
  refused.detail = "bad auth_key";
  Failure r = describe_answer_failure("session restore", refused);
  CHECK(r.exit_code == kExitInput);
  CHECK_THAT(r.message, Catch::Contains("session: bad auth_key"));

  for (Answer::Kind kind : {Answer::Kind::Result, Answer::Kind::Session, Answer::Kind::Server, Answer::Kind::Other}) {
    Answer odd;
    odd.kind = kind;
    Failure o = describe_answer_failure("auth.signIn", odd);
    CHECK(o.exit_code == kExitUnreachable);
    CHECK(o.message == "the daemon's answer to the auth.signIn request is not what the protocol says");
  }
}

TEST_CASE("session file: atomic, mode 0600 whatever the umask, readable back", "[file]") {
  TempDir dir;
  const fs::path file = dir.path / "session.json";
  mode_t old = ::umask(0);
  {
    std::ofstream(file) << "old contents";
    fs::permissions(file, fs::perms(0644));
  }
  const std::string line = R"({"session":{"auth_key":"QUJD","dc":2,"user_id":7}})";
  auto st = mtjson::write_file_atomic(file.string(), line + "\n");
  ::umask(old);
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(mode_of(file) == 0600);
  auto text = read_text_file(file.string());
  REQUIRE(text.ok());
  CHECK(*text == line + "\n");
  int entries = 0;
  for (auto& e : fs::directory_iterator(dir.path)) {
    (void)e;
    ++entries;
  }
  CHECK(entries == 1);  // no temporary file left behind

  auto session = parse_session_text(*text);
  REQUIRE(session.ok());
  CHECK(session->at("user_id") == 7);
  CHECK(parse_session_text("\n  \n{\"auth_key\":\"QUJD\",\"dc\":1}\n").ok());

  CHECK_THAT(parse_session_text("").message(), Catch::Contains("empty"));
  CHECK_THAT(parse_session_text("nope").message(), Catch::Contains("JSON"));
  CHECK_THAT(parse_session_text(R"({"session":{"dc":1}})").message(), Catch::Contains("auth_key"));
  CHECK_THAT(parse_session_text(R"({"session":{"auth_key":"QUJD"}})").message(), Catch::Contains("dc"));

  auto missing = mtjson::write_file_atomic((dir.path / "no/such/dir/f").string(), "x");
  CHECK_FALSE(missing.ok());
  CHECK_THAT(missing.message(), Catch::Contains("no/such/dir"));
  CHECK_FALSE(read_text_file((dir.path / "absent").string()).ok());
}

namespace {

// A daemon that answers from a script: for each request line, the next canned answers.
struct FakeDaemon : LineChannel {
  std::vector<std::string> sent;
  std::deque<std::string> answers;
  bool broken = false;
  mtjson::Status send_line(std::string_view line) override {
    if (broken) return mtjson::Status::error("Broken pipe");
    sent.emplace_back(line);
    return {};
  }
  mtjson::Result<std::string> read_line() override {
    if (answers.empty()) return mtjson::Result<std::string>::error("it closed the connection");
    std::string a = answers.front();
    answers.pop_front();
    return a;
  }
};

struct FakeInput : InputSource {
  std::deque<std::string> lines;
  std::vector<Prompt> asked;
  std::optional<std::string> ask(const Prompt& p) override {
    asked.push_back(p);
    if (lines.empty()) return std::nullopt;
    std::string l = lines.front();
    lines.pop_front();
    return l;
  }
};

SigninConfig quick_config() {
  SigninConfig c;
  c.app.api_id = 1;
  c.app.api_hash = "h";
  c.app.layer = 228;
  c.phone = "9996621234";
  return c;
}

}  // namespace

TEST_CASE("run_flow: a whole sign-in through fakes; input and connection ends", "[driver]") {
  FakeDaemon daemon;
  FakeInput input;
  SECTION("signed in") {
    daemon.answers = {R"({"id":0,"message":{"_cons":"updatesTooLong"}})",
                      test::answer(1, "auth.sendCode",
                                   Json{{"_cons", "auth.sentCode"},
                                        {"type", {{"_cons", "auth.sentCodeTypeSms"}, {"length", 5}}},
                                        {"phone_code_hash", "h"}}),
                      test::answer(2, "auth.signIn",
                                   Json{{"_cons", "auth.authorization"},
                                        {"user", {{"_cons", "user"}, {"id", 5}, {"first_name", "F"}}}}),
                      R"({"id":3,"session":{"auth_key":"QUJD","dc":2}})"};
    input.lines = {"22222"};
    SigninFlow flow(quick_config());
    Step end = run_flow(flow, daemon, input, "localhost:1543");
    REQUIRE(end.kind == Step::Kind::Done);
    CHECK(Json::parse(end.line) == Json{{"session", {{"auth_key", "QUJD"}, {"dc", 2}, {"user_id", 5}}}});
    CHECK(daemon.sent.size() == 3);
    REQUIRE(input.asked.size() == 1);
    CHECK(input.asked[0].field == Field::Code);
  }
  SECTION("input ends: exit 1 naming what was missing") {
    daemon.answers = {test::answer(1, "auth.sendCode",
                                   Json{{"_cons", "auth.sentCode"},
                                        {"type", {{"_cons", "auth.sentCodeTypeSms"}, {"length", 5}}},
                                        {"phone_code_hash", "h"}})};
    SigninFlow flow(quick_config());
    Step end = run_flow(flow, daemon, input, "localhost:1543");
    REQUIRE(end.kind == Step::Kind::Fail);
    CHECK(end.exit_code == kExitInput);
    CHECK_THAT(end.message, Catch::Contains("no code given"));
  }
  SECTION("the daemon goes away: exit 2 naming it") {
    SigninFlow flow(quick_config());
    Step end = run_flow(flow, daemon, input, "localhost:1543");
    REQUIRE(end.kind == Step::Kind::Fail);
    CHECK(end.exit_code == kExitUnreachable);
    CHECK_THAT(end.message, Catch::Contains("localhost:1543") && Catch::Contains("closed"));
  }
  SECTION("a broken pipe on send: exit 2") {
    daemon.broken = true;
    SigninFlow flow(quick_config());
    Step end = run_flow(flow, daemon, input, "h:1");
    REQUIRE(end.kind == Step::Kind::Fail);
    CHECK(end.exit_code == kExitUnreachable);
    CHECK_THAT(end.message, Catch::Contains("Broken pipe"));
  }
}
