#include "daemon/sessions/named_session.h"

#include "daemon/daemon.h"
#include "daemon/front/session_json.h"
#include "daemon/log.h"

namespace mtjson::daemon {

namespace {

// seq numbers handed out before the file is written again: a crash loses at most this many
// numbers (never reuses one), and the file is not rewritten for every update.
constexpr std::uint64_t kSeqReservation = 1024;

}  // namespace

NamedSession::NamedSession(Daemon& daemon, SessionRecord record, ServerSettings server, SessionStore* store,
                           std::function<void(NamedSession*)> on_idle)
    : daemon_(daemon), record_(std::move(record)), server_(std::move(server)), store_(store),
      on_idle_(std::move(on_idle)), ring_(daemon.config().session_buffer, record_.seq), persisted_seq_(record_.seq),
      idle_timer_(daemon.io()) {}

NamedSession::~NamedSession() = default;

void NamedSession::start() {
  AccountOptions o = daemon_.config().account;
  const std::string who = "session '" + record_.name + "'";
  o.log = [who](const std::string& line) { log_line(LogLevel::info, who + ": " + line); };
  std::weak_ptr<NamedSession> self = weak_from_this();
  o.on_state_change = [self] {
    if (auto me = self.lock()) me->save();
  };
  if (record_.update_state.is_object() && !record_.update_state.empty() && !record_.state.update_state) {
    if (auto st = updates::state_from_json(record_.update_state)) record_.state.update_state = *st;
    else log_line(LogLevel::warn, who + ": update_state in the session file ignored: " + st.message());
  }
  restore_ring(who);
  account_ = std::make_shared<Account>(daemon_.io(), daemon_.workers(), daemon_.config().schema, server_,
                                       record_.state, o, daemon_.random());
  account_->set_update_sink([self](const std::string& text, bool tracked) {
    if (auto me = self.lock()) me->on_update(text, tracked);
  });
  account_->start_updates();
  arm_idle();
}

UpdateRing::Replay NamedSession::attach(SessionMember* m, std::optional<std::uint64_t> since) {
  idle_timer_.cancel();
  members_.insert(m);
  account_->attach(m);
  if (!since) return {};
  return ring_.since(*since);
}

void NamedSession::detach(SessionMember* m, const std::string& reason) {
  if (!members_.erase(m)) return;
  if (account_) account_->detach(m, reason);
  arm_idle();
}

// The numbered stream is the tracked one; members that asked for raw updates got the server's
// originals from the account already (unnumbered), so they skip its tracked copies.
void NamedSession::on_update(const std::string& text, bool tracked) {
  const std::uint64_t seq = ring_.push(text);
  if (store_ && seq > persisted_seq_) save();
  for (SessionMember* m : std::set<SessionMember*>(members_))
    if (members_.count(m) && !(tracked && m->wants_raw_updates())) m->on_session_update(seq, text);
}

void NamedSession::arm_idle() {
  if (closed_ || !members_.empty()) return;
  const Duration timeout = daemon_.config().session_idle_timeout;
  if (timeout <= Duration::zero()) return;  // kept until the daemon stops
  idle_timer_.expires_after(timeout);
  std::weak_ptr<NamedSession> self = weak_from_this();
  idle_timer_.async_wait([self](std::error_code ec) {
    if (ec) return;
    auto me = self.lock();
    if (!me || !me->members_.empty() || me->closed_) return;
    log_line(LogLevel::info, "session '" + me->record_.name + "': no client for --session-idle-timeout; closed");
    if (me->on_idle_) me->on_idle_(me.get());
  });
}

void NamedSession::save(bool exact) {
  if (!store_) return;
  if (account_) {
    record_.state = account_->session();
    record_.server = session_to_json(record_.state, account_->server())["server"];
    record_.update_state = record_.state.update_state ? updates::state_to_json(*record_.state.update_state)
                                                      : nlohmann::json::object();
  }
  record_.seq = exact ? ring_.last_seq() : ring_.last_seq() + kSeqReservation;
  persisted_seq_ = record_.seq;
  if (auto st = store_->save(record_); !st)
    log_line(LogLevel::error, "session '" + record_.name + "': " + st.message());
}

// The ring a clean close saved comes back, so `since` works across a daemon restart.
void NamedSession::restore_ring(const std::string& who) {
  if (!store_) return;
  auto loaded = store_->load_updates(record_.name);
  if (!loaded) {
    log_line(LogLevel::warn, who + ": saved updates ignored: " + loaded.message());
    return;
  }
  auto& saved = *loaded;
  if (!saved) return;
  if (saved->last_seq != record_.seq) {
    log_line(LogLevel::info, who + ": saved updates end at seq " + std::to_string(saved->last_seq) +
                                 ", the session at " + std::to_string(record_.seq) +
                                 " (the daemon did not stop cleanly): not restored");
    return;
  }
  const std::size_t n = saved->entries.size();
  if (n > 0 && !ring_.restore(std::move(saved->entries)))
    log_line(LogLevel::warn, who + ": saved updates ignored: their seqs are not consecutive up to " +
                                 std::to_string(record_.seq));
  else if (n > 0)
    log_line(LogLevel::info, who + ": " + std::to_string(ring_.size()) + " saved updates restored for re-attaching clients");
}

void NamedSession::close() {
  if (closed_) return;
  save(true);
  if (store_)
    if (auto st = store_->save_updates(record_.name, ring_); !st)
      log_line(LogLevel::error, "session '" + record_.name + "': " + st.message());
  closed_ = true;
  idle_timer_.cancel();
  for (SessionMember* m : std::set<SessionMember*>(members_)) account_->detach(m);
  members_.clear();
  if (account_) {
    account_->set_update_sink(nullptr);
    daemon_.retire(account_);
  }
}

}  // namespace mtjson::daemon
