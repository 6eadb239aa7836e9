#include "transport/abridged.h"

#include "base/bytes.h"

namespace mtjson::transport {

namespace {
constexpr std::uint8_t kLongHeader = 0x7f;
constexpr std::uint8_t kQuickAckLengthBit = 0x80;
}  // namespace

Status AbridgedCodec::encode(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out,
                             bool quick_ack) {
  if (payload.empty() || payload.size() % 4 != 0) {
    return Status::error("abridged: payload of " + std::to_string(payload.size()) +
                           " bytes is not a positive multiple of 4");
  }
  if (payload.size() > limits_.max_frame || payload.size() / 4 >= (std::size_t{1} << 24)) {
    return Status::error("abridged: payload of " + std::to_string(payload.size()) +
                           " bytes exceeds the frame limit");
  }
  // A set MSB in a server's first byte means "quick ACK", so only clients may set it.
  if (quick_ack && role_ != Role::client) return Status::error("abridged: only a client may request a quick ACK");
  const std::uint8_t flag = quick_ack ? kQuickAckLengthBit : 0;
  const std::size_t words = payload.size() / 4;
  if (words < kLongHeader) {
    out.push_back(static_cast<std::uint8_t>(words) | flag);
  } else {
    out.push_back(kLongHeader | flag);
    out.resize(out.size() + 3);
    store_le24(out.data() + out.size() - 3, static_cast<std::uint32_t>(words));
  }
  append_bytes(out, payload);
  return Status();
}

Status AbridgedCodec::encode_quick_ack(std::uint32_t token, std::vector<std::uint8_t>& out) {
  if (role_ != Role::server) return Status::error("abridged: only a server sends quick ACKs");
  if ((token & 0x80000000U) == 0) return Status::error("abridged: quick ACK token must have its MSB set");
  // Sent byte-swapped, so the first byte on the wire carries the token's MSB.
  append_be32(out, token);
  return Status();
}

Decoded AbridgedCodec::decode_one() {
  auto in = in_.view();
  if (in.empty()) return Decoded::need_more();
  std::uint8_t first = in[0];
  bool quick_ack_requested = false;
  if (first & kQuickAckLengthBit) {
    if (role_ == Role::client) {
      if (in.size() < 4) return Decoded::need_more();
      Decoded d;
      d.kind = Decoded::Kind::quick_ack;
      d.quick_ack_token = load_be32(in);
      in_.consume(4);
      return d;
    }
    quick_ack_requested = true;
    first &= static_cast<std::uint8_t>(~kQuickAckLengthBit);
  }
  std::size_t header = 1;
  std::size_t words = first;
  if (first == kLongHeader) {
    if (in.size() < 4) return Decoded::need_more();
    header = 4;
    words = load_le24(in.data() + 1);
  }
  if (words == 0) return Decoded::failure("abridged: zero-length frame");
  const std::size_t length = words * 4;
  if (length > limits_.max_frame) {
    return Decoded::failure("abridged: frame of " + std::to_string(length) + " bytes exceeds the limit of " +
                            std::to_string(limits_.max_frame));
  }
  if (in.size() < header + length) return Decoded::need_more();
  in_.consume(header);
  Decoded d = classify_client_frame(in_.take(length));
  d.quick_ack_requested = quick_ack_requested;
  return d;
}

}  // namespace mtjson::transport
