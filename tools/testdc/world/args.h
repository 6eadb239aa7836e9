// Reading method arguments from the JSON form of TL (README.md "The JSON form of TL"): longs as
// integers or decimal strings, bytes as base64, optional flags fields. A missing or ill-typed
// argument raises RpcError 400 INPUT_REQUEST_INVALID.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/base64.h"
#include "testdc/world/state.h"

namespace mtjson::testdc {

[[noreturn]] void fail(int code, std::string message);
[[noreturn]] void bad_input();  // 400 INPUT_REQUEST_INVALID

const nlohmann::json& arg(const nlohmann::json& m, const char* name);  // required field
bool has_arg(const nlohmann::json& m, const char* name);                 // present and not null

std::int64_t as_long(const nlohmann::json& v);
std::int32_t as_int(const nlohmann::json& v);
std::string as_string(const nlohmann::json& v);
std::vector<std::uint8_t> as_bytes(const nlohmann::json& v);
bool as_flag(const nlohmann::json& m, const char* name);  // flags.N?true
std::string cons_of(const nlohmann::json& v);             // "_cons" of an object, else INPUT_REQUEST_INVALID

inline std::int64_t long_arg(const nlohmann::json& m, const char* n) { return as_long(arg(m, n)); }
inline std::int32_t int_arg(const nlohmann::json& m, const char* n) { return as_int(arg(m, n)); }
inline std::string string_arg(const nlohmann::json& m, const char* n) { return as_string(arg(m, n)); }

// TL bytes as base64 (base/base64.h: standard alphabet out; standard or URL-safe, padded or not, in).
inline std::string b64(const std::vector<std::uint8_t>& d) { return base64_encode(d); }

}  // namespace mtjson::testdc
