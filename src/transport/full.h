// Full framing: LE total length (including itself), LE seqno per direction starting at 0,
// payload, CRC32 over length+seqno+payload ("MTProto transports", "Full"). A seqno or
// CRC mismatch is a protocol error. No protocol tag, no quick ACK.
#pragma once

#include "transport/codec_base.h"

namespace mtjson::transport {

class FullCodec final : public CodecBase {
 public:
  FullCodec(Role role, Limits limits) : CodecBase(role, limits) {}
  Mode mode() const override { return Mode::full; }
  Status encode(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out,
                bool quick_ack = false) override;
  Status encode_quick_ack(std::uint32_t token, std::vector<std::uint8_t>& out) override;

  std::uint32_t send_seqno() const { return send_seqno_; }
  std::uint32_t recv_seqno() const { return recv_seqno_; }

 private:
  Decoded decode_one() override;

  std::uint32_t send_seqno_ = 0;
  std::uint32_t recv_seqno_ = 0;
};

// CRC32 (zlib's polynomial) of bytes.
std::uint32_t crc32_of(std::span<const std::uint8_t> bytes);

}  // namespace mtjson::transport
