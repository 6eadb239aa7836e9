// mtjson-tl: encode/decode TL from the command line, and inspect schemas.
//   mtjson-tl encode [--schema F]... [--boxed T | --bare T]     JSON lines -> hex lines
//   mtjson-tl decode [--schema F]... [--boxed T | --bare T] [--longs-as-strings]
//   mtjson-tl info [--schema F]... NAME | '#id' | --layer | --check
#include <simdjson.h>

#include <charconv>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "tl/default_schema.h"
#include "tl/json_to_tl.h"
#include "tl/schema_loader.h"
#include "tl/tl_to_json.h"

using namespace mtjson::tl;

namespace {

const char* kUsage = R"(usage:
  mtjson-tl encode [--schema FILE]... [--boxed TYPE | --bare TYPE]
      Reads one JSON object per line ({"_cons": "name", ...}) on stdin and
      prints one line of hex (the TL bytes) per input line.
  mtjson-tl decode [--schema FILE]... [--boxed TYPE | --bare TYPE] [--longs-as-strings]
      Reads one line of hex per object on stdin and prints one JSON line each.
  mtjson-tl info [--schema FILE]... NAME | '#ID' | --layer | --check
      Prints a constructor's or method's definition (by name or hex id), the
      schema's layer, or (--check) declarations whose id is not the CRC32 of
      their text.

Options:
  --schema FILE       load FILE (repeatable); replaces the default
                      scheme.tl + tl/mtproto.tl (from $MTJSON_SCHEMA_DIR or
                      the build-time source directory)
  --boxed TYPE        the value is of this boxed type (e.g. messages.Messages,
                      Vector<long>); default: any boxed constructor or method
  --bare TYPE         the value is bare: a constructor name (resPQ), %Type,
                      vector<T> or a primitive (int, long, int128, ...)
  --longs-as-strings  decode: print long values as decimal strings
  -h, --help          this text

A line that fails prints an empty output line and "line N: what" on stderr;
the exit status is 1 if any line failed, 2 for bad usage or schema errors.
)";

int usage_error(const std::string& what) {
  std::fprintf(stderr, "mtjson-tl: %s\n(run 'mtjson-tl --help' for usage)\n", what.c_str());
  return 2;
}

mtjson::Result<std::vector<std::uint8_t>> parse_hex(std::string_view line) {
  std::vector<std::uint8_t> out;
  int nibble = -1;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (c == ' ' || c == '\t' || c == '\r') continue;
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else
      return mtjson::Status::error("invalid hex character '" + std::string(1, c) + "' at column " +
                                   std::to_string(i + 1));
    if (nibble < 0) nibble = v;
    else {
      out.push_back(static_cast<std::uint8_t>(nibble << 4 | v));
      nibble = -1;
    }
  }
  if (nibble >= 0) return mtjson::Status::error("odd number of hex digits");
  return out;
}

void print_hex(const std::vector<std::uint8_t>& bytes, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (auto b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
}

// --bare TYPE: a constructor name or primitive stays as is; a boxed type name
// becomes %Type; Vector<T> becomes vector<T>.
std::string bare_spelling(const std::string& t) {
  if (t.starts_with("Vector<")) return "vector<" + t.substr(7);
  if (!t.empty() && std::isupper(static_cast<unsigned char>(t[t.rfind('.') == std::string::npos ? 0 : t.rfind('.') + 1])))
    return "%" + t;
  return t;
}

int run_encode(const std::shared_ptr<const Schema>& schema, const TypeExpr& type) {
  JsonToTl encoder(schema);
  simdjson::dom::parser parser;
  std::string line, out;
  std::vector<std::uint8_t> bytes;
  int failures = 0;
  for (std::size_t n = 1; std::getline(std::cin, line); ++n) {
    out.clear();
    bytes.clear();
    simdjson::dom::element doc;
    auto err = parser.parse(line).get(doc);
    mtjson::Status st;
    if (err) st = mtjson::Status::error(std::string("invalid JSON: ") + simdjson::error_message(err));
    else st = encoder.encode(doc, type, bytes);
    if (!st) {
      std::fprintf(stderr, "line %zu: %s\n", n, st.message().c_str());
      ++failures;
    } else {
      print_hex(bytes, out);
    }
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return failures ? 1 : 0;
}

int run_decode(const std::shared_ptr<const Schema>& schema, const TypeExpr& type, bool longs_as_strings) {
  DecodeOptions options;
  options.longs_as_strings = longs_as_strings;
  TlToJson decoder(schema, options);
  std::string line, out;
  int failures = 0;
  for (std::size_t n = 1; std::getline(std::cin, line); ++n) {
    out.clear();
    auto bytes = parse_hex(line);
    mtjson::Status st = bytes ? decoder.decode(*bytes, type, out) : bytes.status();
    if (!st) {
      std::fprintf(stderr, "line %zu: %s\n", n, st.message().c_str());
      ++failures;
    }
    out += '\n';
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return failures ? 1 : 0;
}

int run_info(const Schema& schema, const std::vector<std::string>& args) {
  if (args.size() != 1) return usage_error("info takes one NAME, '#id', --layer or --check");
  const std::string& what = args[0];
  if (what == "--layer") {
    if (!schema.layer()) {
      std::fprintf(stderr, "mtjson-tl: no '// LAYER N' marker in the loaded schema files\n");
      return 1;
    }
    std::printf("%d\n", schema.layer());
    return 0;
  }
  if (what == "--check") {
    for (const auto& m : schema.warnings()) std::printf("%s\n", m.c_str());
    std::printf("%zu combinators, %zu types, %zu warnings\n", schema.combinators().size(),
                schema.types().size(), schema.warnings().size());
    return 0;
  }
  const Combinator* c = nullptr;
  if (!what.empty() && what[0] == '#') {
    std::string_view hex(what);
    hex.remove_prefix(1);
    if (hex.starts_with("0x")) hex.remove_prefix(2);
    std::uint32_t id = 0;
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), id, 16);
    if (ec != std::errc() || p != hex.data() + hex.size() || hex.empty())
      return usage_error("'" + what + "' is not a hex constructor id");
    c = schema.by_id(id);
  } else {
    c = schema.by_name(what);
    if (!c) {
      if (auto t = schema.type_by_name(what)) {
        const Type& type = schema.type(*t);
        std::printf("type %s: %zu constructor(s)\n", type.name.c_str(), type.constructors.size());
        for (auto ci : type.constructors) std::printf("  %s  (%s)\n", schema.combinator(ci).source.c_str(),
                                                      schema.combinator(ci).location.c_str());
        return 0;
      }
    }
  }
  if (!c) {
    std::fprintf(stderr, "mtjson-tl: '%s' is not in the loaded schema\n", what.c_str());
    return 1;
  }
  std::printf("%s;\n", c->source.c_str());
  std::printf("  %s #%08x, %s\n", c->is_function ? "method" : "constructor", c->id, c->location.c_str());
  if (c->is_function) std::printf("  returns %s\n", schema.type_name(c->result).c_str());
  else std::printf("  type %s\n", schema.type(c->type).name.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("missing command (encode, decode or info)");
  std::string command = args[0];
  if (command == "-h" || command == "--help" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command != "encode" && command != "decode" && command != "info")
    return usage_error("unknown command '" + command + "' (expected encode, decode or info)");

  std::vector<std::string> schema_files, rest;
  std::string boxed, bare;
  bool longs_as_strings = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    if (a == "--schema") {
      std::string f;
      if (!value(f)) return usage_error("--schema needs a file");
      schema_files.push_back(f);
    } else if (a == "--boxed") {
      if (!value(boxed)) return usage_error("--boxed needs a type");
    } else if (a == "--bare") {
      if (!value(bare)) return usage_error("--bare needs a type");
    } else if (a == "--longs-as-strings" && command == "decode") {
      longs_as_strings = true;
    } else if (a == "-h" || a == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (command == "info" && (a == "--layer" || a == "--check" || a.empty() || a[0] != '-')) {
      rest.push_back(a);
    } else {
      return usage_error("unknown option '" + a + "' for " + command);
    }
  }
  if (!boxed.empty() && !bare.empty()) return usage_error("--boxed and --bare exclude each other");
  if (schema_files.empty()) schema_files = default_schema_paths();

  std::shared_ptr<const Schema> schema;
  if (mtjson::Status st = load_schema_files(schema_files, schema); !st) {
    std::fprintf(stderr, "mtjson-tl: %s\n", st.message().c_str());
    return 2;
  }
  if (command == "info") return run_info(*schema, rest);

  TypeExpr type{TypeExpr::Kind::Object, 0};
  if (!boxed.empty() || !bare.empty()) {
    std::string text = boxed.empty() ? bare_spelling(bare) : boxed;
    if (mtjson::Status st = schema->parse_type(text, type); !st) return usage_error("type '" + text + "': " + st.message());
  }
  std::ios::sync_with_stdio(false);
  return command == "encode" ? run_encode(schema, type) : run_decode(schema, type, longs_as_strings);
}
