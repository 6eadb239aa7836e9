// Abridged framing: 1-byte length/4, or 0x7f + 3-byte LE length/4; the MSB of the first byte
// asks for a quick ACK; the server's quick ACKs are the token byte-swapped, without a header
// ("MTProto transports", "Abridged").
#pragma once

#include "transport/codec_base.h"

namespace mtjson::transport {

class AbridgedCodec final : public CodecBase {
 public:
  AbridgedCodec(Role role, Limits limits) : CodecBase(role, limits) {}
  Mode mode() const override { return Mode::abridged; }
  Status encode(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out,
                bool quick_ack = false) override;
  Status encode_quick_ack(std::uint32_t token, std::vector<std::uint8_t>& out) override;

 private:
  Decoded decode_one() override;
};

}  // namespace mtjson::transport
