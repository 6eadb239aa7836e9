#include "tl/schema_loader.h"

#include <zlib.h>

#include <fstream>
#include <unordered_map>
#include <regex>
#include <sstream>

#include "tl/schema_parser.h"

namespace mtjson::tl {

namespace {

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  std::size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

// The constructor id is the CRC32 of the normalised declaration
// ("TL Language"): "name arg:type ... = Result" without the id, with
// flags.N?true arguments dropped, bytes spelled string, and <>{} removed.
std::uint32_t compute_id(const Declaration& d) {
  std::string repr = d.name;
  for (const auto& p : d.type_params) repr += " {" + p + ":Type}";
  for (const auto& a : d.args) {
    repr += ' ';
    repr += a.name;
    repr += ':';
    if (!a.cond_field.empty()) repr += a.cond_field + "." + std::to_string(a.cond_bit) + "?";
    repr += a.type;
  }
  repr += " = " + d.result;
  repr = replace_all(repr, ":bytes ", ":string ");
  repr = replace_all(repr, "?bytes ", "?string ");
  repr = replace_all(repr, "<", " ");
  repr = replace_all(repr, ">", "");
  repr = replace_all(repr, "{", "");
  repr = replace_all(repr, "}", "");
  // drop " name:flagsN.M?true"
  std::string out;
  out.reserve(repr.size());
  std::size_t i = 0;
  while (i < repr.size()) {
    if (repr[i] == ' ') {
      std::size_t end = repr.find(' ', i + 1);
      if (end == std::string::npos) end = repr.size();
      std::string_view word(repr.data() + i + 1, end - i - 1);
      auto colon = word.find(':');
      if (colon != std::string_view::npos && word.size() > 5 && word.substr(word.size() - 5) == "?true" &&
          word.find('.') != std::string_view::npos) {
        i = end;
        continue;
      }
    }
    out += repr[i++];
  }
  return static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size())));
}

std::string hex_id(std::uint32_t id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", id);
  return buf;
}

bool last_segment_is_lower(std::string_view name) {
  auto dot = name.rfind('.');
  char c = name[dot == std::string_view::npos ? 0 : dot + 1];
  return std::islower(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

// Names and types declared by one file. A declaration's own file is searched
// first when resolving its field types: the API schema and the MTProto schema
// both declare `message` and `Message`, and each must keep its own.
struct FileScope {
  NameIndex names;
  NameIndex types;
};

class SchemaBuilder {
 public:
  Status build(const std::vector<SchemaText>& texts, std::shared_ptr<const Schema>& out) {
    auto schema = std::make_shared<Schema>();
    s_ = schema.get();
    std::vector<Declaration> decls;
    std::vector<std::size_t> decl_scope;
    scopes_.resize(texts.size());
    for (std::size_t f = 0; f < texts.size(); ++f) {
      ParsedSchemaFile parsed;
      if (Status st = parse_schema_text(texts[f].text, texts[f].file, parsed); !st) return st;
      if (parsed.layer) s_->layer_ = parsed.layer;
      for (auto& d : parsed.declarations) {
        decls.push_back(std::move(d));
        decl_scope.push_back(f);
      }
    }

    // Pass 1: names, types, ids.
    std::vector<const Declaration*> kept;
    std::vector<std::uint32_t> kept_index;
    std::vector<std::size_t> kept_scope;
    for (std::size_t di = 0; di < decls.size(); ++di) {
      const Declaration& d = decls[di];
      FileScope& scope = scopes_[decl_scope[di]];
      if (d.builtin) {
        if (d.name == "vector" && d.id && *d.id != kVectorId)
          return at(d, "vector must have id #1cb5c415, not #" + hex_id(*d.id));
        continue;
      }
      std::uint32_t computed = compute_id(d);
      std::uint32_t id = d.id.value_or(computed);
      if (d.id && *d.id != computed)
        s_->warnings_.push_back(d.file + ":" + std::to_string(d.line) + ": " + d.name + "#" + hex_id(*d.id) +
                                     ", computed #" + hex_id(computed));
      bool shadowed = false;
      if (auto it = scope.names.find(d.name); it != scope.names.end())
        return at(d, "'" + d.name + "' is declared again (first at " + s_->combinators_[it->second].location + ")");
      if (auto it = s_->by_name_.find(d.name); it != s_->by_name_.end()) {
        const Combinator& prev = s_->combinators_[it->second];
        if (prev.id == id && prev.is_function == d.is_function) continue;  // same declaration in two files
        s_->warnings_.push_back(d.file + ":" + std::to_string(d.line) + ": '" + d.name + "' is also declared at " +
                                prev.location + "; the name means the first, this file's own uses mean this one");
        shadowed = true;
      }
      Combinator c;
      c.name = d.name;
      c.id = id;
      c.is_function = d.is_function;
      c.source = d.text;
      c.location = d.file + ":" + std::to_string(d.line);
      std::uint32_t index = static_cast<std::uint32_t>(s_->combinators_.size());
      if (auto it = s_->by_id_.find(id); it != s_->by_id_.end()) {
        // TDLib's api.tl declares helper "…Prefix" functions with the ids of the
        // real invokeWith* wrappers: the later declaration wins for decoding.
        const Combinator& prev = s_->combinators_[it->second];
        s_->warnings_.push_back(c.location + ": id #" + hex_id(id) + " of '" + d.name + "' is also declared by '" +
                                prev.name + "' (" + prev.location + "); decoding uses '" + d.name + "'");
        s_->by_id_.erase(it);
      }
      if (!d.is_function) {
        if (!d.type_params.empty()) return at(d, "generic constructors are only supported for built-in vector");
        c.type = type_index_for(scope, d.result);
      }
      s_->by_id_.emplace(id, index);
      if (!shadowed) s_->by_name_.emplace(c.name, index);
      scope.names.emplace(c.name, index);
      if (!d.is_function) s_->types_[c.type].constructors.push_back(index);
      s_->combinators_.push_back(std::move(c));
      kept.push_back(&d);
      kept_index.push_back(index);
      kept_scope.push_back(decl_scope[di]);
    }
    if (auto it = s_->type_by_name_.find("Bool"); it != s_->type_by_name_.end()) {
      const auto& cons = s_->types_[it->second].constructors;
      bool has_true = false, has_false = false;
      for (auto ci : cons) {
        has_true |= s_->combinators_[ci].id == kBoolTrueId;
        has_false |= s_->combinators_[ci].id == kBoolFalseId;
      }
      s_->types_[it->second].is_bool = has_true && has_false && cons.size() == 2;
    }

    // Pass 2: field and result types.
    for (std::size_t i = 0; i < kept.size(); ++i) {
      const Declaration& d = *kept[i];
      Combinator& c = s_->combinators_[kept_index[i]];
      scope_ = &scopes_[kept_scope[i]];
      for (const auto& a : d.args) {
        Field f;
        f.name = a.name;
        if (!a.cond_field.empty()) {
          for (std::size_t k = 0; k < c.fields.size(); ++k)
            if (c.fields[k].name == a.cond_field && c.fields[k].type.kind == TypeExpr::Kind::Nat)
              f.flag_field = static_cast<int>(k);
          if (f.flag_field < 0)
            return at(d, "argument '" + a.name + "' depends on '" + a.cond_field +
                             "', which is not an earlier '#' argument");
          f.flag_bit = a.cond_bit;
        }
        auto type = resolve(a.type, d.type_params);
        if (!type) return at(d, "argument '" + a.name + "': " + type.message());
        f.type = *type;
        if (f.type.kind == TypeExpr::Kind::Nat) {
          if (f.optional()) return at(d, "a '#' argument cannot be conditional");
          c.has_nat_fields = true;
        }
        if (f.type.kind == TypeExpr::Kind::TypeParam && a.type.front() != '!' )
          return at(d, "argument '" + a.name + "' must be written !" + a.type);
        for (const auto& prev : c.fields)
          if (prev.name == f.name) return at(d, "argument '" + a.name + "' appears twice");
        c.fields.push_back(std::move(f));
      }
      set_field_masks(c);
      if (d.is_function) {
        std::string result = d.result;
        // "Vector t" style results appear only on built-ins; functions use Vector<T>.
        auto type = resolve(result, d.type_params);
        if (!type) return at(d, "result type: " + type.message());
        c.result = *type;
      }
    }
    std::vector<std::uint32_t> named;
    named.reserve(s_->by_name_.size());
    for (const auto& [name, index] : s_->by_name_) named.push_back(index);
    const auto& combinators = s_->combinators_;
    s_->name_table_.build(named, [&](std::uint32_t i) -> std::string_view { return combinators[i].name; });
    out = std::move(schema);
    return Status();
  }

 private:
  Status at(const Declaration& d, const std::string& what) {
    return Status::error(d.file + ":" + std::to_string(d.line) + ": " + what);
  }

  std::uint32_t type_index_for(FileScope& scope, const std::string& name) {
    if (auto it = scope.types.find(name); it != scope.types.end()) return it->second;
    auto index = static_cast<std::uint32_t>(s_->types_.size());
    s_->types_.push_back(Type{name, {}, false});
    scope.types.emplace(name, index);
    s_->type_by_name_.emplace(name, index);  // the first file's type keeps the name
    return index;
  }

  static void set_field_masks(Combinator& c) {
    const std::size_t n = c.fields.size();
    bool shared = false;
    for (std::size_t k = 0; k < n; ++k)
      for (std::size_t j = k + 1; j < n && c.fields[k].optional(); ++j)
        shared |= c.fields[j].flag_field == c.fields[k].flag_field && c.fields[j].flag_bit == c.fields[k].flag_bit;
    c.masks_usable = n <= 64 && !shared;
    if (!c.masks_usable) return;
    for (std::size_t k = 0; k < n; ++k)
      (c.fields[k].optional() ? c.optional_mask : c.always_mask) |= std::uint64_t{1} << k;
  }

  std::uint32_t add_expr(TypeExpr e) {
    s_->exprs_.push_back(e);
    return static_cast<std::uint32_t>(s_->exprs_.size() - 1);
  }

 public:
  // Also used by Schema::parse_type (with a const schema, via a copy-free path).
  static Result<TypeExpr> resolve_in(const Schema& s, const FileScope* scope, std::string_view t,
                                     const std::vector<std::string>& params, std::vector<TypeExpr>* new_exprs);

 private:
  Result<TypeExpr> resolve(std::string_view t, const std::vector<std::string>& params) {
    std::vector<TypeExpr> pending;
    auto out = resolve_in(*s_, scope_, t, params, &pending);
    if (!out) return out;
    // resolve_in appended element expressions to `pending` with indices relative
    // to exprs_.size(); commit them.
    for (auto& e : pending) s_->exprs_.push_back(e);
    return out;
  }

  Schema* s_ = nullptr;
  std::vector<FileScope> scopes_;
  const FileScope* scope_ = nullptr;  // of the declaration being resolved
};

Result<TypeExpr> SchemaBuilder::resolve_in(const Schema& s, const FileScope* scope, std::string_view t,
                                           const std::vector<std::string>& params, std::vector<TypeExpr>* new_exprs) {
  using K = TypeExpr::Kind;
  auto is_param = [&](std::string_view n) {
    for (const auto& p : params)
      if (p == n) return true;
    return false;
  };
  if (t.empty()) return Status::error("empty type");
  if (t == "#") return TypeExpr{K::Nat, 0};
  if (t.front() == '!') {
    if (!is_param(t.substr(1))) return Status::error("'" + std::string(t) + "' does not name a {X:Type} parameter");
    return TypeExpr{K::TypeParam, 0};
  }
  if (is_param(t)) return TypeExpr{K::TypeParam, 0};
  if (t == "int") return TypeExpr{K::Int, 0};
  if (t == "long") return TypeExpr{K::Long, 0};
  if (t == "double") return TypeExpr{K::Double, 0};
  if (t == "string") return TypeExpr{K::String, 0};
  if (t == "bytes") return TypeExpr{K::Bytes, 0};
  if (t == "int128") return TypeExpr{K::Int128, 0};
  if (t == "int256") return TypeExpr{K::Int256, 0};
  if (t == "true") return TypeExpr{K::BareTrue, 0};
  if (t == "Object") return TypeExpr{K::Object, 0};
  bool boxed_vector = t.starts_with("Vector<");
  bool bare_vector = t.starts_with("vector<");
  if (boxed_vector || bare_vector) {
    if (t.back() != '>') return Status::error("unterminated '<' in '" + std::string(t) + "'");
    auto resolved = resolve_in(s, scope, t.substr(7, t.size() - 8), params, new_exprs);
    if (!resolved) return resolved;
    const TypeExpr elem = *resolved;
    if (elem.kind == K::Nat || elem.kind == K::BareTrue)
      return Status::error("vector of '" + std::string(t.substr(7, t.size() - 8)) + "' is not serialisable");
    new_exprs->push_back(elem);
    std::uint32_t index = static_cast<std::uint32_t>(s.exprs_.size() + new_exprs->size() - 1);
    return TypeExpr{boxed_vector ? K::Vector : K::BareVector, index};
  }
  if (t.front() == '%') {
    std::string_view name = t.substr(1);
    auto resolved = resolve_in(s, scope, name, params, new_exprs);
    if (!resolved) return resolved;
    const TypeExpr inner = *resolved;
    if (inner.kind == K::Boxed) {
      const auto& type = s.types_[inner.index];
      if (type.constructors.size() != 1)
        return Status::error("bare type '%" + std::string(name) + "' needs exactly one constructor, it has " +
                             std::to_string(type.constructors.size()));
      return TypeExpr{K::Bare, type.constructors[0]};
    }
    if (inner.kind == K::Vector) return TypeExpr{K::BareVector, inner.index};
    return inner;  // %int, %Message's constructor given by name, ...
  }
  std::string key(t);
  if (last_segment_is_lower(t)) {
    if (scope) {
      if (auto local = scope->names.find(key); local != scope->names.end()) {
        if (s.combinators_[local->second].is_function) return Status::error("method '" + key + "' used as a type");
        return TypeExpr{K::Bare, local->second};
      }
    }
    auto it = s.by_name_.find(key);
    if (it == s.by_name_.end() || s.combinators_[it->second].is_function)
      return Status::error("unknown constructor '" + std::string(t) + "' used as a bare type");
    return TypeExpr{K::Bare, it->second};
  }
  if (scope) {
    if (auto local = scope->types.find(key); local != scope->types.end()) return TypeExpr{K::Boxed, local->second};
  }
  auto it = s.type_by_name_.find(key);
  if (it == s.type_by_name_.end()) return Status::error("unknown type '" + std::string(t) + "'");
  return TypeExpr{K::Boxed, it->second};
}

Status build_schema(const std::vector<SchemaText>& texts, std::shared_ptr<const Schema>& out) {
  SchemaBuilder builder;
  return builder.build(texts, out);
}

Status load_schema_files(const std::vector<std::string>& paths, std::shared_ptr<const Schema>& out) {
  std::vector<SchemaText> texts;
  for (const auto& path : paths) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::error(path + ": cannot open schema file");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return Status::error(path + ": read error");
    texts.push_back({path, ss.str()});
  }
  return build_schema(texts, out);
}

// ---- Schema lookups ----

const Combinator* Schema::by_id(std::uint32_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &combinators_[it->second];
}
const Combinator* Schema::by_name(std::string_view name) const {
  auto index = index_by_name(name);
  return index ? &combinators_[*index] : nullptr;
}
std::optional<std::uint32_t> Schema::index_by_id(std::uint32_t id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}
std::optional<std::uint32_t> Schema::index_by_name(std::string_view name) const {
  std::int64_t i = name_table_.find(name);
  if (i < 0) return std::nullopt;
  return static_cast<std::uint32_t>(i);
}
std::optional<std::uint32_t> Schema::type_by_name(std::string_view name) const {
  auto it = type_by_name_.find(name);
  if (it == type_by_name_.end()) return std::nullopt;
  return it->second;
}

Status Schema::parse_type(std::string_view text, TypeExpr& out) const {
  std::vector<TypeExpr> pending;
  auto resolved = SchemaBuilder::resolve_in(*this, nullptr, text, {}, &pending);
  if (!resolved) return resolved.status();
  out = *resolved;
  // Element expressions live in exprs_, which is immutable after loading; a
  // type parsed later keeps its elements in a side table of this schema.
  if (!pending.empty()) {
    auto& extra = const_cast<std::vector<TypeExpr>&>(exprs_);
    for (auto& e : pending) extra.push_back(e);
  }
  return Status();
}

std::string Schema::type_name(const TypeExpr& t) const {
  using K = TypeExpr::Kind;
  switch (t.kind) {
    case K::Int: return "int";
    case K::Long: return "long";
    case K::Double: return "double";
    case K::String: return "string";
    case K::Bytes: return "bytes";
    case K::Int128: return "int128";
    case K::Int256: return "int256";
    case K::Nat: return "#";
    case K::BareTrue: return "true";
    case K::Vector: return "Vector<" + type_name(exprs_[t.index]) + ">";
    case K::BareVector: return "vector<" + type_name(exprs_[t.index]) + ">";
    case K::Boxed: return types_[t.index].name;
    case K::Bare: return "%" + combinators_[t.index].name;
    case K::Object: return "Object";
    case K::TypeParam: return "!X";
  }
  return "?";
}

}  // namespace mtjson::tl
