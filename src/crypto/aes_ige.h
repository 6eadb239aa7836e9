// AES-256-IGE, the MTProto packet cipher ("Mobile Protocol: Detailed Description", "Defining AES Key and
// Initialization Vector"). Runs on AES-NI when the CPU has it, else on EVP AES-256-ECB one block
// at a time (measured: OpenSSL's own AES_ige_encrypt is table-based and ~8x slower).
#pragma once

#include <cstdint>
#include <span>

namespace mtjson::crypto {

// iv is 32 bytes: the first 16 are the "previous ciphertext block" and the last 16 the
// "previous plaintext block" of the first step, the layout OpenSSL and Telegram use.
using AesIgeKey = std::span<const std::uint8_t, 32>;
using AesIgeIv = std::span<const std::uint8_t, 32>;

enum class AesIgeImpl {
  automatic,  // AES-NI if available, else EVP
  aesni,      // forced AES-NI (falls back to EVP if the CPU lacks it)
  evp,        // forced EVP AES-256-ECB
};

// True when this CPU supports AES-NI (checked once).
bool aes_ige_has_aesni();

// The implementation a call asking for `impl` runs on this CPU: aesni or evp, never automatic.
AesIgeImpl aes_ige_selected(AesIgeImpl impl = AesIgeImpl::automatic);

// Calls on this thread that ran on the AES-NI code so far, so that a test can tell the AES-NI
// path was taken rather than silently falling back to EVP (both give the same bytes).
std::uint64_t aes_ige_aesni_calls();

// Encrypt/decrypt in -> out. in.size() must equal out.size() and be a multiple of 16; otherwise
// nothing is written and false is returned. in and out may be the same buffer (exactly, not
// partially overlapping).
bool aes_ige_encrypt(AesIgeKey key, AesIgeIv iv, std::span<const std::uint8_t> in,
                     std::span<std::uint8_t> out, AesIgeImpl impl = AesIgeImpl::automatic);
bool aes_ige_decrypt(AesIgeKey key, AesIgeIv iv, std::span<const std::uint8_t> in,
                     std::span<std::uint8_t> out, AesIgeImpl impl = AesIgeImpl::automatic);

// In place.
bool aes_ige_encrypt(AesIgeKey key, AesIgeIv iv, std::span<std::uint8_t> data,
                     AesIgeImpl impl = AesIgeImpl::automatic);
bool aes_ige_decrypt(AesIgeKey key, AesIgeIv iv, std::span<std::uint8_t> data,
                     AesIgeImpl impl = AesIgeImpl::automatic);

namespace detail {
// aes_ige_ni.cpp (compiled with -maes): call only when aes_ige_has_aesni().
void ige_encrypt_aesni(const std::uint8_t* key, const std::uint8_t* iv, const std::uint8_t* in,
                       std::uint8_t* out, std::size_t blocks);
void ige_decrypt_aesni(const std::uint8_t* key, const std::uint8_t* iv, const std::uint8_t* in,
                       std::uint8_t* out, std::size_t blocks);
}  // namespace detail

}  // namespace mtjson::crypto
