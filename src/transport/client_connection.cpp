#include "transport/client_connection.h"

#include <algorithm>
#include <ctime>
#include <utility>

#include "transport/fake_tls.h"

namespace mtjson::transport {

ClientConnection::ClientConnection(ClientOptions options, crypto::RandomSource& rng)
    : options_(std::move(options)), rng_(rng) {
  if (options_.secret) {
    options_.obfuscated = true;
    if (auto m = options_.secret->required_mode()) options_.mode = *m;
    fake_tls_ = options_.secret->kind == ProxySecret::Kind::fake_tls;
  }
  if (!options_.clock) options_.clock = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
  codec_ = make_codec(options_.mode, Role::client, options_.limits,
                      [this](std::span<std::uint8_t> out) { rng_.fill(out); });
}

void ClientConnection::fail(std::string reason) {
  if (stage_ != Stage::failed) error_ = Status::error(std::move(reason));
  stage_ = Stage::failed;
}

Status ClientConnection::start() {
  if (stage_ != Stage::idle) return Status::error("client: already started");
  if (!options_.obfuscated) {
    out_ = protocol_tag(options_.mode);
    stage_ = Stage::ready;
    return Status();
  }
  if (options_.mode == Mode::full) return Status::error("client: the full transport cannot be obfuscated");
  std::span<const std::uint8_t> key;
  if (options_.secret) key = options_.secret->key;
  auto init = make_obfuscated2_client_init(options_.mode, options_.dc_id, key, rng_);
  if (!init) return Status::error("client: cannot build the obfuscated2 init");
  cipher_.emplace(std::move(init->cipher));
  if (!fake_tls_) {
    out_.insert(out_.end(), init->header.begin(), init->header.end());
    stage_ = Stage::ready;
    return Status();
  }
  // Fake TLS: the init travels in the first application-data record, after the handshake.
  pending_stream_.assign(init->header.begin(), init->header.end());
  auto hello = make_fake_tls_client_hello(options_.secret->key, options_.secret->domain,
                                          static_cast<std::uint32_t>(options_.clock()), rng_);
  std::copy_n(hello.begin() + kTlsRandomOffset, 32, client_random_.begin());
  out_.insert(out_.end(), hello.begin(), hello.end());
  stage_ = Stage::tls_wait_server_hello;
  return Status();
}

void ClientConnection::emit(std::vector<std::uint8_t> stream_bytes) {
  if (cipher_) cipher_->encrypt(stream_bytes);
  if (!fake_tls_) {
    out_.insert(out_.end(), stream_bytes.begin(), stream_bytes.end());
  } else if (stage_ == Stage::tls_wait_server_hello) {
    pending_stream_.insert(pending_stream_.end(), stream_bytes.begin(), stream_bytes.end());
  } else {
    write_tls_records(stream_bytes, out_);
  }
}

Status ClientConnection::send_frame(std::span<const std::uint8_t> payload, bool quick_ack) {
  if (stage_ == Stage::idle) return Status::error("client: send_frame before start");
  if (stage_ == Stage::failed) return Status::error("client: connection failed: " + error_.message());
  std::vector<std::uint8_t> framed;
  Status s = codec_->encode(payload, framed, quick_ack);
  if (!s.ok()) return s;
  emit(std::move(framed));
  return Status();
}

std::vector<std::uint8_t> ClientConnection::take_output() { return std::exchange(out_, {}); }

void ClientConnection::feed_stream(std::span<const std::uint8_t> bytes) {
  if (bytes.empty()) return;
  if (!cipher_) return codec_->feed(bytes);
  std::vector<std::uint8_t> plain(bytes.begin(), bytes.end());
  cipher_->decrypt(plain);
  codec_->feed(plain);
}

void ClientConnection::feed_record_layer(std::span<const std::uint8_t> bytes) {
  std::vector<std::uint8_t> app;
  Status fed = records_->feed(bytes, app);
  if (!fed) return fail(fed.message());
  feed_stream(app);
}

void ClientConnection::on_bytes_received(std::span<const std::uint8_t> bytes) {
  switch (stage_) {
    case Stage::idle:
      return fail("client: bytes received before start");
    case Stage::failed:
      return;
    case Stage::tls_wait_server_hello: {
      raw_in_.append(bytes);
      const FakeTlsCheck check = check_fake_tls_server_hello(raw_in_.view(), client_random_, options_.secret->key);
      if (check.status == FakeTlsCheck::Status::need_more) return;
      if (check.status == FakeTlsCheck::Status::error) return fail(check.reason);
      raw_in_.consume(check.consumed);
      stage_ = Stage::ready;
      records_.emplace();
      // ChangeCipherSpec, then the init and whatever was queued, in application-data records.
      write_change_cipher_spec(out_);
      write_tls_records(pending_stream_, out_);
      pending_stream_.clear();
      std::vector<std::uint8_t> rest(raw_in_.view().begin(), raw_in_.view().end());
      raw_in_.clear();
      return feed_record_layer(rest);
    }
    case Stage::ready:
      if (records_) return feed_record_layer(bytes);
      return feed_stream(bytes);
  }
}

Decoded ClientConnection::next() {
  if (stage_ == Stage::failed) return Decoded::failure(error_.message());
  if (stage_ != Stage::ready) return Decoded::need_more();
  Decoded d = codec_->next();
  if (d.kind == Decoded::Kind::error) fail(d.reason);
  return d;
}

}  // namespace mtjson::transport
