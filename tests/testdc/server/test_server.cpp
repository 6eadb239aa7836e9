// The test DC end to end: our own client (transport + handshake + session) against the server
// over loopback sockets.
#include <catch2/catch.hpp>

#include "test_client.h"

using namespace mtjson;
using namespace mtjson::testdc::server;
using namespace mtjson::testdc::server::test;

namespace {

struct Fixture {
  TestServer server;
  ClientCodec c228{load_api("scheme.tl")};

  std::unique_ptr<TestClient> connect(int dc, transport::ClientOptions options = {}) {
    auto c = std::make_unique<TestClient>(server.port(dc), dc, std::move(options));
    c->handshake(test_rsa_key().public_key());
    c->start_session();
    return c;
  }
  // sendCode + signIn (signUp when the account is new); returns the user object.
  nlohmann::json sign_in(TestClient& c, const std::string& phone, const std::string& code) {
    return sign_in_with(c, c228, phone, code);
  }
  static nlohmann::json sign_in_with(TestClient& c, ClientCodec& c228, const std::string& phone,
                                     const std::string& code) {
    Reply sent = c.call(c228.encode(R"({"_cons":"auth.sendCode","phone_number":")" + phone +
                                    R"(","api_id":12345,"api_hash":"x","settings":{"_cons":"codeSettings"}})"));
    REQUIRE(sent.ok);
    auto sc = c228.decode_result(sent.body, "auth.sendCode");
    REQUIRE(sc["_cons"] == "auth.sentCode");
    const std::string hash = sc["phone_code_hash"];
    Reply in = c.call(c228.encode(R"({"_cons":"auth.signIn","phone_number":")" + phone + R"(","phone_code_hash":")" +
                                  hash + R"(","phone_code":")" + code + R"("})"));
    REQUIRE(in.ok);
    auto auth = c228.decode_result(in.body, "auth.signIn");
    if (auth["_cons"] == "auth.authorizationSignUpRequired") {
      Reply up = c.call(c228.encode(R"({"_cons":"auth.signUp","phone_number":")" + phone + R"(","phone_code_hash":")" +
                                    hash + R"(","first_name":"Test","last_name":""})"));
      REQUIRE(up.ok);
      auth = c228.decode_result(up.body, "auth.signUp");
    }
    REQUIRE(auth["_cons"] == "auth.authorization");
    return auth["user"];
  }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "key exchange and invokeWithLayer(228, initConnection(help.getConfig))", "[testdc][server]") {
  auto c_owner = connect(2);
  TestClient& c = *c_owner;
  CHECK(c.key.id != 0);
  Reply r = c.call(c228.encode(wrap_layer(228, R"({"_cons":"help.getConfig"})")));
  REQUIRE(r.ok);
  auto config = c228.decode_result(r.body, "help.getConfig");
  CHECK(config["_cons"] == "config");
  CHECK(config["this_dc"] == 2);
  CHECK(config["dc_options"].size() >= 3);
  CHECK(server.logged("handshake done: auth_key_id"));
  CHECK(server.logged("open from 127.0.0.1"));
}

TEST_CASE_METHOD(Fixture, "sign in 9996621234 with code 22222 on DC 2", "[testdc][server]") {
  auto c_owner = connect(2);
  TestClient& c = *c_owner;
  REQUIRE(c.call(c228.encode(wrap_layer(228, R"({"_cons":"help.getConfig"})"))).ok);
  auto user = sign_in(c, "9996621234", "22222");
  CHECK(user["_cons"] == "user");
  CHECK(user["self"] == true);
  CHECK(server.logged("code for +9996621234 is 22222"));
  // The authorization sticks to the auth key: a user-only method now works.
  Reply me = c.call(c228.encode(R"({"_cons":"users.getUsers","id":[{"_cons":"inputUserSelf"}]})"));
  REQUIRE(me.ok);
  auto users = c228.decode_result(me.body, "users.getUsers");
  REQUIRE(users.size() == 1);
  CHECK(users[0]["id"] == user["id"]);
  // A wrong code is refused.
  Reply sent = c.call(c228.encode(
      R"({"_cons":"auth.sendCode","phone_number":"9996621234","api_id":1,"api_hash":"x","settings":{"_cons":"codeSettings"}})"));
  REQUIRE(sent.ok);
  const std::string hash = c228.decode_result(sent.body, "auth.sendCode")["phone_code_hash"];
  Reply bad = c.call(c228.encode(R"({"_cons":"auth.signIn","phone_number":"9996621234","phone_code_hash":")" + hash +
                                 R"(","phone_code":"11111"})"));
  CHECK_FALSE(bad.ok);
  CHECK(bad.code == 400);
  CHECK(bad.message == "PHONE_CODE_INVALID");
}

TEST_CASE_METHOD(Fixture, "a DC-2 number asked on DC 1 gets PHONE_MIGRATE_2", "[testdc][server]") {
  auto c_owner = connect(1);
  TestClient& c = *c_owner;
  Reply r = c.call(c228.encode(wrap_layer(228, R"({"_cons":"auth.sendCode","phone_number":"9996621234","api_id":1,)"
                                               R"("api_hash":"x","settings":{"_cons":"codeSettings"}})")));
  CHECK_FALSE(r.ok);
  CHECK(r.code == 303);
  CHECK(r.message == "PHONE_MIGRATE_2");
}

TEST_CASE_METHOD(Fixture, "unknown methods get 400 METHOD_INVALID, bad arguments 400 INPUT_...", "[testdc][server]") {
  auto c_owner = connect(2);
  TestClient& c = *c_owner;
  // An id no schema knows.
  Reply r = c.call(Bytes{0x78, 0x56, 0x34, 0x12});
  CHECK_FALSE(r.ok);
  CHECK(r.code == 400);
  CHECK(r.message == "METHOD_INVALID");
  // Inside the wrappers too.
  Bytes wrapped = c228.encode(wrap_layer(228, R"({"_cons":"help.getConfig"})"));
  wrapped.resize(wrapped.size() - 4);
  for (std::uint8_t b : {0x78, 0x56, 0x34, 0x12}) wrapped.push_back(b);
  r = c.call(wrapped);
  CHECK(r.message == "METHOD_INVALID");
  // A schema method the world does not implement.
  r = c.call(c228.encode(R"({"_cons":"help.getPromoData"})"));
  CHECK(r.code == 400);
  CHECK(r.message == "METHOD_INVALID");
  // A constructor (not a method).
  r = c.call(c228.encode_boxed(R"({"_cons":"inputPeerSelf"})"));
  CHECK(r.message == "METHOD_INVALID");
  // Truncated arguments.
  Bytes send_code = c228.encode(
      R"({"_cons":"auth.sendCode","phone_number":"9996621234","api_id":1,"api_hash":"x","settings":{"_cons":"codeSettings"}})");
  send_code.resize(8);
  r = c.call(send_code);
  CHECK(r.code == 400);
  CHECK(r.message == "INPUT_FETCH_ERROR");
  // An unknown constructor inside the arguments.
  Bytes users = c228.encode(R"({"_cons":"users.getUsers","id":[{"_cons":"inputUserSelf"}]})");
  users[12] ^= 0x5a;  // the element's constructor id
  r = c.call(users);
  CHECK(r.code == 400);
  CHECK(r.message == "INPUT_CONSTRUCTOR_INVALID");
  // The session stays usable.
  CHECK(c.call(c228.encode(R"({"_cons":"help.getConfig"})")).ok);
}

TEST_CASE_METHOD(Fixture, "a layer-144 session is answered in layer 144", "[testdc][server]") {
  ClientCodec c144{load_api("tl/api-144.tl")};
  REQUIRE(c144.schema->layer() == 144);
  auto c_owner = connect(2);
  TestClient& c = *c_owner;
  Reply r = c.call(c144.encode(wrap_layer(144, R"({"_cons":"help.getConfig"})")));
  REQUIRE(r.ok);
  auto config = c144.decode_result(r.body, "help.getConfig");
  CHECK(config["_cons"] == "config");
  CHECK(config["this_dc"] == 2);
  // The answer uses layer 144's constructor id for config, not layer 228's.
  const std::uint32_t id = std::uint32_t(r.body[0]) | std::uint32_t(r.body[1]) << 8 | std::uint32_t(r.body[2]) << 16 |
                           std::uint32_t(r.body[3]) << 24;
  CHECK(id == c144.schema->by_name("config")->id);
  // Later queries without the wrapper keep the session's layer, and sign-in works in 144.
  auto user = sign_in_with(c, c144, "9996621234", "22222");
  CHECK(user["_cons"] == "user");
  // A layer between loaded ones is answered in the closest (150 -> 144).
  auto c2_owner = connect(2);
  TestClient& c2 = *c2_owner;
  r = c2.call(c144.encode(wrap_layer(150, R"({"_cons":"help.getConfig"})")));
  REQUIRE(r.ok);
  CHECK(c144.decode_result(r.body, "help.getConfig")["_cons"] == "config");
}
