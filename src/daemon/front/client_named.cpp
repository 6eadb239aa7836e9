// ClientPeer's part of issue 7: authentication ({"auth":{"token":...}}) and named shared
// sessions ({"session":{"name":"alice","since":N}}).
#include <nlohmann/json.hpp>

#include "daemon/daemon.h"
#include "daemon/front/client_peer.h"
#include "daemon/front/session_json.h"
#include "daemon/log.h"
#include "daemon/sessions/session_name.h"
#include "daemon/sessions/session_registry.h"

namespace mtjson::daemon {

using nlohmann::json;

namespace {

// Wrong tokens a connection may send before it is dropped (guessing costs a reconnect each time).
constexpr int kMaxAuthFailures = 3;

}  // namespace

bool ClientPeer::authenticate(const json& auth, std::int64_t rid, const std::string& where, std::string& extra) {
  if (!auth.is_object() || !auth.contains("token") || !auth["token"].is_string() || auth.size() != 1) {
    error_line(rid, "auth", where + ": expected {\"auth\":{\"token\":\"...\"}}");
    return false;
  }
  std::optional<Grant> grant;
  if (daemon_.auth_required()) {
    grant = daemon_.config().tokens.check(auth["token"].get<std::string>());
  } else {
    grant.emplace();
    grant->all = true;  // nothing to check: every client may use everything
  }
  if (!grant) {
    ++auth_failures_;
    log_line(LogLevel::warn, peer_ + ": wrong token (" + std::to_string(auth_failures_) + " of " +
                                 std::to_string(kMaxAuthFailures) + ")");
    error_line(rid, "auth", where + ": wrong token");
    if (auth_failures_ >= kMaxAuthFailures) close("too many wrong tokens");
    return false;
  }
  authed_ = true;
  grant_ = *grant;
  // A narrower token than before: leave what it does not cover.
  if (named_ && !grant_.allows(named_->name())) release_account("the client authenticated with another token");
  if (!named_ && account_ && !grant_.all) release_account("the client authenticated with another token");
  if (!grant_.all) restore_.reset();
  json ok = {{"ok", true}};
  if (!grant_.all) ok["sessions"] = grant_.names;
  extra += ",\"auth\":" + ok.dump();
  return true;
}

bool ClientPeer::attach_named(const json& j, std::int64_t rid, const std::string& where, UpdateRing::Replay& replay) {
  if (!j["name"].is_string()) {
    error_line(rid, "session", where + ": session.name: expected a string");
    return false;
  }
  const std::string name = j["name"].get<std::string>();
  std::string error;
  if (!valid_session_name(name, error)) {
    error_line(rid, "session", where + ": " + error);
    return false;
  }
  if (!grant_.allows(name)) {
    error_line(rid, "auth", where + ": this token may not use session '" + name + "'");
    return false;
  }
  std::optional<std::uint64_t> since;
  if (j.contains("since")) {
    const json& v = j["since"];
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0)) {
      error_line(rid, "session", where + ": session.since: expected the seq of the last update seen (an integer >= 0)");
      return false;
    }
    since = v.get<std::uint64_t>();
  }
  // What a new session starts from: the usual session object (auth_key, dc, user_id, bot,
  // server) or just a server/dc; ignored for a session that exists.
  json rest = j;
  rest.erase("name");
  rest.erase("since");
  std::optional<SessionState> initial;
  ServerSettings srv = server_;
  if (rest.contains("auth_key")) {
    SessionState s;
    if (!session_from_json(rest, s, srv, error)) {
      error_line(rid, "session", where + ": " + error);
      return false;
    }
    initial = s;
  } else {
    for (auto& [key, v] : rest.items())
      if (key != "server" && key != "dc") {
        error_line(rid, "session", where + ": session: '" + key + "' needs 'auth_key' (expected name, since, auth_key, dc, user_id, bot, server_salt, time_offset, server)");
        return false;
      }
    if (rest.contains("server") && !srv.apply(rest["server"], error)) {
      error_line(rid, "session", where + ": session." + error);
      return false;
    }
    if (rest.contains("dc")) {
      if (!rest["dc"].is_number_integer() || rest["dc"].get<std::int64_t>() <= 0 || rest["dc"].get<std::int64_t>() > 1000) {
        error_line(rid, "session", where + ": session.dc: expected a DC id");
        return false;
      }
      srv.dc = static_cast<int>(rest["dc"].get<std::int64_t>());
    }
  }
  if (named_ && named_->name() == name) {
    // Already attached: only the replay (the client's queries in flight go on).
    auto same = daemon_.sessions().open(name, initial, srv);
    if (!same) {
      error_line(rid, "session", where + ": " + same.message());
      return false;
    }
    if (since) replay = named_->attach(this, since);
    return true;
  }
  auto opened = daemon_.sessions().open(name, initial, srv);
  if (!opened) {
    error_line(rid, "session", where + ": " + opened.message());
    return false;
  }
  release_account("the client attached to session '" + name + "' before the answer came (the call may still have run)");
  restore_.reset();
  named_ = *opened;
  account_ = named_->account().shared_from_this();
  replay = named_->attach(this, since);
  return true;
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
