// The client end of one MTProto transport connection, composed from the layers: framing codec,
// optional obfuscated2 (optionally keyed by an MTProxy secret), optional fake TLS for ee
// secrets. Sans-I/O: write take_output() to the socket, hand received bytes to
// on_bytes_received() and read next() until need_more.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/random.h"
#include "transport/byte_queue.h"
#include "transport/codec.h"
#include "transport/mtproxy_secret.h"
#include "transport/obfuscated2.h"
#include "transport/tls_record.h"

namespace mtjson::transport {

using UnixClock = std::function<std::int64_t()>;

struct ClientOptions {
  Mode mode = Mode::intermediate;
  bool obfuscated = false;
  // Written at offset 60 of the obfuscated2 init (MTProxies need it; +10000 for test DCs,
  // negative for media DCs).
  std::optional<std::int16_t> dc_id;
  // Connect through an MTProxy: implies obfuscated; dd and ee secrets imply padded intermediate.
  std::optional<ProxySecret> secret;
  Limits limits;
  UnixClock clock;  // unix seconds for the fake-TLS timestamp; default: system clock
};

class ClientConnection {
 public:
  // rng must outlive the connection.
  ClientConnection(ClientOptions options, crypto::RandomSource& rng);

  // Queues what goes first on the wire (tag, obfuscated2 init or TLS ClientHello).
  Status start();
  // Queues one MTProto payload (sent after the fake-TLS handshake when there is one).
  Status send_frame(std::span<const std::uint8_t> payload, bool quick_ack = false);
  // Bytes to write to the socket now.
  std::vector<std::uint8_t> take_output();

  void on_bytes_received(std::span<const std::uint8_t> bytes);
  // Next frame / quick ACK / transport error; error is sticky and means "close the connection".
  Decoded next();

  Mode mode() const { return codec_->mode(); }
  bool handshake_done() const { return stage_ == Stage::ready; }

 private:
  enum class Stage { idle, tls_wait_server_hello, ready, failed };
  void fail(std::string reason);
  void feed_record_layer(std::span<const std::uint8_t> bytes);
  void feed_stream(std::span<const std::uint8_t> bytes);
  void emit(std::vector<std::uint8_t> stream_bytes);

  ClientOptions options_;
  crypto::RandomSource& rng_;
  Stage stage_ = Stage::idle;
  std::unique_ptr<Codec> codec_;
  std::optional<Obfuscated2Cipher> cipher_;
  bool fake_tls_ = false;
  std::array<std::uint8_t, 32> client_random_{};
  ByteQueue raw_in_;                         // until the ServerHello is verified
  std::optional<TlsRecordReader> records_;   // after it
  std::vector<std::uint8_t> pending_stream_;  // obfuscated bytes waiting for the handshake
  std::vector<std::uint8_t> out_;
  Status error_;
};

}  // namespace mtjson::transport
