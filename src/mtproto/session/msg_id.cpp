#include "mtproto/session/msg_id.h"

namespace mtjson::mtproto::session {

std::uint64_t MsgIdGenerator::next(TimePoint now, MsgIdKind kind) {
  const std::uint64_t residue = static_cast<std::uint64_t>(kind);
  std::uint64_t id = (raw_msg_id(now + offset_) & ~std::uint64_t{3}) | residue;
  if (id <= last_) {
    id = (last_ & ~std::uint64_t{3}) | residue;
    if (id <= last_) id += 4;
  }
  // "Mobile Protocol: Detailed Description": the low 32 bits must not be empty (they carry the fraction).
  if ((id & 0xffffffffu) == 0) id += 4;
  last_ = id;
  return id;
}

bool MsgIdGenerator::sync_to(std::uint64_t peer_msg_id, TimePoint now) {
  offset_ = msg_id_time(peer_msg_id) - now;
  if (raw_msg_id(now + offset_) >= last_) return false;
  last_ = 0;
  return true;
}

TimeVerdict check_msg_id_time(std::uint64_t msg_id, TimePoint now) {
  const TimePoint t = msg_id_time(msg_id);
  if (t < now - kMaxMsgAge) return TimeVerdict::too_old;
  if (t > now + kMaxMsgLead) return TimeVerdict::too_new;
  return TimeVerdict::ok;
}

WindowVerdict MsgIdWindow::check(std::uint64_t msg_id) const {
  if (ids_.count(msg_id)) return WindowVerdict::duplicate;
  if (full() && msg_id < ids_.begin()->first) return WindowVerdict::too_old;
  return WindowVerdict::fresh;
}

WindowVerdict MsgIdWindow::insert(std::uint64_t msg_id, std::uint32_t seq_no) {
  const WindowVerdict v = check(msg_id);
  if (v != WindowVerdict::fresh) return v;
  ids_.emplace(msg_id, seq_no);
  while (ids_.size() > capacity_) ids_.erase(ids_.begin());
  return v;
}

std::optional<std::uint64_t> MsgIdWindow::lowest() const {
  if (ids_.empty()) return std::nullopt;
  return ids_.begin()->first;
}

std::optional<std::uint64_t> MsgIdWindow::highest() const {
  if (ids_.empty()) return std::nullopt;
  return ids_.rbegin()->first;
}

}  // namespace mtjson::mtproto::session
