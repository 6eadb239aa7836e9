#include "transport/tls_record.h"

#include <cstdio>

#include "base/bytes.h"

namespace mtjson::transport {

void write_tls_records(std::span<const std::uint8_t> data, std::vector<std::uint8_t>& out, std::size_t max_chunk) {
  if (max_chunk == 0 || max_chunk > (1 << 14)) max_chunk = 1 << 14;
  while (!data.empty()) {
    const std::size_t n = std::min(data.size(), max_chunk);
    out.insert(out.end(), {0x17, 0x03, 0x03});
    append_be16(out, static_cast<std::uint16_t>(n));
    append_bytes(out, data.first(n));
    data = data.subspan(n);
  }
}

void write_change_cipher_spec(std::vector<std::uint8_t>& out) { out.insert(out.end(), {0x14, 0x03, 0x03, 0x00, 0x01, 0x01}); }

Status TlsRecordReader::feed(std::span<const std::uint8_t> in_bytes, std::vector<std::uint8_t>& app_data) {
  if (!failed_) return failed_;
  in_.append(in_bytes);
  while (in_.size() >= 5) {
    auto v = in_.view();
    const std::uint8_t type = v[0];
    const std::size_t length = load_be16(v.subspan(3));
    std::string bad;  // empty: the header is acceptable
    if (v[1] != 0x03 || v[2] != 0x03) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "fake TLS: record version %02x%02x is not 0303", v[1], v[2]);
      bad = buf;
    } else if (type == 0x17) {
      if (length == 0 || length > kMaxTlsRecord) bad = "fake TLS: record length " + std::to_string(length) + " out of range";
    } else if (type == 0x14) {
      // ChangeCipherSpec is a single 01 byte; it carries nothing.
      if (length != 1) bad = "fake TLS: malformed ChangeCipherSpec record";
    } else {
      char buf[64];
      std::snprintf(buf, sizeof buf, "fake TLS: unexpected record type 0x%02x", type);
      bad = buf;
    }
    if (!bad.empty()) {
      failed_ = Status::error(std::move(bad));
      in_.clear();
      return failed_;
    }
    if (in_.size() < 5 + length) break;
    if (type == 0x14 && v[5] != 0x01) {
      failed_ = Status::error("fake TLS: malformed ChangeCipherSpec record");
      in_.clear();
      return failed_;
    }
    if (type == 0x17) append_bytes(app_data, v.subspan(5, length));
    in_.consume(5 + length);
  }
  return Status();
}

}  // namespace mtjson::transport
