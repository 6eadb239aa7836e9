#include "testdc/server/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mtjson::testdc::server {

namespace {
Status sys_error(const std::string& what, const std::string& path) {
  return Status::error(what + " " + path + ": " + std::strerror(errno));
}
}  // namespace

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return sys_error("cannot open", path);
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return sys_error("cannot read", path);
  return ss.str();
}

Status make_dirs(const std::string& dir) {
  if (dir.empty()) return {};
  std::string partial;
  std::size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    partial = dir.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) return sys_error("cannot create", partial);
  }
  return {};
}

Status write_file_atomic(const std::string& path, const std::string& text, unsigned mode) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return sys_error("cannot create", temp);
  Status s;
  std::size_t done = 0;
  while (s && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) s = sys_error("cannot write", temp);
    else done += static_cast<std::size_t>(n);
  }
  if (s && ::fchmod(fd, static_cast<mode_t>(mode)) != 0) s = sys_error("cannot chmod", temp);
  if (s && ::fsync(fd) != 0) s = sys_error("cannot fsync", temp);
  if (::close(fd) != 0 && s) s = sys_error("cannot close", temp);
  if (s && ::rename(temp.c_str(), path.c_str()) != 0) s = sys_error("cannot rename to", path);
  if (!s) ::unlink(temp.c_str());
  return s;
}

}  // namespace mtjson::testdc::server
