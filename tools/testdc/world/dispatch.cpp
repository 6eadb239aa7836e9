// The API subset, keyed by method name (the list; `ping` is MTProto's, not ours).
#include <unordered_map>

#include "testdc/world/handlers.h"

namespace mtjson::testdc {

namespace {
// needs_user: false for the methods "User Authorization" lists as callable before sign-in.
// any_dc: callable by a user outside its home DC (everything else there is USER_MIGRATE_X).
const std::unordered_map<std::string, MethodInfo>& table() {
  static const std::unordered_map<std::string, MethodInfo> t = {
      {"help.getConfig", {help_get_config, false, true}},
      {"help.getNearestDc", {help_get_nearest_dc, false, true}},
      {"auth.sendCode", {auth_send_code, false, true}},
      {"auth.signIn", {auth_sign_in, false, true}},
      {"auth.signUp", {auth_sign_up, false, true}},
      {"auth.checkPassword", {auth_check_password, false, true}},
      {"auth.logOut", {auth_log_out, true, true}},
      {"auth.importBotAuthorization", {auth_import_bot_authorization, false, true}},
      {"auth.exportAuthorization", {auth_export_authorization, true, false}},
      {"auth.importAuthorization", {auth_import_authorization, false, true}},
      {"account.getPassword", {account_get_password, false, true}},
      {"account.updatePasswordSettings", {account_update_password_settings, true, false}},
      {"users.getUsers", {users_get_users, true, false}},
      {"users.getFullUser", {users_get_full_user, true, false}},
      {"contacts.resolveUsername", {contacts_resolve_username, true, false}},
      {"contacts.getContacts", {contacts_get_contacts, true, false}},
      {"contacts.importContacts", {contacts_import_contacts, true, false}},
      {"messages.sendMessage", {messages_send_message, true, false}},
      {"messages.editMessage", {messages_edit_message, true, false}},
      {"messages.deleteMessages", {messages_delete_messages, true, false}},
      {"messages.getDialogs", {messages_get_dialogs, true, false}},
      {"messages.getHistory", {messages_get_history, true, false}},
      {"messages.readHistory", {messages_read_history, true, false}},
      {"messages.getDhConfig", {messages_get_dh_config, true, false}},
      {"messages.requestEncryption", {messages_request_encryption, true, false}},
      {"messages.acceptEncryption", {messages_accept_encryption, true, false}},
      {"messages.discardEncryption", {messages_discard_encryption, true, false}},
      {"messages.sendEncrypted", {messages_send_encrypted, true, false}},
      {"messages.sendEncryptedService", {messages_send_encrypted_service, true, false}},
      {"messages.readEncryptedHistory", {messages_read_encrypted_history, true, false}},
      {"updates.getState", {updates_get_state, true, false}},
      {"updates.getDifference", {updates_get_difference, true, false}},
      {"updates.getChannelDifference", {updates_get_channel_difference, true, false}},
      {"channels.createChannel", {channels_create_channel, true, false}},
      {"channels.joinChannel", {channels_join_channel, true, false}},
      {"channels.leaveChannel", {channels_leave_channel, true, false}},
      {"channels.getChannels", {channels_get_channels, true, false}},
      {"channels.getFullChannel", {channels_get_full_channel, true, false}},
      {"channels.updateUsername", {channels_update_username, true, false}},
      {"channels.deleteMessages", {channels_delete_messages, true, false}},
  };
  return t;
}
}  // namespace

const MethodInfo* find_method(const std::string& name) {
  auto it = table().find(name);
  return it == table().end() ? nullptr : &it->second;
}

}  // namespace mtjson::testdc
