// The framing codec interface shared by abridged, intermediate, padded intermediate and full
// ("MTProto transports"). A codec works on the byte stream *after* the protocol tag:
// the tag is written by the client connection (or put inside the obfuscated2 header) and
// consumed by server-side detection (detect.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"

namespace mtjson::transport {

enum class Role { client, server };

enum class Mode { abridged, intermediate, padded_intermediate, full };

const char* mode_name(Mode mode);

// Fills a buffer with random bytes; injected so that tests are byte-exact.
using RandomFill = std::function<void(std::span<std::uint8_t>)>;

struct Limits {
  // Largest MTProto payload accepted in one frame. Telegram caps packets at 2^24 bytes
  // (TDLib's transport CHECKs size < 1 << 24), so 16 MiB is the default.
  std::size_t max_frame = std::size_t{1} << 24;
};

// What next() found in the received bytes.
struct Decoded {
  enum class Kind {
    need_more,        // not enough bytes yet
    frame,            // payload holds one MTProto payload
    quick_ack,        // quick_ack_token holds a token sent back by the server (client role)
    transport_error,  // error_code holds a negative code such as -404/-429/-444 (client role)
    error,            // the stream is malformed; reason says why. Sticky: close the connection.
  };
  Kind kind = Kind::need_more;
  std::vector<std::uint8_t> payload;
  bool quick_ack_requested = false;  // server role: the client set the quick-ack bit
  std::uint32_t quick_ack_token = 0;
  std::int32_t error_code = 0;
  std::string reason;

  static Decoded need_more() { return {}; }
  static Decoded failure(std::string why) {
    Decoded d;
    d.kind = Kind::error;
    d.reason = std::move(why);
    return d;
  }
};

class Codec {
 public:
  virtual ~Codec() = default;

  virtual Mode mode() const = 0;
  virtual Role role() const = 0;

  // Appends one framed payload to out. quick_ack (client role) asks the server for a quick ACK;
  // modes without quick ACK (full) refuse it.
  virtual Status encode(std::span<const std::uint8_t> payload, std::vector<std::uint8_t>& out,
                        bool quick_ack = false) = 0;
  // Server role: appends a quick ACK token in this mode's form. token has its MSB set.
  virtual Status encode_quick_ack(std::uint32_t token, std::vector<std::uint8_t>& out) = 0;
  // Server role: a transport error is a 4-byte signed LE payload framed as usual
  // ("MTProto transports", "Transport errors").
  Status encode_transport_error(std::int32_t code, std::vector<std::uint8_t>& out);

  // Hands received bytes to the codec; next() then yields what they contain, one item per call.
  virtual void feed(std::span<const std::uint8_t> bytes) = 0;
  virtual Decoded next() = 0;
  // Bytes received but not yet decoded.
  virtual std::size_t buffered() const = 0;
};

// The protocol tag a client sends first (abridged 0xef, intermediate 0xeeeeeeee,
// padded 0xdddddddd, full: none) and its 4-byte form used at offset 56 of the obfuscated2 header.
std::vector<std::uint8_t> protocol_tag(Mode mode);
std::uint32_t protocol_tag4(Mode mode);  // 0 for full (which has no tag)

// rng is needed by padded intermediate only (padding bytes and lengths); may be empty otherwise.
std::unique_ptr<Codec> make_codec(Mode mode, Role role, Limits limits = {}, RandomFill rng = {});

}  // namespace mtjson::transport
