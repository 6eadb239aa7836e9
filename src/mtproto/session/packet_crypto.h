// The MTProto 2.0 encrypted message ("Mobile Protocol: Detailed Description", "Encrypted Message"):
//   auth_key_id:int64 | msg_key:int128 | AES-256-IGE(salt | session_id | msg_id | seq_no | length |
//                                                    message_data | 12..1024 bytes of padding)
// One implementation for both roles, chosen by the side that *sent* the packet.
// Decryption never throws: every failure is a typed DecryptError, and the caller drops the
// packet ("Security Guidelines for Client Developers", "Behavior in case of mismatch").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "crypto/kdf.h"
#include "crypto/random.h"
#include "mtproto/auth_key.h"

namespace mtjson::mtproto::session {

using crypto::Side;

inline constexpr std::size_t kExternalHeaderSize = 24;  // auth_key_id + msg_key
inline constexpr std::size_t kInternalHeaderSize = 32;  // salt, session_id, msg_id, seq_no, length
inline constexpr std::size_t kMinPadding = 12;
inline constexpr std::size_t kMaxPadding = 1024;

struct MessageHeader {
  std::uint64_t server_salt = 0;
  std::uint64_t session_id = 0;
  std::uint64_t msg_id = 0;
  std::uint32_t seq_no = 0;
};

// Encrypts header + body with random padding: the minimum to reach 12 bytes and a multiple of 16,
// plus 0..max_extra_blocks random extra 16-byte blocks (hides the exact length a little).
std::vector<std::uint8_t> encrypt_packet(const AuthKey& key, Side sender, const MessageHeader& header,
                                         std::span<const std::uint8_t> body, crypto::RandomSource& random,
                                         std::size_t max_extra_blocks = 3);

// Same with the padding given (known-answer tests). Returns an empty vector if the padding is
// not 12..1024 bytes or does not make the plaintext a multiple of 16.
std::vector<std::uint8_t> encrypt_packet_with_padding(const AuthKey& key, Side sender,
                                                      const MessageHeader& header,
                                                      std::span<const std::uint8_t> body,
                                                      std::span<const std::uint8_t> padding);

enum class DecryptError {
  too_short,         // fewer bytes than the smallest valid packet
  not_block_sized,   // encrypted_data not a multiple of 16
  unknown_auth_key,  // auth_key_id is not the key's
  msg_key_mismatch,  // msg_key != SHA-256 of the decrypted data (tampered or wrong key/side)
  bad_length,        // message_data_length beyond the plaintext, or not a multiple of 4
  bad_padding,       // padding outside 12..1024 bytes
};
const char* to_string(DecryptError e);

struct DecryptedMessage {
  MessageHeader header;
  std::vector<std::uint8_t> plaintext;  // the whole decrypted data (header, body, padding)
  std::size_t body_size = 0;
  std::span<const std::uint8_t> body() const {
    return std::span<const std::uint8_t>(plaintext).subspan(kInternalHeaderSize, body_size);
  }
};

// The auth_key_id a packet names (first 8 bytes, little-endian); nullopt if shorter than 8 bytes.
std::optional<std::uint64_t> packet_auth_key_id(std::span<const std::uint8_t> packet);

// Decrypts a packet sent by `sender`. Checks, in this order: size, auth_key_id,
// KDF + AES-IGE, constant-time msg_key compare, length field within bounds and mod 4, padding
// 12..1024 ("Security Guidelines for Client Developers", "Checking SHA256 hash value of msg_key",
// "Checking message length"). On error `out` is unspecified.
std::optional<DecryptError> decrypt_packet(const AuthKey& key, Side sender, std::span<const std::uint8_t> packet,
                                           DecryptedMessage& out);

}  // namespace mtjson::mtproto::session
