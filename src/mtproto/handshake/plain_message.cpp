#include "mtproto/handshake/plain_message.h"

#include <string>

#include "tl/wire_reader.h"
#include "tl/wire_writer.h"

namespace mtjson::mtproto::handshake {

Bytes encode_plain(std::uint64_t msg_id, std::span<const std::uint8_t> body) {
  Bytes out;
  out.reserve(kPlainHeaderSize + body.size());
  tl::WireWriter w(out);
  w.write_u64(0);  // auth_key_id
  w.write_u64(msg_id);
  w.write_u32(static_cast<std::uint32_t>(body.size()));
  w.write_raw(body);
  return out;
}

Result<PlainMessage> decode_plain(std::span<const std::uint8_t> packet) {
  using R = Result<PlainMessage>;
  tl::WireReader r(packet);
  const std::uint64_t auth_key_id = r.read_u64();
  PlainMessage m;
  m.msg_id = r.read_u64();
  const std::uint32_t length = r.read_u32();
  if (r.failed()) return R::error("plain message: shorter than its 20-byte header");
  if (auth_key_id != 0) return R::error("plain message: auth_key_id is not 0");
  if (length != r.remaining()) {
    return R::error("plain message: message_data_length " + std::to_string(length) + " != " +
                    std::to_string(r.remaining()) + " bytes present");
  }
  if (length < 4 || length > kMaxPlainBody || length % 4 != 0) {
    return R::error("plain message: bad message_data_length " + std::to_string(length));
  }
  auto body = r.read_raw(length);
  m.body.assign(body.begin(), body.end());
  return m;
}

Result<PlainMessage> decode_plain(std::span<const std::uint8_t> packet, crypto::Side sender) {
  auto m = decode_plain(packet);
  if (!m) return m;
  const unsigned parity = m->msg_id % 4;
  if (sender == crypto::Side::client && parity != 0) {
    return Result<PlainMessage>::error("plain message: client msg_id not divisible by 4");
  }
  if (sender == crypto::Side::server && parity != 1) {
    return Result<PlainMessage>::error("plain message: server msg_id % 4 != 1");
  }
  return m;
}

std::uint64_t msg_id_from_unix_ns(std::int64_t unix_ns) {
  if (unix_ns < 0) unix_ns = 0;
  const auto ns = static_cast<std::uint64_t>(unix_ns);
  const std::uint64_t seconds = ns / 1'000'000'000;
  const std::uint64_t frac_ns = ns % 1'000'000'000;
  // Fraction of a second in units of 2^-32 s.
  const std::uint64_t frac = (frac_ns << 32) / 1'000'000'000;
  return (seconds << 32) | frac;
}

std::uint64_t MsgIdGenerator::next() {
  std::uint64_t id = msg_id_from_unix_ns(clock_()) & ~std::uint64_t{3};
  if (side_ == crypto::Side::server) id |= 1;
  if (id <= last_) id = last_ + 4;  // keeps the residue mod 4
  last_ = id;
  return id;
}

Result<Bytes> PlainChannel::unwrap(std::span<const std::uint8_t> packet) {
  auto m = decode_plain(packet, crypto::other_side(self_));
  if (!m) return m.status();
  if (m->msg_id <= last_peer_msg_id_) return Result<Bytes>::error("plain message: msg_id not increasing");
  last_peer_msg_id_ = m->msg_id;
  return std::move(m->body);
}

}  // namespace mtjson::mtproto::handshake
