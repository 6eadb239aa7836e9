// Shared plumbing of the framing codecs: the input queue and the sticky error.
#pragma once

#include "transport/byte_queue.h"
#include "transport/codec.h"

namespace mtjson::transport {

class CodecBase : public Codec {
 public:
  CodecBase(Role role, Limits limits) : role_(role), limits_(limits) {}

  Role role() const override { return role_; }
  void feed(std::span<const std::uint8_t> bytes) override {
    if (failed_.empty()) in_.append(bytes);
  }
  // Once a stream is malformed nothing after it can be trusted: keep returning the first error.
  Decoded next() override {
    if (!failed_.empty()) return Decoded::failure(failed_);
    Decoded d = decode_one();
    if (d.kind == Decoded::Kind::error) {
      failed_ = d.reason;
      in_.clear();
    }
    return d;
  }
  std::size_t buffered() const override { return in_.size(); }

 protected:
  virtual Decoded decode_one() = 0;

  // Client role: a 4-byte payload is a transport error (a negative int32, e.g. -404).
  Decoded classify_client_frame(std::vector<std::uint8_t> payload);

  Role role_;
  Limits limits_;
  ByteQueue in_;
  std::string failed_;
};

}  // namespace mtjson::transport
