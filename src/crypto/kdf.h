// Key derivations of MTProto 2.0 ("Mobile Protocol: Detailed Description", "Defining AES Key and Initialization
// Vector") and of the auth-key handshake ("Creating an Authorization Key", steps 6 and 9). One implementation
// serves both roles: the caller says which side *sent* the message.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace mtjson::crypto {

enum class Side { client, server };

constexpr Side other_side(Side s) { return s == Side::client ? Side::server : Side::client; }

using AuthKeyView = std::span<const std::uint8_t, 256>;
using MsgKey = std::array<std::uint8_t, 16>;

struct AesKeyIv {
  std::array<std::uint8_t, 32> key{};
  std::array<std::uint8_t, 32> iv{};
};

// x = 0 for messages sent by the client, 8 for messages sent by the server.
constexpr std::size_t kdf_x(Side sender) { return sender == Side::client ? 0 : 8; }

// msg_key_large = SHA256(substr(auth_key, 88+x, 32) + plaintext + random_padding).
std::array<std::uint8_t, 32> msg_key_large(AuthKeyView auth_key, Side sender,
                                           std::span<const std::uint8_t> plaintext_with_padding);
// msg_key = substr(msg_key_large, 8, 16).
MsgKey msg_key_from_large(std::span<const std::uint8_t, 32> large);
MsgKey compute_msg_key(AuthKeyView auth_key, Side sender, std::span<const std::uint8_t> plaintext_with_padding);

// aes_key/aes_iv from sha256_a = SHA256(msg_key + substr(auth_key, x, 36)) and
// sha256_b = SHA256(substr(auth_key, 40+x, 36) + msg_key).
AesKeyIv derive_aes_key_iv(AuthKeyView auth_key, std::span<const std::uint8_t, 16> msg_key, Side sender);

// Quick-ACK token ("MTProto transports", "Quick ack"): the first 32 bits of
// msg_key_large read little-endian, with the most significant bit set.
std::uint32_t quick_ack_token(std::span<const std::uint8_t, 32> msg_key_large);

// auth_key_id: the 64 lower-order bits of SHA1(auth_key) = SHA1(auth_key)[12..20] (wire bytes).
std::array<std::uint8_t, 8> auth_key_id(AuthKeyView auth_key);
// The same, as the little-endian int64 it is on the wire.
std::uint64_t auth_key_id_u64(AuthKeyView auth_key);
// auth_key_aux_hash: the 64 higher-order bits of SHA1(auth_key) = SHA1(auth_key)[0..8].
std::array<std::uint8_t, 8> auth_key_aux_hash(AuthKeyView auth_key);

// "Creating an Authorization Key", step 6: tmp_aes_key / tmp_aes_iv from new_nonce and server_nonce.
AesKeyIv tmp_aes_key_iv(std::span<const std::uint8_t, 32> new_nonce, std::span<const std::uint8_t, 16> server_nonce);

// "Creating an Authorization Key", step 9: new_nonce_hash{1,2,3} = SHA1(new_nonce + byte(n) + auth_key_aux_hash)[4..20].
// n must be 1 (dh_gen_ok), 2 (dh_gen_retry) or 3 (dh_gen_fail).
std::array<std::uint8_t, 16> new_nonce_hash(std::span<const std::uint8_t, 32> new_nonce, std::uint8_t n,
                                            AuthKeyView auth_key);

// "Creating an Authorization Key", step 9: server_salt = substr(new_nonce, 0, 8) XOR substr(server_nonce, 0, 8)
// (wire bytes; read little-endian for the int64).
std::array<std::uint8_t, 8> initial_server_salt(std::span<const std::uint8_t, 32> new_nonce,
                                                std::span<const std::uint8_t, 16> server_nonce);

}  // namespace mtjson::crypto
