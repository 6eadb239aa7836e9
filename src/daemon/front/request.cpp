#include "daemon/front/request.h"

#include <algorithm>

#include "daemon/front/request_util.h"

namespace mtjson::daemon {

namespace request_detail {

std::vector<Field> sorted_fields(simdjson::dom::object object) {
  std::vector<Field> all;
  for (auto field : object) all.emplace_back(field.key, field.value);
  std::stable_sort(all.begin(), all.end(), [](const Field& a, const Field& b) { return a.first < b.first; });
  std::vector<Field> out;
  for (std::size_t i = 0; i < all.size(); ++i)
    if (i + 1 == all.size() || all[i + 1].first != all[i].first) out.push_back(all[i]);
  return out;
}

std::optional<std::int64_t> as_integer(simdjson::dom::element v) {
  if (std::int64_t i = 0; v.is_int64() && !v.get(i)) return i;
  if (std::uint64_t u = 0; v.is_uint64() && !v.get(u)) return static_cast<std::int64_t>(u);
  return std::nullopt;
}

}  // namespace request_detail

using request_detail::sorted_fields;

namespace {

Result<std::string> parse_auth(simdjson::dom::element auth) {
  simdjson::dom::object obj;
  std::string_view token;
  if (!auth.get(obj)) {
    auto fields = sorted_fields(obj);
    if (fields.size() == 1 && fields[0].first == "token" && !fields[0].second.get(token)) return std::string(token);
  }
  return Status::error("expected {\"auth\":{\"token\":\"...\"}}");
}

Result<double> parse_timeout(simdjson::dom::element timeout) {
  double s = 0;
  if (timeout.get(s) || !(s > 0) || s > kMaxTimeoutSeconds)
    return Status::error("'timeout' must be a number of seconds in (0, 86400]");
  return s;
}

Result<std::optional<bool>> parse_options(simdjson::dom::element options) {
  simdjson::dom::object obj;
  if (options.get(obj)) return Status::error("'options' must be an object");
  std::optional<bool> raw_updates;
  for (auto& [key, v] : sorted_fields(obj)) {
    if (key != "raw_updates") return Status::error("options: unknown key '" + std::string(key) + "' (expected raw_updates)");
    bool b = false;
    if (v.get(b)) return Status::error("options.raw_updates: expected true or false");
    raw_updates = b;
  }
  return raw_updates;
}

}  // namespace

Status Request::nothing_to_do() const {
  if (message || server || session || auth_token || raw_updates) return {};
  return Status::error("nothing to do (expected auth, options, server, session or message)");
}

bool is_blank_line(std::string_view line) { return line.find_first_not_of(" \t") == std::string_view::npos; }

Result<Request> parse_request_line(std::string_view line, simdjson::dom::parser& parser) {
  simdjson::dom::element doc;
  if (auto err = parser.parse(line.data(), line.size()).get(doc))
    return Status::error("not valid JSON (" + std::string(simdjson::error_message(err)) + ")");
  simdjson::dom::object obj;
  if (doc.get(obj)) return Status::error("expected a JSON object");
  Request r;
  // The first "id" when repeated; the other keys take their last value.
  if (simdjson::dom::element v; !obj["id"].get(v)) {
    if (v.get(r.id)) {
      r.id = -2;
      r.invalid = Status::error("'id' must be an integer");
      return r;
    }
  }
  for (auto field : obj) {
    const std::string_view k = field.key;
    if (k == "id") continue;
    if (k == "auth") r.auth_token = parse_auth(field.value);
    else if (k == "options") r.raw_updates = parse_options(field.value);
    else if (k == "server") r.server = parse_server_fields(field.value);
    else if (k == "session") r.session = parse_session_fields(field.value);
    else if (k == "message") r.message = field.value;
    else if (k == "timeout") r.timeout_seconds = parse_timeout(field.value);
    else {
      r.invalid = Status::error("unknown key '" + std::string(k) +
                                "' (expected id, auth, options, server, session, message, timeout)");
      return r;
    }
  }
  return r;
}

}  // namespace mtjson::daemon
