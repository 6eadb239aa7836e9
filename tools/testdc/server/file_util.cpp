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

}  // namespace mtjson::testdc::server
