// Writes JSON text straight into a string: no DOM. Strings are escaped, and
// bytes that are not valid UTF-8 are replaced by U+FFFD so the output is
// always valid JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mtjson::tl {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  std::string& out() { return out_; }

  void begin_object() { out_ += '{'; }
  void end_object() { out_ += '}'; }
  void begin_array() { out_ += '['; }
  void end_array() { out_ += ']'; }
  void comma() { out_ += ','; }
  // "key": — keys come from the schema (ASCII identifiers), so no escaping.
  void key(std::string_view k) {
    out_ += '"';
    out_ += k;
    out_ += "\":";
  }
  void value_bool(bool b) { out_ += b ? "true" : "false"; }
  void value_null() { out_ += "null"; }
  void value_int(std::int64_t v);
  void value_int_as_string(std::int64_t v);
  void value_double(double v);  // non-finite values become "NaN"/"Infinity"/"-Infinity" strings
  void value_string(std::string_view utf8_or_not);
  void raw(std::string_view text) { out_ += text; }

 private:
  std::string& out_;
};

}  // namespace mtjson::tl
