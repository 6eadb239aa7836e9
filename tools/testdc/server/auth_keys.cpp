#include "testdc/server/auth_keys.h"

#include <algorithm>

namespace mtjson::testdc::server {

namespace {
mtproto::session::FutureSalt salt_from(std::uint64_t salt, std::int64_t now_unix) {
  mtproto::session::FutureSalt s;
  s.salt = salt;
  s.valid_since = static_cast<std::int32_t>(now_unix - 60);
  s.valid_until = static_cast<std::int32_t>(now_unix + AuthKeyStore::kSaltLifetime);
  return s;
}
}  // namespace

ServerKeyState* AuthKeyStore::find(std::uint64_t auth_key_id, std::int64_t now_unix) {
  if (auto it = keys_.find(auth_key_id); it != keys_.end()) return &it->second;
  auto record = world_.find_auth_key(auth_key_id);
  if (!record || record->key.size() != 256) return nullptr;
  ServerKeyState st;
  std::copy(record->key.begin(), record->key.end(), st.key.key.begin());
  st.key.id = auth_key_id;
  st.dc_id = record->dc_id;
  // A key from an earlier run: its salt was not kept, so a fresh one (the client learns it
  // from bad_server_salt, "Service Messages about Messages").
  st.salts.push_back(salt_from(random_salt(), now_unix));
  return &keys_.emplace(auth_key_id, std::move(st)).first->second;
}

std::uint64_t AuthKeyStore::random_salt() {
  return crypto::random_u64(random_);
}

void AuthKeyStore::rotate_salt(ServerKeyState& key, std::int64_t now_unix) {
  std::uint64_t salt = random_salt();
  for (const auto& old : key.salts)
    if (old.salt == salt) salt ^= 1;  // never "rotate" to a salt still listed
  key.salts.assign(1, salt_from(salt, now_unix));
}

void AuthKeyStore::cover_time(ServerKeyState& key, std::int64_t now_unix) {
  for (auto& s : key.salts) {
    s.valid_since = static_cast<std::int32_t>(std::min<std::int64_t>(s.valid_since, now_unix - 60));
    s.valid_until = static_cast<std::int32_t>(std::max<std::int64_t>(s.valid_until, now_unix + kSaltLifetime));
  }
}

ServerKeyState& AuthKeyStore::add(const mtproto::AuthKey& key, int dc_id, std::uint64_t first_salt, std::int64_t now_unix) {
  ServerKeyState st;
  st.key = key;
  st.dc_id = dc_id;
  st.salts.push_back(salt_from(first_salt, now_unix));
  AuthKeyRecord record;
  record.auth_key_id = key.id;
  record.dc_id = dc_id;
  record.key.assign(key.key.begin(), key.key.end());
  world_.put_auth_key(record);
  auto& slot = keys_[key.id];
  slot = std::move(st);
  return slot;
}

}  // namespace mtjson::testdc::server
