// AES-256-CTR keystream (used by the obfuscated2 transport, "MTProto transports").
#pragma once

#include <cstdint>
#include <span>

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace mtjson::crypto {

// Stateful: the keystream continues across apply() calls, as obfuscated2 requires
// (one cipher per direction for the lifetime of the connection).
class AesCtr {
 public:
  AesCtr(std::span<const std::uint8_t, 32> key, std::span<const std::uint8_t, 16> iv);
  ~AesCtr();
  AesCtr(AesCtr&& other) noexcept;
  AesCtr& operator=(AesCtr&& other) noexcept;
  AesCtr(const AesCtr&) = delete;
  AesCtr& operator=(const AesCtr&) = delete;

  // XORs the next data.size() keystream bytes into data.
  void apply(std::span<std::uint8_t> data);
  // out = in XOR keystream; in.size() must equal out.size() (only the common prefix is processed otherwise).
  void apply(std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

 private:
  EVP_CIPHER_CTX* ctx_ = nullptr;
};

}  // namespace mtjson::crypto
