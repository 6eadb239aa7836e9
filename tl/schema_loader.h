// Builds a Schema from one or more schema texts (e.g. scheme.tl + tl/mtproto.tl):
// resolves every field type, checks names and ids, indexes by id and name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tl/schema.h"
#include "base/status.h"

namespace mtjson::tl {

struct SchemaText {
  std::string file;  // shown in errors as file:line
  std::string text;
};

Status build_schema(const std::vector<SchemaText>& texts, std::shared_ptr<const Schema>& out);
Status load_schema_files(const std::vector<std::string>& paths, std::shared_ptr<const Schema>& out);

}  // namespace mtjson::tl
