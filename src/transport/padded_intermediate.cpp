#include "transport/padded_intermediate.h"

#include <array>

#include "base/bytes.h"
#include "transport/intermediate.h"

namespace mtjson::transport {

namespace {
constexpr std::uint32_t kQuickAckMarker = 0xffffffffU;
constexpr std::size_t kMaxPadding = 15;
// Smaller than any MTProto message (auth_key_id + msg_id + length + a constructor = 24 bytes):
// such a frame from the server is a quick ACK or a transport error plus padding.
constexpr std::size_t kSmallestMessage = 24;
}  // namespace

void PaddedIntermediateCodec::append_padding(std::vector<std::uint8_t>& out, unsigned max_len) {
  if (!rng_) return;  // no randomness injected: no padding (still a valid frame)
  std::array<std::uint8_t, 16> buf{};
  rng_(std::span(buf).first(1));
  const unsigned len = buf[0] % (max_len + 1);
  rng_(std::span(buf).first(len));
  out.insert(out.end(), buf.begin(), buf.begin() + len);
}

Status PaddedIntermediateCodec::encode(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out,
                                       bool quick_ack) {
  if (payload.empty() || payload.size() % 4 != 0) {
    return Status::error("padded intermediate: payload of " + std::to_string(payload.size()) +
                           " bytes is not a positive multiple of 4");
  }
  if (payload.size() > limits_.max_frame || payload.size() + kMaxPadding >= kQuickAckLengthMsb) {
    return Status::error("padded intermediate: payload of " + std::to_string(payload.size()) +
                           " bytes exceeds the frame limit");
  }
  if (quick_ack && role_ != Role::client) {
    return Status::error("padded intermediate: only a client may request a quick ACK");
  }
  const std::size_t start = out.size();
  append_le32(out, 0);
  append_bytes(out, payload);
  append_padding(out, kMaxPadding);
  const auto total = static_cast<std::uint32_t>(out.size() - start - 4);
  store_le32(std::span(out).subspan(start, 4), total | (quick_ack ? kQuickAckLengthMsb : 0));
  return Status();
}

Status PaddedIntermediateCodec::encode_quick_ack(std::uint32_t token, std::vector<std::uint8_t>& out) {
  if (role_ != Role::server) return Status::error("padded intermediate: only a server sends quick ACKs");
  if ((token & kQuickAckLengthMsb) == 0) {
    return Status::error("padded intermediate: quick ACK token must have its MSB set");
  }
  const std::size_t start = out.size();
  append_le32(out, 0);
  append_le32(out, kQuickAckMarker);
  append_le32(out, token);
  append_padding(out, 8);
  store_le32(std::span(out).subspan(start, 4), static_cast<std::uint32_t>(out.size() - start - 4));
  return Status();
}

Decoded PaddedIntermediateCodec::decode_one() {
  auto in = in_.view();
  if (in.size() < 4) return Decoded::need_more();
  std::uint32_t length = load_le32(in);
  bool quick_ack_requested = false;
  if (length & kQuickAckLengthMsb) {
    if (role_ == Role::client) {
      return Decoded::failure("padded intermediate: server frame length has the quick-ACK bit set");
    }
    quick_ack_requested = true;
    length &= ~kQuickAckLengthMsb;
  }
  if (length < 4) return Decoded::failure("padded intermediate: frame of " + std::to_string(length) + " bytes is too short");
  if (length > limits_.max_frame + kMaxPadding) {
    return Decoded::failure("padded intermediate: frame of " + std::to_string(length) +
                            " bytes exceeds the limit of " + std::to_string(limits_.max_frame));
  }
  if (in.size() < 4 + std::size_t{length}) return Decoded::need_more();
  in_.consume(4);
  std::vector<std::uint8_t> body = in_.take(length);
  Decoded d;
  if (role_ == Role::client && length < kSmallestMessage) {
    const std::uint32_t first = load_le32(body);
    if (first == kQuickAckMarker) {
      if (length < 8) return Decoded::failure("padded intermediate: truncated quick ACK");
      d.kind = Decoded::Kind::quick_ack;
      d.quick_ack_token = load_le32(std::span(body).subspan(4));
      return d;
    }
    const auto code = static_cast<std::int32_t>(first);
    if (code >= 0) {
      return Decoded::failure("padded intermediate: " + std::to_string(length) +
                              "-byte frame is neither a quick ACK nor a transport error");
    }
    d.kind = Decoded::Kind::transport_error;
    d.error_code = code;
    return d;
  }
  body.resize(body.size() & ~std::size_t{3});
  d.kind = Decoded::Kind::frame;
  d.payload = std::move(body);
  d.quick_ack_requested = quick_ack_requested;
  return d;
}

}  // namespace mtjson::transport
