#include "daemon/front/session_json.h"

#include <algorithm>
#include <utility>

#include "crypto/sha.h"
#include "tl/base64.h"

namespace mtjson::daemon {

using nlohmann::json;

json session_to_json(const SessionState& s, const ServerSettings& server) {
  json j = {{"dc", s.dc}};
  if (s.key) {
    std::string b64;
    tl::base64_encode(s.key->auth_key.key, b64);
    j["auth_key"] = b64;
    j["server_salt"] = s.key->server_salt;
    j["time_offset"] = std::chrono::duration_cast<std::chrono::seconds>(s.key->time_offset).count();
  }
  if (s.user_id) j["user_id"] = s.user_id;
  if (s.bot) j["bot"] = true;
  // The server object as seen from the home DC, so that restoring it reaches that DC.
  j["server"] = server.seen_from(s.dc).to_json();
  return j;
}

bool session_from_json(const json& j, SessionState& session, ServerSettings& server, std::string& error) {
  if (!j.is_object()) return error = "session: expected an object", false;
  SessionState s;
  ServerSettings srv = server;
  if (j.contains("server")) {
    std::string e;
    if (!srv.apply(j["server"], e)) return error = "session." + e, false;
  }
  s.dc = srv.dc;
  for (auto& [key, v] : j.items()) {
    if (key == "auth_key") {
      std::vector<std::uint8_t> bytes;
      std::string e;
      if (!v.is_string() || !tl::base64_decode(v.get<std::string>(), bytes, e))
        return error = "session.auth_key: expected base64" + (e.empty() ? std::string() : " (" + e + ")"), false;
      if (bytes.size() != 256)
        return error = "session.auth_key: expected 256 bytes, got " + std::to_string(bytes.size()), false;
      KeyState k;
      std::copy(bytes.begin(), bytes.end(), k.auth_key.key.begin());
      // auth_key_id: the low 64 bits of SHA1(auth_key) (mtproto_description.md).
      const auto h = crypto::sha1(k.auth_key.key);
      for (int i = 19; i >= 12; --i) k.auth_key.id = (k.auth_key.id << 8) | h[static_cast<std::size_t>(i)];
      if (s.key) k.server_salt = s.key->server_salt, k.time_offset = s.key->time_offset;
      s.key = k;
    } else if (key == "dc") {
      if (!v.is_number_integer() || v.get<std::int64_t>() <= 0 || v.get<std::int64_t>() > 1000)
        return error = "session.dc: expected a DC id", false;
      s.dc = static_cast<int>(v.get<std::int64_t>());
    } else if (key == "user_id") {
      if (!v.is_number_integer()) return error = "session.user_id: expected an integer", false;
      s.user_id = v.get<std::int64_t>();
    } else if (key == "bot") {
      if (!v.is_boolean()) return error = "session.bot: expected true or false", false;
      s.bot = v.get<bool>();
    } else if (key == "server_salt" || key == "time_offset") {
      if (!v.is_number_integer()) return error = "session." + key + ": expected an integer", false;
    } else if (key == "server" || key == "name") {
    } else {
      return error = "session: unknown key '" + key + "'", false;
    }
  }
  if (!s.key) return error = "session: 'auth_key' is required to restore a session", false;
  if (j.contains("server_salt")) s.key->server_salt = j["server_salt"].get<std::uint64_t>();
  if (j.contains("time_offset")) s.key->time_offset = std::chrono::seconds(j["time_offset"].get<std::int64_t>());
  srv.dc = s.dc;
  // Moved, not copied: with a copy GCC 12 -O2 warns (-Wmaybe-uninitialized, a false positive)
  // about the disengaged update_state of the local when it is destroyed.
  session = std::move(s);
  server = std::move(srv);
  return true;
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
