#include "signin/input_text.h"

#include <cctype>

namespace mtjson::signin {

namespace {
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
}  // namespace

std::string_view strip_line_end(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

std::string trim(std::string_view text) {
  const char* ws = " \t\r\n";
  auto b = text.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  auto e = text.find_last_not_of(ws);
  return std::string(text.substr(b, e - b + 1));
}

std::string normalize_phone(std::string_view text) {
  std::string t = trim(text);
  std::string digits;
  for (std::size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (is_digit(c)) digits += c;
    else if (c == '+' && digits.empty()) continue;
    else if (c == ' ' || c == '-' || c == '(' || c == ')' || c == '.') continue;
    else return {};
  }
  return digits;
}

std::string normalize_code(std::string_view text) {
  std::string t = trim(text);
  std::string digits;
  for (char c : t) {
    if (is_digit(c)) digits += c;
    else if (c != ' ' && c != '-') return t;
  }
  return digits;
}

bool looks_like_bot_token(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= text.size()) return false;
  for (std::size_t i = 0; i < colon; ++i)
    if (!is_digit(text[i])) return false;
  return true;
}

}  // namespace mtjson::signin
