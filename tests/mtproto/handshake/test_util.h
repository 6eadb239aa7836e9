// Helpers of the handshake tests: hex, the vectors (tests/vectors, test_vectors.h), a seeded deterministic RandomSource, an in-memory client<->server pipe.
#pragma once

#include <array>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/random.h"
#include "crypto/rsa.h"
#include "crypto/sha.h"
#include "crypto/telegram_keys.h"
#include "mtproto/handshake/client_handshake.h"
#include "mtproto/handshake/plain_message.h"
#include "mtproto/handshake/server_handshake.h"
#include "tests/test_vectors.h"

namespace mtjson::mtproto::handshake::test {

// The Unix time every deterministic handshake test runs at.
inline constexpr std::int64_t kNow = 1707425104;

using Bytes = std::vector<std::uint8_t>;

inline Bytes hex(const std::string& s) {
  if (s.size() % 2 != 0) throw std::runtime_error("odd hex length");
  Bytes out(s.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(std::stoul(s.substr(2 * i, 2), nullptr, 16));
  return out;
}

template <std::size_t N>
std::array<std::uint8_t, N> hex_array(const std::string& s) {
  Bytes b = hex(s);
  if (b.size() != N) throw std::runtime_error("hex length mismatch");
  std::array<std::uint8_t, N> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

template <typename Range>
std::string to_hex(const Range& r) {
  static const char* d = "0123456789ABCDEF";
  std::string s;
  for (std::uint8_t b : r) {
    s.push_back(d[b >> 4]);
    s.push_back(d[b & 15]);
  }
  return s;
}

inline std::string data_path(const std::string& name) {
  return mtjson::test::vector_path(name);
}

inline std::string read_file(const std::string& name) {
  std::ifstream in(data_path(name), std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + data_path(name));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline const nlohmann::json& json_file(const std::string& name) {
  static std::map<std::string, nlohmann::json> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, nlohmann::json::parse(read_file(name))).first;
  return it->second;
}

// auth_key_sample.json values[key].hex
inline Bytes sample(const std::string& key) {
  return hex(json_file("auth_key_sample.json").at("values").at(key).at("hex").get<std::string>());
}
// The TL body of a sample payload (the 20-byte plain header dropped: the server replies carry a
// wrong message_length, an erratum of the published sample).
inline Bytes sample_body(const std::string& message) {
  Bytes p = sample(message + ".payload");
  return Bytes(p.begin() + 20, p.end());
}
inline Bytes rsa_pad_value(const std::string& key) {
  return hex(json_file("rsa_pad_selfmade.json").at("values").at(key).at("hex").get<std::string>());
}

inline std::uint64_t le64(const Bytes& b) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b.at(static_cast<std::size_t>(i));
  return v;
}

inline std::uint32_t le32(const Bytes& b) {
  return std::uint32_t(b.at(0)) | std::uint32_t(b.at(1)) << 8 | std::uint32_t(b.at(2)) << 16 | std::uint32_t(b.at(3)) << 24;
}

inline const crypto::RsaPrivateKey& selfmade_private_key() {
  static const crypto::RsaPrivateKey key = crypto::RsaPrivateKey::from_pem(read_file("rsa_pad_selfmade_private.pem")).value();
  return key;
}

// A second server key generated once per process (for "unknown fingerprint" cases).
inline const crypto::RsaPrivateKey& other_private_key() {
  static const crypto::RsaPrivateKey key = crypto::RsaPrivateKey::generate(2048).value();
  return key;
}

// Deterministic stream: SHA256(seed || counter) blocks.
class SeededRandom final : public crypto::RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : seed_(seed) {}
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) {
      if (pos_ == block_.size()) refill();
      b = block_[pos_++];
    }
  }

 private:
  void refill() {
    std::array<std::uint8_t, 16> in{};
    for (int i = 0; i < 8; ++i) {
      in[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(seed_ >> (8 * i));
      in[static_cast<std::size_t>(8 + i)] = static_cast<std::uint8_t>(counter_ >> (8 * i));
    }
    ++counter_;
    block_ = crypto::sha256(in);
    pos_ = 0;
  }
  std::uint64_t seed_;
  std::uint64_t counter_ = 0;
  crypto::Sha256Digest block_{};
  std::size_t pos_ = 32;
};

inline ClientConfig client_config_for(const crypto::RsaPrivateKey& server_key, std::int32_t dc_id = 2) {
  ClientConfig c;
  c.dc_id = dc_id;
  c.keys.add(server_key.public_key());
  return c;
}

inline ServerConfig server_config_with(const crypto::RsaPrivateKey& key, std::int32_t dc = 2) {
  ServerConfig s;
  s.keys.push_back(key);
  s.dc = dc;
  return s;
}

// Runs both machines against each other through plain-message envelopes, in memory.
// Returns the first error, or an ok Status when the client is done.
inline Status run_pipe(ClientHandshake& client, ServerHandshake& server, const UnixClock& clock) {
  PlainChannel client_side(crypto::Side::client, clock);
  PlainChannel server_side(crypto::Side::server, clock);
  Bytes to_server = client_side.wrap(client.start());
  for (int round = 0; round < 32; ++round) {
    auto body = server_side.unwrap(to_server);
    if (!body) return body.status();
    auto reply = server.on_message(*body);
    if (!reply) return reply.status();
    Bytes to_client = server_side.wrap(reply->send);
    auto cbody = client_side.unwrap(to_client);
    if (!cbody) return cbody.status();
    auto next = client.on_message(*cbody);
    if (!next) return next.status();
    if (next->done) return Status();
    to_server = client_side.wrap(next->send);
  }
  return Status::error("pipe: too many rounds");
}

}  // namespace mtjson::mtproto::handshake::test
