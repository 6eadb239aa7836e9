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

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status write_all(int fd, const std::string& text, const std::string& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return sys_error("cannot write", path);
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

Status write_file_atomic(const std::string& path, const std::string& text) {
  if (path.empty() || path.back() == '/') return Status::error("not a file name: '" + path + "'");
  std::string pattern = path + ".XXXXXX";
  std::vector<char> temp(pattern.begin(), pattern.end());
  temp.push_back('\0');
  // mkstemp creates the file 0600 (not subject to a lax umask) with O_EXCL: no one else's file.
  int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return sys_error("cannot create a file next to", path);
  const std::string temp_path(temp.data());
  Status s = write_all(fd, text, temp_path);
  if (s && ::fchmod(fd, 0600) != 0) s = sys_error("cannot chmod", temp_path);
  if (s && ::fsync(fd) != 0) s = sys_error("cannot fsync", temp_path);
  if (::close(fd) != 0 && s) s = sys_error("cannot close", temp_path);
  if (s && ::rename(temp_path.c_str(), path.c_str()) != 0) s = sys_error("cannot rename the new file to", path);
  if (!s) {
    ::unlink(temp_path.c_str());
    return s;
  }
  // The rename is durable only once the directory is on disk too.
  int dir = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

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
