#include "mtproto/session/sent_table.h"

namespace mtjson::mtproto::session {

Request& SentTable::add(Request r) {
  r.key = r.msg_id;
  r.earlier_msg_ids.clear();
  key_of_msg_id_[r.msg_id] = r.key;
  const std::uint64_t key = r.key;
  return by_key_.insert_or_assign(key, std::move(r)).first->second;
}

Request* SentTable::find(std::uint64_t msg_id) {
  auto it = key_of_msg_id_.find(msg_id);
  if (it == key_of_msg_id_.end()) return nullptr;
  return find_by_key(it->second);
}

Request* SentTable::find_by_key(std::uint64_t key) {
  auto it = by_key_.find(key);
  return it == by_key_.end() ? nullptr : &it->second;
}

Request* SentTable::find_by_token(std::uint64_t token) {
  for (auto& [key, r] : by_key_)
    if (r.kind == RequestKind::query && r.token == token) return &r;
  return nullptr;
}

void SentTable::rekey(Request& r, std::uint64_t new_msg_id) {
  r.earlier_msg_ids.push_back(r.msg_id);
  r.msg_id = new_msg_id;
  key_of_msg_id_[new_msg_id] = r.key;
}

void SentTable::erase(std::uint64_t key) {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return;
  key_of_msg_id_.erase(it->second.msg_id);
  for (std::uint64_t id : it->second.earlier_msg_ids) key_of_msg_id_.erase(id);
  by_key_.erase(it);
}

}  // namespace mtjson::mtproto::session
