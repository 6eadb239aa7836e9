// The window of messages.getHistory (shared by private chats and channels): given a dialog's
// messages newest first, where the page starts and ends.
#pragma once

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "testdc/world/args.h"

namespace mtjson::testdc {

struct HistoryQuery {
  std::int32_t offset_id = 0;
  std::int32_t offset_date = 0;
  std::int32_t add_offset = 0;
  std::int32_t limit = 100;
};

// offset_id, offset_date, add_offset, limit of messages.getHistory (limit 1..100; else 100).
inline HistoryQuery history_query(const nlohmann::json& m) {
  HistoryQuery q;
  q.offset_id = int_arg(m, "offset_id");
  q.offset_date = int_arg(m, "offset_date");
  q.add_offset = int_arg(m, "add_offset");
  q.limit = int_arg(m, "limit");
  if (q.limit <= 0 || q.limit > 100) q.limit = 100;
  return q;
}

// [start, end) into `all`: the first message older than offset_id / offset_date, shifted by
// add_offset, then at most limit messages. M has `id` and `date`.
template <typename M>
std::pair<std::size_t, std::size_t> history_window(const std::vector<const M*>& all, const HistoryQuery& q) {
  const auto size = static_cast<std::int64_t>(all.size());
  std::int64_t start = 0;
  while (start < size && ((q.offset_id != 0 && all[start]->id >= q.offset_id) ||
                          (q.offset_date != 0 && all[start]->date >= q.offset_date)))
    ++start;
  start = std::clamp<std::int64_t>(start + q.add_offset, 0, size);
  std::int64_t end = std::min<std::int64_t>(start + q.limit, size);
  return {static_cast<std::size_t>(start), static_cast<std::size_t>(end)};
}

}  // namespace mtjson::testdc
