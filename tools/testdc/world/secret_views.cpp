#include "testdc/world/secret_views.h"

#include "testdc/world/args.h"

namespace mtjson::testdc {

using nlohmann::json;

json encrypted_chat_json(const SecretChat& chat, std::int64_t viewer_id) {
  if (chat.state == SecretChat::State::discarded) {
    json j = {{"_cons", "encryptedChatDiscarded"}, {"id", chat.id}};
    if (chat.history_deleted) j["history_deleted"] = true;
    return j;
  }
  json j = {{"id", chat.id},           {"access_hash", chat.access_hash}, {"date", chat.date},
            {"admin_id", chat.admin_id}, {"participant_id", chat.participant_id}};
  if (chat.state == SecretChat::State::accepted) {
    j["_cons"] = "encryptedChat";
    j["g_a_or_b"] = b64(viewer_id == chat.admin_id ? chat.g_b : chat.g_a);
    j["key_fingerprint"] = chat.key_fingerprint;
  } else if (viewer_id == chat.admin_id) {
    j["_cons"] = "encryptedChatWaiting";
  } else {
    j["_cons"] = "encryptedChatRequested";
    j["g_a"] = b64(chat.g_a);
  }
  return j;
}

SecretChat& resolve_secret_chat(Ctx& c, const json& input) {
  if (cons_of(input) != "inputEncryptedChat") fail(400, "CHAT_ID_INVALID");
  auto it = c.w.secret_chats.find(int_arg(input, "chat_id"));
  if (it == c.w.secret_chats.end() || it->second.access_hash != long_arg(input, "access_hash") ||
      !it->second.is_party(c.me().id))
    fail(400, "CHAT_ID_INVALID");
  return it->second;
}

}  // namespace mtjson::testdc
