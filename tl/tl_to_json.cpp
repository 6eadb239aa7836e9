#include "tl/tl_to_json.h"

#include <cstdio>
#include <vector>

#include "base/base64.h"
#include "tl/gzip.h"
#include "tl/json_writer.h"
#include "tl/wire_reader.h"

namespace mtjson::tl {

using K = TypeExpr::Kind;

namespace {

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

class TlToJson::Run {
 public:
  Run(const Schema& s, const DecodeOptions& o, std::string& out) : s_(s), opt_(o), j_(out) {}

  Status take_error() { return std::move(error_); }

  bool value(WireReader& r, const TypeExpr& t) {
    switch (t.kind) {
      case K::Int: {
        std::int32_t v = r.read_i32();
        if (r.failed()) return truncated(r);
        j_.value_int(v);
        return true;
      }
      case K::Long: {
        std::int64_t v = r.read_i64();
        if (r.failed()) return truncated(r);
        opt_.longs_as_strings ? j_.value_int_as_string(v) : j_.value_int(v);
        return true;
      }
      case K::Double: {
        double v = r.read_double();
        if (r.failed()) return truncated(r);
        j_.value_double(v);
        return true;
      }
      case K::String: {
        auto b = r.read_bytes();
        if (r.failed()) return truncated(r);
        j_.value_string({reinterpret_cast<const char*>(b.data()), b.size()});
        return true;
      }
      case K::Bytes: {
        auto b = r.read_bytes();
        if (r.failed()) return truncated(r);
        return base64(b);
      }
      case K::Int128:
      case K::Int256: {
        auto b = r.read_raw(t.kind == K::Int128 ? 16 : 32, t.kind == K::Int128 ? "int128" : "int256");
        if (r.failed()) return truncated(r);
        return base64(b);
      }
      case K::Nat:
      case K::BareTrue: return true;
      case K::Vector: {
        std::size_t at = r.offset();
        std::uint32_t id = r.read_u32();
        if (r.failed()) return truncated(r);
        if (id != kVectorId) {
          if (id == kGzipPackedId) return gzip(r, t);
          return fail(at, "expected a Vector (" + hex32(kVectorId) + "), got " + describe_id(id));
        }
        return vector(r, s_.expr(t.index));
      }
      case K::BareVector: return vector(r, s_.expr(t.index));
      case K::Boxed:
      case K::Object:
      case K::TypeParam: return boxed(r, t);
      case K::Bare: return object(r, s_.combinator(t.index));
    }
    return fail(r.offset(), "unsupported type");
  }

  bool fail(std::size_t offset, const std::string& what) {
    if (error_.ok()) {
      std::string where = "offset " + std::to_string(offset + base_offset_);
      if (!path_.empty()) {
        where += " (";
        for (std::size_t i = 0; i < path_.size(); ++i) {
          if (i) where += '.';
          where += path_[i];
        }
        where += ')';
      }
      error_ = Status::error(what + " at " + where + gzip_note_);
    }
    return false;
  }

 private:
  bool truncated(WireReader& r) {
    return fail(r.error_offset(), std::string("truncated data reading ") + r.error_what());
  }

  std::string describe_id(std::uint32_t id) const {
    if (const Combinator* c = s_.by_id(id)) return "'" + c->name + "' (" + hex32(id) + ")";
    return "unknown constructor id " + hex32(id);
  }

  bool base64(std::span<const std::uint8_t> b) {
    std::string& out = j_.out();
    out += '"';
    base64_encode(b, out);
    out += '"';
    return true;
  }

  bool vector(WireReader& r, const TypeExpr& elem) {
    std::size_t at = r.offset();
    std::uint32_t count = r.read_u32();
    if (r.failed()) return truncated(r);
    // Every element takes at least one byte... except zero-size bare ones,
    // which never appear in vectors; this bounds hostile counts.
    if (count > r.remaining()) return fail(at, "vector count " + std::to_string(count) + " exceeds the remaining " +
                                                   std::to_string(r.remaining()) + " bytes");
    if (++depth_ > opt_.max_depth) return fail(at, "nesting deeper than " + std::to_string(opt_.max_depth));
    j_.begin_array();
    for (std::uint32_t i = 0; i < count; ++i) {
      if (i) j_.comma();
      if (!value(r, elem)) return false;
    }
    j_.end_array();
    --depth_;
    return true;
  }

  bool boxed(WireReader& r, const TypeExpr& t) {
    std::size_t at = r.offset();
    std::uint32_t id = r.read_u32();
    if (r.failed()) return truncated(r);
    if (id == kGzipPackedId) return gzip(r, t);
    if (t.kind == K::Boxed && s_.is_bool_type(t.index) && (id == kBoolTrueId || id == kBoolFalseId)) {
      j_.value_bool(id == kBoolTrueId);
      return true;
    }
    if (id == kVectorId && t.kind == K::Object) {
      // A vector where any object may stand (rpc_result of an unknown request):
      // the element type is unknown; boxed elements are the only safe guess.
      return vector(r, TypeExpr{K::Object, 0});
    }
    auto index = s_.index_by_id(id);
    if (!index) return fail(at, "unknown constructor id " + hex32(id) + expected(t));
    const Combinator& c = s_.combinator(*index);
    if (t.kind == K::Boxed && (c.is_function || c.type != t.index))
      return fail(at, "constructor '" + c.name + "' (" + hex32(id) + ") is not of type " + s_.type(t.index).name);
    if (t.kind == K::TypeParam && !c.is_function)
      return fail(at, "'" + c.name + "' (" + hex32(id) + ") is a constructor, expected a method call");
    return object(r, c);
  }

  std::string expected(const TypeExpr& t) const {
    if (t.kind == K::Boxed) return " (expected type " + s_.type(t.index).name + ")";
    return "";
  }

  bool gzip(WireReader& r, const TypeExpr& t) {
    std::size_t at = r.offset() - 4;
    auto packed = r.read_bytes();
    if (r.failed()) return truncated(r);
    auto inflated = gzip_inflate(packed, opt_.max_inflated);
    if (!inflated) return fail(at, inflated.message());
    WireReader inner(*inflated);
    std::size_t saved_base = base_offset_;
    std::string saved_note = gzip_note_;
    base_offset_ = 0;
    gzip_note_ = " inside gzip_packed at offset " + std::to_string(at + saved_base) + saved_note;
    bool ok = value(inner, t);
    if (ok && !inner.at_end())
      ok = fail(inner.offset(), std::to_string(inner.remaining()) + " unexpected bytes after the packed object");
    base_offset_ = saved_base;
    gzip_note_ = saved_note;
    return ok;
  }

  bool object(WireReader& r, const Combinator& c) {
    if (++depth_ > opt_.max_depth) return fail(r.offset(), "nesting deeper than " + std::to_string(opt_.max_depth));
    j_.out() += "{\"_cons\":\"";
    j_.out() += c.name;
    j_.out() += '"';
    const std::size_t n = c.fields.size();
    const std::size_t base = nats_.size();
    nats_.resize(base + n, 0);
    bool ok = true;
    for (std::size_t k = 0; k < n && ok; ++k) {
      const Field& f = c.fields[k];
      if (f.type.kind == K::Nat) {
        nats_[base + k] = r.read_u32();
        if (r.failed()) ok = truncated(r);
        continue;
      }
      if (f.optional() && !(nats_[base + f.flag_field] & (1u << f.flag_bit))) continue;
      j_.comma();
      j_.key(f.name);
      if (f.type.kind == K::BareTrue) {
        j_.value_bool(true);
        continue;
      }
      path_.push_back(f.name);
      ok = value(r, f.type);
      path_.pop_back();
    }
    nats_.resize(base);
    if (!ok) return false;
    j_.end_object();
    --depth_;
    return true;
  }

  const Schema& s_;
  const DecodeOptions& opt_;
  JsonWriter j_;
  std::vector<std::string_view> path_;
  std::vector<std::uint32_t> nats_;
  std::size_t depth_ = 0;
  std::size_t base_offset_ = 0;
  std::string gzip_note_;
  Status error_;
};

TlToJson::TlToJson(std::shared_ptr<const Schema> schema, DecodeOptions options)
    : schema_(std::move(schema)), options_(options) {}

Status TlToJson::decode(std::span<const std::uint8_t> data, const TypeExpr& type, std::string& out,
                        std::size_t* consumed) const {
  std::size_t old = out.size();
  Run run(*schema_, options_, out);
  WireReader r(data);
  bool ok = run.value(r, type);
  if (ok && !consumed && !r.at_end())
    ok = run.fail(r.offset(), std::to_string(r.remaining()) + " unexpected bytes after the object");
  if (!ok) {
    out.resize(old);
    Status st = run.take_error();
    return st.ok() ? Status::error("decoding failed") : st;
  }
  if (consumed) *consumed = r.offset();
  return Status();
}

Status TlToJson::decode_boxed(std::span<const std::uint8_t> data, std::string& out, std::size_t* consumed) const {
  return decode(data, TypeExpr{K::Object, 0}, out, consumed);
}

Status TlToJson::decode_result(std::span<const std::uint8_t> data, const Combinator& method, std::string& out) const {
  if (method.result.kind == K::TypeParam) return decode_boxed(data, out);
  return decode(data, method.result, out);
}

}  // namespace mtjson::tl
