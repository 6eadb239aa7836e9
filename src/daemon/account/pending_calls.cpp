#include "daemon/account/pending_calls.h"

namespace mtjson::daemon {

PendingCall& PendingCalls::add(TimePoint deadline) {
  const std::uint64_t token = next_token_++;
  PendingCall& p = calls_[token];
  p.token = token;
  p.deadline = deadline;
  deadlines_.emplace(deadline, token);
  return p;
}

PendingCall* PendingCalls::find(std::uint64_t token) {
  auto it = calls_.find(token);
  return it == calls_.end() ? nullptr : &it->second;
}

std::vector<std::uint64_t> PendingCalls::tokens(const std::function<bool(const PendingCall&)>& match) const {
  std::vector<std::uint64_t> out;
  for (const auto& [token, p] : calls_)
    if (match(p)) out.push_back(token);
  return out;
}

std::optional<TimePoint> PendingCalls::next_due() const {
  std::optional<TimePoint> t;
  if (!deadlines_.empty()) t = deadlines_.begin()->first;
  if (!retries_.empty() && (!t || retries_.begin()->first < *t)) t = retries_.begin()->first;
  return t;
}

std::vector<std::uint64_t> PendingCalls::take_retries_due(TimePoint now) {
  std::vector<std::uint64_t> out;
  while (!retries_.empty() && retries_.begin()->first <= now) {
    const std::uint64_t token = retries_.begin()->second;
    retries_.erase(retries_.begin());
    if (auto* p = find(token); p && p->waiting) out.push_back(token);
  }
  return out;
}

std::vector<std::uint64_t> PendingCalls::take_expired(TimePoint now) {
  std::vector<std::uint64_t> out;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    const std::uint64_t token = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    if (auto* p = find(token); p && p->deadline <= now) out.push_back(token);
  }
  return out;
}

}  // namespace mtjson::daemon
