// Flag values on the command lines of mtjson, mtjson-testdc, mtjson-bench and mtjson-signin.
// A bad value gives one line naming the flag, quoting what was given and saying what is
// accepted, the same in every tool:
//   --port: '70000' is not a port number (0..65535)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace mtjson::cli {

// Walks a command line (without the program name) flag by flag. A flag's value is written
// "--flag=value" or "--flag value"; only "--" flags take the "=" form.
class ArgReader {
 public:
  explicit ArgReader(const std::vector<std::string>& args) : args_(args) {}

  // Moves to the next argument; false after the last one.
  bool next();
  // The argument as given ("--port=1543") and its flag part ("--port").
  const std::string& arg() const { return args_[current_]; }
  const std::string& flag() const { return flag_; }
  // Whether it came as "--flag=value" (a switch that takes no value refuses that).
  bool has_inline_value() const { return inline_value_.has_value(); }
  // The flag's value: the inline one, else the next argument (consumed); nullopt when the
  // command line ends first.
  std::optional<std::string> value();

 private:
  const std::vector<std::string>& args_;
  std::size_t current_ = 0;  // the flag's argument
  std::size_t next_ = 0;     // the first argument not yet read
  std::string flag_;
  std::optional<std::string> inline_value_;
};

// A decimal integer in lo..hi making up the whole text (no sign other than '-', no spaces).
std::optional<std::int64_t> parse_int(std::string_view text, std::int64_t lo, std::int64_t hi);

// An integer flag value, or the error line "FLAG: 'TEXT' is not WHAT (LO..HI)"; `what` names
// the thing with its article ("a DC count", "milliseconds").
Result<std::int64_t> int_value(std::string_view flag, std::string_view text, std::string_view what, std::int64_t lo,
                   std::int64_t hi);
// A TCP port; zero_ok when 0 means "any free port".
Result<std::int64_t> port_value(std::string_view flag, std::string_view text, bool zero_ok);

// "HOST:PORT", or "[ADDR]:PORT" for an IPv6 address (returned without the brackets); a bare
// IPv6 address is refused as ambiguous. nullopt when malformed or the port is not 1..65535.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};
std::optional<HostPort> parse_host_port(std::string_view text);

}  // namespace mtjson::cli
