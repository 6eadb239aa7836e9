// Where the schema files are found when no --schema is given: scheme.tl and
// tl/mtproto.tl under $MTJSON_SCHEMA_DIR, else under the directory fixed at
// build time (the source tree for a build-tree binary).
#pragma once

#include <string>
#include <vector>

namespace mtjson::tl {

std::string default_schema_dir();
std::vector<std::string> default_schema_paths();  // {dir/scheme.tl, dir/tl/mtproto.tl}

}  // namespace mtjson::tl
