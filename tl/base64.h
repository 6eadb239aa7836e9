// Base64 for the JSON form of bytes/int128/int256: standard alphabet with
// padding on output; standard or URL-safe, padded or not, on input.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mtjson::tl {

void base64_encode(std::span<const std::uint8_t> in, std::string& out);  // appends
// Appends the decoded bytes to out. On failure returns false and sets
// `error` (what is wrong and at which character); out is left unchanged.
bool base64_decode(std::string_view in, std::vector<std::uint8_t>& out, std::string& error);

}  // namespace mtjson::tl
