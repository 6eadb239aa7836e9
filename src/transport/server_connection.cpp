#include "transport/server_connection.h"

#include <algorithm>
#include <ctime>
#include <utility>

#include "transport/fake_tls.h"

namespace mtjson::transport {

ServerConnection::ServerConnection(ServerOptions options, crypto::RandomSource& rng)
    : options_(std::move(options)), rng_(rng) {
  if (!options_.clock) options_.clock = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
}

void ServerConnection::fail(std::string reason) {
  if (stage_ != Stage::failed) error_ = Status::error(std::move(reason));
  stage_ = Stage::failed;
  raw_in_.clear();
  init_in_.clear();
}

void ServerConnection::make_codec_for(Mode mode) {
  codec_ = make_codec(mode, Role::server, options_.limits, [this](std::span<std::uint8_t> out) { rng_.fill(out); });
  layers_.push_back(layer_of(mode));
  stage_ = Stage::ready;
}

void ServerConnection::on_bytes_received(std::span<const std::uint8_t> bytes) {
  switch (stage_) {
    case Stage::failed:
      return;
    case Stage::detecting:
    case Stage::tls_hello:
      raw_in_.append(bytes);
      return try_detect();
    case Stage::obfuscated_init:
    case Stage::ready:
      if (records_) {
        std::vector<std::uint8_t> app;
        Status fed = records_->feed(bytes, app);
        if (!fed) return fail(fed.message());
        return feed_after_tls(app);
      }
      return feed_after_tls(bytes);
  }
}

void ServerConnection::try_detect() {
  if (stage_ == Stage::detecting) {
    DetectOptions d;
    d.allow_plain = options_.allow_plain;
    d.allow_obfuscated = options_.allow_obfuscated_without_secret ||
                         std::any_of(options_.secrets.begin(), options_.secrets.end(),
                                     [](const ProxySecret& s) { return s.kind != ProxySecret::Kind::fake_tls; });
    d.allow_fake_tls = std::any_of(options_.secrets.begin(), options_.secrets.end(),
                                   [](const ProxySecret& s) { return s.kind == ProxySecret::Kind::fake_tls; });
    d.limits = options_.limits;
    const Detection det = detect_transport(raw_in_.view(), d);
    if (det.status == Detection::Status::need_more) return;
    if (det.status == Detection::Status::rejected) return fail(det.reason);
    if (det.outer == Detection::Outer::plain) {
      raw_in_.consume(det.tag_size);
      make_codec_for(det.mode);
    } else if (det.outer == Detection::Outer::obfuscated2) {
      layers_.push_back(Layer::obfuscated2);
      stage_ = Stage::obfuscated_init;
    } else {
      layers_.push_back(Layer::fake_tls);
      stage_ = Stage::tls_hello;
    }
  }
  if (stage_ == Stage::tls_hello) {
    const auto hello = check_fake_tls_client_hello(raw_in_.view(), options_.secrets, options_.clock(),
                                                   options_.fake_tls_max_skew);
    if (hello.check.status == FakeTlsCheck::Status::need_more) return;
    if (hello.check.status == FakeTlsCheck::Status::error) return fail(hello.check.reason);
    raw_in_.consume(hello.check.consumed);
    tls_secret_ = hello.secret_index;
    auto answer = make_fake_tls_server_hello(hello, options_.secrets[tls_secret_].key, rng_);
    out_.insert(out_.end(), answer.begin(), answer.end());
    layers_.push_back(Layer::obfuscated2);
    stage_ = Stage::obfuscated_init;
    records_.emplace();
  }
  // Whatever followed the detected header belongs to the next layer.
  std::vector<std::uint8_t> rest(raw_in_.view().begin(), raw_in_.view().end());
  raw_in_.clear();
  on_bytes_received(rest);
}

void ServerConnection::feed_after_tls(std::span<const std::uint8_t> bytes) {
  if (stage_ == Stage::obfuscated_init) {
    const std::size_t n = std::min(bytes.size(), kObfuscatedInitSize - init_in_.size());
    init_in_.append(bytes.first(n));
    bytes = bytes.subspan(n);
    if (init_in_.size() < kObfuscatedInitSize) return;
    accept_init();
    if (stage_ == Stage::failed) return;
  }
  feed_stream(bytes);
}

void ServerConnection::accept_init() {
  // Candidates: the ee secret that signed the ClientHello, or else every plain/dd secret plus
  // "no secret" when allowed.
  std::vector<std::span<const std::uint8_t>> candidates;
  std::vector<int> index;
  if (tls_secret_ >= 0) {
    candidates.push_back(options_.secrets[tls_secret_].key);
    index.push_back(tls_secret_);
  } else {
    if (options_.allow_obfuscated_without_secret) {
      candidates.emplace_back();
      index.push_back(-1);
    }
    for (std::size_t i = 0; i < options_.secrets.size(); ++i) {
      if (options_.secrets[i].kind == ProxySecret::Kind::fake_tls) continue;
      candidates.push_back(options_.secrets[i].key);
      index.push_back(static_cast<int>(i));
    }
  }
  std::array<std::uint8_t, kObfuscatedInitSize> header{};
  std::copy(init_in_.view().begin(), init_in_.view().end(), header.begin());
  init_in_.clear();
  auto accept = accept_obfuscated2_init(header, candidates);
  if (!accept) return fail(accept.message());
  // accept->secret_index points into candidates; -1 is the "no secret" candidate.
  const int which = accept->secret_index >= 0 ? index[accept->secret_index] : -1;
  if (which >= 0 && options_.secrets[which].required_mode() &&
      *options_.secrets[which].required_mode() != accept->mode) {
    return fail(std::string("obfuscated2: this secret requires padded intermediate, got ") +
                mode_name(accept->mode));
  }
  secret_index_ = which;
  dc_id_ = accept->dc_id;
  cipher_.emplace(std::move(accept->cipher));
  make_codec_for(accept->mode);
}

void ServerConnection::feed_stream(std::span<const std::uint8_t> bytes) {
  if (bytes.empty() || stage_ != Stage::ready) return;
  if (!cipher_) return codec_->feed(bytes);
  std::vector<std::uint8_t> plain(bytes.begin(), bytes.end());
  cipher_->decrypt(plain);
  codec_->feed(plain);
}

Decoded ServerConnection::next() {
  if (stage_ == Stage::failed) return Decoded::failure(error_.message());
  if (stage_ != Stage::ready) return Decoded::need_more();
  Decoded d = codec_->next();
  if (d.kind == Decoded::Kind::error) fail(d.reason);
  return d;
}

Status ServerConnection::emit(std::vector<std::uint8_t> framed, Status status) {
  if (!status.ok()) return status;
  if (cipher_) cipher_->encrypt(framed);
  if (records_) {
    write_tls_records(framed, out_, 1 << 14);
  } else {
    out_.insert(out_.end(), framed.begin(), framed.end());
  }
  return Status();
}

Status ServerConnection::send_frame(std::span<const std::uint8_t> payload) {
  if (stage_ != Stage::ready) return Status::error("server: connection not established");
  std::vector<std::uint8_t> framed;
  Status s = codec_->encode(payload, framed);
  return emit(std::move(framed), std::move(s));
}

Status ServerConnection::send_quick_ack(std::uint32_t token) {
  if (stage_ != Stage::ready) return Status::error("server: connection not established");
  std::vector<std::uint8_t> framed;
  Status s = codec_->encode_quick_ack(token, framed);
  return emit(std::move(framed), std::move(s));
}

Status ServerConnection::send_transport_error(std::int32_t code) {
  if (stage_ != Stage::ready) return Status::error("server: connection not established");
  std::vector<std::uint8_t> framed;
  Status s = codec_->encode_transport_error(code, framed);
  return emit(std::move(framed), std::move(s));
}

std::vector<std::uint8_t> ServerConnection::take_output() { return std::exchange(out_, {}); }

}  // namespace mtjson::transport
