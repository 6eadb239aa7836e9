// Helpers of the daemon unit tests: files of the source tree (MTJSON_SOURCE_ROOT) and the real
// schema (scheme.tl + tl/mtproto.tl), loaded once.
#pragma once

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tl/schema.h"
#include "tl/schema_loader.h"

namespace mtjson::daemon::test {

inline std::string source_root() {
  const char* root = std::getenv("MTJSON_SOURCE_ROOT");
  return root && *root ? root : ".";
}

inline std::string read_source_file(const std::string& relative) {
  std::ifstream in(source_root() + "/" + relative, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + source_root() + "/" + relative);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::shared_ptr<const tl::Schema> api_schema() {
  static const std::shared_ptr<const tl::Schema> schema = [] {
    std::shared_ptr<const tl::Schema> s;
    auto st = tl::load_schema_files({source_root() + "/scheme.tl", source_root() + "/tl/mtproto.tl"}, s);
    if (!st) throw std::runtime_error("schema: " + st.message());
    return s;
  }();
  return schema;
}

}  // namespace mtjson::daemon::test
