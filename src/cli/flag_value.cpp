#include "cli/flag_value.h"

#include <charconv>

namespace mtjson::cli {

bool ArgReader::next() {
  if (next_ >= args_.size()) return false;
  current_ = next_++;
  flag_ = args_[current_];
  inline_value_.reset();
  if (auto eq = flag_.find('='); flag_.rfind("--", 0) == 0 && eq != std::string::npos) {
    inline_value_ = flag_.substr(eq + 1);
    flag_.resize(eq);
  }
  return true;
}

std::optional<std::string> ArgReader::value() {
  if (inline_value_) return *inline_value_;
  if (next_ >= args_.size()) return std::nullopt;
  return args_[next_++];
}

std::optional<std::int64_t> parse_int(std::string_view text, std::int64_t lo, std::int64_t hi) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || p != end || v < lo || v > hi) return std::nullopt;
  return v;
}

Result<std::int64_t> int_value(std::string_view flag, std::string_view text, std::string_view what,
                               std::int64_t lo, std::int64_t hi) {
  if (auto v = parse_int(text, lo, hi)) return *v;
  return Result<std::int64_t>::error(std::string(flag) + ": '" + std::string(text) + "' is not " + std::string(what) +
                                     " (" + std::to_string(lo) + ".." + std::to_string(hi) + ")");
}

Result<std::int64_t> port_value(std::string_view flag, std::string_view text, bool zero_ok) {
  return int_value(flag, text, "a port number", zero_ok ? 0 : 1, 65535);
}

std::optional<HostPort> parse_host_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return std::nullopt;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return std::nullopt;  // a bare IPv6 address is ambiguous: "[::1]:443"
  }
  auto port = parse_int(text.substr(colon + 1), 1, 65535);
  if (!port) return std::nullopt;
  return HostPort{std::string(host), static_cast<std::uint16_t>(*port)};
}

}  // namespace mtjson::cli
