// One client line of the JSON protocol (README, "The daemon's protocol") read into plain values,
// with no connection state: parse_request_line() is pure, ClientPeer applies the result.
//
// Only a line that is not a JSON object fails as a whole (answered with id -2). Every other
// problem stays with the key it concerns, because the connection's state decides which error a line
// gets first: a wrong token is reported before a bad timeout, a token limited to named sessions
// before a bad session object. The kind an error is reported under follows from its key (the
// comments below name it). Sub-objects are checked key by key in sorted key order, a repeated
// key counting once with its last value: the order and messages the daemon has always had.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "base/status.h"

namespace mtjson::daemon {

constexpr double kMaxTimeoutSeconds = 86400;

// {"server":{...}} (also session.server): the keys ServerSettings::apply takes, type-checked.
// What depends on the current settings (the rsa key, the proxy's syntax, transport/obfuscated
// together, a changed endpoint) is left to apply_server_fields().
struct ServerFields {
  std::optional<std::string> host;
  std::optional<std::int64_t> port;
  std::optional<std::int64_t> dc;
  std::optional<bool> test;
  std::optional<std::string> rsa;
  std::optional<std::string> transport;
  std::optional<bool> obfuscated;
  std::optional<std::string> proxy;  // "" clears it (also given as null)
  // The first bad key; only the keys sorted before it are set (ServerSettings::apply still
  // checks those first, as it did when it saw the whole object).
  Status invalid;
};

// {"session":{...}}. Errors (kind "session") are split by when they are reported.
struct SessionFields {
  bool empty = true;                // {}: a query
  std::optional<std::string> name;  // the named form: attach to a shared session
  std::optional<std::uint64_t> since;
  std::optional<std::array<std::uint8_t, 256>> auth_key;  // the restore form
  std::optional<std::int64_t> dc;
  std::optional<std::int64_t> user_id;
  std::optional<bool> bot;
  std::optional<std::uint64_t> server_salt;
  std::optional<std::int64_t> time_offset;
  std::optional<ServerFields> server;
  Status name_error;   // a bad name: before the token's names are checked
  Status early_error;  // after that check: since, or a key a named session needs auth_key for
  Status late_error;   // after the server object applied: the other keys, a missing auth_key
};

struct Request {
  // The id answers carry: the line's, 1 when it has none, -2 when it is not an integer.
  std::int64_t id = 1;
  // A bad id or an unknown key (kind "request"): nothing of the line is used.
  Status invalid;
  std::optional<Result<std::string>> auth_token;      // kind "auth"
  std::optional<Result<double>> timeout_seconds;      // kind "request"
  std::optional<Result<std::optional<bool>>> raw_updates;  // options (kind "request")
  std::optional<ServerFields> server;                 // kind "server"
  std::optional<Result<SessionFields>> session;       // kind "session"
  // Points into the parser's document: valid until the parser parses again.
  std::optional<simdjson::dom::element> message;

  // Kind "request" when the line asks for nothing (only an id or a timeout).
  Status nothing_to_do() const;
};

// Lines of only spaces and tabs are skipped, not answered.
bool is_blank_line(std::string_view line);

// Fails (kind "json") for a line that is not JSON (invalid UTF-8 included) or not an object.
// Messages say what and where, without the "line L: " the answer puts in front.
Result<Request> parse_request_line(std::string_view line, simdjson::dom::parser& parser);

// The parts on their own (also what session files and tests use).
ServerFields parse_server_fields(simdjson::dom::element server);
Result<SessionFields> parse_session_fields(simdjson::dom::element session);

}  // namespace mtjson::daemon
