// Intermediate framing: 4-byte LE length then the payload; the length's MSB asks for a quick
// ACK; the server's quick ACKs are the bare 4-byte token ("MTProto transports",
// "Intermediate").
#pragma once

#include "transport/codec_base.h"

namespace mtjson::transport {

// The length word's MSB: set by a sender that wants a quick ACK (shared by the padded variant).
inline constexpr std::uint32_t kQuickAckLengthMsb = 0x80000000U;

class IntermediateCodec final : public CodecBase {
 public:
  IntermediateCodec(Role role, Limits limits) : CodecBase(role, limits) {}
  Mode mode() const override { return Mode::intermediate; }
  Status encode(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out,
                bool quick_ack = false) override;
  Status encode_quick_ack(std::uint32_t token, std::vector<std::uint8_t>& out) override;

 private:
  Decoded decode_one() override;
};

}  // namespace mtjson::transport
