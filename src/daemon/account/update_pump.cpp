// Updates from Telegram to the account's clients ("Working with Updates"): through the update tracker,
// which holds back what follows a gap until getDifference filled it, so that clients see every
// update once and in order; raw-update clients also get the server's objects as they came.
#include <nlohmann/json.hpp>

#include "daemon/account/account.h"

namespace mtjson::daemon {

namespace ss = mtproto::session;
using nlohmann::json;

void Account::start_updates() {
  if (closing_ || user_id_ == 0 || !home_key_) return;
  start_tracking();
  if (tracker_.started()) return;  // its updates.getState is that call
  // "Working with Updates": the server sends updates to sessions that made a call; updates.getState is
  // the lightest one (TDLib and Telethon do the same on start).
  internal_call(home_dc_, json{{"_cons", "updates.getState"}}.dump(), [](const std::string*, const ss::RpcError*) {});
}

// Every update from Telegram enters here and goes through the update tracker (gapless
// updates): clients get it once, in order, after whatever a gap before it needed recovering.
void Account::push_update(const std::vector<std::uint8_t>& body) {
  std::string text;
  if (auto st = decoder_.decode_boxed(body, text); !st) {
    log("undecodable update: " + st.message());
    return;
  }
  json update = tracker_.started() ? json::parse(text, nullptr, false) : json();
  if (!tracker_.started() || update.is_discarded()) {
    deliver_update(std::move(text));
    return;
  }
  // Clients that keep their own pts get the server's objects as they are, also on a named
  // session (they are attached to the account like every member).
  for (AccountClient* c : std::vector<AccountClient*>(clients_.begin(), clients_.end()))
    if (clients_.count(c) && c->wants_raw_updates()) c->on_update(text);
  run_updates(tracker_.on_push(update, now()));
}

void Account::deliver_update(std::string text, bool tracked) {
  if (update_sink_) {
    update_sink_(text, tracked);
    return;
  }
  for (AccountClient* c : std::vector<AccountClient*>(clients_.begin(), clients_.end()))
    if (clients_.count(c) && !(tracked && c->wants_raw_updates())) c->on_update(text);
}

void Account::start_tracking() {
  if (closing_ || user_id_ == 0 || tracker_.started() || tracking_tried_) return;
  tracking_tried_ = true;
  if (restored_updates_) {
    auto restored = std::move(*restored_updates_);
    restored_updates_.reset();
    log("updates: resuming from the saved state (pts " + std::to_string(restored.pts) + ") with updates.getDifference");
    run_updates(tracker_.start(restored, now()));
    return;
  }
  run_updates(tracker_.start(now()));
}


// Answers that move the account's pts (sent messages, deletions, read marks) must move the
// tracker's too, or the next push would look like a gap. Their caller already has them.
void Account::feed_result(const Pending& p, const std::string& text) {
  if (!tracker_.started() || text.find("\"pts\"") == std::string::npos) return;
  json result = json::parse(text, nullptr, false);
  if (result.is_discarded()) return;
  // channels.* answers of the messages.affected* kind count in the channel's box, which the
  // answer does not name: the channel's next update sets it.
  if (p.method->name.rfind("channels.", 0) == 0 && result.value("_cons", "").rfind("messages.affected", 0) == 0)
    return;
  run_updates(tracker_.on_result(result, now()));
}


// The tracker's actions in order; a call's answer comes back here later, and actions that a
// delivery causes meanwhile are queued behind the current ones.
void Account::run_updates(std::vector<updates::Action> actions) {
  for (auto& a : actions) update_actions_.push_back(std::move(a));
  if (running_updates_) return;
  running_updates_ = true;
  while (!update_actions_.empty()) {
    updates::Action a = std::move(update_actions_.front());
    update_actions_.pop_front();
    if (a.kind == updates::Action::Kind::deliver) {
      if (!a.from_result) deliver_update(a.body.dump(), true);
    } else if (a.kind == updates::Action::Kind::call && !closing_) {
      std::weak_ptr<Account> self = weak_from_this();
      const std::uint64_t call_id = a.call_id;
      const std::string method = a.body.value("_cons", "");
      internal_call(home_dc_, a.body.dump(), [self, call_id, method](const std::string* result, const ss::RpcError* error) {
        auto me = self.lock();
        if (!me) return;
        json answer = result ? json::parse(*result, nullptr, false) : json();
        if (!result || answer.is_discarded()) {
          me->log(method + " failed: " + (error ? error->message : "undecodable answer"));
          me->run_updates(me->tracker_.on_call_failed(call_id, me->now()));
          return;
        }
        me->run_updates(me->tracker_.on_call_result(call_id, answer, me->now()));
      });
    }
  }
  running_updates_ = false;
  if (!closing_) arm_timer();  // close() cancelled the timer for good
}

}  // namespace mtjson::daemon
