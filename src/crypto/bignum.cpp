#include "crypto/bignum.h"

#include <cstdlib>

namespace mtjson::crypto::bn {
namespace {
Bn checked(BIGNUM* b) {
  if (b == nullptr) std::abort();  // allocation failure only
  return Bn(b);
}
}  // namespace

Bn make() { return checked(BN_new()); }

Bn from_bytes(std::span<const std::uint8_t> be) {
  return checked(BN_bin2bn(be.data(), static_cast<int>(be.size()), nullptr));
}

Bn from_word(unsigned long w) {
  Bn b = make();
  BN_set_word(b.get(), w);
  return b;
}

Bn copy(const BIGNUM* a) { return checked(BN_dup(a)); }

std::vector<std::uint8_t> to_bytes(const BIGNUM* a) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(BN_num_bytes(a)));
  BN_bn2bin(a, out.data());
  return out;
}

bool to_bytes_padded(const BIGNUM* a, std::span<std::uint8_t> out) {
  return BN_bn2binpad(a, out.data(), static_cast<int>(out.size())) == static_cast<int>(out.size());
}

BN_CTX* ctx() {
  struct Holder {
    BN_CTX* c = BN_CTX_secure_new();
    ~Holder() { BN_CTX_free(c); }
  };
  thread_local Holder h;
  if (h.c == nullptr) std::abort();
  return h.c;
}

}  // namespace mtjson::crypto::bn
