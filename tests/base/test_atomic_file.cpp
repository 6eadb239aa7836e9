// write_file_atomic: the contents land whole, with the requested mode whatever the umask, an
// existing file is replaced, no temporary file stays behind, and a failure names the path.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "base/atomic_file.h"

namespace fs = std::filesystem;

namespace {

struct AtomicFileDir {
  fs::path path;
  AtomicFileDir() {
    std::string pattern = (fs::temp_directory_path() / "mtjson-atomic-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~AtomicFileDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  int entries() const {
    int n = 0;
    for (const auto& e : fs::directory_iterator(path)) {
      (void)e;
      ++n;
    }
    return n;
  }
};

std::string read_back(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("write_file_atomic writes the contents with mode 0600 by default", "[atomic_file]") {
  AtomicFileDir dir;
  const fs::path file = dir.path / "session.json";
  const mode_t old = ::umask(0);  // a lax umask must not widen the mode
  const std::string text = std::string("{\"auth_key\":\"secret\"}\n") + std::string(100000, 'x');
  const mtjson::Status st = mtjson::write_file_atomic(file.string(), text);
  ::umask(old);
  INFO(st.message());
  REQUIRE(st.ok());
  CHECK(read_back(file) == text);
  CHECK(mode_of(file) == 0600);
  CHECK(dir.entries() == 1);  // no temporary file left behind
}

TEST_CASE("write_file_atomic sets exactly the requested mode", "[atomic_file]") {
  AtomicFileDir dir;
  const fs::path file = dir.path / "public.pem";
  const mode_t old = ::umask(077);  // a strict umask must not narrow it either
  const mtjson::Status st = mtjson::write_file_atomic(file.string(), "public\n", 0644);
  ::umask(old);
  REQUIRE(st.ok());
  CHECK(mode_of(file) == 0644);
}

TEST_CASE("write_file_atomic replaces an existing file", "[atomic_file]") {
  AtomicFileDir dir;
  const fs::path file = dir.path / "world.json";
  {
    std::ofstream out(file);
    out << "the old, longer contents that must not survive in any part";
  }
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                            fs::perms::others_read);
  REQUIRE(mtjson::write_file_atomic(file.string(), "new").ok());
  CHECK(read_back(file) == "new");
  CHECK(mode_of(file) == 0600);
  REQUIRE(mtjson::write_file_atomic(file.string(), "").ok());
  CHECK(read_back(file).empty());
  CHECK(dir.entries() == 1);
}

TEST_CASE("write_file_atomic reports a missing directory by path and reason", "[atomic_file]") {
  AtomicFileDir dir;
  const std::string target = (dir.path / "no" / "such" / "dir" / "f.json").string();
  const mtjson::Status st = mtjson::write_file_atomic(target, "x");
  REQUIRE_FALSE(st.ok());
  CHECK_THAT(st.message(), Catch::Contains(target));
  CHECK_THAT(st.message(), Catch::Contains("No such file or directory"));
  CHECK_FALSE(fs::exists(target));
  CHECK(dir.entries() == 0);

  const mtjson::Status not_a_file = mtjson::write_file_atomic((dir.path / "").string(), "x");
  CHECK_FALSE(not_a_file.ok());
}
