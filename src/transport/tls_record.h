// The TLS record layer carrying the obfuscated2 stream after a fake-TLS handshake: application
// data records 17 03 03 <len BE16> <data>; a client's first record is preceded by
// ChangeCipherSpec 14 03 03 00 01 01 (as a TLS 1.3 client in compatibility mode sends).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "transport/byte_queue.h"

namespace mtjson::transport {

// TLS 1.3 limit for a record's ciphertext: 2^14 + 256 (RFC 8446, 5.2).
inline constexpr std::size_t kMaxTlsRecord = (1 << 14) + 256;
// Browsers write records of at most this size (TDLib's MAX_TLS_PACKET_LENGTH); we do the same.
inline constexpr std::size_t kTlsWriteChunk = 2878;

// Appends data split into application-data records of at most max_chunk bytes.
void write_tls_records(std::span<const std::uint8_t> data, std::vector<std::uint8_t>& out,
                       std::size_t max_chunk = kTlsWriteChunk);
void write_change_cipher_spec(std::vector<std::uint8_t>& out);

class TlsRecordReader {
 public:
  // Unwraps complete records of in_bytes (plus what was left from before) into app_data.
  // An error (and the reader stays failed, giving it again) on a malformed record.
  Status feed(std::span<const std::uint8_t> in_bytes, std::vector<std::uint8_t>& app_data);

 private:
  ByteQueue in_;
  Status failed_;
};

}  // namespace mtjson::transport
