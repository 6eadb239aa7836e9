#include "testdc/world/args.h"

#include <limits>

#include "base/json_fields.h"

namespace mtjson::testdc {

void fail(int code, std::string message) { throw RpcError{code, std::move(message)}; }
void bad_input() { fail(400, "INPUT_REQUEST_INVALID"); }

bool has_arg(const nlohmann::json& m, const char* name) {
  if (!m.is_object()) return false;
  auto it = m.find(name);
  return it != m.end() && !it->is_null();
}

const nlohmann::json& arg(const nlohmann::json& m, const char* name) {
  if (!m.is_object()) bad_input();
  auto it = m.find(name);
  if (it == m.end() || it->is_null()) bad_input();
  return *it;
}

std::int64_t as_long(const nlohmann::json& v) {
  // README.md: a long may be a decimal string; values up to 2^64-1 are their 64-bit pattern.
  if (auto x = json_long(v)) return *x;
  bad_input();
}

std::int32_t as_int(const nlohmann::json& v) {
  if (!v.is_number_integer()) bad_input();
  if (v.is_number_unsigned()) {
    auto x = v.get<std::uint64_t>();
    if (x > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) bad_input();
    return static_cast<std::int32_t>(x);
  }
  auto x = v.get<std::int64_t>();
  if (x < std::numeric_limits<std::int32_t>::min() || x > std::numeric_limits<std::int32_t>::max()) bad_input();
  return static_cast<std::int32_t>(x);
}

std::string as_string(const nlohmann::json& v) {
  if (!v.is_string()) bad_input();
  return v.get<std::string>();
}

std::vector<std::uint8_t> as_bytes(const nlohmann::json& v) {
  if (!v.is_string()) bad_input();
  auto decoded = base64_decode(v.get_ref<const std::string&>());
  if (!decoded) bad_input();
  return std::move(decoded).value();
}

bool as_flag(const nlohmann::json& m, const char* name) {
  if (!has_arg(m, name)) return false;
  const auto& v = m.at(name);
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_object()) return true;  // {"_cons":"true"}
  bad_input();
}

std::string cons_of(const nlohmann::json& v) {
  if (!v.is_object()) bad_input();
  auto it = v.find("_cons");
  if (it == v.end()) it = v.find("_");  // tolerated alias
  if (it == v.end() || !it->is_string()) bad_input();
  return it->get<std::string>();
}

}  // namespace mtjson::testdc
