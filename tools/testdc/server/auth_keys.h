// The server's auth keys by auth_key_id, with what Telegram remembers per key: the salt handed
// out, and the layer and client info of the last initConnection ("Calling API Methods", "Saving
// Client Info"). Keys are persisted through the world (World::put_auth_key, saved with it);
// a key unknown here is looked up there, so keys survive restarts with --data.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "crypto/random.h"
#include "mtproto/auth_key.h"
#include "mtproto/session/service_codec.h"
#include "testdc/server/wrappers.h"
#include "testdc/world/world.h"

namespace mtjson::testdc::server {

// What the server remembers per auth key (the daemon's KeyState is the client's view of a key:
// its salt and clock offset).
struct ServerKeyState {
  mtproto::AuthKey key;
  int dc_id = 0;
  std::vector<mtproto::session::FutureSalt> salts;
  std::optional<int> layer;                 // declared with invokeWithLayer, as declared
  std::optional<InitConnectionInfo> init;
};

class AuthKeyStore {
 public:
  // How long a salt stays valid: the test DC never rotates salts on its own.
  static constexpr std::int32_t kSaltLifetime = 30 * 24 * 3600;

  AuthKeyStore(World& world, crypto::RandomSource& random) : world_(world), random_(random) {}

  // nullptr when neither the store nor the world knows the id.
  ServerKeyState* find(std::uint64_t auth_key_id, std::int64_t now_unix);
  bool taken(std::uint64_t auth_key_id, std::int64_t now_unix) { return find(auth_key_id, now_unix) != nullptr; }
  // A key from a completed handshake; its first salt is the handshake's server_salt.
  ServerKeyState& add(const mtproto::AuthKey& key, int dc_id, std::uint64_t first_salt, std::int64_t now_unix);
  std::size_t size() const { return keys_.size(); }

  // Fault injection (admin rotate_salt / destroy_keys / clock_skew).
  // A fresh random salt replaces every salt of the key, valid from now.
  void rotate_salt(ServerKeyState& key, std::int64_t now_unix);
  // Keeps the salts valid at `now_unix` after the clock jumped (same salt values).
  void cover_time(ServerKeyState& key, std::int64_t now_unix);
  template <typename F>
  void for_each(F&& f) {
    for (auto& [id, k] : keys_) f(k);
  }
  // Forgets the keys loaded so far (the world's copies are the caller's business).
  void clear() { keys_.clear(); }

 private:
  std::uint64_t random_salt();

  World& world_;
  crypto::RandomSource& random_;
  std::unordered_map<std::uint64_t, ServerKeyState> keys_;
};

}  // namespace mtjson::testdc::server
