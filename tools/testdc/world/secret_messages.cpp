// Secret chat messages: messages.sendEncrypted, sendEncryptedService, readEncryptedHistory. The
// payload is opaque to the server (end-to-end encrypted by the clients); it only stamps a date
// and hands it to the other side as updateNewEncryptedMessage with that user's next qts
// ("Working with Updates", "Secret chats & bots": the secondary event sequence, kept for getDifference).
// The push has seq 0: qts orders it, like pts orders channel updates.
#include "testdc/world/args.h"
#include "testdc/world/handlers.h"
#include "testdc/world/secret_views.h"
#include "testdc/world/updates.h"

namespace mtjson::testdc {

using nlohmann::json;

namespace {

constexpr std::size_t kPayloadMax = 256 * 1024;  // far above any text layer message

json sent(std::int32_t date) { return {{"_cons", "messages.sentEncryptedMessage"}, {"date", date}}; }

json send_encrypted(Ctx& c, bool service) {
  Account& me = c.me();
  SecretChat& chat = resolve_secret_chat(c, arg(c.m, "peer"));
  std::int64_t random_id = long_arg(c.m, "random_id");
  std::vector<std::uint8_t> data = as_bytes(arg(c.m, "data"));
  if (chat.state == SecretChat::State::discarded) fail(400, "ENCRYPTION_DECLINED");
  if (chat.state == SecretChat::State::waiting) fail(400, "ENCRYPTION_NOT_ACCEPTED");
  if (data.empty() || data.size() > kPayloadMax) fail(400, "DATA_INVALID");
  // A resend after a lost answer (same random_id) gets the first answer again, and sends nothing.
  if (random_id != 0)
    if (auto it = chat.sent.find({me.id, random_id}); it != chat.sent.end()) return sent(it->second);

  std::int32_t date = c.w.now32();
  json message = {{"_cons", service ? "encryptedMessageService" : "encryptedMessage"},
                  {"random_id", random_id},
                  {"chat_id", chat.id},
                  {"date", date},
                  {"bytes", b64(data)}};
  if (!service) message["file"] = {{"_cons", "encryptedFileEmpty"}};
  if (random_id != 0) chat.sent[{me.id, random_id}] = date;
  if (Account* peer = c.w.find_user(chat.other(me.id))) {
    json update = {{"_cons", "updateNewEncryptedMessage"}, {"message", std::move(message)}};
    add_qts_event(c.w, *peer, update);
    push_to_user(c.w, peer->id, make_updates(c.w, *peer, json::array({update}), {}, false), nullptr);
  }
  return sent(date);
}

}  // namespace

json messages_send_encrypted(Ctx& c) {
  as_flag(c.m, "silent");
  return send_encrypted(c, false);
}

json messages_send_encrypted_service(Ctx& c) { return send_encrypted(c, true); }

json messages_read_encrypted_history(Ctx& c) {
  Account& me = c.me();
  SecretChat& chat = resolve_secret_chat(c, arg(c.m, "peer"));
  std::int32_t max_date = int_arg(c.m, "max_date");
  if (chat.state != SecretChat::State::accepted) fail(400, "CHAT_ID_INVALID");
  if (max_date < 0) fail(400, "MAX_DATE_INVALID");
  if (Account* peer = c.w.find_user(chat.other(me.id))) {
    json update = {{"_cons", "updateEncryptedMessagesRead"}, {"chat_id", chat.id}, {"max_date", max_date},
                   {"date", c.w.now32()}};
    push_to_user(c.w, peer->id, make_updates(c.w, *peer, json::array({update}), {}, true), nullptr);
  }
  return true;
}

}  // namespace mtjson::testdc
