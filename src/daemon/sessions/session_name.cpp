#include "daemon/sessions/session_name.h"

namespace mtjson::daemon {

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-';
}

const char* kRule = "a name is 1..64 of A-Z a-z 0-9 _ . - and does not start with '.'";

}  // namespace

Status valid_session_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxSessionName) {
    return Status::error("session.name: " + std::to_string(name.size()) + " characters (" + kRule + ")");
  }
  if (name.front() == '.') {
    return Status::error("session.name: starts with '.' (" + std::string(kRule) + ")");
  }
  for (std::size_t i = 0; i < name.size(); ++i)
    if (!name_char(name[i])) {
      const unsigned char c = static_cast<unsigned char>(name[i]);
      return Status::error("session.name: character " +
              (c >= 0x20 && c < 0x7f ? "'" + std::string(1, name[i]) + "'" : "byte " + std::to_string(c)) +
              " at offset " + std::to_string(i) + " (" + kRule + ")");
    }
  return {};
}

}  // namespace mtjson::daemon
