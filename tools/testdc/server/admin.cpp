#include "testdc/server/admin.h"

#include <cctype>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>

namespace mtjson::testdc::server {

using nlohmann::json;

namespace {

// Every error of one command, thrown inside the parsing helpers and caught once.
struct BadCommand {
  std::string what;
};

json failure(std::string what) { return {{"ok", false}, {"error", std::move(what)}}; }

// Limits on values (bad values are refused, never clamped).
constexpr std::int64_t kMaxCount = 1'000'000'000;
constexpr std::int64_t kMaxDelayMs = 600'000;
constexpr std::int64_t kMaxFloodSeconds = 365LL * 24 * 3600;
constexpr std::int64_t kMaxSkew = 10LL * 365 * 24 * 3600;
constexpr std::int64_t kMaxRotateEvery = 30LL * 24 * 3600;

class Args {
 public:
  // `value` must be an object (or null: no fields) with only the allowed keys.
  Args(std::string command, const json& value, std::initializer_list<const char*> allowed)
      : command_(std::move(command)), value_(value) {
    if (value_.is_null()) return;
    if (!value_.is_object()) throw BadCommand{command_ + ": the arguments must be an object"};
    for (auto it = value_.begin(); it != value_.end(); ++it) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || it.key() == a;
      if (!ok) throw BadCommand{command_ + ": unknown field '" + it.key() + "'"};
    }
  }

  bool has(const char* key) const { return value_.is_object() && value_.contains(key); }

  std::int64_t integer(const char* key, std::int64_t lo, std::int64_t hi) const {
    const json& v = field(key);
    const std::string range = " (" + std::to_string(lo) + ".." + std::to_string(hi) + ")";
    if (!v.is_number_integer()) throw BadCommand{where(key) + " must be an integer" + range};
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > static_cast<std::uint64_t>(hi))
      throw BadCommand{where(key) + " is out of range" + range};
    const std::int64_t n = v.get<std::int64_t>();
    if (n < lo || n > hi) throw BadCommand{where(key) + " is out of range" + range};
    return n;
  }
  std::optional<std::int64_t> optional_integer(const char* key, std::int64_t lo, std::int64_t hi) const {
    if (!has(key)) return std::nullopt;
    return integer(key, lo, hi);
  }
  double number(const char* key, double lo, double hi) const {
    const json& v = field(key);
    if (!v.is_number()) throw BadCommand{where(key) + " must be a number"};
    const double d = v.get<double>();
    if (!(d >= lo && d <= hi)) throw BadCommand{where(key) + " is out of range (0..1)"};
    return d;
  }
  std::string string(const char* key) const {
    const json& v = field(key);
    if (!v.is_string() || v.get<std::string>().empty()) throw BadCommand{where(key) + " must be a non-empty string"};
    return v.get<std::string>();
  }
  // "count": the calls a method fault applies to; -1 = every call.
  int count() const {
    if (!has("count")) return 1;
    const std::int64_t n = integer("count", -1, kMaxCount);
    if (n == 0) throw BadCommand{where("count") + " must be >= 1, or -1 for every call"};
    return static_cast<int>(n);
  }
  std::string where(const char* key) const { return command_ + "." + key; }

 private:
  const json& field(const char* key) const {
    if (!has(key)) throw BadCommand{command_ + ": missing field '" + std::string(key) + "'"};
    return value_.at(key);
  }
  std::string command_;
  const json& value_;
};

// "X_MIGRATE_N" ("Error handling", 303 SEE_OTHER): PHONE_, FILE_, USER_, NETWORK_, STATS_MIGRATE_N.
bool is_migrate_error(const std::string& m) {
  const std::string infix = "_MIGRATE_";
  const std::size_t at = m.rfind(infix);
  if (at == std::string::npos || at == 0 || at + infix.size() == m.size()) return false;
  for (std::size_t i = 0; i < at; ++i)
    if (!(std::isupper(static_cast<unsigned char>(m[i])) || m[i] == '_')) return false;
  for (std::size_t i = at + infix.size(); i < m.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(m[i]))) return false;
  return true;
}

std::optional<int> dc_field(const ServerCore& core, const Args& a) {
  if (auto dc = a.optional_integer("dc", 1, core.dc_count)) return static_cast<int>(*dc);
  return std::nullopt;
}

std::string method_field(const ServerCore& core, const Args& a) {
  std::string m = a.string("method");
  if (!known_method(core.layers, m))
    throw BadCommand{a.where("method") + ": '" + m + "' is not a method of any loaded layer (or \"*\")"};
  return m;
}

json add_method_fault(ServerCore& core, MethodFault f) {
  core.info("admin: fault set: " + f.describe());
  core.faults.methods.push_back(std::move(f));
  return {{"ok", true}};
}

// The push faults ({"skip_updates":{"count":N}} and the like): N of the next pushes are altered;
// 0 or null clears.
json set_push_fault(ServerCore& core, const std::string& name, const json& v, std::int64_t FaultConfig::*count,
                    const std::string& effect) {
  Args a(name, v, {"count"});
  core.faults.*count = v.is_null() ? 0 : a.integer("count", 0, kMaxCount);
  core.info("admin: " + name + ": the next " + std::to_string(core.faults.*count) + " update push(es) " + effect);
  return {{"ok", true}};
}

using Handler = std::function<json(ServerCore&, const std::string&, const json&)>;

const std::map<std::string, Handler>& handlers() {
  static const std::map<std::string, Handler> table = {
      {"drop_connections",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {"dc"});
         return {{"ok", true}, {"closed", core.drop_connections(dc_field(core, a))}};
       }},
      {"drop_after",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         if (v.is_null()) {
           ++core.faults.drop_after_generation;
           core.faults.drop_after.reset();
           core.info("admin: drop_after cleared");
           return {{"ok", true}};
         }
         Args a(name, v, {"messages", "dc"});
         FaultConfig::DropAfter d;
         d.packets = static_cast<int>(a.integer("messages", 1, kMaxCount));
         d.dc = dc_field(core, a);
         core.faults.drop_after = d;
         ++core.faults.drop_after_generation;  // existing connections count from now on
         core.info("admin: drop_after " + std::to_string(d.packets) + " encrypted packets per connection" +
                   (d.dc ? " on dc" + std::to_string(*d.dc) : std::string()));
         return {{"ok", true}};
       }},
      {"drop_rate",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {"p"});
         core.faults.drop_rate = v.is_null() ? 0.0 : a.number("p", 0.0, 1.0);
         core.info("admin: drop_rate " + std::to_string(core.faults.drop_rate));
         return {{"ok", true}};
       }},
      {"delay",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {"ms"});
         core.faults.delay = std::chrono::milliseconds(v.is_null() ? 0 : a.integer("ms", 0, kMaxDelayMs));
         core.info("admin: delay " + std::to_string(core.faults.delay.count()) + " ms per API answer");
         return {{"ok", true}};
       }},
      {"rotate_salt",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {"every"});
         const auto every = a.optional_integer("every", 0, kMaxRotateEvery);
         const std::size_t sessions = core.rotate_salts("admin");
         if (every) {
           core.faults.salt_rotate = std::chrono::seconds(*every);
           if (core.on_salt_rotate_changed) core.on_salt_rotate_changed();
         }
         return {{"ok", true}, {"sessions", sessions}};
       }},
      {"flood_wait",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {"method", "seconds", "count"});
         MethodFault f;
         f.method = method_field(core, a);
         f.code = 420;
         f.message = "FLOOD_WAIT_" + std::to_string(a.integer("seconds", 0, kMaxFloodSeconds));
         f.remaining = a.count();
         return add_method_fault(core, std::move(f));
       }},
      {"error",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {"method", "code", "message", "count"});
         MethodFault f;
         f.method = method_field(core, a);
         f.code = static_cast<std::int32_t>(a.integer("code", -999, 999));
         if (f.code == 0) throw BadCommand{a.where("code") + " must not be 0"};
         f.message = a.string("message");
         f.remaining = a.count();
         return add_method_fault(core, std::move(f));
       }},
      {"migrate",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {"method", "error", "count"});
         MethodFault f;
         f.method = method_field(core, a);
         f.code = 303;  // "Error handling", "303 SEE_OTHER"
         f.message = a.string("error");
         if (!is_migrate_error(f.message))
           throw BadCommand{a.where("error") + ": '" + f.message + "' is not X_MIGRATE_N (e.g. NETWORK_MIGRATE_3)"};
         f.remaining = a.count();
         return add_method_fault(core, std::move(f));
       }},
      {"swallow",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {"method", "count"});
         MethodFault f;
         f.method = method_field(core, a);
         f.kind = MethodFault::Kind::swallow;
         f.remaining = a.count();
         return add_method_fault(core, std::move(f));
       }},
      {"destroy_keys",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {});
         return {{"ok", true}, {"destroyed", core.destroy_keys()}};
       }},
      {"forget_sessions",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {});
         return {{"ok", true}, {"forgotten", core.forget_sessions()}};
       }},
      {"too_long_updates",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         return set_push_fault(core, name, v, &FaultConfig::too_long_updates, "become updatesTooLong");
       }},
      {"clock_skew",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {"seconds"});
         core.set_clock_skew(a.integer("seconds", -kMaxSkew, kMaxSkew));
         return {{"ok", true}, {"server_time", core.unix_now()}};
       }},
      {"skip_updates",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         return set_push_fault(core, name, v, &FaultConfig::skip_updates, "will not be delivered");
       }},
      {"stats",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {});
         return {{"ok", true}, {"stats", core.stats_json()}};
       }},
      {"reset",
       [](ServerCore& core, const std::string& name, const json& v) -> json {
         Args a(name, v, {});
         const bool had_rotation = core.faults.salt_rotate.count() > 0;
         const bool had_skew = core.faults.clock_skew != 0;
         const std::uint64_t generation = core.faults.drop_after_generation + 1;
         core.faults = FaultConfig{};
         core.faults.drop_after_generation = generation;
         if (had_skew) core.set_clock_skew(0);  // the world's clock too
         if (had_rotation && core.on_salt_rotate_changed) core.on_salt_rotate_changed();
         core.info("admin: every fault cleared");
         return {{"ok", true}};
       }},
  };
  return table;
}

}  // namespace

bool known_method(const LayerSchemas& layers, const std::string& name) {
  if (name == "*") return true;
  for (const auto& l : layers.all()) {
    const tl::Combinator* c = l->schema->by_name(name);
    if (c && c->is_function) return true;
  }
  return false;
}

json run_admin_command(ServerCore& core, const json& command) {
  if (!command.is_object()) return failure("a command is a JSON object, e.g. {\"stats\":{}}");
  if (command.size() != 1)
    return failure("a command object has exactly one key (the command), this one has " +
                   std::to_string(command.size()));
  const std::string name = command.begin().key();
  auto it = handlers().find(name);
  if (it == handlers().end()) return failure("unknown command '" + name + "'");
  try {
    return it->second(core, name, command.begin().value());
  } catch (const BadCommand& e) {
    return failure(e.what);
  } catch (const json::exception& e) {
    return failure(name + ": " + e.what());
  }
}

json run_admin_line(ServerCore& core, std::string_view line) {
  json command;
  try {
    command = json::parse(line.begin(), line.end());
  } catch (const json::exception& e) {
    return failure(std::string("not JSON: ") + e.what());
  }
  return run_admin_command(core, command);
}

}  // namespace mtjson::testdc::server
