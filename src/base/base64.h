// Base64 (RFC 4648), the one implementation: the JSON form of TL bytes/int128/int256, auth keys
// in session files, MTProxy secrets in proxy links, HTTP Basic proxy credentials.
// Output: standard alphabet ('+', '/') with '=' padding. Input: standard or URL-safe alphabet
// ('-', '_'; proxy links use it), padded or not.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace mtjson {

// Appends the encoding of `in` to `out` (no temporary string on the JSON writer's path).
void base64_encode(std::span<const std::uint8_t> in, std::string& out);
std::string base64_encode(std::span<const std::uint8_t> in);

// The decoded bytes, or an error saying what is wrong and at which character (never the text
// itself: it may be a secret).
Result<std::vector<std::uint8_t>> base64_decode(std::string_view in);
// The same into `out`, whose contents it replaces and whose capacity it reuses (the JSON-to-TL
// encoder decodes every bytes field into one per-thread buffer); on failure `out` is cleared.
Status base64_decode_into(std::string_view in, std::vector<std::uint8_t>& out);

}  // namespace mtjson
