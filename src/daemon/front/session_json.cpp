#include "daemon/front/session_json.h"

#include <algorithm>
#include <utility>

#include "base/base64.h"
#include "crypto/kdf.h"

namespace mtjson::daemon {

using nlohmann::json;

json session_to_json(const SessionState& s, const ServerSettings& server) {
  json j = {{"dc", s.dc}};
  if (s.key) {
    j["auth_key"] = base64_encode(s.key->auth_key.key);
    j["server_salt"] = s.key->server_salt;
    j["time_offset"] = std::chrono::duration_cast<std::chrono::seconds>(s.key->time_offset).count();
  }
  if (s.user_id) j["user_id"] = s.user_id;
  if (s.bot) j["bot"] = true;
  // The server object as seen from the home DC, so that restoring it reaches that DC.
  j["server"] = server.seen_from(s.dc).to_json();
  return j;
}

Status apply_server_fields(ServerSettings& settings, const ServerFields& f) {
  // Built, not parsed: ServerSettings::apply is the one place that knows what a server is.
  json j = json::object();
  if (f.host) j["host"] = *f.host;
  if (f.port) j["port"] = *f.port;
  if (f.dc) j["dc"] = *f.dc;
  if (f.test) j["test"] = *f.test;
  if (f.rsa) j["rsa"] = *f.rsa;
  if (f.transport) j["transport"] = *f.transport;
  if (f.obfuscated) j["obfuscated"] = *f.obfuscated;
  if (f.proxy) j["proxy"] = *f.proxy;
  if (j.empty() && !f.invalid.ok()) return f.invalid;
  ServerSettings next = settings;
  if (auto st = next.apply(j); !st) return st;
  // The keys before the bad one passed: the bad one is the answer.
  if (!f.invalid.ok()) return f.invalid;
  settings = std::move(next);
  return {};
}

Status restore_session(const SessionFields& f, SessionState& session, ServerSettings& server) {
  SessionState s;
  ServerSettings srv = server;
  if (f.server)
    if (auto st = apply_server_fields(srv, *f.server); !st) return st.prefixed("session.");
  if (!f.late_error.ok()) return f.late_error;
  if (!f.auth_key) return Status::error("session: 'auth_key' is required to restore a session");
  s.dc = f.dc ? static_cast<int>(*f.dc) : srv.dc;
  KeyState k;
  k.auth_key.key = *f.auth_key;
  // auth_key_id: the low 64 bits of SHA1(auth_key) ("Mobile Protocol: Detailed Description").
  k.auth_key.id = crypto::auth_key_id_u64(k.auth_key.key);
  if (f.server_salt) k.server_salt = *f.server_salt;
  if (f.time_offset) k.time_offset = std::chrono::seconds(*f.time_offset);
  s.key = k;
  if (f.user_id) s.user_id = *f.user_id;
  if (f.bot) s.bot = *f.bot;
  srv.dc = s.dc;
  // Moved, not copied: with a copy GCC 12 -O2 warns (-Wmaybe-uninitialized, a false positive)
  // about the disengaged update_state of the local when it is destroyed.
  session = std::move(s);
  server = std::move(srv);
  return {};
}

std::string redact_secrets(std::string text) {
  // Any JSON writer's spacing ("auth_key": "..." from Python's json.dumps) and escapes inside
  // the value; a value cut off by a truncated line is hidden up to the end.
  static const std::string name = "\"auth_key\"";
  static const std::string mask = "<redacted>";
  auto skip_space = [&text](std::size_t i) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    return i;
  };
  std::size_t pos = 0;
  while ((pos = text.find(name, pos)) != std::string::npos) {
    pos += name.size();
    std::size_t i = skip_space(pos);
    if (i >= text.size() || text[i] != ':') continue;
    i = skip_space(i + 1);
    if (i >= text.size() || text[i] != '"') continue;
    const std::size_t start = i + 1;
    std::size_t end = start;
    while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
    end = std::min(end, text.size());
    text.replace(start, end - start, mask);
    pos = start + mask.size();
  }
  return text;
}

}  // namespace mtjson::daemon
