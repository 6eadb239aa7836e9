#include "transport/obfuscated2.h"

#include <algorithm>

#include "base/bytes.h"
#include "crypto/sha.h"

namespace mtjson::transport {

namespace {

constexpr std::size_t kKeyOffset = 8;
constexpr std::size_t kIvOffset = 40;
constexpr std::size_t kTagOffset = 56;
constexpr std::size_t kDcOffset = 60;

void derive_one(std::span<const std::uint8_t, kObfuscatedInitSize> init, std::span<const std::uint8_t> secret,
                std::array<std::uint8_t, 32>& key, std::array<std::uint8_t, 16>& iv) {
  std::copy_n(init.begin() + kKeyOffset, 32, key.begin());
  std::copy_n(init.begin() + kIvOffset, 16, iv.begin());
  if (!secret.empty()) key = crypto::sha256({std::span<const std::uint8_t>(key), secret});
}

std::optional<Mode> mode_from_tag(std::uint32_t tag) {
  for (Mode m : {Mode::abridged, Mode::intermediate, Mode::padded_intermediate}) {
    if (protocol_tag4(m) == tag) return m;
  }
  return std::nullopt;
}

}  // namespace

Obfuscated2Keys derive_obfuscated2_keys(std::span<const std::uint8_t, kObfuscatedInitSize> init,
                                        std::span<const std::uint8_t> secret) {
  std::array<std::uint8_t, kObfuscatedInitSize> reversed{};
  std::reverse_copy(init.begin(), init.end(), reversed.begin());
  Obfuscated2Keys keys;
  derive_one(init, secret, keys.encrypt_key, keys.encrypt_iv);
  derive_one(reversed, secret, keys.decrypt_key, keys.decrypt_iv);
  return keys;
}

bool is_forbidden_init(std::span<const std::uint8_t, kObfuscatedInitSize> init) {
  if (init[0] == 0xef) return true;  // abridged
  const std::uint32_t first = load_le32(init);
  // "HEAD", "POST", "GET ", "OPTI", a TLS handshake record 16 03 01 02, padded, intermediate.
  constexpr std::uint32_t kForbidden[] = {0x44414548U, 0x54534f50U, 0x20544547U, 0x4954504fU,
                                          0x02010316U, 0xddddddddU, 0xeeeeeeeeU};
  if (std::find(std::begin(kForbidden), std::end(kForbidden), first) != std::end(kForbidden)) return true;
  return load_le32(init.subspan(4)) == 0;  // full transport, seqno 0
}

std::optional<Obfuscated2ClientInit> make_obfuscated2_client_init(Mode mode, std::optional<std::int16_t> dc_id,
                                                                  std::span<const std::uint8_t> secret,
                                                                  crypto::RandomSource& rng) {
  if (mode == Mode::full) return std::nullopt;  // the full transport has no tag to put at 56
  if (!secret.empty() && secret.size() != 16) return std::nullopt;
  std::array<std::uint8_t, kObfuscatedInitSize> init{};
  // The tag and dc id are fixed, so only the random part decides; retry until acceptable.
  do {
    rng.fill(init);
    store_le32(std::span(init).subspan(kTagOffset, 4), protocol_tag4(mode));
    if (dc_id) {
      store_le16(init.data() + kDcOffset, static_cast<std::uint16_t>(*dc_id));
    }
  } while (is_forbidden_init(init));

  const Obfuscated2Keys keys = derive_obfuscated2_keys(init, secret);
  Obfuscated2ClientInit out{{}, Obfuscated2Cipher(crypto::AesCtr(keys.encrypt_key, keys.encrypt_iv),
                                                  crypto::AesCtr(keys.decrypt_key, keys.decrypt_iv))};
  // Encrypt the whole init (advancing the encryptor by 64 bytes), but send only bytes 56..64
  // encrypted: the rest stays as generated.
  std::array<std::uint8_t, kObfuscatedInitSize> encrypted = init;
  out.cipher.encrypt(encrypted);
  out.header = init;
  std::copy(encrypted.begin() + kTagOffset, encrypted.end(), out.header.begin() + kTagOffset);
  return out;
}

Result<Obfuscated2ServerInit> accept_obfuscated2_init(std::span<const std::uint8_t, kObfuscatedInitSize> header,
                                                      std::span<const std::span<const std::uint8_t>> secrets) {
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    if (!secrets[i].empty() && secrets[i].size() != 16) continue;
    // The server's decryptor is the client's encryptor and vice versa.
    const Obfuscated2Keys keys = derive_obfuscated2_keys(header, secrets[i]);
    crypto::AesCtr decrypt(keys.encrypt_key, keys.encrypt_iv);
    std::array<std::uint8_t, kObfuscatedInitSize> plain{};
    std::copy(header.begin(), header.end(), plain.begin());
    decrypt.apply(plain);
    const auto mode = mode_from_tag(load_le32(std::span(plain).subspan(kTagOffset)));
    if (!mode) continue;
    const auto dc = static_cast<std::int16_t>(load_le16(plain.data() + kDcOffset));
    return Obfuscated2ServerInit{*mode, dc, secrets[i].empty() ? -1 : static_cast<int>(i),
                                 Obfuscated2Cipher(crypto::AesCtr(keys.decrypt_key, keys.decrypt_iv), std::move(decrypt))};
  }
  return Status::error(secrets.size() == 1 && secrets[0].empty()
                           ? "obfuscated2: unknown protocol tag in the init payload"
                           : "obfuscated2: no accepted secret yields a known protocol tag");
}

}  // namespace mtjson::transport
