#include "base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace mtjson {
namespace {

Status atomic_file_error(const std::string& what, const std::string& path) {
  return Status::error(what + " " + path + ": " + std::strerror(errno));
}

// The directory part of `path`, for the temporary file and the directory fsync.
std::string directory_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Status write_all_to(int fd, std::string_view contents, const std::string& path) {
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return atomic_file_error("cannot write", path);
    if (n == 0) return Status::error("cannot write " + path + ": no progress");
    done += static_cast<std::size_t>(n);
  }
  return {};
}

}  // namespace

Status write_file_atomic(const std::string& path, std::string_view contents, mode_t mode) {
  if (path.empty() || path.back() == '/') return Status::error("not a file name: '" + path + "'");
  const std::string dir = directory_of(path);
  const auto slash = path.rfind('/');
  const std::size_t name_at = slash == std::string::npos ? 0 : slash + 1;
  // A hidden name that no reader of the directory mistakes for the file itself; mkostemp makes
  // it unique and creates it with O_EXCL (never someone else's file, never a stale one's mode).
  const std::string pattern = path.substr(0, name_at) + "." + path.substr(name_at) + ".tmp.XXXXXX";

  std::vector<char> temp(pattern.begin(), pattern.end());
  temp.push_back('\0');
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return atomic_file_error("cannot create a temporary file for", path);
  const std::string temp_path(temp.data());
  Status s = write_all_to(fd, contents, temp_path);
  // mkostemp creates the file 0600; fchmod sets exactly `mode`, whatever the umask.
  if (s && ::fchmod(fd, mode) != 0) s = atomic_file_error("cannot chmod", temp_path);
  if (s && ::fsync(fd) != 0) s = atomic_file_error("cannot fsync", temp_path);
  if (::close(fd) != 0 && s) s = atomic_file_error("cannot close", temp_path);
  if (s && ::rename(temp_path.c_str(), path.c_str()) != 0) s = atomic_file_error("cannot replace", path);
  if (!s) {
    ::unlink(temp_path.c_str());
    return s;
  }
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    (void)::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

}  // namespace mtjson
