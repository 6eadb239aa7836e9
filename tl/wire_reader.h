// Bounds-checked reader of TL primitives with a sticky error: after the first
// failure every read returns zero/empty and the caller checks failed() once
// (the idea of TDLib's tl_parsers.h; no exception per field).
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "base/bytes.h"

namespace mtjson::tl {

class WireReader {
 public:
  explicit WireReader(std::span<const std::uint8_t> data) : data_(data) {}

  bool failed() const { return failed_; }
  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return failed_ ? 0 : data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }
  // Where the first failure happened and what was being read.
  std::size_t error_offset() const { return error_offset_; }
  const char* error_what() const { return error_what_; }

  void fail(const char* what) {
    if (!failed_) {
      failed_ = true;
      error_offset_ = pos_;
      error_what_ = what;
    }
  }

  std::uint32_t read_u32() {
    if (!need(4, "int")) return 0;
    const std::uint8_t* p = data_.data() + pos_;
    pos_ += 4;
    return load_le32(p);
  }
  std::int32_t read_i32() { return static_cast<std::int32_t>(read_u32()); }
  std::uint64_t read_u64() {
    if (!need(8, "long")) return 0;
    const std::uint8_t* p = data_.data() + pos_;
    pos_ += 8;
    return load_le64(p);
  }
  std::int64_t read_i64() { return static_cast<std::int64_t>(read_u64()); }
  double read_double() {
    std::uint64_t bits = read_u64();
    double v;
    std::memcpy(&v, &bits, 8);
    return v;
  }
  // n raw bytes; an empty span on failure.
  std::span<const std::uint8_t> read_raw(std::size_t n, const char* what = "raw bytes") {
    if (!need(n, what)) return {};
    auto s = data_.subspan(pos_, n);
    pos_ += n;
    return s;
  }
  // A TL byte string (see WireWriter::write_bytes), padding checked for length only.
  std::span<const std::uint8_t> read_bytes() {
    if (!need(1, "string length")) return {};
    std::size_t start = pos_;
    std::size_t n = data_[pos_];
    std::size_t header = 1;
    if (n == 254) {
      if (!need(4, "string length")) return {};
      n = load_le24(data_.data() + pos_ + 1);
      header = 4;
    } else if (n == 255) {
      fail("string length (0xff is not a valid length prefix)");
      return {};
    }
    std::size_t total = (header + n + 3) & ~std::size_t{3};
    if (!need(total, "string data")) return {};
    pos_ = start + total;
    return data_.subspan(start + header, n);
  }

 private:
  bool need(std::size_t n, const char* what) {
    if (failed_) return false;
    if (data_.size() - pos_ < n) {
      fail(what);
      return false;
    }
    return true;
  }

  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  std::size_t error_offset_ = 0;
  const char* error_what_ = "";
};

}  // namespace mtjson::tl
