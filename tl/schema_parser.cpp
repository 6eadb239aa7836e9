#include "tl/schema_parser.h"

#include <cctype>
#include <charconv>

namespace mtjson::tl {
namespace {

bool is_ident_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// "name" or "ns.name": identifiers joined by single dots.
bool is_qualified_ident(std::string_view s) {
  if (s.empty()) return false;
  bool at_start = true;
  for (char c : s) {
    if (at_start) {
      if (!is_ident_start(c)) return false;
      at_start = false;
    } else if (c == '.') {
      at_start = true;
    } else if (!is_ident_char(c)) {
      return false;
    }
  }
  return !at_start;
}

bool is_builtin_name(std::string_view name) {
  return name == "int" || name == "long" || name == "double" || name == "string" ||
         name == "bytes" || name == "int128" || name == "int256" || name == "vector";
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) words.push_back(s.substr(start, i - start));
  }
  return words;
}

class StatementParser {
 public:
  StatementParser(std::string_view file, int line) : file_(file), line_(line) {}

  Status error(const std::string& what) const {
    return Status::error(std::string(file_) + ":" + std::to_string(line_) + ": " + what);
  }

  // One declaration, without its ';'. Words are separated by white space; the
  // generic parameter braces may or may not be separated from their contents.
  Status parse(std::string_view text, bool functions_section, Declaration& decl) {
    decl.file = std::string(file_);
    decl.line = line_;
    decl.is_function = functions_section;
    auto words = split_words(text);
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (i) decl.text += ' ';
      decl.text += words[i];
    }
    if (words.empty()) return error("empty declaration before ';'");

    // name[#id]
    std::string_view head = words[0];
    std::string_view name = head;
    if (auto hash = head.find('#'); hash != std::string_view::npos) {
      name = head.substr(0, hash);
      std::string_view hex = head.substr(hash + 1);
      std::uint32_t id = 0;
      auto [ptr, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), id, 16);
      if (hex.empty() || hex.size() > 8 || ec != std::errc() || ptr != hex.data() + hex.size())
        return error("invalid constructor id '#" + std::string(hex) + "' (expected up to 8 hex digits)");
      decl.id = id;
    }
    if (!is_qualified_ident(name))
      return error("expected a combinator name, got '" + std::string(head) + "'");
    decl.name = std::string(name);

    std::size_t eq = words.size();
    for (std::size_t i = 1; i < words.size(); ++i)
      if (words[i] == "=") { eq = i; break; }
    if (eq == words.size()) return error("expected '=' and a result type in '" + decl.text + "'");
    if (eq + 1 == words.size()) return error("expected a result type after '=' in '" + decl.text + "'");
    for (std::size_t i = eq + 1; i < words.size(); ++i) {
      if (i > eq + 1) decl.result += ' ';
      decl.result += words[i];
    }

    // Built-in type declarations (int ? = Int; int128 4*[ int ] = Int128;
    // vector {t:Type} # [ t ] = Vector t;) describe what the codec hard-codes.
    bool exotic = false;
    for (std::size_t i = 1; i < eq; ++i) {
      auto w = words[i];
      if (w == "?" || w == "#" || w == "[" || w == "]" || w.find('[') != std::string_view::npos) exotic = true;
    }
    if (is_builtin_name(decl.name) || exotic) {
      if (!is_builtin_name(decl.name))
        return error("unsupported declaration syntax (repetitions are only understood in built-in types): '" +
                     decl.text + "'");
      decl.builtin = true;
      return Status();
    }

    for (std::size_t i = 1; i < eq; ++i) {
      std::string_view w = words[i];
      if (!w.empty() && w.front() == '{') {
        // {X:Type}, possibly split as "{X:Type" "}" or "{" "X:Type}" ...
        std::string joined(w);
        while (joined.back() != '}' && i + 1 < eq) joined += std::string(words[++i]);
        if (joined.back() != '}') return error("unterminated '{' in '" + decl.text + "'");
        std::string_view inner(joined);
        inner = inner.substr(1, inner.size() - 2);
        auto colon = inner.find(':');
        if (colon == std::string_view::npos || inner.substr(colon + 1) != "Type" ||
            !is_qualified_ident(inner.substr(0, colon)))
          return error("expected '{Name:Type}', got '" + joined + "'");
        decl.type_params.emplace_back(inner.substr(0, colon));
        continue;
      }
      auto colon = w.find(':');
      if (colon == std::string_view::npos)
        return error("expected 'name:Type' for an argument, got '" + std::string(w) + "'");
      DeclArg arg;
      std::string_view arg_name = w.substr(0, colon);
      if (!is_qualified_ident(arg_name) || arg_name.find('.') != std::string_view::npos)
        return error("invalid argument name '" + std::string(arg_name) + "'");
      arg.name = std::string(arg_name);
      std::string_view type = w.substr(colon + 1);
      if (auto q = type.find('?'); q != std::string_view::npos) {
        // flags.N?Type ("Formal description of TL combinators", conditional fields)
        std::string_view cond = type.substr(0, q);
        auto dot = cond.find('.');
        if (dot == std::string_view::npos)
          return error("expected 'field.bit?Type' in argument '" + std::string(w) + "'");
        std::string_view bit_text = cond.substr(dot + 1);
        int bit = -1;
        auto [ptr, ec] = std::from_chars(bit_text.data(), bit_text.data() + bit_text.size(), bit);
        if (ec != std::errc() || ptr != bit_text.data() + bit_text.size() || bit < 0 || bit > 31)
          return error("flag bit must be 0..31 in argument '" + std::string(w) + "'");
        arg.cond_field = std::string(cond.substr(0, dot));
        arg.cond_bit = bit;
        type = type.substr(q + 1);
      }
      if (type.empty()) return error("missing type in argument '" + std::string(w) + "'");
      arg.type = std::string(type);
      decl.args.push_back(std::move(arg));
    }
    return Status();
  }

 private:
  std::string_view file_;
  int line_;
};

// "// LAYER 228" (tdesktop / gotd convention)
void scan_layer_comment(std::string_view comment, int& layer) {
  auto words = split_words(comment);
  if (words.size() == 2 && words[0] == "LAYER") {
    int value = 0;
    auto [ptr, ec] = std::from_chars(words[1].data(), words[1].data() + words[1].size(), value);
    if (ec == std::errc() && ptr == words[1].data() + words[1].size() && value > 0) layer = value;
  }
}

}  // namespace

Status parse_schema_text(std::string_view text, std::string_view file_name, ParsedSchemaFile& out) {
  bool functions_section = false;
  std::string statement;
  int statement_line = 0;
  int line = 1;
  std::size_t i = 0;
  bool has_content = false;  // the current statement has a non-space character
  auto at_statement_start = [&] { return !has_content; };
  while (i < text.size()) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      statement += ' ';
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      std::size_t end = text.find('\n', i);
      if (end == std::string_view::npos) end = text.size();
      scan_layer_comment(text.substr(i + 2, end - i - 2), out.layer);
      i = end;
      continue;
    }
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      std::size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos)
        return Status::error(std::string(file_name) + ":" + std::to_string(line) + ": unterminated '/*' comment");
      for (std::size_t k = i; k < end; ++k)
        if (text[k] == '\n') ++line;
      i = end + 2;
      continue;
    }
    if (c == '-' && at_statement_start() && text.substr(i, 3) == "---") {
      std::size_t end = text.find("---", i + 3);
      std::size_t nl = text.find('\n', i);
      if (end == std::string_view::npos || (nl != std::string_view::npos && end > nl))
        return Status::error(std::string(file_name) + ":" + std::to_string(line) +
                             ": expected '---types---' or '---functions---'");
      std::string_view marker = text.substr(i + 3, end - i - 3);
      if (marker == "functions") functions_section = true;
      else if (marker == "types") functions_section = false;
      else
        return Status::error(std::string(file_name) + ":" + std::to_string(line) + ": unknown section '---" +
                             std::string(marker) + "---' (expected ---types--- or ---functions---)");
      i = end + 3;
      continue;
    }
    if (c == ';') {
      Declaration decl;
      StatementParser parser(file_name, statement_line);
      if (Status st = parser.parse(statement, functions_section, decl); !st) return st;
      out.declarations.push_back(std::move(decl));
      statement.clear();
      has_content = false;
      ++i;
      continue;
    }
    if (!std::isspace(static_cast<unsigned char>(c)) && !has_content) {
      statement_line = line;
      has_content = true;
    }
    statement += c;
    ++i;
  }
  if (!at_statement_start())
    return Status::error(std::string(file_name) + ":" + std::to_string(statement_line) +
                         ": expected ';' at the end of the declaration");
  return Status();
}

}  // namespace mtjson::tl
