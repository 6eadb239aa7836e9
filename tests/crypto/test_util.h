// Shared helpers of the crypto tests: hex, test data files (tests/vectors, test_vectors.h), JSON vectors.
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

#include "tests/test_vectors.h"

namespace mtjson::crypto::test {

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
  if (b.size() != N) throw std::runtime_error("hex length " + std::to_string(b.size()) + " != " + std::to_string(N));
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

template <typename Range>
Bytes bytes_of(const Range& r) {
  return Bytes(std::begin(r), std::end(r));
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

// auth_key_sample.json: values[key].hex
inline Bytes sample(const std::string& key) {
  return hex(json_file("auth_key_sample.json").at("values").at(key).at("hex").get<std::string>());
}
// rsa_pad_selfmade.json: values[key].hex
inline Bytes rsa_pad_value(const std::string& key) {
  return hex(json_file("rsa_pad_selfmade.json").at("values").at(key).at("hex").get<std::string>());
}
// mtproto2_messages_selfmade.json: section[key] (hex string)
inline Bytes msg_value(const std::string& section, const std::string& key) {
  return hex(json_file("mtproto2_messages_selfmade.json").at(section).at(key).get<std::string>());
}

}  // namespace mtjson::crypto::test
