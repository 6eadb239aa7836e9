// gzip_packed payloads ("Service Messages"): gzip-compressed TL.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace mtjson::tl {

// Inflates a gzip stream. Fails (with a reason) on corrupt data or when the
// result would exceed max_output bytes (a guard against decompression bombs).
Result<std::vector<std::uint8_t>> gzip_inflate(std::span<const std::uint8_t> in, std::size_t max_output);
// Compresses into a gzip stream (used by the server role for big answers).
std::vector<std::uint8_t> gzip_deflate(std::span<const std::uint8_t> in, int level = 6);

}  // namespace mtjson::tl
