#include "tl/json_to_tl.h"

#include <charconv>
#include <cstring>
#include <cmath>
#include <algorithm>
#include <bit>
#include <limits>
#include <span>

#include "base/base64.h"
#include "base/bytes.h"
#include "tl/wire_writer.h"

namespace mtjson::tl {

using simdjson::dom::element;
using simdjson::dom::element_type;
using K = TypeExpr::Kind;

namespace {

const char* json_type_name(element_type t) {
  switch (t) {
    case element_type::ARRAY: return "array";
    case element_type::OBJECT: return "object";
    case element_type::INT64:
    case element_type::UINT64: return "integer";
    case element_type::DOUBLE: return "number";
    case element_type::STRING: return "string";
    case element_type::BOOL: return "boolean";
    case element_type::NULL_VALUE: return "null";
  }
  return "value";
}

bool is_null(element e) { return e.type() == element_type::NULL_VALUE; }

// The common case of a long sent as a decimal string: an optional '-' and 1
// to 19 digits, which cannot overflow 64 bits. Anything else (and a negative
// value below the int64 range) is left to the general from_chars path with
// its error messages; the result is the same as that path's.
bool short_decimal(std::string_view sv, std::int64_t& out) {
  bool negative = !sv.empty() && sv[0] == '-';
  std::string_view digits = sv.substr(negative ? 1 : 0);
  if (digits.empty() || digits.size() > 19) return false;
  std::uint64_t v = 0;
  for (char ch : digits) {
    unsigned d = static_cast<unsigned char>(ch) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  if (negative) {
    if (v > (std::uint64_t{1} << 63)) return false;
    out = static_cast<std::int64_t>(0 - v);
  } else {
    out = static_cast<std::int64_t>(v);  // above int64: the unsigned value's two's complement
  }
  return true;
}

// Index of the field called key, looked for from `hint` on first: clients
// mostly write fields in schema order, so the next field is usually the hit.
std::size_t find_field(const Combinator& c, std::string_view key, std::size_t hint) {
  const std::size_t n = c.fields.size();
  for (std::size_t k = hint; k < n; ++k)
    if (c.fields[k].name == key) return k;
  for (std::size_t k = 0; k < hint && k < n; ++k)
    if (c.fields[k].name == key) return k;
  return n;
}

}  // namespace

// One encoding pass: the path of where we are (for errors) and scratch space.
class JsonToTl::Run {
 public:
  Run(const Schema& s, const EncodeOptions& o, std::vector<std::uint8_t>& out, std::string_view root)
      : s_(s), opt_(o), w_(out), root_(root), path_(scratch().path), slots_(scratch().slots),
        present_(scratch().present), nats_(scratch().nats), scratch_(scratch().bytes) {
  }

  // Trims the output to what was written (on success; on failure the caller
  // restores the old size).
  void finish() { w_.finish(); }

  Status result() { return std::move(error_); }
  bool failed() const { return !error_.ok(); }

  bool value(element v, const TypeExpr& t) {
    switch (t.kind) {
      case K::Int: return write_int(v);
      case K::Long: return write_long(v);
      case K::Double: return write_double(v);
      case K::String: {
        std::string_view sv;
        if (v.get_string().get(sv)) return wrong_type(v, "a string");
        if (sv.size() > WireWriter::kMaxBytesLength) return fail("string of " + std::to_string(sv.size()) + " bytes is longer than TL allows (16 MiB - 1)");
        w_.write_string(sv);
        return true;
      }
      case K::Bytes: return write_base64(v, 0);
      case K::Int128: return write_base64(v, 16);
      case K::Int256: return write_base64(v, 32);
      case K::Nat: return true;  // computed by the enclosing object
      case K::BareTrue: return true;
      case K::Vector:
        w_.write_u32(kVectorId);
        [[fallthrough]];
      case K::BareVector: return vector(v, s_.expr(t.index));
      case K::Boxed: {
        if (s_.is_bool_type(t.index) && v.type() == element_type::BOOL) {
          bool b = false;
          b = v.get_bool().value_unsafe();
          w_.write_u32(b ? kBoolTrueId : kBoolFalseId);
          return true;
        }
        return object(v, t, true);
      }
      case K::Bare: return object(v, t, false);
      case K::Object:
      case K::TypeParam: return object(v, t, true);
    }
    return fail("unsupported type");
  }

 private:
  // ---- errors and path ----
  struct PathItem {
    std::string_view key;
    std::size_t index;
  };
  // Working storage kept per thread between runs, so that encoding a line
  // allocates nothing once the vectors have grown to the usual nesting.
  struct Scratch {
    std::vector<PathItem> path;
    std::vector<element> slots;
    std::vector<std::uint8_t> present;
    std::vector<std::uint32_t> nats;
    std::vector<std::uint8_t> bytes;
  };
  void push_path(PathItem item) {
    if (path_len_ == path_.size()) [[unlikely]]
      path_.resize(path_len_ * 2 + 16);
    path_[path_len_++] = item;
  }
  static Scratch& scratch() {
    thread_local Scratch s;
    return s;
  }
  std::string path() const {
    std::string p(root_);
    for (std::size_t i = 0; i < path_len_; ++i) {
      const PathItem& item = path_[i];
      if (item.key.empty()) {
        p += '[' + std::to_string(item.index) + ']';
      } else {
        if (!p.empty()) p += '.';
        p += item.key;
      }
    }
    return p;
  }
  bool fail(const std::string& what) {
    if (error_.ok()) {
      std::string where = path();
      error_ = Status::error(where.empty() ? what : where + ": " + what);
    }
    return false;
  }
  bool wrong_type(element v, const char* expected) {
    return fail(std::string("expected ") + expected + ", got " + json_type_name(v.type()));
  }

  // ---- primitives ----
  bool get_integer(element v, std::int64_t& out, bool allow_unsigned_wrap, bool allow_string, const char* tl_type) {
    switch (v.type()) {
      case element_type::INT64: out = v.get_int64().value_unsafe(); return true;
      case element_type::UINT64: {
        std::uint64_t u = 0;
        u = v.get_uint64().value_unsafe();
        if (!allow_unsigned_wrap) return fail("value " + std::to_string(u) + " is out of range for " + tl_type);
        out = static_cast<std::int64_t>(u);
        return true;
      }
      case element_type::DOUBLE: {
        double d = 0;
        d = v.get_double().value_unsafe();
        if (std::trunc(d) != d || !(std::fabs(d) < 9007199254740992.0))
          return fail(std::string("expected an integer for ") + tl_type + ", got a non-integral number");
        out = static_cast<std::int64_t>(d);
        return true;
      }
      case element_type::STRING: {
        if (!allow_string) break;
        std::string_view sv;
        sv = v.get_string().value_unsafe();
        if (short_decimal(sv, out)) return true;
        const char* b = sv.data();
        const char* e = b + sv.size();
        auto r = std::from_chars(b, e, out);
        if (r.ec == std::errc() && r.ptr == e && !sv.empty()) return true;
        std::uint64_t u = 0;
        auto r2 = std::from_chars(b, e, u);
        if (r2.ec == std::errc() && r2.ptr == e && !sv.empty()) {
          out = static_cast<std::int64_t>(u);
          return true;
        }
        return fail("'" + std::string(sv.substr(0, 40)) + "' is not a decimal " + tl_type +
                    (r.ec == std::errc::result_out_of_range || r2.ec == std::errc::result_out_of_range
                         ? " (out of range)" : ""));
      }
      default: break;
    }
    return wrong_type(v, allow_string ? "an integer or a decimal string" : "an integer");
  }
  bool write_int(element v) {
    std::int64_t x = 0;
    if (!get_integer(v, x, false, false, "int")) return false;
    if (x < std::numeric_limits<std::int32_t>::min() || x > std::numeric_limits<std::int32_t>::max())
      return fail("value " + std::to_string(x) + " is out of range for int (-2147483648..2147483647)");
    w_.write_i32(static_cast<std::int32_t>(x));
    return true;
  }
  bool write_long(element v) {
    std::int64_t x = 0;
    if (!get_integer(v, x, true, true, "long")) return false;
    w_.write_i64(x);
    return true;
  }
  bool write_double(element v) {
    double d = 0;
    switch (v.type()) {
      case element_type::INT64: { std::int64_t i = 0; i = v.get_int64().value_unsafe(); d = static_cast<double>(i); break; }
      case element_type::UINT64: { std::uint64_t u = 0; u = v.get_uint64().value_unsafe(); d = static_cast<double>(u); break; }
      case element_type::DOUBLE: d = v.get_double().value_unsafe(); break;
      case element_type::STRING: {
        std::string_view sv;
        sv = v.get_string().value_unsafe();
        if (sv == "NaN") d = std::numeric_limits<double>::quiet_NaN();
        else if (sv == "Infinity") d = std::numeric_limits<double>::infinity();
        else if (sv == "-Infinity") d = -std::numeric_limits<double>::infinity();
        else return fail("expected a number (or \"NaN\", \"Infinity\", \"-Infinity\"), got string");
        break;
      }
      default: return wrong_type(v, "a number");
    }
    w_.write_double(d);
    return true;
  }
  bool write_base64(element v, std::size_t fixed) {
    std::string_view sv;
    if (v.get_string().get(sv)) return wrong_type(v, "a base64 string");
    if (Status decoded = base64_decode_into(sv, scratch_); !decoded) return fail(decoded.message());
    if (fixed) {
      if (scratch_.size() != fixed)
        return fail("expected " + std::to_string(fixed) + " bytes (int" + std::to_string(fixed * 8) +
                    "), base64 decodes to " + std::to_string(scratch_.size()));
      w_.write_raw(scratch_);
      return true;
    }
    if (scratch_.size() > WireWriter::kMaxBytesLength) return fail("bytes value longer than TL allows (16 MiB - 1)");
    w_.write_bytes(scratch_);
    return true;
  }

  bool vector(element v, const TypeExpr& elem) {
    simdjson::dom::array arr;
    if (v.get_array().get(arr)) return wrong_type(v, "an array");
    if (++depth_ > opt_.max_depth) return fail("nesting deeper than " + std::to_string(opt_.max_depth));
    std::size_t n = arr.size();
    w_.write_u32(static_cast<std::uint32_t>(n));
    std::size_t i = 0;
    for (element item : arr) {
      push_path({{}, i++});
      bool ok = value(item, elem);
      --path_len_;
      if (!ok) return false;
    }
    --depth_;
    return true;
  }

  // ---- objects ----
  bool object(element v, const TypeExpr& t, bool boxed) {
    simdjson::dom::object obj;
    if (v.get_object().get(obj)) {
      return wrong_type(v, t.kind == K::Boxed ? ("an object of type " + s_.type(t.index).name).c_str()
                                             : "an object with \"_cons\"");
    }
    if (++depth_ > opt_.max_depth) return fail("nesting deeper than " + std::to_string(opt_.max_depth));

    std::string_view cons_name;
    element cons_el;
    bool has_cons = !obj["_cons"].get(cons_el);
    if (has_cons && cons_el.get_string().get(cons_name)) return fail("\"_cons\" must be a string");
    const Combinator* c = nullptr;
    std::uint32_t ci = 0;
    if (t.kind == K::Bare) {
      ci = t.index;
      c = &s_.combinator(ci);
      if (has_cons && cons_name != c->name)
        return fail("expected constructor '" + c->name + "', got '" + std::string(cons_name) + "'");
    } else {
      if (!has_cons) return fail("missing \"_cons\" (the constructor or method name)");
      auto index = s_.index_by_name(cons_name);
      if (t.kind == K::Boxed && (!index || s_.combinator(*index).type != t.index)) {
        // A name declared by two files (API `message` vs MTProto `message`):
        // the one of the expected type is meant.
        for (auto candidate : s_.type(t.index).constructors)
          if (s_.combinator(candidate).name == cons_name) index = candidate;
      }
      if (!index) return fail("unknown constructor or method '" + std::string(cons_name) + "'");
      ci = *index;
      c = &s_.combinator(ci);
      if (t.kind == K::Boxed) {
        if (c->is_function)
          return fail("'" + c->name + "' is a method, expected a constructor of type " + s_.type(t.index).name);
        if (c->type != t.index)
          return fail("constructor '" + c->name + "' is of type " + s_.type(c->type).name + ", expected " +
                      s_.type(t.index).name);
      } else if (t.kind == K::TypeParam && !c->is_function) {
        return fail("'" + c->name + "' is a constructor, expected a method call (query)");
      }
    }
    if (boxed) w_.write_u32(c->id);
    bool ok = fields(obj, *c);
    --depth_;
    return ok;
  }

  bool fields(simdjson::dom::object obj, const Combinator& c) {
    const std::size_t n = c.fields.size();
    // This object's slots sit above its parents' in the per-thread stacks;
    // nested objects may grow (move) them, so they are used by index.
    const std::size_t base = top_;
    top_ += n;
    if (slots_.size() < top_) {
      slots_.resize(top_ + 32);
      present_.resize(top_ + 32);
      nats_.resize(top_ + 32);
    }
    // A combinator without fields leaves the stacks possibly unallocated:
    // memset on a null pointer is undefined even for zero bytes.
    if (n) {
      std::memset(present_.data() + base, 0, n);
      std::memset(nats_.data() + base, 0, n * sizeof(std::uint32_t));
    }
    struct Pop {
      Run& r;
      std::size_t base;
      ~Pop() {
        r.top_ = base;
      }
    } pop{*this, base};

    std::size_t next = 0;
    std::uint64_t present_bits = 0;  // present_ as a mask, when c.masks_usable
    for (auto [key, val] : obj) {
      if (key == "_cons") continue;
      std::size_t k = find_field(c, key, next);
      next = k + 1;
      if (k == n && key == "_wrapped") {  // mtproto2json's name for the query of invokeWith*
        for (k = 0; k < n; ++k)
          if (c.fields[k].type.kind == K::TypeParam) break;
      }
      if (k == n) {
        if (opt_.lenient) continue;
        return fail("unknown field '" + std::string(key) + "' for '" + c.name + "'");
      }
      if (c.fields[k].type.kind == K::Nat) continue;  // computed; ignore what the client sent
      if (present_[base + k]) return fail("field '" + std::string(key) + "' given twice");
      slots_[base + k] = val;
      present_[base + k] = 1;
      if (k < 64) present_bits |= std::uint64_t{1} << k;
    }

    // Flag words from the fields present ("Formal description of TL combinators", conditional fields).
    // Indexed by field; by index, since nested objects may grow nats_.
    auto nat_values = [this, base](std::size_t field) -> std::uint32_t& { return nats_[base + field]; };
    auto flag_step = [&](std::size_t k) -> bool {
      const Field& f = c.fields[k];
      if (!f.optional() || !present_[base + k]) return true;
      element val = slots_[base + k];
      bool set = !is_null(val);
      if (f.type.kind == K::BareTrue) {
        push_path({f.name, 0});
        int flag = true_flag(val);
        --path_len_;
        if (flag < 0) return false;
        set = flag == 1;
      }
      if (!set) {
        present_[base + k] = 0;
        present_bits &= ~(std::uint64_t{1} << (k & 63));
        return true;
      }
      nat_values(f.flag_field) |= 1u << f.flag_bit;
      return true;
    };
    if (c.masks_usable) {
      // Only fields that can change a flag word: conditional ones in the JSON.
      for (std::uint64_t m = present_bits & c.optional_mask; m; m &= m - 1)
        if (!flag_step(static_cast<std::size_t>(std::countr_zero(m)))) return false;
    } else if (c.has_nat_fields) {
      for (std::size_t k = 0; k < n; ++k)
        if (!flag_step(k)) return false;
    }

    if (c.masks_usable) {
      // Flag words, unconditional fields and the conditional fields the JSON
      // has, in schema order; an absent conditional field needs no visit, as
      // with no flag bit shared its bit can only be set by itself.
      for (std::uint64_t m = present_bits | c.always_mask; m; m &= m - 1)
        if (!write_step(c, base, static_cast<std::size_t>(std::countr_zero(m)))) return false;
    } else {
      for (std::size_t k = 0; k < n; ++k)
        if (!write_step(c, base, k)) return false;
    }
    return true;
  }

  // Writes field k of an object whose slots start at base (or fails).
  bool write_step(const Combinator& c, std::size_t base, std::size_t k) {
    const std::size_t n = c.fields.size();
    auto nat_values = [this, base](std::size_t field) -> std::uint32_t& { return nats_[base + field]; };
    {
      const Field& f = c.fields[k];
      if (f.type.kind == K::Nat) {
        w_.write_u32(nat_values(k));
        return true;
      }
      if (f.optional()) {
        if (!(nat_values(f.flag_field) & (1u << f.flag_bit))) return true;
        if (!present_[base + k]) {
          // Another field sharing this bit is present, so this one is required too.
          std::string sibling;
          for (std::size_t j = 0; j < n; ++j)
            if (j != k && present_[base + j] && c.fields[j].flag_field == f.flag_field &&
                c.fields[j].flag_bit == f.flag_bit)
              sibling = c.fields[j].name;
          push_path({f.name, 0});
          bool r = fail("missing field (required by '" + c.name + "' because " + c.fields[f.flag_field].name + "." +
                        std::to_string(f.flag_bit) + " is set by '" + sibling + "')");
          --path_len_;
          return r;
        }
        if (f.type.kind == K::BareTrue) return true;
      } else if (!present_[base + k]) {
        if (f.type.kind == K::BareTrue) return true;
        if (opt_.lenient) {
          push_path({f.name, 0});
          bool ok = write_default(f.type, 0);
          --path_len_;
          return ok;
        }
        push_path({f.name, 0});
        bool r = fail("missing required field (" + s_.type_name(f.type) + " of '" + c.name + "')");
        --path_len_;
        return r;
      }
      push_path({f.name, 0});
      bool ok = value(slots_[base + k], f.type);
      --path_len_;
      return ok;
    }
  }

  // Lenient mode: the zero value of a type (see EncodeOptions::lenient).
  bool write_default(const TypeExpr& t, int depth) {
    if (depth > 16) return fail("cannot build a default value (recursive type)");
    switch (t.kind) {
      case K::Int: w_.write_i32(0); return true;
      case K::Long:
      case K::Double: w_.write_u64(0); return true;
      case K::String:
      case K::Bytes: w_.write_bytes({}); return true;
      case K::Int128: std::memset(w_.grow(16), 0, 16); return true;
      case K::Int256: std::memset(w_.grow(32), 0, 32); return true;
      case K::Nat:
      case K::BareTrue: return true;
      case K::Vector: w_.write_u32(kVectorId); w_.write_u32(0); return true;
      case K::BareVector: w_.write_u32(0); return true;
      case K::Boxed: {
        const Type& type = s_.type(t.index);
        if (type.is_bool) {
          w_.write_u32(kBoolFalseId);
          return true;
        }
        if (type.constructors.empty()) return fail("no constructor to default type " + type.name + " to");
        const Combinator* best = nullptr;
        int best_required = 0;
        for (auto ci : type.constructors) {
          const Combinator& cand = s_.combinator(ci);
          int required = 0;
          for (const auto& f : cand.fields) required += !f.optional() && f.type.kind != K::Nat;
          bool empty_name = cand.name.size() > 5 && cand.name.ends_with("Empty");
          if (!best || (empty_name && required <= best_required + 1) || required < best_required) {
            best = &cand;
            best_required = empty_name ? -1 : required;
          }
        }
        w_.write_u32(best->id);
        return write_default_fields(*best, depth);
      }
      case K::Bare: return write_default_fields(s_.combinator(t.index), depth);
      case K::Object:
      case K::TypeParam: return fail("missing required field (no default for an arbitrary object)");
    }
    return false;
  }
  bool write_default_fields(const Combinator& c, int depth) {
    for (const auto& f : c.fields) {
      if (f.type.kind == K::Nat) w_.write_u32(0);
      else if (!f.optional() && !write_default(f.type, depth + 1)) return false;
    }
    return true;
  }

  // flags.N?true accepts true/false/null or {"_cons":"true"}: 1 set, 0 unset, -1 error.
  int true_flag(element v) {
    switch (v.type()) {
      case element_type::BOOL: { bool b = false; b = v.get_bool().value_unsafe(); return b ? 1 : 0; }
      case element_type::NULL_VALUE: return 0;
      case element_type::OBJECT: {
        std::string_view name;
        if (!v["_cons"].get_string().get(name) && name == "true") return 1;
        fail("expected true/false or {\"_cons\":\"true\"}");
        return -1;
      }
      default:
        wrong_type(v, "true/false");
        return -1;
    }
  }

  const Schema& s_;
  const EncodeOptions& opt_;
  AheadWireWriter w_;
  std::string_view root_;
  std::vector<PathItem>& path_;  // [0, path_len_) is where we are
  std::size_t path_len_ = 0;
  std::size_t top_ = 0;  // used part of slots_, present_ and nats_
  std::vector<element>& slots_;
  std::vector<std::uint8_t>& present_;
  std::vector<std::uint32_t>& nats_;
  std::vector<std::uint8_t>& scratch_;
  std::size_t depth_ = 0;
  Status error_;
};

JsonToTl::JsonToTl(std::shared_ptr<const Schema> schema, EncodeOptions options)
    : schema_(std::move(schema)), options_(options) {}

Status JsonToTl::encode(element value, const TypeExpr& type, std::vector<std::uint8_t>& out,
                        std::string_view path_root) {
  std::size_t old = out.size();
  Run run(*schema_, options_, out, path_root);
  if (!run.value(value, type) || run.failed()) {
    out.resize(old);  // never a partial write
    Status st = run.result();
    return st.ok() ? Status::error("encoding failed") : st;
  }
  run.finish();
  return Status();
}

Status JsonToTl::encode_boxed(element value, std::vector<std::uint8_t>& out, std::string_view path_root) {
  return encode(value, TypeExpr{K::Object, 0}, out, path_root);
}

Status JsonToTl::encode_function(element value, std::vector<std::uint8_t>& out, const Combinator** method,
                                 std::string_view path_root) {
  std::size_t old = out.size();
  Status st = encode(value, TypeExpr{K::TypeParam, 0}, out, path_root);
  if (!st) return st;
  if (method) {
    *method = schema_->by_id(load_le32(out.data() + old));
  }
  return st;
}

}  // namespace mtjson::tl
