#include "daemon/sessions/update_ring.h"

namespace mtjson::daemon {

std::uint64_t UpdateRing::push(std::string message_json) {
  const std::uint64_t seq = ++last_;
  if (capacity_ == 0) return seq;
  if (ring_.size() == capacity_) ring_.pop_front();
  ring_.emplace_back(seq, std::move(message_json));
  return seq;
}

bool UpdateRing::restore(std::vector<Entry> entries) {
  if (entries.empty() || entries.back().first != last_) return false;
  for (std::size_t i = 1; i < entries.size(); ++i)
    if (entries[i].first != entries[i - 1].first + 1) return false;
  ring_.clear();
  const std::size_t skip = entries.size() > capacity_ ? entries.size() - capacity_ : 0;
  for (std::size_t i = skip; i < entries.size(); ++i) ring_.push_back(std::move(entries[i]));
  return true;
}

UpdateRing::Replay UpdateRing::since(std::uint64_t seq) const {
  Replay r;
  r.oldest = ring_.empty() ? last_ + 1 : ring_.front().first;
  if (seq > last_) {
    // Not a number this session gave out: the client cannot know what it lacks.
    r.missed = true;
    return r;
  }
  if (seq == last_) return r;
  if (seq + 1 < r.oldest) r.missed = true;
  for (const auto& [s, text] : ring_)
    if (s > seq) r.updates.emplace_back(s, text);
  return r;
}

}  // namespace mtjson::daemon
