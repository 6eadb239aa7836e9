// ClientPeer's options, server and unnamed session: a parsed line's keys applied to the
// connection (request.h), each giving the part of the answer it adds.
#include <nlohmann/json.hpp>

#include "daemon/front/client_peer.h"
#include "daemon/front/session_json.h"

namespace mtjson::daemon {

using nlohmann::json;

Result<std::string> ClientPeer::apply_options(const Request& request) {
  if (!request.raw_updates) return std::string();
  if (!*request.raw_updates) return request.raw_updates->status();
  if (auto raw = **request.raw_updates) raw_updates_ = *raw;
  return ",\"options\":" + json{{"raw_updates", raw_updates_}}.dump();
}

Result<std::string> ClientPeer::apply_server(const Request& request) {
  if (!request.server) return std::string();
  ServerSettings next = server_;
  if (auto st = apply_server_fields(next, *request.server); !st) return st;
  const bool changed = next.to_json() != server_.to_json() || next.rsa_pem != server_.rsa_pem;
  server_ = std::move(next);
  if (changed) {
    // A new endpoint: a new account (new keys) on the next message.
    release_account("the client changed its server before the answer came (the call may still have run)");
    restore_.reset();
  }
  return ",\"server\":" + server_.to_json().dump();
}

Result<ClientPeer::SessionAnswer> ClientPeer::apply_session(const SessionFields& f) {
  SessionAnswer answer;
  if (f.name) {
    if (!f.name_error.ok()) return f.name_error;
    answer.replay.emplace();
    if (auto st = attach_named(f, *answer.replay); !st) return st;
  } else if (!f.empty) {
    SessionState s;
    ServerSettings srv = server_;
    if (auto st = restore_session(f, s, srv); !st) return st;
    release_account("the client changed its session before the answer came (the call may still have run)");
    server_ = std::move(srv);
    restore_ = s;
  }
  if (named_) {
    answer.extra = ",\"session\":" + named_json(answer.replay ? &*answer.replay : nullptr).dump();
  } else {
    SessionState current;
    if (account_) current = account_->session();
    else if (restore_) current = *restore_;
    else current.dc = server_.dc;
    answer.extra = ",\"session\":" + session_to_json(current, account_ ? account_->server() : server_).dump();
  }
  return answer;
}

}  // namespace mtjson::daemon
