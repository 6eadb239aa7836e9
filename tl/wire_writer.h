// Appends TL primitives to a byte buffer ("Binary Data Serialization"): little-endian
// integers, length-prefixed byte strings padded to 4 bytes.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "base/bytes.h"

namespace mtjson::tl {

// TL string/bytes ("Binary Data Serialization"): length < 254 -> 1 length byte; else 0xfe + 3
// length bytes; then the data, zero-padded to a multiple of 4. tl_bytes_size is the size on the
// wire, put_tl_bytes writes it at p (which has that many bytes).
inline std::size_t tl_bytes_size(std::size_t n) { return ((n < 254 ? 1 : 4) + n + 3) & ~std::size_t{3}; }
inline void put_tl_bytes(std::uint8_t* p, std::span<const std::uint8_t> bytes) {
  const std::size_t n = bytes.size();
  const std::size_t header = n < 254 ? 1 : 4;
  if (header == 1) {
    p[0] = static_cast<std::uint8_t>(n);
  } else {
    p[0] = 0xfe;
    store_le24(p + 1, static_cast<std::uint32_t>(n));
  }
  if (n) std::memcpy(p + header, bytes.data(), n);
  std::memset(p + header + n, 0, tl_bytes_size(n) - header - n);
}

// The TL encoding of each primitive ("Binary Data Serialization": little-endian integers,
// length-prefixed byte strings padded to 4 bytes), written into whatever Writer::grow(n)
// reserves: one implementation for the writers below, which differ only in how they grow.
template <typename Writer>
class TlPrimitives {
 public:
  void write_u32(std::uint32_t v) {
    store_le32(self().grow(4), v);
  }
  void write_i32(std::int32_t v) { write_u32(static_cast<std::uint32_t>(v)); }
  void write_u64(std::uint64_t v) {
    store_le64(self().grow(8), v);
  }
  void write_i64(std::int64_t v) { write_u64(static_cast<std::uint64_t>(v)); }
  void write_double(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, 8);
    write_u64(bits);
  }
  void write_raw(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return;
    std::memcpy(self().grow(bytes.size()), bytes.data(), bytes.size());
  }
  void write_bytes(std::span<const std::uint8_t> bytes) {
    put_tl_bytes(self().grow(tl_bytes_size(bytes.size())), bytes);
  }
  void write_string(std::string_view s) {
    write_bytes({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  }

  // Largest length a TL byte string can carry (3-byte length field).
  static constexpr std::size_t kMaxBytesLength = (1u << 24) - 1;

 private:
  Writer& self() { return static_cast<Writer&>(*this); }
};

// Appends to `out`, which is always exactly what was written.
class WireWriter : public TlPrimitives<WireWriter> {
 public:
  explicit WireWriter(std::vector<std::uint8_t>& out) : out_(out) {}

  std::size_t size() const { return out_.size(); }
  std::vector<std::uint8_t>& buffer() { return out_; }

  // Reserves n bytes and returns where to write them.
  std::uint8_t* grow(std::size_t n) {
    std::size_t old = out_.size();
    out_.resize(old + n);
    return out_.data() + old;
  }

 private:
  std::vector<std::uint8_t>& out_;
};

// Appends to `out`, growing it ahead in large steps (a resize() per integer written is a tenth
// of the JSON encoder's time); finish() trims it to what was written.
class AheadWireWriter : public TlPrimitives<AheadWireWriter> {
 public:
  explicit AheadWireWriter(std::vector<std::uint8_t>& out) : out_(out), pos_(out.size()) {
    out_.resize(pos_ + 256);
  }
  void finish() { out_.resize(pos_); }

  std::uint8_t* grow(std::size_t n) {
    if (out_.size() - pos_ < n) out_.resize(std::max(out_.size() * 2, pos_ + n));
    std::uint8_t* p = out_.data() + pos_;
    pos_ += n;
    return p;
  }

 private:
  std::vector<std::uint8_t>& out_;
  std::size_t pos_;
};

}  // namespace mtjson::tl
