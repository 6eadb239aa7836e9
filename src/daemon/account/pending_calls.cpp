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

// Removes the entries of `timers` due at `now`; returns the tokens of the calls that still exist
// and for which `still_due` holds (a timer outlives a call that was answered or rescheduled).
template <typename Predicate>
std::vector<std::uint64_t> PendingCalls::take_due(std::multimap<TimePoint, std::uint64_t>& timers, TimePoint now,
                                                  Predicate still_due) {
  std::vector<std::uint64_t> out;
  while (!timers.empty() && timers.begin()->first <= now) {
    const std::uint64_t token = timers.begin()->second;
    timers.erase(timers.begin());
    if (auto* p = find(token); p && still_due(*p)) out.push_back(token);
  }
  return out;
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
  return take_due(retries_, now, [](const PendingCall& p) { return p.waiting; });
}

std::vector<std::uint64_t> PendingCalls::take_expired(TimePoint now) {
  return take_due(deadlines_, now, [now](const PendingCall& p) { return p.deadline <= now; });
}

}  // namespace mtjson::daemon
