// Server-side transport detection from the first bytes, as Telegram's servers do
// ("MTProto transports": "The server recognizes these different protocols ... by the
// header"; the obfuscation section lists which first bytes an obfuscated2 init may not have).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "transport/codec.h"

namespace mtjson::transport {

// One layer of a connection's stack, outermost first (e.g. fake_tls, obfuscated2, padded).
enum class Layer { fake_tls, obfuscated2, abridged, intermediate, padded_intermediate, full };

const char* layer_name(Layer layer);
Layer layer_of(Mode mode);
std::string describe_layers(const std::vector<Layer>& layers);  // "fake TLS > obfuscated2 > ..."

struct DetectOptions {
  bool allow_plain = true;       // bare 0xef / 0xeeeeeeee / 0xdddddddd tags and full
  bool allow_obfuscated = true;  // obfuscated2 (with or without an MTProxy secret)
  bool allow_fake_tls = false;   // only when fake-TLS (ee) secrets are configured
  Limits limits;
};

struct Detection {
  enum class Status { need_more, detected, rejected };
  enum class Outer { plain, obfuscated2, fake_tls };
  Status status = Status::need_more;
  Outer outer = Outer::plain;
  Mode mode = Mode::intermediate;  // plain: the framing
  std::size_t tag_size = 0;        // plain: protocol tag bytes to consume (full: 0)
  std::string reason;              // rejected
};

Detection detect_transport(std::span<const std::uint8_t> first_bytes, const DetectOptions& options);

}  // namespace mtjson::transport
