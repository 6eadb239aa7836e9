// Where the unit tests find their reference vectors: tests/vectors/ in the source tree (one copy
// of each file, whichever suite reads it), located through MTJSON_SOURCE_ROOT (tests/meson.build).
#pragma once

#include <cstdlib>
#include <string>

namespace mtjson::test {

inline std::string vector_path(const std::string& name) {
  const char* root = std::getenv("MTJSON_SOURCE_ROOT");
  return std::string(root ? root : ".") + "/tests/vectors/" + name;
}

}  // namespace mtjson::test
