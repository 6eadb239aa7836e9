// The in-memory model of a TL schema: types, constructors, functions and the
// type expressions of their fields. Built at startup from schema text
// (schema_loader.h); immutable afterwards, so one Schema can be shared by
// every encoder/decoder and thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "tl/name_table.h"

namespace mtjson::tl {

// Well-known constructor ids ("Binary Data Serialization").
inline constexpr std::uint32_t kVectorId = 0x1cb5c415;
inline constexpr std::uint32_t kBoolTrueId = 0x997275b5;
inline constexpr std::uint32_t kBoolFalseId = 0xbc799737;
inline constexpr std::uint32_t kGzipPackedId = 0x3072cfa1;

// The type of one field (or of a function's result), resolved against the schema.
struct TypeExpr {
  enum class Kind : std::uint8_t {
    Int,         // int: 4 bytes
    Long,        // long: 8 bytes
    Double,      // double: 8 bytes
    String,      // string: TL byte string, UTF-8 text
    Bytes,       // bytes: TL byte string, raw
    Int128,      // int128: 16 raw bytes
    Int256,      // int256: 32 raw bytes
    Nat,         // '#': a flags word, computed from the fields that use it
    BareTrue,    // 'true' as used by flags.N?true: no bytes at all
    Vector,      // Vector<T>: boxed (0x1cb5c415, count, elements)
    BareVector,  // vector<T>: count, elements
    Boxed,       // a named type: constructor id + body; Bool is one of these
    Bare,        // %T or a constructor name: body of one constructor, no id
    Object,      // any boxed constructor (or function) at all
    TypeParam,   // X / !X of {X:Type}: a boxed function call (query:!X)
  };
  Kind kind = Kind::Int;
  // Vector/BareVector: index of the element TypeExpr in Schema::exprs().
  // Boxed: index of the Type in Schema::types(). Bare: combinator index.
  std::uint32_t index = 0;
};

struct Field {
  std::string name;
  TypeExpr type;
  // For flags.N?Type: the index (in Combinator::fields) of the '#' field and the bit.
  int flag_field = -1;
  int flag_bit = -1;
  bool optional() const { return flag_field >= 0; }
};

struct Combinator {
  std::string name;        // "messages.sendMessage", "inputPeerUser"
  std::uint32_t id = 0;    // constructor id, written or computed
  bool is_function = false;
  std::vector<Field> fields;
  std::uint32_t type = 0;  // constructors: index of their Type
  TypeExpr result;         // functions: what they return
  std::string source;      // the declaration as written (normalised white space)
  std::string location;    // "file:line"
  bool has_nat_fields = false;
  // For the encoder, set at load: bit k stands for fields[k]. always_mask:
  // flag words and unconditional fields, visited whatever the JSON holds;
  // optional_mask: conditional fields. Usable when there are at most 64
  // fields and no flag bit is shared by two fields (then an absent
  // conditional field is never required).
  std::uint64_t always_mask = 0;
  std::uint64_t optional_mask = 0;
  bool masks_usable = false;
};

struct Type {
  std::string name;                        // "InputPeer", "messages.Messages"
  std::vector<std::uint32_t> constructors;  // combinator indices
  bool is_bool = false;                    // Bool: JSON true/false
};

// Lets string-keyed maps be searched with a string_view, without a copy.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using NameIndex = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;

class Schema {
 public:
  Schema() = default;
  // name_table_ holds views of the combinators' names: a copy would point into the original.
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  const std::vector<Combinator>& combinators() const { return combinators_; }
  const std::vector<Type>& types() const { return types_; }
  const std::vector<TypeExpr>& exprs() const { return exprs_; }
  const Combinator& combinator(std::uint32_t index) const { return combinators_[index]; }
  const Type& type(std::uint32_t index) const { return types_[index]; }
  const TypeExpr& expr(std::uint32_t index) const { return exprs_[index]; }

  // Lookups; nullptr when absent.
  const Combinator* by_id(std::uint32_t id) const;
  const Combinator* by_name(std::string_view name) const;
  std::optional<std::uint32_t> index_by_id(std::uint32_t id) const;
  std::optional<std::uint32_t> index_by_name(std::string_view name) const;
  std::optional<std::uint32_t> type_by_name(std::string_view name) const;

  // Parses a type expression such as "Vector<int>", "messages.Messages",
  // "%Message", "int128" against this schema (for tools and tests). A vector
  // type adds its element expression to exprs(): call this during setup,
  // before the schema is shared between threads.
  Status parse_type(std::string_view text, TypeExpr& out) const;
  // Writes a type expression back as text ("Vector<long>").
  std::string type_name(const TypeExpr& t) const;

  // The layer from a "// LAYER N" marker in the loaded files, 0 when none.
  int layer() const { return layer_; }
  // Things worth knowing but not fatal: declarations whose written id differs
  // from the CRC32 of their normalised text, and ids declared twice (the later
  // declaration wins for decoding). Surfaced by `mtjson-tl info --check`.
  const std::vector<std::string>& warnings() const { return warnings_; }

  bool is_bool_type(std::uint32_t type_index) const { return types_[type_index].is_bool; }

 private:
  friend class SchemaBuilder;
  std::vector<Combinator> combinators_;
  std::vector<Type> types_;
  std::vector<TypeExpr> exprs_;
  std::unordered_map<std::uint32_t, std::uint32_t> by_id_;
  NameIndex by_name_;
  NameTable name_table_;  // by_name_'s entries, for the per-object lookups of the encoder
  NameIndex type_by_name_;
  std::vector<std::string> warnings_;
  int layer_ = 0;
};

}  // namespace mtjson::tl
