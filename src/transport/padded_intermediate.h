// Padded intermediate framing: 4-byte LE total length, payload, 0-15 random padding bytes; quick
// ACKs from the server are framed packets FFFFFFFF + token + 0-8 padding bytes
// ("MTProto transports", "Padded intermediate").
//
// The receiver cannot tell payload from padding by the length alone. Every MTProto payload is a
// multiple of 4 bytes, so decoded frames are cut to a multiple of 4; up to 12 padding bytes can
// remain at the end, which the MTProto layer ignores (its own lengths say where the message ends).
#pragma once

#include "transport/codec_base.h"

namespace mtjson::transport {

class PaddedIntermediateCodec final : public CodecBase {
 public:
  PaddedIntermediateCodec(Role role, Limits limits, RandomFill rng)
      : CodecBase(role, limits), rng_(std::move(rng)) {}
  Mode mode() const override { return Mode::padded_intermediate; }
  Status encode(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out,
                bool quick_ack = false) override;
  Status encode_quick_ack(std::uint32_t token, std::vector<std::uint8_t>& out) override;

 private:
  Decoded decode_one() override;
  void append_padding(std::vector<std::uint8_t>& out, unsigned max_len);

  RandomFill rng_;
};

}  // namespace mtjson::transport
