#include "tl/default_schema.h"

#include <cstdlib>

#ifndef MTJSON_SCHEMA_DIR
#define MTJSON_SCHEMA_DIR "."
#endif

namespace mtjson::tl {

std::string default_schema_dir() {
  if (const char* env = std::getenv("MTJSON_SCHEMA_DIR"); env && *env) return env;
  return MTJSON_SCHEMA_DIR;
}

std::vector<std::string> default_schema_paths() {
  std::string dir = default_schema_dir();
  return {dir + "/scheme.tl", dir + "/tl/mtproto.tl"};
}

}  // namespace mtjson::tl
