// Helpers of the session tests: hex, the vector file (tests/vectors, test_vectors.h), a fixed auth key, an in-memory pipe between the two roles.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/kdf.h"
#include "mtproto/auth_key.h"
#include "mtproto/session/session_clock.h"
#include "tests/test_vectors.h"

namespace mtjson::mtproto::session::test {

using Bytes = std::vector<std::uint8_t>;

inline Bytes hex(const std::string& s) {
  if (s.size() % 2 != 0) throw std::runtime_error("odd hex length");
  Bytes out(s.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(std::stoul(s.substr(2 * i, 2), nullptr, 16));
  return out;
}

inline std::string source_root() {
  const char* root = std::getenv("MTJSON_SOURCE_ROOT");
  return root ? root : ".";
}

inline const nlohmann::json& vectors() {
  static const nlohmann::json j = [] {
    std::ifstream in(mtjson::test::vector_path("mtproto2_messages_selfmade.json"));
    if (!in) throw std::runtime_error("cannot open mtproto2_messages_selfmade.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return nlohmann::json::parse(ss.str());
  }();
  return j;
}

inline Bytes vec(const std::string& section, const std::string& key) {
  return hex(vectors().at(section).at(key).get<std::string>());
}

inline std::uint64_t le64(const Bytes& b) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b.at(static_cast<std::size_t>(i));
  return v;
}

inline AuthKey sample_key() {
  AuthKey k;
  const Bytes b = vec("common", "auth_key");
  std::copy(b.begin(), b.end(), k.key.begin());
  k.id = crypto::auth_key_id_u64(crypto::AuthKeyView(k.key.data(), 256));
  return k;
}

inline AuthKey other_key() {
  AuthKey k;
  for (std::size_t i = 0; i < 256; ++i) k.key[i] = static_cast<std::uint8_t>(i * 7 + 3);
  k.id = crypto::auth_key_id_u64(crypto::AuthKeyView(k.key.data(), 256));
  return k;
}

// 2024-02-08, about when the vectors were made.
inline TimePoint t0() { return from_unix_seconds(1707425104); }

}  // namespace mtjson::mtproto::session::test
