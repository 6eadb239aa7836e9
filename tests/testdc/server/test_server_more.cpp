// The test DC end to end, continued: -404, invokeAfterMsg, updates, persistence, transports,
// the binary's --print-public-key.
// GCC 12 warns (falsely) that the disengaged std::optional<ProxySecret> inside a copied
// ClientOptions may be used uninitialized in sanitizer builds.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>

#include "crypto/rsa.h"
#include "mtproto/session/packet_crypto.h"
#include "testdc/server/file_util.h"
#include "testdc/server/rsa_key_file.h"
#include "test_client.h"

using namespace mtjson;
using namespace mtjson::testdc::server;
using namespace mtjson::testdc::server::test;

namespace {

std::string temp_dir(const std::string& tag) {
  std::string t = (std::filesystem::temp_directory_path() / ("mtjson-testdc-" + tag + "-XXXXXX")).string();
  if (!::mkdtemp(t.data())) throw std::runtime_error("mkdtemp");
  return t;
}

std::string query_after(std::uint64_t msg_id, const std::string& inner) {
  return R"({"_cons":"invokeAfterMsg","msg_id":)" + std::to_string(msg_id) + R"(,"query":)" + inner + "}";
}

const char* kSendCode =
    R"({"_cons":"auth.sendCode","phone_number":"9996621234","api_id":1,"api_hash":"x","settings":{"_cons":"codeSettings"}})";

nlohmann::json sign_in(TestClient& c, ClientCodec& codec, const std::string& phone = "9996621234") {
  std::string send_code = kSendCode;
  send_code.replace(send_code.find("9996621234"), 10, phone);
  Reply sent = c.call(codec.encode(send_code));
  INFO(sent.message);
  REQUIRE(sent.ok);
  const std::string hash = codec.decode_result(sent.body, "auth.sendCode")["phone_code_hash"];
  const std::string in_text = R"({"_cons":"auth.signIn","phone_number":")" + phone + R"(","phone_code_hash":")" + hash +
                              R"(","phone_code":"22222"})";
  Reply in = c.call(codec.encode(in_text));
  REQUIRE(in.ok);
  auto auth = codec.decode_result(in.body, "auth.signIn");
  if (auth["_cons"] == "auth.authorizationSignUpRequired") {
    Reply up = c.call(codec.encode(R"({"_cons":"auth.signUp","phone_number":")" + phone + R"(","phone_code_hash":")" + hash +
                                   R"(","first_name":"Test","last_name":""})"));
    REQUIRE(up.ok);
    auth = codec.decode_result(up.body, "auth.signUp");
  }
  REQUIRE(auth["_cons"] == "auth.authorization");
  return auth["user"];
}

}  // namespace

TEST_CASE("an unknown auth_key_id gets transport error -404", "[testdc][server]") {
  TestServer server;
  TestClient c(server.port(2), 2);
  mtproto::AuthKey bogus;
  for (std::size_t i = 0; i < bogus.key.size(); ++i) bogus.key[i] = static_cast<std::uint8_t>(i * 7);
  bogus.id = 0x0123456789abcdefull;
  c.start_session(bogus, 1);
  const std::uint64_t token = 1;
  c.send_query(Bytes{0x78, 0x56, 0x34, 0x12}, token);
  for (int i = 0; i < 100 && !c.transport_error; ++i) c.pump(20);
  REQUIRE(c.transport_error);
  CHECK(*c.transport_error == -404);
  CHECK(server.logged("unknown auth_key_id 0123456789abcdef -> transport error -404"));
}

TEST_CASE("invokeAfterMsg: waits, fails after a failed query, times out", "[testdc][server]") {
  TestServer server;
  ClientCodec codec{load_api("scheme.tl")};
  TestClient c(server.port(2), 2);
  c.handshake(test_rsa_key().public_key());
  c.start_session();

  SECTION("after a successful query: answered") {
    const std::uint64_t first = c.send_query(codec.encode(R"({"_cons":"help.getConfig"})"), 1);
    c.send_query(codec.encode(query_after(first, R"({"_cons":"help.getNearestDc"})")), 2);
    CHECK(c.wait(1).ok);
    Reply second = c.wait(2);
    REQUIRE(second.ok);
    CHECK(codec.decode_result(second.body, "help.getNearestDc")["_cons"] == "nearestDc");
  }
  SECTION("after a failed query: MSG_WAIT_FAILED") {
    const std::uint64_t first = c.send_query(Bytes{0x78, 0x56, 0x34, 0x12}, 1);
    c.send_query(codec.encode(query_after(first, R"({"_cons":"help.getConfig"})")), 2);
    CHECK(c.wait(1).message == "METHOD_INVALID");
    Reply second = c.wait(2);
    CHECK(second.code == 400);
    CHECK(second.message == "MSG_WAIT_FAILED");
  }
  SECTION("after a message that never comes: MSG_WAIT_TIMEOUT after 0.5 s") {
    const auto start = std::chrono::steady_clock::now();
    c.send_query(codec.encode(query_after(0x7000000000000000ull, R"({"_cons":"help.getConfig"})")), 1);
    Reply r = c.wait(1);
    CHECK(r.message == "MSG_WAIT_TIMEOUT");
    CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(450));
  }
}

TEST_CASE("updates reach the session: @echo's reply after the sendMessage answer", "[testdc][server]") {
  TestServer server;
  ClientCodec codec{load_api("scheme.tl")};
  TestClient c(server.port(2), 2);
  c.handshake(test_rsa_key().public_key());
  c.start_session();
  REQUIRE(c.call(codec.encode(wrap_layer(228, R"({"_cons":"help.getConfig"})"))).ok);
  sign_in(c, codec);

  Reply resolved = c.call(codec.encode(R"({"_cons":"contacts.resolveUsername","username":"echo"})"));
  REQUIRE(resolved.ok);
  auto peer = codec.decode_result(resolved.body, "contacts.resolveUsername");
  REQUIRE(peer["users"].size() == 1);
  const auto echo = peer["users"][0];
  Reply sent = c.call(codec.encode(R"({"_cons":"messages.sendMessage","peer":{"_cons":"inputPeerUser","user_id":)" +
                                   echo["id"].dump() + R"(,"access_hash":)" + echo["access_hash"].dump() +
                                   R"(},"message":"hello","random_id":42})"));
  REQUIRE(sent.ok);
  CHECK(codec.decode_result(sent.body, "messages.sendMessage")["_cons"] == "updateShortSentMessage");
  for (int i = 0; i < 100 && c.updates.empty(); ++i) c.pump(20);
  REQUIRE_FALSE(c.updates.empty());
  const std::string text = codec.decode_boxed(c.updates.front()).dump();
  CHECK(text.find("hello") != std::string::npos);
}

TEST_CASE("--data: auth keys and accounts survive a restart", "[testdc][server]") {
  const std::string dir = temp_dir("persist");
  ClientCodec codec{load_api("scheme.tl")};
  mtproto::AuthKey key;
  nlohmann::json user;
  {
    TestServer server(dir);
    TestClient c(server.port(2), 2);
    c.handshake(test_rsa_key().public_key());
    c.start_session();
    user = sign_in(c, codec);
    server.shutdown();  // saves
    key = c.key;
  }
  struct stat st {};
  REQUIRE(::stat((dir + "/world.json").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  {
    TestServer server(dir);
    TestClient c(server.port(2), 2);
    c.start_session(key, 0x1234);  // the old salt is gone: bad_server_salt, then resent
    Reply me = c.call(codec.encode(R"({"_cons":"users.getUsers","id":[{"_cons":"inputUserSelf"}]})"));
    REQUIRE(me.ok);
    CHECK(codec.decode_result(me.body, "users.getUsers")[0]["id"] == user["id"]);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("transports: obfuscated2 and an MTProxy dd secret", "[testdc][server]") {
  auto secret = transport::parse_proxy_secret("dd00112233445566778899aabbccddeeff");
  REQUIRE(secret);
  TestServer server({}, {*secret});
  ClientCodec codec{load_api("scheme.tl")};
  SECTION("obfuscated2, abridged") {
    transport::ClientOptions o;
    o.mode = transport::Mode::abridged;
    o.obfuscated = true;
    o.dc_id = 2;
    TestClient c(server.port(2), 2, std::move(o));
    c.handshake(test_rsa_key().public_key());
    c.start_session();
    CHECK(c.call(codec.encode(R"({"_cons":"help.getConfig"})")).ok);
  }
  SECTION("MTProxy secret, padded intermediate") {
    transport::ClientOptions o;
    o.secret = *secret;
    o.dc_id = 2;
    o.mode = transport::Mode::padded_intermediate;
    TestClient c(server.port(2), 2, std::move(o));
    c.handshake(test_rsa_key().public_key());
    c.start_session();
    CHECK(c.call(codec.encode(R"({"_cons":"help.getConfig"})")).ok);
  }
  for (int i = 0; i < 50 && !server.logged("obfuscated2 > "); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!server.logged("obfuscated2 > ")) for (auto& l : server.log) UNSCOPED_INFO(l);
  CHECK(server.logged("obfuscated2 > "));
}

TEST_CASE("mtjson-testdc --print-public-key prints a PEM; the key file is mode 0600", "[testdc][server]") {
  const char* exe = std::getenv("MTJSON_TESTDC_EXE");
  REQUIRE(exe != nullptr);
  const std::string dir = temp_dir("key");
  const std::string cmd = std::string(exe) + " --print-public-key --data " + dir;
  auto run = [&cmd]() {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    CHECK(::pclose(p) == 0);
    return out;
  };
  const std::string pem = run();
  auto pub = crypto::RsaPublicKey::from_pem(pem);
  REQUIRE(pub.ok());
  CHECK(pub->modulus_size() == 256);
  struct stat st {};
  REQUIRE(::stat((dir + "/" + kPrivateKeyFile).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  // Stable: the second start reads the stored key.
  CHECK(run() == pem);
  auto priv = crypto::RsaPrivateKey::from_pem(*testdc::server::read_file(dir + "/" + kPrivateKeyFile));
  REQUIRE(priv.ok());
  CHECK(priv->public_key().fingerprint() == pub->fingerprint());
  // Bad flags: one line, exit status 2.
  FILE* p = ::popen((std::string(exe) + " --nope 2>&1").c_str(), "r");
  char line[256] = {};
  REQUIRE(std::fgets(line, sizeof line, p) != nullptr);
  const int status = ::pclose(p);
  CHECK(WEXITSTATUS(status) == 2);
  CHECK(std::string(line) == "mtjson-testdc: unknown argument '--nope' (see --help)\n");
  std::filesystem::remove_all(dir);
}

TEST_CASE("contacts.importContacts answers carry the phone in layers 228 and 144", "[testdc][server]") {
  TestServer server;
  for (const char* file : {"scheme.tl", "tl/api-144.tl"}) {
    ClientCodec codec{load_api(file)};
    TestClient other(server.port(2), 2);
    other.handshake(test_rsa_key().public_key());
    other.start_session();
    // Before any invokeWithLayer the server answers in its newest layer but decodes in any.
    Reply cfg = other.call(codec.encode(R"({"_cons":"help.getConfig"})"));
    REQUIRE(cfg.ok);
    CHECK(ClientCodec{load_api("scheme.tl")}.decode_result(cfg.body, "help.getConfig")["_cons"] == "config");
    REQUIRE(other.call(codec.encode(wrap_layer(codec.schema->layer(), R"({"_cons":"help.getConfig"})"))).ok);
    sign_in(other, codec, "9996625678");
    TestClient c(server.port(2), 2);
    c.handshake(test_rsa_key().public_key());
    c.start_session();
    REQUIRE(c.call(codec.encode(wrap_layer(codec.schema->layer(), R"({"_cons":"help.getConfig"})"))).ok);
    sign_in(c, codec);
    Reply r = c.call(codec.encode(
        R"({"_cons":"contacts.importContacts","contacts":[{"_cons":"inputPhoneContact","client_id":1,"phone":"9996625678","first_name":"P","last_name":""}]})"));
    INFO(r.message);
    if (!r.ok) for (auto& l : server.log) UNSCOPED_INFO(l);
    REQUIRE(r.ok);
    auto j = codec.decode_result(r.body, "contacts.importContacts");
    INFO(j.dump());
    REQUIRE(j["users"].size() == 1);
    CHECK(j["users"][0]["phone"] == "9996625678");
  }
}

TEST_CASE("channels over the wire: every answer and push encodes in layers 228 and 198", "[testdc][server][channels]") {
  TestServer server;
  ClientCodec c228{load_api("scheme.tl")};
  ClientCodec c198{load_api("tl/api-198.tl")};
  TestClient a(server.port(2), 2), b(server.port(2), 2);
  a.handshake(test_rsa_key().public_key());
  a.start_session();
  b.handshake(test_rsa_key().public_key());
  b.start_session();
  REQUIRE(a.call(c228.encode(wrap_layer(228, R"({"_cons":"help.getConfig"})"))).ok);
  REQUIRE(b.call(c198.encode(wrap_layer(198, R"({"_cons":"help.getConfig"})"))).ok);
  sign_in(a, c228, "9996621301");
  sign_in(b, c198, "9996621302");
  auto call = [](TestClient& c, ClientCodec& codec, const std::string& method, const std::string& text) {
    Reply r = c.call(codec.encode(text));
    INFO(method << ": " << r.code << " " << r.message);
    REQUIRE(r.ok);
    return codec.decode_result(r.body, method);
  };

  auto created = call(a, c228, "channels.createChannel",
                      R"({"_cons":"channels.createChannel","megagroup":true,"title":"Wire","about":""})");
  REQUIRE(created["_cons"] == "updates");
  const auto chat = created["chats"][0];
  CHECK(chat["megagroup"] == true);
  const std::string input = R"({"_cons":"inputChannel","channel_id":)" + chat["id"].dump() + R"(,"access_hash":)" +
                            chat["access_hash"].dump() + "}";
  const std::string input_peer = R"({"_cons":"inputPeerChannel","channel_id":)" + chat["id"].dump() +
                                 R"(,"access_hash":)" + chat["access_hash"].dump() + "}";
  CHECK(call(a, c228, "channels.updateUsername",
             R"({"_cons":"channels.updateUsername","channel":)" + input + R"(,"username":"wirechannel"})") == true);

  auto resolved = call(b, c198, "contacts.resolveUsername", R"({"_cons":"contacts.resolveUsername","username":"wirechannel"})");
  CHECK(resolved["peer"]["_cons"] == "peerChannel");
  auto joined = call(b, c198, "channels.joinChannel", R"({"_cons":"channels.joinChannel","channel":)" + input + "}");
  CHECK(joined["_cons"] == "updates");  // layer 198: Updates, not messages.ChatInviteJoinResult

  auto sent = call(a, c228, "messages.sendMessage",
                   R"({"_cons":"messages.sendMessage","peer":)" + input_peer + R"(,"message":"over the wire","random_id":77})");
  CHECK(sent["updates"][1]["pts"] == 2);
  for (int i = 0; i < 100 && b.updates.empty(); ++i) b.pump(20);
  REQUIRE_FALSE(b.updates.empty());
  auto pushed = c198.decode_boxed(b.updates.back());
  CHECK(pushed["updates"][0]["_cons"] == "updateNewChannelMessage");
  CHECK(pushed["updates"][0]["message"]["message"] == "over the wire");

  const std::string diff = R"({"_cons":"updates.getChannelDifference","channel":)" + input +
                           R"(,"filter":{"_cons":"channelMessagesFilterEmpty"},"pts":1,"limit":10})";
  auto d198 = call(b, c198, "updates.getChannelDifference", diff);
  CHECK(d198["_cons"] == "updates.channelDifference");
  CHECK(d198["new_messages"].size() == 1);
  auto d228 = call(a, c228, "updates.getChannelDifference", diff);
  CHECK(d228["pts"] == 2);
  auto full = call(b, c198, "channels.getFullChannel", R"({"_cons":"channels.getFullChannel","channel":)" + input + "}");
  CHECK(full["full_chat"]["pts"] == 2);
  auto history = call(a, c228, "messages.getHistory",
                      R"({"_cons":"messages.getHistory","peer":)" + input_peer +
                          R"(,"offset_id":0,"offset_date":0,"add_offset":0,"limit":10,"max_id":0,"min_id":0,"hash":0})");
  CHECK(history["_cons"] == "messages.channelMessages");
  CHECK(history["messages"].size() == 2);
  auto chats = call(b, c198, "channels.getChannels", R"({"_cons":"channels.getChannels","id":[)" + input + "]}");
  CHECK(chats["chats"][0]["participants_count"] == 2);
}
