#include "base/base64.h"

#include <array>

namespace mtjson {
namespace {

constexpr char kBase64Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<std::int8_t, 256> make_base64_decode_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<std::int8_t>(i);
  t['-'] = 62;  // URL-safe alphabet (RFC 4648 section 5)
  t['_'] = 63;
  return t;
}
constexpr auto kBase64Decode = make_base64_decode_table();

}  // namespace

void base64_encode(std::span<const std::uint8_t> in, std::string& out) {
  std::size_t old = out.size();
  out.resize(old + (in.size() + 2) / 3 * 4);
  char* p = out.data() + old;
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    std::uint32_t v = std::uint32_t(in[i]) << 16 | std::uint32_t(in[i + 1]) << 8 | in[i + 2];
    *p++ = kBase64Alphabet[v >> 18];
    *p++ = kBase64Alphabet[(v >> 12) & 63];
    *p++ = kBase64Alphabet[(v >> 6) & 63];
    *p++ = kBase64Alphabet[v & 63];
  }
  if (std::size_t rest = in.size() - i) {
    std::uint32_t v = std::uint32_t(in[i]) << 16 | (rest == 2 ? std::uint32_t(in[i + 1]) << 8 : 0);
    *p++ = kBase64Alphabet[v >> 18];
    *p++ = kBase64Alphabet[(v >> 12) & 63];
    *p++ = rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=';
    *p++ = '=';
  }
}

std::string base64_encode(std::span<const std::uint8_t> in) {
  std::string out;
  base64_encode(in, out);
  return out;
}

Result<std::vector<std::uint8_t>> base64_decode(std::string_view in) {
  std::vector<std::uint8_t> out;
  if (Status s = base64_decode_into(in, out); !s) return s;
  return out;
}

Status base64_decode_into(std::string_view in, std::vector<std::uint8_t>& out) {
  out.clear();
  std::size_t len = in.size();
  std::size_t padding = 0;
  while (len > 0 && in[len - 1] == '=' && padding < 2) {
    --len;
    ++padding;
  }
  if (padding && (len + padding) % 4 != 0)
    return Status::error("bad base64: padding does not complete a 4-character group");
  if (len % 4 == 1)
    return Status::error("bad base64: length " + std::to_string(in.size()) + " cannot encode whole bytes");
  out.reserve(len * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    std::int8_t v = kBase64Decode[static_cast<unsigned char>(in[i])];
    if (v < 0) {
      out.clear();
      return Status::error("bad base64: invalid character at position " + std::to_string(i));
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  // Leftover bits must be zero for a canonical encoding; be lenient: ignore.
  return {};
}

}  // namespace mtjson
