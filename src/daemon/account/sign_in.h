// Which answers change who the account is signed in as ("User Authorization", "User Authorization"; and
// auth.logOut): the account notes the user and its home DC from them (Account::note_authorization).
#pragma once

#include <string>

namespace mtjson::daemon {

// Methods whose auth.authorization answer signs the account in on the DC that answered.
bool signs_in(const std::string& method_name);

}  // namespace mtjson::daemon
