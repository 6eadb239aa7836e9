// Explicit little/big-endian loads and stores over wire bytes, the one implementation for every
// layer (TL "Binary Data Serialization" and MTProto integers are little-endian; TLS records and
// SOCKS5/HTTP fields are big-endian). Never reinterpret_cast a byte buffer to an integer: the
// buffers are unaligned. On a little-endian host the little-endian helpers are one memcpy, which
// compiles to a plain unaligned load or store (the TL writer and reader are on the hot path).
//
// Each helper takes a pointer to at least as many bytes as it reads or writes, or a span of them
// (only the first bytes are used; the caller guarantees the size).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace mtjson {

namespace bytes_detail {

template <typename T>
inline T load_le(const std::uint8_t* p) {
  if constexpr (std::endian::native == std::endian::little) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
  } else {
    T v = 0;
    for (std::size_t i = sizeof(T); i-- > 0;) v = static_cast<T>((v << 8) | p[i]);
    return v;
  }
}

template <typename T>
inline void store_le(std::uint8_t* p, T v) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(p, &v, sizeof(T));
  } else {
    for (std::size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
}

template <typename T>
inline void append_le(std::vector<std::uint8_t>& out, T v) {
  const std::size_t at = out.size();
  out.resize(at + sizeof(T));
  store_le(out.data() + at, v);
}

}  // namespace bytes_detail

// Little-endian loads.
inline std::uint16_t load_le16(const std::uint8_t* p) { return bytes_detail::load_le<std::uint16_t>(p); }
inline std::uint32_t load_le32(const std::uint8_t* p) { return bytes_detail::load_le<std::uint32_t>(p); }
inline std::uint64_t load_le64(const std::uint8_t* p) { return bytes_detail::load_le<std::uint64_t>(p); }
// Three bytes: the long length of a TL byte string, the abridged transport's long length.
inline std::uint32_t load_le24(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16);
}

inline std::uint16_t load_le16(std::span<const std::uint8_t> p) { return load_le16(p.data()); }
inline std::uint32_t load_le24(std::span<const std::uint8_t> p) { return load_le24(p.data()); }
inline std::uint32_t load_le32(std::span<const std::uint8_t> p) { return load_le32(p.data()); }
inline std::uint64_t load_le64(std::span<const std::uint8_t> p) { return load_le64(p.data()); }

// Big-endian loads.
inline std::uint16_t load_be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::uint32_t load_be32(const std::uint8_t* p) {
  return (static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
         (static_cast<std::uint32_t>(p[2]) << 8) | static_cast<std::uint32_t>(p[3]);
}

inline std::uint16_t load_be16(std::span<const std::uint8_t> p) { return load_be16(p.data()); }
inline std::uint32_t load_be32(std::span<const std::uint8_t> p) { return load_be32(p.data()); }

// Little-endian stores.
inline void store_le16(std::uint8_t* p, std::uint16_t v) { bytes_detail::store_le(p, v); }
inline void store_le32(std::uint8_t* p, std::uint32_t v) { bytes_detail::store_le(p, v); }
inline void store_le64(std::uint8_t* p, std::uint64_t v) { bytes_detail::store_le(p, v); }
// The low three bytes of v (see load_le24).
inline void store_le24(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
  p[2] = static_cast<std::uint8_t>(v >> 16);
}

inline void store_le16(std::span<std::uint8_t> p, std::uint16_t v) { store_le16(p.data(), v); }
inline void store_le24(std::span<std::uint8_t> p, std::uint32_t v) { store_le24(p.data(), v); }
inline void store_le32(std::span<std::uint8_t> p, std::uint32_t v) { store_le32(p.data(), v); }
inline void store_le64(std::span<std::uint8_t> p, std::uint64_t v) { store_le64(p.data(), v); }

// Big-endian stores.
inline void store_be16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}

inline void store_be16(std::span<std::uint8_t> p, std::uint16_t v) { store_be16(p.data(), v); }

// Appends to a growing buffer.
inline void append_le32(std::vector<std::uint8_t>& out, std::uint32_t v) { bytes_detail::append_le(out, v); }
inline void append_le64(std::vector<std::uint8_t>& out, std::uint64_t v) { bytes_detail::append_le(out, v); }

inline void append_be16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

inline void append_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 24));
  out.push_back(static_cast<std::uint8_t>(v >> 16));
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

inline void append_bytes(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

}  // namespace mtjson
