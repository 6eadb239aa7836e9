// The daemon side of mtjson-signin: request lines of mtjson's JSON-lines protocol (README
// "client protocol"), the parsed form of its answer lines, and what a Telegram error means for
// a person at the terminal.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

// json_long: a TL long from JSON, an integer or a decimal string (decoders with longs_as_strings).
#include "base/json_fields.h"
#include "base/status.h"

namespace mtjson::signin {

// Key order kept as built/received: "_cons" first in requests, the daemon's order in the
// session object we print.
using Json = nlohmann::ordered_json;

// initConnection's parameters ("Layers", "Initialization"). api_id/api_hash may be missing
// until asked for.
struct AppInfo {
  std::optional<std::int32_t> api_id;
  std::optional<std::string> api_hash;
  std::string device_model = "mtjson-signin";
  std::string system_version;  // default: uname -sr (main.cpp)
  std::string app_version;     // default: the project version
  std::string lang_code = "en";
  int layer = 0;               // the schema's "// LAYER N" (scheme.tl)
};

// method wrapped as invokeWithLayer(layer, initConnection(..., method)). Every request is wrapped:
// the daemon may open a new MTProto session at any time (another DC, a reconnect), and the first
// query of a session must carry initConnection ("Layers"); the wrapper is harmless otherwise.
Json wrap_method(const AppInfo& app, Json method);

// One request line, no '\n': {"id":id,key:value}.
std::string request_line(std::int64_t id, std::string_view key, const Json& value);

// One answer line of the daemon, classified.
struct Answer {
  enum class Kind {
    Result,       // "message": a TL object (the method's result)
    RpcError,     // "message": rpc_error
    RpcTimeout,   // "message": rpc_timeout
    DaemonError,  // "error": the daemon refused the request line
    Session,      // "session": {...}
    Server,       // "server": {...}
    Other,        // an object with none of these keys
  };
  std::int64_t id = 0;
  Kind kind = Kind::Other;
  Json body;                 // Result: the object; Session/Server: the object
  int error_code = 0;        // RpcError
  std::string error;         // RpcError: error_message; DaemonError: the kind ("tl", "server", ...)
  std::string detail;        // DaemonError: "msg"
};

// An error when the line is not a JSON object with an integer "id" (saying what it is).
Result<Answer> parse_answer(std::string_view line);

// A string field of a TL object, "" when absent or not a string.
std::string json_string(const Json& object, const char* key);
// A Bool / flags.N?true field: false when absent or not a boolean.
bool json_bool(const Json& object, const char* key);

// What a Telegram error (or no answer) means: the exit code and a line that says what to do.
struct Failure {
  int exit_code = 0;
  std::string message;
};
// For an rpc_error answer to `method` ("auth.sendCode"). Errors a flow handles itself
// (PHONE_CODE_INVALID, SESSION_PASSWORD_NEEDED, ...) never get here.
Failure describe_rpc_error(std::string_view method, int error_code, const std::string& error_message);
Failure describe_timeout(std::string_view method);
// `what`: the request ("server", "session", "session restore", or a method name).
Failure describe_daemon_error(std::string_view what, const Answer& answer);
// Any answer to `what` that the flow does not handle itself: an rpc_error, an rpc_timeout or a
// refused line as above; a kind the request cannot get is a protocol mismatch (kExitUnreachable).
Failure describe_answer_failure(std::string_view what, const Answer& answer);

// FLOOD_WAIT_30 -> 30 (also FLOOD_PREMIUM_WAIT_X, SLOWMODE_WAIT_X); nullopt for other errors.
std::optional<long> flood_wait_seconds(const std::string& error_message);
// "45 s", "2 min 5 s", "3 h 10 min"
std::string duration_text(long seconds);

// "Ada Lovelace (@ada, id 42, +9996621234)" from a user object; "bot" marked as such.
std::string describe_user(const Json& user);

}  // namespace mtjson::signin
