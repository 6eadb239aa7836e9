#include "signin/protocol.h"

#include <charconv>

#include "signin/step.h"

namespace mtjson::signin {

const char* field_name(Field field) {
  switch (field) {
    case Field::Phone: return "phone number";
    case Field::ApiId: return "api_id";
    case Field::ApiHash: return "api_hash";
    case Field::Code: return "code";
    case Field::Password: return "password";
    case Field::FirstName: return "first name";
    case Field::LastName: return "last name";
  }
  return "input";
}

Json wrap_method(const AppInfo& app, Json method) {
  Json init = {{"_cons", "initConnection"},
               {"api_id", app.api_id.value_or(0)},
               {"device_model", app.device_model},
               {"system_version", app.system_version},
               {"app_version", app.app_version},
               {"system_lang_code", app.lang_code},
               {"lang_pack", ""},
               {"lang_code", app.lang_code},
               {"query", std::move(method)}};
  return Json{{"_cons", "invokeWithLayer"}, {"layer", app.layer}, {"query", std::move(init)}};
}

std::string request_line(std::int64_t id, std::string_view key, const Json& value) {
  Json line = {{"id", id}};
  line[std::string(key)] = value;
  // Invalid UTF-8 (typed by a person on a Latin-1 terminal) becomes U+FFFD instead of throwing.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string json_string(const Json& object, const char* key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

bool json_bool(const Json& object, const char* key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

Result<Answer> parse_answer(std::string_view line) {
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Result<Answer>::error("not a JSON object");
  auto id = j.find("id");
  if (id == j.end() || !id->is_number_integer()) return Result<Answer>::error("no integer \"id\"");
  Answer a;
  a.id = id->get<std::int64_t>();
  if (auto e = j.find("error"); e != j.end()) {
    a.kind = Answer::Kind::DaemonError;
    a.error = e->is_string() ? e->get<std::string>() : e->dump();
    a.detail = json_string(j, "msg");
  } else if (auto m = j.find("message"); m != j.end()) {
    std::string cons = json_string(*m, "_cons");
    if (cons == "rpc_error") {
      a.kind = Answer::Kind::RpcError;
      auto code = m->find("error_code");
      a.error_code = code != m->end() && code->is_number_integer() ? code->get<int>() : 0;
      a.error = json_string(*m, "error_message");
    } else if (cons == "rpc_timeout") {
      a.kind = Answer::Kind::RpcTimeout;
    } else {
      a.kind = Answer::Kind::Result;
      a.body = std::move(*m);
    }
  } else if (auto s = j.find("session"); s != j.end()) {
    a.kind = Answer::Kind::Session;
    a.body = std::move(*s);
  } else if (auto v = j.find("server"); v != j.end()) {
    a.kind = Answer::Kind::Server;
    a.body = std::move(*v);
  }
  return a;
}

std::optional<long> flood_wait_seconds(const std::string& error_message) {
  for (std::string_view prefix : {"FLOOD_WAIT_", "FLOOD_PREMIUM_WAIT_", "SLOWMODE_WAIT_"}) {
    if (error_message.rfind(prefix, 0) != 0) continue;
    long v = 0;
    const char* b = error_message.data() + prefix.size();
    const char* e = error_message.data() + error_message.size();
    auto [p, ec] = std::from_chars(b, e, v);
    if (ec == std::errc() && p == e && p != b) return v;
  }
  return std::nullopt;
}

std::string duration_text(long seconds) {
  if (seconds < 60) return std::to_string(seconds) + " s";
  if (seconds < 3600) {
    std::string t = std::to_string(seconds / 60) + " min";
    if (seconds % 60) t += " " + std::to_string(seconds % 60) + " s";
    return t;
  }
  std::string t = std::to_string(seconds / 3600) + " h";
  if ((seconds % 3600) / 60) t += " " + std::to_string((seconds % 3600) / 60) + " min";
  return t;
}

namespace {

bool ends_with_migrate(const std::string& m) {
  auto pos = m.rfind("_MIGRATE_");
  return pos != std::string::npos && pos + 9 < m.size();
}

}  // namespace

Failure describe_rpc_error(std::string_view method, int code, const std::string& m) {
  const std::string what = std::string(method);
  if (auto wait = flood_wait_seconds(m))
    return {kExitUnreachable, "Telegram asks to wait " + duration_text(*wait) + " before " + what + " (" + m +
                                  "): run mtjson-signin again after that"};
  if (ends_with_migrate(m))
    return {kExitUnreachable, "Telegram answered " + what + " with " + m +
                                  ": the daemon is meant to move to that DC itself; check its version and log"};
  if (m == "PHONE_NUMBER_INVALID")
    return {kExitInput, "Telegram does not know this phone number (PHONE_NUMBER_INVALID): give it in international "
                        "format, e.g. --phone +15551234567"};
  if (m == "PHONE_NUMBER_BANNED") return {kExitInput, "this phone number is banned by Telegram (PHONE_NUMBER_BANNED)"};
  if (m == "PHONE_CODE_EXPIRED")
    return {kExitInput, "the code expired (PHONE_CODE_EXPIRED): run mtjson-signin again to get a new one"};
  if (m == "PHONE_NUMBER_OCCUPIED")
    return {kExitInput, "an account with this number was created meanwhile (PHONE_NUMBER_OCCUPIED): run "
                        "mtjson-signin again to sign in to it"};
  if (m == "API_ID_INVALID" || m == "API_ID_PUBLISHED_FLOOD")
    return {kExitInput, "Telegram refused the app's api_id/api_hash (" + m +
                            "): pass the ones from https://my.telegram.org/apps with --api-id and --api-hash"};
  if (m == "ACCESS_TOKEN_INVALID" || m == "ACCESS_TOKEN_EXPIRED")
    return {kExitInput, "the bot token is not valid (" + m + "): copy it again from @BotFather (--bot-token ID:SECRET)"};
  if (m == "AUTH_RESTART") return {kExitInput, "Telegram asks to restart the sign-in (AUTH_RESTART): run mtjson-signin again"};
  if (m == "FIRSTNAME_INVALID" || m == "LASTNAME_INVALID")
    return {kExitInput, "Telegram refused the name (" + m + "): use 1 to 64 characters for the first name, up to 64 for the last"};
  if (m == "AUTH_KEY_UNREGISTERED" || m == "SESSION_REVOKED" || m == "SESSION_EXPIRED" || m == "USER_DEACTIVATED" ||
      m == "USER_DEACTIVATED_BAN" || m == "AUTH_KEY_INVALID")
    return {kExitInput, "the session is not signed in (" + m + "): sign in again with mtjson-signin"};
  if (code == 500 || code < 0 || m.find("INTERNAL") != std::string::npos || m == "TIMEOUT")
    return {kExitUnreachable, "Telegram failed on " + what + " (" + std::to_string(code) + " " + m + "): try again later"};
  if (code >= 400 && code < 500 && code != 420)
    return {kExitInput, "Telegram refused " + what + " (" + std::to_string(code) + " " + m + ")"};
  return {kExitUnreachable, "Telegram could not do " + what + " (" + std::to_string(code) + " " + m + "): try again later"};
}

Failure describe_timeout(std::string_view method) {
  return {kExitUnreachable, "no answer from Telegram to " + std::string(method) +
                                " in time: check that the daemon reaches Telegram (its log; --test, --server), then run again"};
}

Failure describe_daemon_error(std::string_view what, const Answer& a) {
  const std::string detail = a.detail.empty() ? a.error : a.error + ": " + a.detail;
  if (a.error == "server")
    return {kExitInput, "the daemon refused the server settings (" + detail + "): check --server, --rsa and --test"};
  if (a.error == "session" && what == "session restore")
    return {kExitInput, "the daemon refused the saved session (" + detail +
                            "): the file must hold the line mtjson-signin printed; sign in again"};
  return {kExitUnreachable, "the daemon could not take the " + std::string(what) + " request (" + detail +
                                "): use mtjson and mtjson-signin of the same version"};
}

Failure describe_answer_failure(std::string_view what, const Answer& a) {
  switch (a.kind) {
    case Answer::Kind::RpcError: return describe_rpc_error(what, a.error_code, a.error);
    case Answer::Kind::RpcTimeout: return describe_timeout(what);
    case Answer::Kind::DaemonError: return describe_daemon_error(what, a);
    default:
      return {kExitUnreachable, "the daemon's answer to the " + std::string(what) + " request is not what the protocol says"};
  }
}

std::string describe_user(const Json& user) {
  std::string name = json_string(user, "first_name");
  std::string last = json_string(user, "last_name");
  if (!last.empty()) name += (name.empty() ? "" : " ") + last;
  std::string details;
  auto add = [&](const std::string& part) { details += (details.empty() ? "" : ", ") + part; };
  if (json_bool(user, "bot")) add("bot");
  if (std::string u = json_string(user, "username"); !u.empty()) add("@" + u);
  if (auto id = user.is_object() && user.contains("id") ? json_long(user.at("id")) : std::nullopt)
    add("id " + std::to_string(*id));
  if (std::string p = json_string(user, "phone"); !p.empty()) add("+" + p);
  if (name.empty()) return details.empty() ? "an unknown user" : details;
  return details.empty() ? name : name + " (" + details + ")";
}

}  // namespace mtjson::signin
