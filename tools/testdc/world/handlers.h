// Method handlers (internal): one function per API method, grouped by concern in help.cpp,
// auth.cpp, password.cpp, users.cpp, messages.cpp, updates.cpp, channels.cpp, channel_difference.cpp,
// secret_chats.cpp, secret_messages.cpp;
// dispatch.cpp maps names to them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "testdc/world/state.h"

namespace mtjson::testdc {

struct Ctx {
  World::Impl& w;
  const Caller& caller;
  const nlohmann::json& m;  // the method object
  Account* self = nullptr;  // the authorized user, when the method needs one

  Account& me() const { return *self; }
};

using Handler = nlohmann::json (*)(Ctx&);

struct MethodInfo {
  Handler fn = nullptr;
  bool needs_user = true;  // else callable before sign-in ("User Authorization", "We are authorized")
  bool any_dc = false;     // callable by a user on a DC other than its home DC
};

// nullptr for a method outside the subset.
const MethodInfo* find_method(const std::string& name);

// help.cpp
nlohmann::json help_get_config(Ctx&);
nlohmann::json help_get_nearest_dc(Ctx&);
// auth.cpp
nlohmann::json auth_send_code(Ctx&);
nlohmann::json auth_sign_in(Ctx&);
nlohmann::json auth_sign_up(Ctx&);
nlohmann::json auth_log_out(Ctx&);
nlohmann::json auth_import_bot_authorization(Ctx&);
nlohmann::json auth_export_authorization(Ctx&);
nlohmann::json auth_import_authorization(Ctx&);
nlohmann::json authorize(Ctx&, Account& user);  // binds caller.auth_key_id -> auth.authorization
// password.cpp
nlohmann::json account_get_password(Ctx&);
nlohmann::json account_update_password_settings(Ctx&);
nlohmann::json auth_check_password(Ctx&);
// users.cpp
nlohmann::json users_get_users(Ctx&);
nlohmann::json users_get_full_user(Ctx&);
nlohmann::json contacts_resolve_username(Ctx&);
nlohmann::json contacts_get_contacts(Ctx&);
nlohmann::json contacts_import_contacts(Ctx&);
// messages.cpp
nlohmann::json messages_send_message(Ctx&);
nlohmann::json messages_edit_message(Ctx&);
nlohmann::json messages_delete_messages(Ctx&);
nlohmann::json messages_get_dialogs(Ctx&);
nlohmann::json messages_get_history(Ctx&);
nlohmann::json messages_read_history(Ctx&);
// secret_chats.cpp
nlohmann::json messages_get_dh_config(Ctx&);
nlohmann::json messages_request_encryption(Ctx&);
nlohmann::json messages_accept_encryption(Ctx&);
nlohmann::json messages_discard_encryption(Ctx&);
// secret_messages.cpp
nlohmann::json messages_send_encrypted(Ctx&);
nlohmann::json messages_send_encrypted_service(Ctx&);
nlohmann::json messages_read_encrypted_history(Ctx&);
// updates.cpp
nlohmann::json updates_get_state(Ctx&);
nlohmann::json updates_get_difference(Ctx&);
// channel_difference.cpp
nlohmann::json updates_get_channel_difference(Ctx&);
// channels.cpp
nlohmann::json channels_create_channel(Ctx&);
nlohmann::json channels_join_channel(Ctx&);
nlohmann::json channels_leave_channel(Ctx&);
nlohmann::json channels_get_channels(Ctx&);
nlohmann::json channels_get_full_channel(Ctx&);
nlohmann::json channels_update_username(Ctx&);
// channel_edits.cpp
nlohmann::json channels_delete_messages(Ctx&);

}  // namespace mtjson::testdc
