// Home DC migration (Error handling: 303 SEE_OTHER, PHONE_MIGRATE_X / USER_MIGRATE_X) and the
// authorization transfer that a signed-in account needs on a DC other than the one it signed in
// on ("Working with Different Data Centers", "Authorization transfer": auth.exportAuthorization on the old DC,
// auth.importAuthorization on the new one).
#include <nlohmann/json.hpp>

#include "daemon/account/account.h"

namespace mtjson::daemon {

namespace ss = mtproto::session;
using nlohmann::json;

void Account::move_home(int new_dc) {
  const int old = home_dc_;
  if (new_dc == old) return;
  home_dc_ = new_dc;
  home_key_.reset();
  if (auto it = dcs_.find(new_dc); it != dcs_.end() && it->second.link) home_key_ = it->second.link->link().key_state();
  else if (auto r = restored_keys_.find(new_dc); r != restored_keys_.end()) home_key_ = r->second;
  restored_keys_.erase(new_dc);
  if (user_id_ != 0) {
    // USER_MIGRATE for a signed-in account: carry the authorization over.
    Dc* d = dc(new_dc);
    if (d && !d->authorized) transfer_authorization(old, new_dc);
  }
  state_changed();
}

void Account::transfer_authorization(int from, int to) {
  Dc* target = dc(to);
  if (!target || target->importing) return;
  target->importing = true;
  log("transferring the authorization from DC " + std::to_string(from) + " to DC " + std::to_string(to));
  std::weak_ptr<Account> self = weak_from_this();
  internal_call(from, json{{"_cons", "auth.exportAuthorization"}, {"dc_id", to}}.dump(),
                [self, to](const std::string* result, const ss::RpcError* error) {
                  auto me = self.lock();
                  if (!me) return;
                  auto give_up = [&](const std::string& why) {
                    me->dcs_[to].importing = false;
                    me->log("authorization transfer to DC " + std::to_string(to) + " failed: " + why);
                    for (auto t : me->pending_.tokens([to](const Pending& p) { return p.waiting && p.dc == to; }))
                      if (Pending* p = me->pending_.find(t))
                        me->answer_error(*p, error ? error->code : 500, error ? error->message : "AUTH_TRANSFER_FAILED");
                  };
                  if (!result) return give_up(error ? error->message : "no answer");
                  json exported = json::parse(*result, nullptr, false);
                  if (!exported.is_object() || !exported.contains("id") || !exported.contains("bytes"))
                    return give_up("unexpected answer to auth.exportAuthorization");
                  me->internal_call(to,
                                    json{{"_cons", "auth.importAuthorization"}, {"id", exported["id"]},
                                         {"bytes", exported["bytes"]}}
                                        .dump(),
                                    [self, to](const std::string* imported, const ss::RpcError* err) {
                                      auto me2 = self.lock();
                                      if (!me2) return;
                                      Dc& d = me2->dcs_[to];
                                      d.importing = false;
                                      if (!imported) {
                                        me2->log("auth.importAuthorization on DC " + std::to_string(to) +
                                                 " failed: " + (err ? err->message : "no answer"));
                                      }
                                      d.authorized = true;  // a failure answers the waiting calls with the server's error
                                      me2->dispatch_waiting(to);
                                    });
                });
}

}  // namespace mtjson::daemon
