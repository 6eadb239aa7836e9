// The symmetric layer of steps 6 and 7 ("Creating an Authorization Key"), the same for both roles:
// X_with_hash := SHA1(X) + X + (0-15 random bytes) to a multiple of 16, AES-256-IGE with
// tmp_aes_key / tmp_aes_iv. Used for server_DH_inner_data and client_DH_inner_data.
#pragma once

#include <span>

#include "crypto/kdf.h"
#include "crypto/random.h"
#include "mtproto/handshake/types.h"

namespace mtjson::mtproto::handshake {

// Returns the encrypted bytes; `with_hash_out` (if given) receives the plaintext SHA1 + data + padding.
Bytes encrypt_with_hash(std::span<const std::uint8_t> data, const crypto::AesKeyIv& tmp, crypto::RandomSource& random,
                        Bytes* with_hash_out = nullptr);

// AES-IGE decryption; `what` names the field in errors. Rejects sizes that are not a positive
// multiple of 16 or too short to hold the SHA1.
Result<Bytes> decrypt_with_hash(std::span<const std::uint8_t> encrypted, const crypto::AesKeyIv& tmp, const char* what);

// "Security Guidelines for Client Developers", "Checking SHA1 hash values during key generation": the first 20
// bytes must be SHA1 of the next data_length bytes, and at most 15 padding bytes may follow.
Status check_with_hash(std::span<const std::uint8_t> with_hash, std::size_t data_length, const char* what);

}  // namespace mtjson::mtproto::handshake
