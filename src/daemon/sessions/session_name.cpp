#include "daemon/sessions/session_name.h"

namespace mtjson::daemon {

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

const char* kRule = "a name is 1..64 of A-Z a-z 0-9 _ . - and does not start with '.'";

}  // namespace

bool valid_session_name(std::string_view name, std::string& error) {
  if (name.empty() || name.size() > kMaxSessionName) {
    error = "session.name: " + std::to_string(name.size()) + " characters (" + kRule + ")";
    return false;
  }
  if (name.front() == '.') {
    error = "session.name: starts with '.' (" + std::string(kRule) + ")";
    return false;
  }
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i])) {
      const unsigned char c = static_cast<unsigned char>(name[i]);
      error = "session.name: character " +
              (c >= 0x20 && c < 0x7f ? "'" + std::string(1, name[i]) + "'" : "byte " + std::to_string(c)) +
              " at offset " + std::to_string(i) + " (" + kRule + ")";
      return false;
    }
  return true;
}

}  // namespace mtjson::daemon
