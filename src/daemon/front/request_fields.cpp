// The server and session objects of a request line (request.h). Messages are the ones
// ServerSettings::apply and the session restore have always given.
#include <string>

#include "base/base64.h"
#include "daemon/front/request.h"
#include "daemon/front/request_util.h"
#include "daemon/sessions/session_name.h"

namespace mtjson::daemon {

using request_detail::as_integer;
using request_detail::sorted_fields;

namespace {

Status check_server_key(std::string_view key, simdjson::dom::element v, ServerFields& out) {
  std::string_view text;
  bool b = false;
  if (key == "host") {
    if (v.get(text) || text.empty()) return Status::error("server.host: expected a non-empty string");
    out.host = std::string(text);
  } else if (key == "port") {
    auto i = as_integer(v);
    if (!i || *i <= 0 || *i > 65535) return Status::error("server.port: expected an integer 1..65535");
    out.port = *i;
  } else if (key == "dc") {
    auto i = as_integer(v);
    if (!i || *i <= 0 || *i > 1000) return Status::error("server.dc: expected a DC id (1..1000)");
    out.dc = *i;
  } else if (key == "test") {
    if (v.get(b)) return Status::error("server.test: expected true or false");
    out.test = b;
  } else if (key == "rsa") {
    if (v.get(text)) return Status::error("server.rsa: expected PEM text");
    out.rsa = std::string(text);
  } else if (key == "transport") {
    if (v.get(text)) return Status::error("server.transport: expected abridged|intermediate|padded|full");
    if (text != "abridged" && text != "intermediate" && text != "padded" && text != "full")
      return Status::error("server.transport: '" + std::string(text) + "' is not abridged|intermediate|padded|full");
    out.transport = std::string(text);
  } else if (key == "obfuscated") {
    if (v.get(b)) return Status::error("server.obfuscated: expected true or false");
    out.obfuscated = b;
  } else if (key == "proxy") {
    if (v.is_null()) out.proxy = std::string();
    else if (v.get(text)) return Status::error("server.proxy: expected a string");
    else out.proxy = std::string(text);
  } else {
    return Status::error("server: unknown key '" + std::string(key) + "'");
  }
  return {};
}

// The restore form's keys (also a named session's first attach with auth_key).
Status check_restore_key(std::string_view key, simdjson::dom::element v, SessionFields& out) {
  if (key == "auth_key") {
    std::string_view text;
    if (v.get(text)) return Status::error("session.auth_key: expected base64");
    auto decoded = base64_decode(text);
    if (!decoded) return Status::error("session.auth_key: expected base64 (" + decoded.message() + ")");
    const std::vector<std::uint8_t>& bytes = *decoded;
    if (bytes.size() != 256)
      return Status::error("session.auth_key: expected 256 bytes, got " + std::to_string(bytes.size()));
    out.auth_key.emplace();
    std::copy(bytes.begin(), bytes.end(), out.auth_key->begin());
  } else if (key == "dc") {
    auto i = as_integer(v);
    if (!i || *i <= 0 || *i > 1000) return Status::error("session.dc: expected a DC id");
    out.dc = *i;
  } else if (key == "user_id") {
    auto i = as_integer(v);
    if (!i) return Status::error("session.user_id: expected an integer");
    out.user_id = *i;
  } else if (key == "bot") {
    bool b = false;
    if (v.get(b)) return Status::error("session.bot: expected true or false");
    out.bot = b;
  } else if (key == "server_salt" || key == "time_offset") {
    auto i = as_integer(v);
    if (!i) return Status::error("session." + std::string(key) + ": expected an integer");
    if (key == "server_salt") out.server_salt = static_cast<std::uint64_t>(*i);
    else out.time_offset = *i;
  } else if (key != "server" && key != "name") {
    return Status::error("session: unknown key '" + std::string(key) + "'");
  }
  return {};
}

void parse_restore(const std::vector<request_detail::Field>& fields, SessionFields& out) {
  for (auto& [key, v] : fields) {
    if (key == "server") out.server = parse_server_fields(v);
    else if (auto st = check_restore_key(key, v, out); !st && out.late_error.ok()) out.late_error = st;
  }
  if (!out.auth_key && out.late_error.ok())
    out.late_error = Status::error("session: 'auth_key' is required to restore a session");
}

void parse_named(const std::vector<request_detail::Field>& fields, SessionFields& out) {
  std::vector<request_detail::Field> rest;
  bool has_key = false;
  for (auto& [key, v] : fields) {
    if (key == "name") {
      std::string_view name;
      if (v.get(name)) {
        out.name_error = Status::error("session.name: expected a string");
        out.name = std::string();
      } else {
        out.name = std::string(name);
        out.name_error = valid_session_name(name);
      }
    } else if (key == "since") {
      auto i = as_integer(v);
      // Non-negative: one above INT64_MAX is fine here (an unsigned seq).
      std::uint64_t u = 0;
      if (v.is_uint64() && !v.get(u)) out.since = u;
      else if (i && *i >= 0) out.since = static_cast<std::uint64_t>(*i);
      else out.early_error = Status::error("session.since: expected the seq of the last update seen (an integer >= 0)");
    } else {
      has_key = has_key || key == "auth_key";
      rest.emplace_back(key, v);
    }
  }
  // What a new session starts from: the restore object, or just a server and a dc.
  if (has_key) return parse_restore(rest, out);
  for (auto& [key, v] : rest) {
    if (key == "server") {
      out.server = parse_server_fields(v);
    } else if (key == "dc") {
      auto i = as_integer(v);
      if (i && *i > 0 && *i <= 1000) out.dc = *i;
      else if (out.late_error.ok()) out.late_error = Status::error("session.dc: expected a DC id");
    } else if (out.early_error.ok()) {
      out.early_error = Status::error("session: '" + std::string(key) +
                                      "' needs 'auth_key' (expected name, since, auth_key, dc, user_id, bot, "
                                      "server_salt, time_offset, server)");
    }
  }
}

}  // namespace

ServerFields parse_server_fields(simdjson::dom::element server) {
  ServerFields out;
  simdjson::dom::object obj;
  if (server.get(obj)) {
    out.invalid = Status::error("server: expected an object");
    return out;
  }
  for (auto& [key, v] : sorted_fields(obj))
    if (auto st = check_server_key(key, v, out); !st) {
      out.invalid = st;
      break;
    }
  return out;
}

Result<SessionFields> parse_session_fields(simdjson::dom::element session) {
  simdjson::dom::object obj;
  if (session.get(obj)) return Status::error("'session' must be an object");
  SessionFields out;
  const auto fields = sorted_fields(obj);
  out.empty = fields.empty();
  const bool named = std::any_of(fields.begin(), fields.end(), [](auto& f) { return f.first == "name"; });
  if (named) parse_named(fields, out);
  else if (!out.empty) parse_restore(fields, out);
  return out;
}

}  // namespace mtjson::daemon
