// Helpers shared by the transport tests: hex, the vector file, deterministic randomness and
// chunked feeding.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/random.h"
#include "transport/codec.h"
#include "tests/test_vectors.h"

namespace mtjson::transport::test {

inline std::vector<std::uint8_t> unhex(const std::string& s) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < s.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline std::string hex(std::span<const std::uint8_t> b) {
  static const char* d = "0123456789ABCDEF";
  std::string s;
  for (auto c : b) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}

inline const nlohmann::json& vectors() {
  static const nlohmann::json j = [] {
    const std::string path = mtjson::test::vector_path("mtproto2_messages_selfmade.json");
    std::ifstream f(path);
    if (!f) throw std::runtime_error("cannot open " + path);
    return nlohmann::json::parse(f);
  }();
  return j;
}

inline std::vector<std::uint8_t> vec(const char* section, const char* key) {
  return unhex(vectors().at(section).at(key).get<std::string>());
}

// Deterministic pseudo-random bytes (tests only).
class SeededRandom final : public crypto::RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed) : gen_(seed) {}
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = static_cast<std::uint8_t>(gen_());
  }
  RandomFill as_fill() {
    return [this](std::span<std::uint8_t> out) { fill(out); };
  }

 private:
  std::mt19937_64 gen_;
};

inline std::vector<std::uint8_t> random_bytes(std::mt19937_64& gen, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(gen());
  return v;
}

// Splits bytes into chunks: size 1 when max_chunk == 1, otherwise random sizes in [1, max_chunk].
inline std::vector<std::span<const std::uint8_t>> chunks(std::span<const std::uint8_t> bytes, std::mt19937_64& gen,
                                                         std::size_t max_chunk) {
  std::vector<std::span<const std::uint8_t>> out;
  while (!bytes.empty()) {
    std::size_t n = max_chunk <= 1 ? 1 : 1 + gen() % max_chunk;
    n = std::min(n, bytes.size());
    out.push_back(bytes.first(n));
    bytes = bytes.subspan(n);
  }
  return out;
}

}  // namespace mtjson::transport::test
