#include "transport/codec.h"

#include "base/bytes.h"
#include "transport/abridged.h"
#include "transport/codec_base.h"
#include "transport/full.h"
#include "transport/intermediate.h"
#include "transport/padded_intermediate.h"

namespace mtjson::transport {

const char* mode_name(Mode mode) {
  switch (mode) {
    case Mode::abridged: return "abridged";
    case Mode::intermediate: return "intermediate";
    case Mode::padded_intermediate: return "padded intermediate";
    case Mode::full: return "full";
  }
  return "unknown";
}

Status Codec::encode_transport_error(std::int32_t code, std::vector<std::uint8_t>& out) {
  std::vector<std::uint8_t> payload;
  append_le32(payload, static_cast<std::uint32_t>(code));
  return encode(payload, out, false);
}

Decoded CodecBase::classify_client_frame(std::vector<std::uint8_t> payload) {
  Decoded d;
  if (role_ == Role::client && payload.size() == 4) {
    auto code = static_cast<std::int32_t>(load_le32(payload));
    if (code >= 0) {
      return Decoded::failure(std::string(mode_name(mode())) +
                              ": 4-byte frame is not a transport error (code " + std::to_string(code) + ")");
    }
    d.kind = Decoded::Kind::transport_error;
    d.error_code = code;
    return d;
  }
  d.kind = Decoded::Kind::frame;
  d.payload = std::move(payload);
  return d;
}

std::vector<std::uint8_t> protocol_tag(Mode mode) {
  switch (mode) {
    case Mode::abridged: return {0xef};
    case Mode::intermediate: return {0xee, 0xee, 0xee, 0xee};
    case Mode::padded_intermediate: return {0xdd, 0xdd, 0xdd, 0xdd};
    case Mode::full: return {};
  }
  return {};
}

std::uint32_t protocol_tag4(Mode mode) {
  switch (mode) {
    case Mode::abridged: return 0xefefefefU;  // padded with itself to 4 bytes
    case Mode::intermediate: return 0xeeeeeeeeU;
    case Mode::padded_intermediate: return 0xddddddddU;
    case Mode::full: return 0;
  }
  return 0;
}

std::unique_ptr<Codec> make_codec(Mode mode, Role role, Limits limits, RandomFill rng) {
  switch (mode) {
    case Mode::abridged: return std::make_unique<AbridgedCodec>(role, limits);
    case Mode::intermediate: return std::make_unique<IntermediateCodec>(role, limits);
    case Mode::padded_intermediate:
      return std::make_unique<PaddedIntermediateCodec>(role, limits, std::move(rng));
    case Mode::full: return std::make_unique<FullCodec>(role, limits);
  }
  return nullptr;
}

}  // namespace mtjson::transport
