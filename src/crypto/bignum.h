// Thin RAII helpers over OpenSSL BIGNUM for the big-endian byte strings MTProto uses
// ("Creating an Authorization Key": "All large numbers are transmitted as strings ... in big endian order").
#pragma once

#include <openssl/bn.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace mtjson::crypto::bn {

struct BnFree {
  void operator()(BIGNUM* b) const { BN_clear_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;

Bn make();                                      // 0
Bn from_bytes(std::span<const std::uint8_t> be);  // big-endian, leading zeros allowed
Bn from_word(unsigned long w);
Bn copy(const BIGNUM* a);

// Minimal big-endian encoding (no leading zeros; 0 -> empty).
std::vector<std::uint8_t> to_bytes(const BIGNUM* a);
// Left-padded to exactly `size` bytes; false if it does not fit.
bool to_bytes_padded(const BIGNUM* a, std::span<std::uint8_t> out);
template <std::size_t N>
bool to_array(const BIGNUM* a, std::array<std::uint8_t, N>& out) {
  return to_bytes_padded(a, out);
}

// One BN_CTX per thread (BN_CTX is scratch space; creating it per call costs an allocation).
BN_CTX* ctx();

}  // namespace mtjson::crypto::bn
