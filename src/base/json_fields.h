// Integers out of nlohmann::json values, read one way everywhere (README.md, "The JSON form of
// TL"): a long is a JSON integer or a decimal string, and a value above 2^63-1 (a JSON unsigned
// or a decimal string up to 2^64-1) stands for its 64-bit pattern. Templates over the JSON type
// (nlohmann::json or ordered_json), so base/ itself does not depend on nlohmann.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string>

namespace mtjson {

// The long in `value`; nullopt when it is neither an integer nor a whole decimal string.
template <typename Json>
std::optional<std::int64_t> json_long(const Json& value) {
  if (value.is_number_integer()) return value.template get<std::int64_t>();  // unsigned: same 64-bit pattern
  if (value.is_string()) {
    const std::string& s = value.template get_ref<const std::string&>();
    const char* begin = s.data();
    const char* end = begin + s.size();
    std::int64_t v = 0;
    if (auto [p, ec] = std::from_chars(begin, end, v); ec == std::errc() && p == end) return v;
    std::uint64_t u = 0;
    if (auto [p, ec] = std::from_chars(begin, end, u); ec == std::errc() && p == end) return static_cast<std::int64_t>(u);
  }
  return std::nullopt;
}

// The integer field `key` of `object`; `fallback` when it is missing or not an integer.
template <typename Json>
std::int32_t json_int(const Json& object, const char* key, std::int32_t fallback = 0) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number_integer()) return fallback;
  return it->template get<std::int32_t>();
}

}  // namespace mtjson
