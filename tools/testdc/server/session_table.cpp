#include "testdc/server/session_table.h"

namespace mtjson::testdc::server {

SessionEntry* ServerSessionTable::find(std::uint64_t auth_key_id, std::uint64_t session_id) {
  auto it = entries_.find({auth_key_id, session_id});
  return it == entries_.end() ? nullptr : it->second.get();
}

SessionEntry& ServerSessionTable::get_or_create(std::uint64_t auth_key_id, std::uint64_t session_id,
                                             const std::function<std::unique_ptr<SessionEntry>()>& make,
                                             bool& created) {
  auto key = std::make_pair(auth_key_id, session_id);
  if (auto it = entries_.find(key); it != entries_.end()) {
    created = false;
    return *it->second;
  }
  evict_for(auth_key_id);
  created = true;
  return *(entries_[key] = make());
}

void ServerSessionTable::evict_for(std::uint64_t auth_key_id) {
  auto first = entries_.lower_bound({auth_key_id, 0});
  std::size_t count = 0;
  auto victim = entries_.end();
  for (auto it = first; it != entries_.end() && it->first.first == auth_key_id; ++it) {
    ++count;
    if (!it->second->attached && (victim == entries_.end() || it->second->last_seen_unix < victim->second->last_seen_unix))
      victim = it;
  }
  if (count >= kMaxSessionsPerKey && victim != entries_.end()) entries_.erase(victim);
}

}  // namespace mtjson::testdc::server
