#include "daemon/account/sign_in.h"

#include <nlohmann/json.hpp>

#include "daemon/account/account.h"

namespace mtjson::daemon {

namespace ss = mtproto::session;
using nlohmann::json;

bool signs_in(const std::string& name) {
  return name == "auth.signIn" || name == "auth.signUp" || name == "auth.checkPassword" ||
         name == "auth.importBotAuthorization" || name == "auth.importAuthorization" ||
         name == "auth.recoverPassword" || name == "auth.importLoginToken" ||
         name == "auth.importWebTokenAuthorization";
}

void Account::note_authorization(const Pending& p, const std::string& text) {
  if (p.method->name == "auth.logOut") {
    user_id_ = 0;
    restored_updates_.reset();
    bot_ = false;
    for (auto& [n, d] : dcs_) d.authorized = false;
    run_updates(tracker_.stop());
    tracking_tried_ = false;
    state_changed();
    return;
  }
  json a = json::parse(text, nullptr, false);
  if (!a.is_object() || a.value("_cons", "") != "auth.authorization" || !a.contains("user")) return;
  const json& user = a["user"];
  if (!user.contains("id")) return;
  user_id_ = user["id"].is_string() ? std::stoll(user["id"].get<std::string>()) : user["id"].get<std::int64_t>();
  bot_ = user.value("bot", false);
  dcs_[p.dc].authorized = true;
  if (p.dc != home_dc_ && p.method->name != "auth.importAuthorization") move_home(p.dc);
  tracking_tried_ = false;
  start_tracking();  // "When the user logs in for the first time, a call to updates.getState"
  state_changed();
}


}  // namespace mtjson::daemon
