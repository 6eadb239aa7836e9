// Secret chats, set up and torn down: messages.getDhConfig, requestEncryption, acceptEncryption,
// discardEncryption. The server only relays: it checks g_a / g_b against the DH prime it hands
// out ("Security Guidelines for Client Developers", "g_a and g_b validation") and never learns the key.
// The state changes reach the other side as updateEncryption, in an `updates` with the user's
// next seq (every session of that user gets it; it is no qts event, "Working with Updates").
#include "crypto/dh.h"
#include "testdc/world/args.h"
#include "testdc/world/handlers.h"
#include "testdc/world/secret_views.h"
#include "testdc/world/updates.h"
#include "testdc/world/views.h"

namespace mtjson::testdc {

using nlohmann::json;

namespace {

constexpr std::int32_t kDhVersion = 1;  // the one prime this server ever hands out
constexpr std::int32_t kDhG = 3;
constexpr std::int32_t kRandomLengthMax = 1024;

void check_public_value(const std::vector<std::uint8_t>& value, const char* name, const char* error) {
  const auto& p = crypto::known_dh_prime();
  if (value.size() != p.size() || !crypto::check_dh_public_value(value, p, name)) fail(400, error);
}

void push_encryption(World::Impl& w, Account& to, json chat) {
  json update = {{"_cons", "updateEncryption"}, {"chat", std::move(chat)}, {"date", w.now32()}};
  push_to_user(w, to.id, make_updates(w, to, json::array({update}), {}, true), nullptr);
}

}  // namespace

json messages_get_dh_config(Ctx& c) {
  std::int32_t version = int_arg(c.m, "version");
  std::int32_t random_length = int_arg(c.m, "random_length");
  if (random_length < 0 || random_length > kRandomLengthMax) fail(400, "RANDOM_LENGTH_INVALID");
  std::string random = b64(c.w.random_bytes(static_cast<std::size_t>(random_length)));
  if (version == kDhVersion) return {{"_cons", "messages.dhConfigNotModified"}, {"random", random}};
  const auto& p = crypto::known_dh_prime();
  return {{"_cons", "messages.dhConfig"}, {"g", kDhG}, {"p", b64({p.begin(), p.end()})}, {"version", kDhVersion},
          {"random", random}};
}

json messages_request_encryption(Ctx& c) {
  Account& me = c.me();
  Account& peer = resolve_input_user(c, arg(c.m, "user_id"));
  int_arg(c.m, "random_id");
  std::vector<std::uint8_t> g_a = as_bytes(arg(c.m, "g_a"));
  if (peer.id == me.id) fail(400, "USER_ID_INVALID");
  if (peer.bot) fail(400, "USER_IS_BOT");
  check_public_value(g_a, "g_a", "DH_G_A_INVALID");

  auto& w = c.w;
  while (w.secret_chats.count(w.next_secret_chat_id)) ++w.next_secret_chat_id;
  SecretChat chat;
  chat.id = w.next_secret_chat_id++;
  chat.access_hash = w.random_long();
  chat.date = w.now32();
  chat.admin_id = me.id;
  chat.participant_id = peer.id;
  chat.g_a = std::move(g_a);
  const SecretChat& stored = w.secret_chats.emplace(chat.id, std::move(chat)).first->second;
  push_encryption(w, peer, encrypted_chat_json(stored, peer.id));
  return encrypted_chat_json(stored, me.id);
}

json messages_accept_encryption(Ctx& c) {
  Account& me = c.me();
  SecretChat& chat = resolve_secret_chat(c, arg(c.m, "peer"));
  std::vector<std::uint8_t> g_b = as_bytes(arg(c.m, "g_b"));
  std::int64_t fingerprint = long_arg(c.m, "key_fingerprint");
  if (chat.participant_id != me.id) fail(400, "CHAT_ID_INVALID");  // only the invited side accepts
  if (chat.state == SecretChat::State::accepted) fail(400, "ENCRYPTION_ALREADY_ACCEPTED");
  if (chat.state == SecretChat::State::discarded) fail(400, "ENCRYPTION_ALREADY_DECLINED");
  check_public_value(g_b, "g_b", "DH_G_B_INVALID");
  chat.g_b = std::move(g_b);
  chat.key_fingerprint = fingerprint;
  chat.state = SecretChat::State::accepted;
  Account* admin = c.w.find_user(chat.admin_id);
  if (admin) push_encryption(c.w, *admin, encrypted_chat_json(chat, admin->id));
  return encrypted_chat_json(chat, me.id);
}

json messages_discard_encryption(Ctx& c) {
  Account& me = c.me();
  std::int32_t id = int_arg(c.m, "chat_id");
  if (id == 0) fail(400, "CHAT_ID_EMPTY");
  auto it = c.w.secret_chats.find(id);
  if (it == c.w.secret_chats.end() || !it->second.is_party(me.id)) fail(400, "ENCRYPTION_ID_INVALID");
  SecretChat& chat = it->second;
  if (chat.state == SecretChat::State::discarded) fail(400, "ENCRYPTION_ALREADY_DECLINED");
  chat.state = SecretChat::State::discarded;
  chat.history_deleted = as_flag(c.m, "delete_history");
  // Both sides learn it; the caller's session has its answer, its other sessions a push.
  if (Account* other = c.w.find_user(chat.other(me.id)); other && other->id != me.id)
    push_encryption(c.w, *other, encrypted_chat_json(chat, other->id));
  json update = {{"_cons", "updateEncryption"}, {"chat", encrypted_chat_json(chat, me.id)}, {"date", c.w.now32()}};
  push_to_user(c.w, me.id, make_update_short(c.w, update), &c.caller);
  return true;
}

}  // namespace mtjson::testdc
