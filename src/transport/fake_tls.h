// Fake-TLS handshake of MTProxy "ee" secrets (not in the official docs; facts learned from
// TDLib td/mtproto/TlsInit.cpp and MTProxy implementations):
//  * the client sends a TLS 1.3-looking ClientHello (record 16 03 01) whose 32-byte random
//    (offset 11) is HMAC-SHA256(secret, hello with a zeroed random) XOR (28 zero bytes,
//    unix time as int32 LE);
//  * the server answers ServerHello (16 03 03) + ChangeCipherSpec (14 03 03 00 01 01) + one
//    application-data record (17 03 03) of random bytes; its random (offset 11) is
//    HMAC-SHA256(secret, client random + the whole answer with a zeroed random);
//  * afterwards the obfuscated2 stream travels in application-data records (tls_record.h).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/random.h"
#include "transport/mtproxy_secret.h"

namespace mtjson::transport {

inline constexpr std::size_t kTlsRandomOffset = 11;

// ----- client -----

// The ClientHello (517 bytes for usual domains). client_random = hello[11..43].
std::vector<std::uint8_t> make_fake_tls_client_hello(std::span<const std::uint8_t, 16> key, std::string_view domain,
                                                     std::uint32_t unix_time, crypto::RandomSource& rng);

struct FakeTlsCheck {
  enum class Status { need_more, ok, error };
  Status status = Status::need_more;
  std::size_t consumed = 0;  // ok: bytes of the handshake; what follows is record-layer data
  std::string reason;        // error
};

// Client: checks the server's answer at the start of received.
FakeTlsCheck check_fake_tls_server_hello(std::span<const std::uint8_t> received,
                                         std::span<const std::uint8_t, 32> client_random,
                                         std::span<const std::uint8_t, 16> key);

// ----- server -----

struct FakeTlsClientHello {
  FakeTlsCheck check;
  int secret_index = -1;  // which of the candidate secrets matched
  std::array<std::uint8_t, 32> client_random{};
  std::array<std::uint8_t, 32> session_id{};
  std::uint32_t timestamp = 0;
};

// Server: finds which fake-TLS secret signed the ClientHello at the start of received, checks
// its timestamp against now (|now - timestamp| <= max_skew seconds) and its SNI against the
// secret's domain. Secrets of other kinds are skipped.
FakeTlsClientHello check_fake_tls_client_hello(std::span<const std::uint8_t> received,
                                               std::span<const ProxySecret> secrets, std::int64_t now,
                                               std::uint32_t max_skew);

// Server: the answer to an accepted ClientHello.
std::vector<std::uint8_t> make_fake_tls_server_hello(const FakeTlsClientHello& hello, std::span<const std::uint8_t, 16> key,
                                                     crypto::RandomSource& rng);

// The server_name of a ClientHello record, if it has one (exposed for tests and logging).
std::optional<std::string> fake_tls_sni(std::span<const std::uint8_t> hello_record);

}  // namespace mtjson::transport
