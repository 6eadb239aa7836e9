#include "transport/full.h"

#include <zlib.h>

#include <cstdio>

#include "base/bytes.h"

namespace mtjson::transport {

namespace {
constexpr std::size_t kEnvelope = 12;  // length + seqno + crc

std::string hex32(std::uint32_t v) {
  char buf[11];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}
}  // namespace

std::uint32_t crc32_of(std::span<const std::uint8_t> bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes a uInt length: feed huge inputs in pieces.
  while (!bytes.empty()) {
    const std::size_t n = std::min<std::size_t>(bytes.size(), 1U << 30);
    crc = crc32(crc, bytes.data(), static_cast<uInt>(n));
    bytes = bytes.subspan(n);
  }
  return static_cast<std::uint32_t>(crc);
}

Status FullCodec::encode(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out, bool quick_ack) {
  if (quick_ack) return Status::error("full: this transport has no quick ACK");
  if (payload.empty() || payload.size() % 4 != 0) {
    return Status::error("full: payload of " + std::to_string(payload.size()) +
                           " bytes is not a positive multiple of 4");
  }
  if (payload.size() > limits_.max_frame || payload.size() > 0x7fffffffU - kEnvelope) {
    return Status::error("full: payload of " + std::to_string(payload.size()) + " bytes exceeds the frame limit");
  }
  const std::size_t start = out.size();
  append_le32(out, static_cast<std::uint32_t>(payload.size() + kEnvelope));
  append_le32(out, send_seqno_++);
  append_bytes(out, payload);
  append_le32(out, crc32_of(std::span(out).subspan(start)));
  return Status();
}

Status FullCodec::encode_quick_ack(std::uint32_t, std::vector<std::uint8_t>&) {
  return Status::error("full: this transport has no quick ACK");
}

Decoded FullCodec::decode_one() {
  auto in = in_.view();
  if (in.size() < 4) return Decoded::need_more();
  const std::uint32_t length = load_le32(in);
  if (length < kEnvelope + 4) {
    return Decoded::failure("full: length " + std::to_string(length) + " is shorter than the envelope plus 4 bytes");
  }
  if (length % 4 != 0) return Decoded::failure("full: length " + std::to_string(length) + " is not a multiple of 4");
  if (length - kEnvelope > limits_.max_frame) {
    return Decoded::failure("full: frame of " + std::to_string(length - kEnvelope) +
                            " bytes exceeds the limit of " + std::to_string(limits_.max_frame));
  }
  if (in.size() < length) return Decoded::need_more();
  auto frame = in.first(length);
  const std::uint32_t seqno = load_le32(frame.subspan(4));
  const std::uint32_t crc = load_le32(frame.subspan(length - 4));
  const std::uint32_t computed = crc32_of(frame.first(length - 4));
  if (crc != computed) return Decoded::failure("full: CRC32 mismatch (got " + hex32(crc) + ", computed " + hex32(computed) + ")");
  if (seqno != recv_seqno_) {
    return Decoded::failure("full: seqno " + std::to_string(seqno) + ", expected " + std::to_string(recv_seqno_));
  }
  ++recv_seqno_;
  std::vector<std::uint8_t> payload(frame.begin() + 8, frame.end() - 4);
  in_.consume(length);
  return classify_client_frame(std::move(payload));
}

}  // namespace mtjson::transport
