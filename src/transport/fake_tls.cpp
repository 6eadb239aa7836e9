#include "transport/fake_tls.h"

#include <algorithm>
#include <cctype>

#include "base/bytes.h"
#include "crypto/sha.h"

namespace mtjson::transport {

namespace {

constexpr std::size_t kHelloPaddedSize = 517;  // what browsers (and TDLib) send
constexpr std::size_t kMaxHandshakeRecord = 1 << 14;

// Writes a ClientHello; 2-byte length scopes are patched when closed.
class HelloWriter {
 public:
  explicit HelloWriter(crypto::RandomSource& rng) : rng_(rng) {
    // GREASE values (RFC 8701): 0x?A?A, neighbours kept distinct.
    std::array<std::uint8_t, 7> g{};
    rng_.fill(g);
    for (std::size_t i = 0; i < g.size(); ++i) {
      g[i] = static_cast<std::uint8_t>((g[i] & 0xF0) | 0x0A);
      if (i % 2 == 1 && g[i] == g[i - 1]) g[i] ^= 0x10;
    }
    grease_ = g;
  }
  void bytes(std::initializer_list<std::uint8_t> b) { out_.insert(out_.end(), b); }
  void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }
  void random(std::size_t n) {
    const std::size_t at = out_.size();
    out_.resize(at + n);
    rng_.fill(std::span(out_).subspan(at));
  }
  void grease(std::size_t i) { bytes({grease_[i], grease_[i]}); }
  void open() {
    scopes_.push_back(out_.size());
    zeros(2);
  }
  void close() {
    const std::size_t at = scopes_.back();
    scopes_.pop_back();
    const std::size_t len = out_.size() - at - 2;
    store_be16(out_.data() + at, static_cast<std::uint16_t>(len));
  }
  std::size_t size() const { return out_.size(); }
  std::vector<std::uint8_t>& data() { return out_; }

 private:
  crypto::RandomSource& rng_;
  std::array<std::uint8_t, 7> grease_{};
  std::vector<std::uint8_t> out_;
  std::vector<std::size_t> scopes_;
};

// A bounds-checked reader for walking the ClientHello.
struct Reader {
  std::span<const std::uint8_t> in;
  bool ok = true;
  std::size_t u8() {
    if (in.empty()) return ok = false, 0;
    const std::size_t v = in[0];
    in = in.subspan(1);
    return v;
  }
  std::size_t u16() {
    const auto b = take(2);
    return ok ? load_be16(b) : 0;
  }
  std::span<const std::uint8_t> take(std::size_t n) {
    if (in.size() < n) {
      ok = false;
      in = {};
      return {};
    }
    auto v = in.first(n);
    in = in.subspan(n);
    return v;
  }
};

bool equal_ignore_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::vector<std::uint8_t> make_fake_tls_client_hello(std::span<const std::uint8_t, 16> key, std::string_view domain,
                                                     std::uint32_t unix_time, crypto::RandomSource& rng) {
  HelloWriter w(rng);
  w.bytes({0x16, 0x03, 0x01});  // handshake record, legacy version TLS 1.0
  w.open();
  w.bytes({0x01, 0x00});  // ClientHello; 3-byte length whose top byte is 0
  w.open();
  w.bytes({0x03, 0x03});
  w.zeros(32);  // random, filled in last
  w.bytes({0x20});
  w.random(32);  // legacy session id
  w.bytes({0x00, 0x20});
  w.grease(0);
  w.bytes({0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x2c, 0xc0, 0x30, 0xcc, 0xa9,
           0xcc, 0xa8, 0xc0, 0x13, 0xc0, 0x14, 0x00, 0x9c, 0x00, 0x9d, 0x00, 0x2f, 0x00, 0x35});
  w.bytes({0x01, 0x00});  // compression: null only
  w.open();               // extensions
  w.grease(2);
  w.bytes({0x00, 0x00});
  w.bytes({0x00, 0x00});  // server_name
  w.open();
  w.open();
  w.bytes({0x00});  // host_name
  w.open();
  w.bytes(std::span(reinterpret_cast<const std::uint8_t*>(domain.data()), domain.size()));
  w.close();
  w.close();
  w.close();
  w.bytes({0x00, 0x17, 0x00, 0x00});                                // extended_master_secret
  w.bytes({0xff, 0x01, 0x00, 0x01, 0x00});                          // renegotiation_info
  w.bytes({0x00, 0x0a, 0x00, 0x0a, 0x00, 0x08});                    // supported_groups
  w.grease(4);
  w.bytes({0x00, 0x1d, 0x00, 0x17, 0x00, 0x18});
  w.bytes({0x00, 0x0b, 0x00, 0x02, 0x01, 0x00});                    // ec_point_formats
  w.bytes({0x00, 0x23, 0x00, 0x00});                                // session_ticket
  w.bytes({0x00, 0x10, 0x00, 0x0e, 0x00, 0x0c, 0x02, 'h', '2', 0x08, 'h', 't', 't', 'p', '/', '1', '.', '1'});  // ALPN
  w.bytes({0x00, 0x05, 0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00});  // status_request
  w.bytes({0x00, 0x0d, 0x00, 0x12, 0x00, 0x10, 0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05,
           0x05, 0x01, 0x08, 0x06, 0x06, 0x01});                    // signature_algorithms
  w.bytes({0x00, 0x12, 0x00, 0x00});                                // signed_certificate_timestamp
  w.bytes({0x00, 0x33, 0x00, 0x2b, 0x00, 0x29});                    // key_share: GREASE + x25519
  w.grease(4);
  w.bytes({0x00, 0x01, 0x00, 0x00, 0x1d, 0x00, 0x20});
  std::array<std::uint8_t, 32> share{};
  rng.fill(share);
  share[31] &= 0x7f;  // an x25519 u-coordinate has its top bit clear
  w.bytes(share);
  w.bytes({0x00, 0x2d, 0x00, 0x02, 0x01, 0x01});  // psk_key_exchange_modes
  w.bytes({0x00, 0x2b, 0x00, 0x07, 0x06});        // supported_versions
  w.grease(6);
  w.bytes({0x03, 0x04, 0x03, 0x03});
  w.bytes({0x00, 0x1b, 0x00, 0x03, 0x02, 0x00, 0x02});  // compress_certificate
  w.grease(3);
  w.bytes({0x00, 0x01, 0x00});
  if (w.size() + 4 < kHelloPaddedSize) {  // padding extension up to the usual size
    w.bytes({0x00, 0x15});
    w.open();
    w.zeros(kHelloPaddedSize - w.size());
    w.close();
  }
  w.close();
  w.close();
  w.close();

  auto& hello = w.data();
  auto digest = crypto::hmac_sha256(key, hello);
  // The last 4 bytes carry the client's clock, so the server can refuse replays of old hellos.
  store_le32(digest.data() + 28, load_le32(digest.data() + 28) ^ unix_time);
  std::copy(digest.begin(), digest.end(), hello.begin() + kTlsRandomOffset);
  return std::move(hello);
}

FakeTlsCheck check_fake_tls_server_hello(std::span<const std::uint8_t> received,
                                         std::span<const std::uint8_t, 32> client_random,
                                         std::span<const std::uint8_t, 16> key) {
  FakeTlsCheck r;
  // ServerHello record, then ChangeCipherSpec + the first application-data record.
  static constexpr std::uint8_t kFirst[] = {0x16, 0x03, 0x03};
  static constexpr std::uint8_t kSecond[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01, 0x17, 0x03, 0x03};
  std::size_t pos = 0;
  for (std::span<const std::uint8_t> prefix : {std::span<const std::uint8_t>(kFirst), std::span<const std::uint8_t>(kSecond)}) {
    const std::size_t have = std::min(received.size() - pos, prefix.size());
    if (!std::equal(prefix.begin(), prefix.begin() + have, received.begin() + pos)) {
      r.status = FakeTlsCheck::Status::error;
      r.reason = "fake TLS: the server's answer does not start like a ServerHello";
      return r;
    }
    if (received.size() < pos + prefix.size() + 2) return r;
    pos += prefix.size();
    pos += 2 + load_be16(received.subspan(pos));
    if (received.size() < pos) return r;
  }
  if (pos < kTlsRandomOffset + 32) {
    r.status = FakeTlsCheck::Status::error;
    r.reason = "fake TLS: ServerHello too short";
    return r;
  }
  std::vector<std::uint8_t> answer(received.begin(), received.begin() + pos);
  std::array<std::uint8_t, 32> server_random{};
  std::copy_n(answer.begin() + kTlsRandomOffset, 32, server_random.begin());
  std::fill_n(answer.begin() + kTlsRandomOffset, 32, 0);
  std::vector<std::uint8_t> signed_data(client_random.begin(), client_random.end());
  signed_data.insert(signed_data.end(), answer.begin(), answer.end());
  if (crypto::hmac_sha256(key, signed_data) != server_random) {
    r.status = FakeTlsCheck::Status::error;
    r.reason = "fake TLS: ServerHello HMAC mismatch (wrong secret or not an MTProxy)";
    return r;
  }
  r.status = FakeTlsCheck::Status::ok;
  r.consumed = pos;
  return r;
}

std::optional<std::string> fake_tls_sni(std::span<const std::uint8_t> record) {
  Reader rd{record};
  rd.take(5 + 4 + 2 + 32);      // record header, handshake header, version, random
  rd.take(rd.u8());             // session id
  rd.take(rd.u16());            // cipher suites
  rd.take(rd.u8());             // compression methods
  Reader ext{rd.take(rd.u16())};
  if (!rd.ok) return std::nullopt;
  while (ext.ok && !ext.in.empty()) {
    const std::size_t type = ext.u16();
    Reader body{ext.take(ext.u16())};
    if (!ext.ok) return std::nullopt;
    if (type != 0) continue;
    Reader list{body.take(body.u16())};
    while (list.ok && !list.in.empty()) {
      const std::size_t name_type = list.u8();
      auto name = list.take(list.u16());
      if (list.ok && name_type == 0) return std::string(name.begin(), name.end());
    }
    return std::nullopt;
  }
  return std::nullopt;
}

FakeTlsClientHello check_fake_tls_client_hello(std::span<const std::uint8_t> received,
                                               std::span<const ProxySecret> secrets, std::int64_t now,
                                               std::uint32_t max_skew) {
  FakeTlsClientHello h;
  auto fail = [&](std::string why) {
    h.check.status = FakeTlsCheck::Status::error;
    h.check.reason = std::move(why);
    return h;
  };
  static constexpr std::uint8_t kHeader[] = {0x16, 0x03, 0x01};
  const std::size_t have = std::min(received.size(), std::size(kHeader));
  if (!std::equal(kHeader, kHeader + have, received.begin())) return fail("fake TLS: not a TLS handshake record");
  if (received.size() < 5) return h;
  const std::size_t length = load_be16(received.subspan(3));
  if (length < 4 + 2 + 32 + 1 + 32 || length > kMaxHandshakeRecord) {
    return fail("fake TLS: ClientHello record length " + std::to_string(length) + " out of range");
  }
  if (received.size() < 5 + length) return h;
  auto record = received.first(5 + length);
  if (record[5] != 0x01) return fail("fake TLS: handshake message is not a ClientHello");
  if (record[43] != 32) return fail("fake TLS: ClientHello session id is not 32 bytes");

  std::vector<std::uint8_t> zeroed(record.begin(), record.end());
  std::fill_n(zeroed.begin() + kTlsRandomOffset, 32, 0);
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    if (secrets[i].kind != ProxySecret::Kind::fake_tls) continue;
    auto digest = crypto::hmac_sha256(secrets[i].key, zeroed);
    for (std::size_t k = 0; k < 32; ++k) digest[k] ^= record[kTlsRandomOffset + k];
    if (!std::all_of(digest.begin(), digest.begin() + 28, [](std::uint8_t b) { return b == 0; })) continue;
    h.timestamp = load_le32(std::span(digest).subspan(28));
    const std::int64_t skew = now - static_cast<std::int64_t>(h.timestamp);
    if (skew > max_skew || -skew > max_skew) {
      return fail("fake TLS: ClientHello timestamp is " + std::to_string(skew) + " s away from the server clock");
    }
    const auto sni = fake_tls_sni(record);
    if (!sni) return fail("fake TLS: ClientHello has no server_name");
    if (!equal_ignore_case(*sni, secrets[i].domain)) {
      return fail("fake TLS: server_name \"" + sni->substr(0, 64) + "\" is not the secret's domain");
    }
    h.secret_index = static_cast<int>(i);
    std::copy_n(record.begin() + kTlsRandomOffset, 32, h.client_random.begin());
    std::copy_n(record.begin() + 44, 32, h.session_id.begin());
    h.check.status = FakeTlsCheck::Status::ok;
    h.check.consumed = record.size();
    return h;
  }
  return fail("fake TLS: ClientHello HMAC matches no secret");
}

std::vector<std::uint8_t> make_fake_tls_server_hello(const FakeTlsClientHello& hello, std::span<const std::uint8_t, 16> key,
                                                     crypto::RandomSource& rng) {
  std::vector<std::uint8_t> out = {0x16, 0x03, 0x03, 0x00, 0x7a,  // handshake record, 122 bytes
                                   0x02, 0x00, 0x00, 0x76,        // ServerHello, 118 bytes
                                   0x03, 0x03};
  out.insert(out.end(), 32, 0);  // random, filled in last
  out.push_back(0x20);
  out.insert(out.end(), hello.session_id.begin(), hello.session_id.end());  // echoed
  append_bytes(out, std::initializer_list<std::uint8_t>{0x13, 0x01, 0x00,         // TLS_AES_128_GCM_SHA256, no compression
                                                  0x00, 0x2e,               // extensions: 46 bytes
                                                  0x00, 0x33, 0x00, 0x24, 0x00, 0x1d, 0x00, 0x20});  // key_share x25519
  std::array<std::uint8_t, 32> share{};
  rng.fill(share);
  share[31] &= 0x7f;
  append_bytes(out, share);
  append_bytes(out, std::initializer_list<std::uint8_t>{0x00, 0x2b, 0x00, 0x02, 0x03, 0x04});  // supported_versions: 1.3
  append_bytes(out, std::initializer_list<std::uint8_t>{0x14, 0x03, 0x03, 0x00, 0x01, 0x01});  // ChangeCipherSpec
  // One application-data record of random bytes, standing for the encrypted certificate.
  std::array<std::uint8_t, 2> size_bytes{};
  rng.fill(size_bytes);
  const std::size_t fake_size = 1024 + load_be16(size_bytes) % 3072;
  append_bytes(out, std::initializer_list<std::uint8_t>{0x17, 0x03, 0x03});
  append_be16(out, static_cast<std::uint16_t>(fake_size));
  const std::size_t at = out.size();
  out.resize(at + fake_size);
  rng.fill(std::span(out).subspan(at));

  std::vector<std::uint8_t> signed_data(hello.client_random.begin(), hello.client_random.end());
  signed_data.insert(signed_data.end(), out.begin(), out.end());
  const auto digest = crypto::hmac_sha256(key, signed_data);
  std::copy(digest.begin(), digest.end(), out.begin() + kTlsRandomOffset);
  return out;
}

}  // namespace mtjson::transport
