// msg_id generation and checking ("Mobile Protocol: Detailed Description", "Message Identifier (msg_id)";
// "Security Guidelines for Client Developers", "Checking msg_id").
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

#include "mtproto/session/session_clock.h"

namespace mtjson::mtproto::session {

// msg_id mod 4 by who sends it: client messages 0, server answers to a client message 1,
// server-initiated messages 3.
enum class MsgIdKind : unsigned { client = 0, server_response = 1, server_initiated = 3 };

// Strictly increasing msg_ids of one sender, approximately unixtime*2^32 of (now + offset), where
// offset corrects a wrong local clock from the peer's msg_ids (bad_msg_notification 16/17).
class MsgIdGenerator {
 public:
  std::uint64_t next(TimePoint now, MsgIdKind kind);

  Duration offset() const { return offset_; }
  void set_offset(Duration offset) { offset_ = offset; }
  // Adopts the peer's clock: peer_msg_id was generated (by the peer) at about `now` (local).
  // Ids already issued from a clock that ran ahead were rejected by the peer, so the next id may
  // go back in time: the monotonic floor is reset when the corrected clock is behind it, and
  // true is returned (ids that go back are only accepted in a new session: the caller starts one).
  bool sync_to(std::uint64_t peer_msg_id, TimePoint now);
  // now corrected by the offset: the peer's idea of the current time.
  TimePoint corrected(TimePoint now) const { return now + offset_; }
  std::uint64_t last() const { return last_; }

 private:
  std::uint64_t last_ = 0;
  Duration offset_{0};
};

enum class TimeVerdict { ok, too_old, too_new };
// "Mobile Protocol: Detailed Description": "A message is rejected over 300 seconds after it is created or 30
// seconds before it is created".
inline constexpr Duration kMaxMsgAge = std::chrono::seconds(300);
inline constexpr Duration kMaxMsgLead = std::chrono::seconds(30);
TimeVerdict check_msg_id_time(std::uint64_t msg_id, TimePoint now);

enum class WindowVerdict { fresh, duplicate, too_old };

// Replay protection ("Security Guidelines for Client Developers", "Checking msg_id"): remembers the last
// `capacity` msg_ids received (with their seqno, for the server's seqno checks). An id equal to a
// stored one is a duplicate; an id lower than all stored ones once the window is full is too old
// (it may have been forgotten). Hence: "fresh" is returned at most once per id, ever.
class MsgIdWindow {
 public:
  explicit MsgIdWindow(std::size_t capacity = 1024) : capacity_(capacity == 0 ? 1 : capacity) {}

  WindowVerdict check(std::uint64_t msg_id) const;
  // check(), and remembers the id if fresh (forgetting the lowest one when over capacity).
  WindowVerdict insert(std::uint64_t msg_id, std::uint32_t seq_no = 0);

  bool contains(std::uint64_t msg_id) const { return ids_.count(msg_id) != 0; }
  bool full() const { return ids_.size() >= capacity_; }
  std::size_t size() const { return ids_.size(); }
  std::optional<std::uint64_t> lowest() const;
  std::optional<std::uint64_t> highest() const;
  void clear() { ids_.clear(); }
  // msg_id -> seq_no of the stored messages, in msg_id order.
  const std::map<std::uint64_t, std::uint32_t>& entries() const { return ids_; }

 private:
  std::size_t capacity_;
  std::map<std::uint64_t, std::uint32_t> ids_;
};

// "Mobile Protocol: Detailed Description", "Message Sequence Number": content-related messages get 2*n+1 and
// increment n, others get 2*n.
class SeqNoCounter {
 public:
  std::uint32_t next(bool content_related) {
    if (!content_related) return 2 * count_;
    return 2 * count_++ + 1;
  }
  std::uint32_t count() const { return count_; }
  void reset() { count_ = 0; }

 private:
  std::uint32_t count_ = 0;
};

inline bool is_content_related_seqno(std::uint32_t seq_no) { return (seq_no & 1) != 0; }

}  // namespace mtjson::mtproto::session
