#include "signin/session_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace mtjson::signin {

namespace {

Status sys_error(const std::string& what, const std::string& path) {
  return Status::error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

Result<std::string> read_text_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return sys_error("cannot open", path);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Status s = sys_error("cannot read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > (1u << 20)) {
      ::close(fd);
      return Result<std::string>::error(path + " is over 1 MiB: not a saved session");
    }
  }
  ::close(fd);
  return out;
}

Result<Json> parse_session_text(const std::string& text) {
  // The first line that is not blank.
  std::size_t pos = 0;
  std::string line;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    line = text.substr(pos, end - pos);
    if (line.find_first_not_of(" \t\r") != std::string::npos) break;
    line.clear();
    pos = end + 1;
  }
  if (line.empty()) return Result<Json>::error("the file is empty");
  Json j = Json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Result<Json>::error("the first line is not a JSON object");
  Json session = j.contains("session") ? j.at("session") : j;
  if (!session.is_object()) return Result<Json>::error("\"session\" is not an object");
  if (!session.contains("auth_key") || !session.at("auth_key").is_string() ||
      session.at("auth_key").get_ref<const std::string&>().empty())
    return Result<Json>::error("the session has no \"auth_key\"");
  if (!session.contains("dc") || !session.at("dc").is_number_integer())
    return Result<Json>::error("the session has no integer \"dc\"");
  return session;
}

}  // namespace mtjson::signin
