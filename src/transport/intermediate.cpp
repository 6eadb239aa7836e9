#include "transport/intermediate.h"

#include "base/bytes.h"

namespace mtjson::transport {

Status IntermediateCodec::encode(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out,
                                 bool quick_ack) {
  if (payload.empty() || payload.size() % 4 != 0) {
    return Status::error("intermediate: payload of " + std::to_string(payload.size()) +
                           " bytes is not a positive multiple of 4");
  }
  if (payload.size() > limits_.max_frame || payload.size() >= kQuickAckLengthMsb) {
    return Status::error("intermediate: payload of " + std::to_string(payload.size()) +
                           " bytes exceeds the frame limit");
  }
  if (quick_ack && role_ != Role::client) return Status::error("intermediate: only a client may request a quick ACK");
  append_le32(out, static_cast<std::uint32_t>(payload.size()) | (quick_ack ? kQuickAckLengthMsb : 0));
  append_bytes(out, payload);
  return Status();
}

Status IntermediateCodec::encode_quick_ack(std::uint32_t token, std::vector<std::uint8_t>& out) {
  if (role_ != Role::server) return Status::error("intermediate: only a server sends quick ACKs");
  if ((token & kQuickAckLengthMsb) == 0) return Status::error("intermediate: quick ACK token must have its MSB set");
  append_le32(out, token);
  return Status();
}

Decoded IntermediateCodec::decode_one() {
  auto in = in_.view();
  if (in.size() < 4) return Decoded::need_more();
  std::uint32_t length = load_le32(in);
  bool quick_ack_requested = false;
  if (length & kQuickAckLengthMsb) {
    if (role_ == Role::client) {
      // A value >= 0x80000000 can never be a length: it is a quick ACK token.
      Decoded d;
      d.kind = Decoded::Kind::quick_ack;
      d.quick_ack_token = length;
      in_.consume(4);
      return d;
    }
    quick_ack_requested = true;
    length &= ~kQuickAckLengthMsb;
  }
  if (length == 0) return Decoded::failure("intermediate: zero-length frame");
  if (length % 4 != 0) {
    return Decoded::failure("intermediate: length " + std::to_string(length) + " is not a multiple of 4");
  }
  if (length > limits_.max_frame) {
    return Decoded::failure("intermediate: frame of " + std::to_string(length) + " bytes exceeds the limit of " +
                            std::to_string(limits_.max_frame));
  }
  if (in.size() < 4 + std::size_t{length}) return Decoded::need_more();
  in_.consume(4);
  Decoded d = classify_client_frame(in_.take(length));
  d.quick_ack_requested = quick_ack_requested;
  return d;
}

}  // namespace mtjson::transport
