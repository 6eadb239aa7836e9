#include "transport/detect.h"

#include <algorithm>

#include "base/bytes.h"

namespace mtjson::transport {

const char* layer_name(Layer layer) {
  switch (layer) {
    case Layer::fake_tls: return "fake TLS";
    case Layer::obfuscated2: return "obfuscated2";
    case Layer::abridged: return "abridged";
    case Layer::intermediate: return "intermediate";
    case Layer::padded_intermediate: return "padded intermediate";
    case Layer::full: return "full";
  }
  return "unknown";
}

Layer layer_of(Mode mode) {
  switch (mode) {
    case Mode::abridged: return Layer::abridged;
    case Mode::intermediate: return Layer::intermediate;
    case Mode::padded_intermediate: return Layer::padded_intermediate;
    case Mode::full: return Layer::full;
  }
  return Layer::full;
}

std::string describe_layers(const std::vector<Layer>& layers) {
  std::string s;
  for (Layer l : layers) {
    if (!s.empty()) s += " > ";
    s += layer_name(l);
  }
  return s.empty() ? "undetected" : s;
}

namespace {

Detection rejected(std::string why) {
  Detection d;
  d.status = Detection::Status::rejected;
  d.reason = std::move(why);
  return d;
}

Detection plain(Mode mode, std::size_t tag_size, const DetectOptions& o) {
  if (!o.allow_plain) return rejected(std::string("detect: unobfuscated ") + mode_name(mode) + " is not accepted here");
  Detection d;
  d.status = Detection::Status::detected;
  d.outer = Detection::Outer::plain;
  d.mode = mode;
  d.tag_size = tag_size;
  return d;
}

}  // namespace

Detection detect_transport(std::span<const std::uint8_t> in, const DetectOptions& o) {
  if (in.empty()) return {};
  if (in[0] == 0xef) return plain(Mode::abridged, 1, o);
  if (in.size() < 4) return {};
  const std::uint32_t first = load_le32(in);
  if (first == 0xeeeeeeeeU) return plain(Mode::intermediate, 4, o);
  if (first == 0xddddddddU) return plain(Mode::padded_intermediate, 4, o);
  if (in[0] == 0x16 && in[1] == 0x03 && in[2] == 0x01) {
    if (!o.allow_fake_tls) return rejected("detect: TLS ClientHello but no fake-TLS secret is configured");
    Detection d;
    d.status = Detection::Status::detected;
    d.outer = Detection::Outer::fake_tls;
    return d;
  }
  // "POST", "GET ", "HEAD", "OPTI": the HTTP transport, which we do not serve.
  for (std::uint32_t http : {0x54534f50U, 0x20544547U, 0x44414548U, 0x4954504fU}) {
    if (first == http) return rejected("detect: HTTP transport is not supported");
  }
  if (in.size() < 8) return {};
  if (load_le32(in.subspan(4)) == 0) {
    // Full transport: a length, then seqno 0 (which an obfuscated2 init may not have).
    const std::uint32_t length = first;
    if (length < 16 || length % 4 != 0 || length - 12 > o.limits.max_frame) {
      return rejected("detect: full transport with implausible length " + std::to_string(length));
    }
    return plain(Mode::full, 0, o);
  }
  if (!o.allow_obfuscated) return rejected("detect: unknown transport (obfuscated2 is not accepted here)");
  Detection d;
  d.status = Detection::Status::detected;
  d.outer = Detection::Outer::obfuscated2;
  return d;
}

}  // namespace mtjson::transport
