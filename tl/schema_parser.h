// Syntax of TL schema text ("TL Language", "Formal description of TL combinators"): turns
// a file into declarations, with file:line on every error. Meaning (type
// resolution, ids) is the loader's job (schema_loader.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace mtjson::tl {

struct DeclArg {
  std::string name;
  std::string cond_field;  // "flags" in flags.3?Type; empty when unconditional
  int cond_bit = -1;
  std::string type;        // as written after the condition: "Vector<int>", "!X", "#", "%Message"
};

struct Declaration {
  std::string name;                    // "messages.sendMessage"
  std::optional<std::uint32_t> id;     // the written #id, if any
  std::vector<std::string> type_params;  // X of {X:Type}
  std::vector<DeclArg> args;
  std::string result;                  // "Vector t", "X", "messages.Messages"
  bool is_function = false;
  bool builtin = false;                // int ? = Int; vector {t:Type} # [ t ] = Vector t; ...
  std::string file;
  int line = 0;
  std::string text;                    // the declaration, white space collapsed
};

struct ParsedSchemaFile {
  std::vector<Declaration> declarations;
  int layer = 0;  // from a "// LAYER N" comment
};

Status parse_schema_text(std::string_view text, std::string_view file_name, ParsedSchemaFile& out);

}  // namespace mtjson::tl
