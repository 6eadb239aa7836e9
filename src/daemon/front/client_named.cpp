// ClientPeer's access and sharing: authentication ({"auth":{"token":...}}), what a token may
// use, and named shared sessions ({"session":{"name":"alice","since":N}}).
#include <nlohmann/json.hpp>

#include "daemon/daemon.h"
#include "daemon/front/client_peer.h"
#include "daemon/front/session_json.h"
#include "daemon/log.h"
#include "daemon/sessions/session_registry.h"

namespace mtjson::daemon {

using nlohmann::json;

Result<std::string> ClientPeer::apply_auth(const Request& request) {
  if (!request.auth_token) {
    if (authed_) return std::string();
    return Status::error("authenticate first with {\"auth\":{\"token\":\"...\"}} (this daemon requires a token)");
  }
  if (!*request.auth_token) return request.auth_token->status();
  std::optional<Grant> grant;
  if (daemon_.auth_required()) {
    grant = daemon_.config().tokens.check(**request.auth_token);
  } else {
    grant.emplace();
    grant->all = true;  // nothing to check: every client may use everything
  }
  if (!grant) {
    ++auth_failures_;
    log_line(LogLevel::warn, peer_ + ": wrong token (" + std::to_string(auth_failures_) + " of " +
                                 std::to_string(kMaxAuthFailures) + ")");
    return Status::error("wrong token");
  }
  authed_ = true;
  grant_ = *grant;
  // A narrower token than before: leave what it does not cover.
  if (named_ && !grant_.allows(named_->name())) release_account("the client authenticated with another token");
  if (!named_ && account_ && !grant_.all) release_account("the client authenticated with another token");
  if (!grant_.all) restore_.reset();
  json ok = {{"ok", true}};
  if (!grant_.all) ok["sessions"] = grant_.names;
  return ",\"auth\":" + ok.dump();
}

Status ClientPeer::may_use(const SessionFields& session) const {
  if (session.name) {
    // A bad name is the session's error, reported before this one.
    if (!session.name_error.ok() || grant_.allows(*session.name)) return {};
    return Status::error("this token may not use session '" + *session.name + "'");
  }
  if (grant_.all) return {};
  return Status::error("this token is limited to named sessions: attach one with {\"session\":{\"name\":...}}");
}

Status ClientPeer::attach_named(const SessionFields& f, UpdateRing::Replay& replay) {
  const std::string& name = *f.name;
  if (!f.early_error.ok()) return f.early_error;
  // What a new session starts from: the usual session object (auth_key, dc, user_id, bot,
  // server) or just a server/dc; ignored for a session that exists.
  std::optional<SessionState> initial;
  ServerSettings srv = server_;
  if (f.auth_key) {
    SessionState s;
    if (auto st = restore_session(f, s, srv); !st) return st;
    initial = s;
  } else {
    if (f.server)
      if (auto st = apply_server_fields(srv, *f.server); !st) return st.prefixed("session.");
    if (!f.late_error.ok()) return f.late_error;
    if (f.dc) srv.dc = static_cast<int>(*f.dc);
  }
  if (named_ && named_->name() == name) {
    // Already attached: only the replay (the client's queries in flight go on).
    auto same = daemon_.sessions().open(name, initial, srv);
    if (!same) return Status::error(same.message());
    if (f.since) replay = named_->attach(this, f.since);
    return {};
  }
  auto opened = daemon_.sessions().open(name, initial, srv);
  if (!opened) return Status::error(opened.message());
  release_account("the client attached to session '" + name + "' before the answer came (the call may still have run)");
  restore_.reset();
  named_ = *opened;
  account_ = named_->account().shared_from_this();
  replay = named_->attach(this, f.since);
  return {};
}

json ClientPeer::named_json(const UpdateRing::Replay* replay) const {
  Account& a = named_->account();
  json j = session_to_json(a.session(), a.server());
  if (!may_see_keys()) {
    j.erase("auth_key");
    j.erase("server_salt");
    j.erase("time_offset");
  }
  j["name"] = named_->name();
  j["seq"] = named_->last_seq();
  j["clients"] = named_->members();
  if (replay && replay->missed) {
    j["missed"] = true;
    j["oldest"] = replay->oldest;
  }
  return j;
}

}  // namespace mtjson::daemon
