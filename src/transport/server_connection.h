// The server end of one connection: detects the client's transport stack from the first bytes
// (detect.h), runs the fake-TLS / obfuscated2 handshakes, then decodes frames. Sans-I/O, like
// ClientConnection. A malformed stream puts it into a sticky error whose reason is meant for
// the log line written when the connection is closed.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "crypto/random.h"
#include "transport/byte_queue.h"
#include "transport/client_connection.h"
#include "transport/codec.h"
#include "transport/detect.h"
#include "transport/mtproxy_secret.h"
#include "transport/obfuscated2.h"
#include "transport/tls_record.h"

namespace mtjson::transport {

struct ServerOptions {
  // MTProxy secrets accepted: plain and dd ones through obfuscated2, ee ones through fake TLS.
  std::vector<ProxySecret> secrets;
  bool allow_plain = true;                      // bare tags and the full transport
  bool allow_obfuscated_without_secret = true;  // obfuscated2 keyed by the init alone
  Limits limits;
  UnixClock clock;                   // unix seconds; default: system clock
  std::uint32_t fake_tls_max_skew = 120;  // seconds between a ClientHello's time and ours
};

class ServerConnection {
 public:
  ServerConnection(ServerOptions options, crypto::RandomSource& rng);

  void on_bytes_received(std::span<const std::uint8_t> bytes);
  // Next client frame (quick_ack_requested tells whether to answer with send_quick_ack).
  Decoded next();

  Status send_frame(std::span<const std::uint8_t> payload);
  Status send_quick_ack(std::uint32_t token);
  Status send_transport_error(std::int32_t code);
  std::vector<std::uint8_t> take_output();

  bool established() const { return stage_ == Stage::ready; }
  bool failed() const { return stage_ == Stage::failed; }
  const Status& error() const { return error_; }
  const std::vector<Layer>& layers() const { return layers_; }
  std::optional<std::int16_t> dc_id() const { return dc_id_; }   // from an obfuscated2 init
  int secret_index() const { return secret_index_; }              // into options.secrets, -1 none

 private:
  enum class Stage { detecting, tls_hello, obfuscated_init, ready, failed };
  void fail(std::string reason);
  void try_detect();
  void feed_after_tls(std::span<const std::uint8_t> bytes);
  void accept_init();
  void feed_stream(std::span<const std::uint8_t> bytes);
  void make_codec_for(Mode mode);
  Status emit(std::vector<std::uint8_t> framed, Status status);

  ServerOptions options_;
  crypto::RandomSource& rng_;
  Stage stage_ = Stage::detecting;
  std::vector<Layer> layers_;
  ByteQueue raw_in_;        // before detection / the TLS ClientHello
  ByteQueue init_in_;       // collecting the 64-byte obfuscated2 init
  std::optional<TlsRecordReader> records_;
  int tls_secret_ = -1;     // the ee secret that signed the ClientHello
  std::optional<Obfuscated2Cipher> cipher_;
  std::unique_ptr<Codec> codec_;
  std::optional<std::int16_t> dc_id_;
  int secret_index_ = -1;
  std::vector<std::uint8_t> out_;
  Status error_;
};

}  // namespace mtjson::transport
