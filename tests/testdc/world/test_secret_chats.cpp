// Secret chats: getDhConfig, request/accept/discard, sendEncrypted(Service) relayed as opaque
// bytes with a per-user qts, readEncryptedHistory, getState/getDifference with qts (slices),
// save/load of qts and secret chats.
#include "crypto/dh.h"
#include "testdc/world/args.h"
#include "world_fixture.h"

using namespace mtjson::testdc;
using namespace mtjson::testdc::test;

namespace {

// A public value inside the range "Security Guidelines for Client Developers" allows (2^1984 <= x <= p - 2^1984).
std::string public_value(std::uint8_t fill) { return base64_encode(std::vector<std::uint8_t>(256, fill)); }

json get_secret_difference(int pts, int qts, int limit = 0) {
  json m = {{"_cons", "updates.getDifference"}, {"pts", pts}, {"date", 0}, {"qts", qts}};
  if (limit > 0) m["pts_total_limit"] = limit;
  return m;
}

json input_chat(const json& chat) {
  return {{"_cons", "inputEncryptedChat"}, {"chat_id", chat["id"]}, {"access_hash", chat["access_hash"]}};
}

json send_encrypted(const json& chat, std::int64_t random_id, const std::string& data_b64) {
  return {{"_cons", "messages.sendEncrypted"}, {"peer", input_chat(chat)}, {"random_id", random_id}, {"data", data_b64}};
}

std::string payload(int k) { return base64_encode(std::vector<std::uint8_t>(48, static_cast<std::uint8_t>(k))); }

json user_input(const json& user) {
  return {{"_cons", "inputUser"}, {"user_id", user["id"]}, {"access_hash", user["access_hash"]}};
}

// A (session 1 live) and B (session 2 live); unless told otherwise, A asked B for a secret chat
// (A its admin, B its participant) and B accepted.
struct SecretWorld {
  Fixture f;
  json a, b, chat;  // chat: as A's requestEncryption answered it
  Caller ca = Fixture::caller(1, 0x91, 1), cb = Fixture::caller(1, 0x92, 2);

  explicit SecretWorld(bool with_chat = true) {
    a = f.login("9996619001", 0x91);
    b = f.login("9996619002", 0x92);
    f.world.session_opened(ca);
    f.world.session_opened(cb);
    if (!with_chat) return;
    chat = f.ok(ca, {{"_cons", "messages.requestEncryption"}, {"user_id", user_input(b)},
                     {"random_id", 7}, {"g_a", public_value(0x42)}});
    f.ok(cb, {{"_cons", "messages.acceptEncryption"}, {"peer", input_chat(chat)}, {"g_b", public_value(0x43)},
              {"key_fingerprint", 1234567}});
  }
};

}  // namespace

TEST_CASE("world: getDhConfig hands out Telegram's prime with g = 3, then notModified", "[testdc][secret]") {
  Fixture f;
  f.login("9996619101", 0x93);
  Caller c = Fixture::caller(1, 0x93);
  json cfg = f.ok(c, {{"_cons", "messages.getDhConfig"}, {"version", 0}, {"random_length", 16}});
  CHECK(cfg["_cons"] == "messages.dhConfig");
  CHECK(cfg["g"] == 3);
  CHECK(cfg["version"] == 1);
  auto p_decoded = base64_decode(cfg["p"].get<std::string>());
  REQUIRE(p_decoded.ok());
  const std::vector<std::uint8_t>& p = *p_decoded;
  const auto& known = mtjson::crypto::known_dh_prime();
  CHECK(p == std::vector<std::uint8_t>(known.begin(), known.end()));
  CHECK(mtjson::crypto::check_g_for_prime(3, p).ok());
  auto random = base64_decode(cfg["random"].get<std::string>());
  REQUIRE(random.ok());
  CHECK(random->size() == 16);

  json same = f.ok(c, {{"_cons", "messages.getDhConfig"}, {"version", 1}, {"random_length", 0}});
  CHECK(same == json{{"_cons", "messages.dhConfigNotModified"}, {"random", ""}});
  CHECK(f.err(c, {{"_cons", "messages.getDhConfig"}, {"version", 0}, {"random_length", -1}}) == "400 RANDOM_LENGTH_INVALID");
  CHECK(f.err(c, {{"_cons", "messages.getDhConfig"}, {"version", 0}, {"random_length", 4096}}) == "400 RANDOM_LENGTH_INVALID");
}

TEST_CASE("world: requestEncryption / acceptEncryption tell each side with updateEncryption", "[testdc][secret]") {
  SecretWorld w(false);
  Fixture& f = w.f;
  const json &a = w.a, &b = w.b;
  const Caller &ca = w.ca, &cb = w.cb;
  json request = {{"_cons", "messages.requestEncryption"}, {"user_id", user_input(b)}, {"random_id", 5},
                  {"g_a", public_value(0x42)}};
  CallResult r = f.call(ca, request);
  REQUIRE(r.ok);
  json waiting = r.result;
  CHECK(waiting["_cons"] == "encryptedChatWaiting");
  CHECK(waiting["id"] == 1);
  CHECK(waiting["admin_id"] == a["id"]);
  CHECK(waiting["participant_id"] == b["id"]);
  CHECK(waiting["date"] == f.clock);
  REQUIRE(r.pushes.size() == 1);
  CHECK(r.pushes[0].session_id == 2);
  const json& pushed = r.pushes[0].updates;
  CHECK(pushed["_cons"] == "updates");
  CHECK(pushed["seq"] == f.ok(cb, {{"_cons", "updates.getState"}})["seq"]);
  REQUIRE(pushed["updates"].size() == 1);
  CHECK(pushed["updates"][0]["_cons"] == "updateEncryption");
  json requested = pushed["updates"][0]["chat"];
  CHECK(requested["_cons"] == "encryptedChatRequested");
  CHECK(requested["id"] == waiting["id"]);
  CHECK(requested["access_hash"] == waiting["access_hash"]);
  CHECK(requested["g_a"] == public_value(0x42));

  // Bad arguments.
  json self = request;
  self["user_id"] = {{"_cons", "inputUserSelf"}};
  CHECK(f.err(ca, self) == "400 USER_ID_INVALID");
  json small = request;
  small["g_a"] = base64_encode(std::vector<std::uint8_t>(256, 0));
  CHECK(f.err(ca, small) == "400 DH_G_A_INVALID");
  small["g_a"] = base64_encode(std::vector<std::uint8_t>(255, 0x42));
  CHECK(f.err(ca, small) == "400 DH_G_A_INVALID");
  json bad_user = request;
  bad_user["user_id"]["access_hash"] = 1;
  CHECK(f.err(ca, bad_user) == "400 USER_ID_INVALID");

  // Only the invited side accepts, with a valid g_b, once.
  json accept = {{"_cons", "messages.acceptEncryption"}, {"peer", input_chat(waiting)}, {"g_b", public_value(0x43)},
                 {"key_fingerprint", 99}};
  CHECK(f.err(ca, accept) == "400 CHAT_ID_INVALID");
  json wrong_hash = accept;
  wrong_hash["peer"]["access_hash"] = 5;
  CHECK(f.err(cb, wrong_hash) == "400 CHAT_ID_INVALID");
  json bad_gb = accept;
  bad_gb["g_b"] = base64_encode(std::vector<std::uint8_t>(256, 0xFF));  // above p
  CHECK(f.err(cb, bad_gb) == "400 DH_G_B_INVALID");
  // Not accepted yet: no messages.
  CHECK(f.err(ca, send_encrypted(waiting, 1, payload(1))) == "400 ENCRYPTION_NOT_ACCEPTED");

  CallResult acc = f.call(cb, accept);
  REQUIRE(acc.ok);
  CHECK(acc.result["_cons"] == "encryptedChat");
  CHECK(acc.result["g_a_or_b"] == public_value(0x42));  // B needs A's g_a
  CHECK(acc.result["key_fingerprint"] == 99);
  REQUIRE(acc.pushes.size() == 1);
  CHECK(acc.pushes[0].session_id == 1);
  json done = acc.pushes[0].updates["updates"][0];
  CHECK(done["_cons"] == "updateEncryption");
  CHECK(done["chat"]["_cons"] == "encryptedChat");
  CHECK(done["chat"]["g_a_or_b"] == public_value(0x43));  // A needs B's g_b
  CHECK(done["chat"]["key_fingerprint"] == 99);
  CHECK(f.err(cb, accept) == "400 ENCRYPTION_ALREADY_ACCEPTED");
  // A third user cannot touch the chat.
  f.login("9996619203", 0x96);
  CHECK(f.err(Fixture::caller(1, 0x96), send_encrypted(waiting, 1, payload(1))) == "400 CHAT_ID_INVALID");
}

TEST_CASE("world: sendEncrypted relays the bytes with the receiver's next qts", "[testdc][secret][updates]") {
  SecretWorld w;
  CHECK(w.f.ok(w.cb, {{"_cons", "updates.getState"}})["qts"] == 0);
  for (int k = 1; k <= 3; ++k) {
    w.f.clock += 1;
    CallResult r = w.f.call(w.ca, send_encrypted(w.chat, 100 + k, payload(k)));
    REQUIRE(r.ok);
    CHECK(r.result == json{{"_cons", "messages.sentEncryptedMessage"}, {"date", w.f.clock}});
    REQUIRE(r.pushes.size() == 1);
    CHECK(r.pushes[0].session_id == 2);
    const json& u = r.pushes[0].updates;
    CHECK(u["seq"] == 0);  // qts orders it
    REQUIRE(u["updates"].size() == 1);
    CHECK(u["updates"][0] ==
          json{{"_cons", "updateNewEncryptedMessage"},
               {"qts", k},
               {"message", {{"_cons", "encryptedMessage"}, {"random_id", 100 + k}, {"chat_id", w.chat["id"]},
                            {"date", w.f.clock}, {"bytes", payload(k)}, {"file", {{"_cons", "encryptedFileEmpty"}}}}}});
  }
  // The sender's own qts did not move; the receiver's did.
  CHECK(w.f.ok(w.ca, {{"_cons", "updates.getState"}})["qts"] == 0);
  CHECK(w.f.ok(w.cb, {{"_cons", "updates.getState"}})["qts"] == 3);

  // A resend (same random_id) gets the first answer and delivers nothing.
  CallResult again = w.f.call(w.ca, send_encrypted(w.chat, 102, payload(9)));
  REQUIRE(again.ok);
  CHECK(again.result["date"] == w.f.clock - 1);
  CHECK(again.pushes.empty());

  // The other direction, and a service message: A's qts sequence starts at 1.
  CallResult back = w.f.call(w.cb, {{"_cons", "messages.sendEncryptedService"}, {"peer", input_chat(w.chat)},
                                    {"random_id", 555}, {"data", payload(7)}});
  REQUIRE(back.ok);
  REQUIRE(back.pushes.size() == 1);
  json svc = back.pushes[0].updates["updates"][0];
  CHECK(svc["qts"] == 1);
  CHECK(svc["message"]["_cons"] == "encryptedMessageService");
  CHECK_FALSE(svc["message"].contains("file"));
  CHECK(svc["message"]["bytes"] == payload(7));

  CHECK(w.f.err(w.ca, send_encrypted(w.chat, 1, "")) == "400 DATA_INVALID");
  json bad_peer = send_encrypted(w.chat, 1, payload(1));
  bad_peer["peer"]["chat_id"] = 77;
  CHECK(w.f.err(w.ca, bad_peer) == "400 CHAT_ID_INVALID");
}

TEST_CASE("world: getDifference returns new_encrypted_messages above qts, in order, in slices", "[testdc][secret][updates]") {
  SecretWorld w;
  w.f.world.session_closed(0x92, 2);
  // B's box: 2 pts events (private messages from A) and 4 qts events, interleaved.
  w.f.ok(w.ca, Fixture::send(w.b, "p1", 1));
  for (int k = 1; k <= 2; ++k) w.f.ok(w.ca, send_encrypted(w.chat, k, payload(k)));
  w.f.ok(w.ca, Fixture::send(w.b, "p2", 2));
  for (int k = 3; k <= 4; ++k) w.f.ok(w.ca, send_encrypted(w.chat, k, payload(k)));

  json state = w.f.ok(w.cb, {{"_cons", "updates.getState"}});
  CHECK(state["pts"] == 2);
  CHECK(state["qts"] == 4);

  json all = w.f.ok(w.cb, get_secret_difference(0, 0));
  CHECK(all["_cons"] == "updates.difference");
  REQUIRE(all["new_messages"].size() == 2);
  REQUIRE(all["new_encrypted_messages"].size() == 4);
  for (int k = 1; k <= 4; ++k) {
    CHECK(all["new_encrypted_messages"][k - 1]["random_id"] == k);
    CHECK(all["new_encrypted_messages"][k - 1]["bytes"] == payload(k));
  }
  CHECK(all["state"]["pts"] == 2);
  CHECK(all["state"]["qts"] == 4);

  // Only what lies above the given qts (pts up to date).
  json some = w.f.ok(w.cb, get_secret_difference(2, 2));
  CHECK(some["_cons"] == "updates.difference");
  CHECK(some["new_messages"] == json::array());
  REQUIRE(some["new_encrypted_messages"].size() == 2);
  CHECK(some["new_encrypted_messages"][0]["random_id"] == 3);
  CHECK(some["new_encrypted_messages"][1]["random_id"] == 4);
  CHECK(w.f.ok(w.cb, get_secret_difference(2, 4))["_cons"] == "updates.differenceEmpty");
  CHECK(w.f.err(w.cb, get_secret_difference(2, -1)) == "400 INPUT_REQUEST_INVALID");

  // Slices of 3 events: pts events first, then qts; each intermediate_state continues both.
  std::vector<int> random_ids;
  std::vector<std::string> texts;
  int pts = 0, qts = 0, slices = 0;
  for (;;) {
    REQUIRE(++slices < 10);
    json d = w.f.ok(w.cb, get_secret_difference(pts, qts, 3));
    CHECK(d["new_messages"].size() + d["new_encrypted_messages"].size() <= 3);
    for (const auto& m : d["new_messages"]) texts.push_back(m["message"]);
    for (const auto& m : d["new_encrypted_messages"]) random_ids.push_back(m["random_id"]);
    if (d["_cons"] == "updates.difference") {
      CHECK(d["state"]["qts"] == 4);
      break;
    }
    REQUIRE(d["_cons"] == "updates.differenceSlice");
    pts = d["intermediate_state"]["pts"];
    qts = d["intermediate_state"]["qts"];
  }
  CHECK(slices == 2);
  CHECK(texts == std::vector<std::string>{"p1", "p2"});
  CHECK(random_ids == std::vector<int>{1, 2, 3, 4});
  json first = w.f.ok(w.cb, get_secret_difference(0, 0, 3));
  CHECK(first["intermediate_state"]["pts"] == 2);
  CHECK(first["intermediate_state"]["qts"] == 1);
}

TEST_CASE("world: readEncryptedHistory and discardEncryption reach the other side", "[testdc][secret]") {
  SecretWorld w;
  CallResult read = w.f.call(w.cb, {{"_cons", "messages.readEncryptedHistory"}, {"peer", input_chat(w.chat)}, {"max_date", 1700000000}});
  REQUIRE(read.ok);
  CHECK(read.result == true);
  REQUIRE(read.pushes.size() == 1);
  CHECK(read.pushes[0].session_id == 1);
  CHECK(read.pushes[0].updates["updates"][0] == json{{"_cons", "updateEncryptedMessagesRead"}, {"chat_id", w.chat["id"]},
                                                      {"max_date", 1700000000}, {"date", w.f.clock}});

  CHECK(w.f.err(w.ca, {{"_cons", "messages.discardEncryption"}, {"chat_id", 0}}) == "400 CHAT_ID_EMPTY");
  CHECK(w.f.err(w.ca, {{"_cons", "messages.discardEncryption"}, {"chat_id", 42}}) == "400 ENCRYPTION_ID_INVALID");
  CallResult gone = w.f.call(w.ca, {{"_cons", "messages.discardEncryption"}, {"delete_history", true}, {"chat_id", w.chat["id"]}});
  REQUIRE(gone.ok);
  CHECK(gone.result == true);
  REQUIRE(gone.pushes.size() == 1);
  CHECK(gone.pushes[0].session_id == 2);
  CHECK(gone.pushes[0].updates["updates"][0]["chat"] ==
        json{{"_cons", "encryptedChatDiscarded"}, {"history_deleted", true}, {"id", w.chat["id"]}});
  CHECK(w.f.err(w.cb, {{"_cons", "messages.discardEncryption"}, {"chat_id", w.chat["id"]}}) == "400 ENCRYPTION_ALREADY_DECLINED");
  CHECK(w.f.err(w.cb, send_encrypted(w.chat, 1, payload(1))) == "400 ENCRYPTION_DECLINED");
  CHECK(w.f.err(w.cb, {{"_cons", "messages.acceptEncryption"}, {"peer", input_chat(w.chat)}, {"g_b", public_value(0x43)},
                       {"key_fingerprint", 1}}) == "400 ENCRYPTION_ALREADY_DECLINED");
}

TEST_CASE("world: qts, its events and secret chats survive save/load", "[testdc][secret][persist]") {
  SecretWorld w;
  for (int k = 1; k <= 3; ++k) w.f.ok(w.ca, send_encrypted(w.chat, k, payload(k)));
  json before = w.f.ok(w.cb, get_secret_difference(0, 0));
  const json& chat = w.chat;
  Fixture g;
  World world = g.reloaded(w.f.world, "secret");
  Caller ca = Fixture::caller(1, 0x91), cb = Fixture::caller(1, 0x92);
  CallResult state = world.call(cb, {{"_cons", "updates.getState"}});
  REQUIRE(state.ok);
  CHECK(state.result["qts"] == 3);
  CallResult d = world.call(cb, get_secret_difference(0, 0));
  REQUIRE(d.ok);
  CHECK(d.result["new_encrypted_messages"] == before["new_encrypted_messages"]);
  // The chat is still accepted, its resends recognised, and qts continues.
  CallResult again = world.call(ca, send_encrypted(chat, 2, payload(2)));
  REQUIRE(again.ok);
  CHECK(again.pushes.empty());
  CallResult next = world.call(ca, send_encrypted(chat, 4, payload(4)));
  REQUIRE(next.ok);
  CHECK(world.call(cb, {{"_cons", "updates.getState"}}).result["qts"] == 4);
  // A new chat gets a new id.
  CallResult other = world.call(cb, {{"_cons", "messages.requestEncryption"}, {"user_id", {{"_cons", "inputUser"},
                                     {"user_id", chat["admin_id"]}, {"access_hash", world.call(ca, {{"_cons", "users.getUsers"},
                                     {"id", json::array({{{"_cons", "inputUserSelf"}}})}}).result[0]["access_hash"]}}},
                                     {"random_id", 1}, {"g_a", public_value(0x42)}});
  REQUIRE(other.ok);
  CHECK(other.result["id"] == chat["id"].get<int>() + 1);
}
