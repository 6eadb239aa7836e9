#include "bench/request_ledger.h"

namespace mtjson::bench {

std::int64_t RequestLedger::issue(Clock::time_point now, Tag tag) {
  std::int64_t id = next_id_++;
  pending_.emplace(id, Sent{now, tag});
  return id;
}

RequestLedger::Outcome RequestLedger::on_answer(std::int64_t id) {
  auto it = pending_.find(id);
  if (it != pending_.end()) {
    Outcome out{Verdict::answered, it->second};
    pending_.erase(it);
    return out;
  }
  if (id >= 1 && id < next_id_) return {Verdict::duplicate, {}};
  return {Verdict::unexpected, {}};
}

std::size_t RequestLedger::in_flight(Tag tag) const {
  std::size_t n = 0;
  for (const auto& [id, sent] : pending_) n += sent.tag == tag;
  return n;
}

std::size_t RequestLedger::abandon_all() {
  std::size_t n = pending_.size();
  pending_.clear();
  return n;
}

}  // namespace mtjson::bench
