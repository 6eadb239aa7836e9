// The updates a named session pushed, numbered and kept in a bounded ring for clients that
// re-attach with {"session":{"name":...,"since":N}}. seq numbers are per named session, start
// after the last one persisted (never reused after a restart) and only grow.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace mtjson::daemon {

class UpdateRing {
 public:
  using Entry = std::pair<std::uint64_t, std::string>;  // seq, the update's JSON text

  // capacity 0 keeps nothing (every `since` older than the last seq is reported as missed).
  explicit UpdateRing(std::size_t capacity, std::uint64_t last_seq = 0) : capacity_(capacity), last_(last_seq) {}

  // Numbers one update; returns its seq.
  std::uint64_t push(std::string message_json);

  struct Replay {
    std::vector<std::pair<std::uint64_t, std::string>> updates;  // seq > since, in order
    // Some update after `since` is no longer held (or `since` is from another numbering: larger
    // than the last seq): the client must recover with updates.getDifference.
    bool missed = false;
    std::uint64_t oldest = 0;  // the oldest seq still held (last_seq + 1 when none)
  };
  Replay since(std::uint64_t seq) const;

  // What the ring holds, oldest first (saved on a clean close, see SessionStore::save_updates).
  const std::deque<Entry>& entries() const { return ring_; }
  // Puts back what a clean close saved: `entries` must end at last_seq() with consecutive seqs
  // (else nothing is restored and false is returned); the newest `capacity` are kept.
  bool restore(std::vector<Entry> entries);

  std::uint64_t last_seq() const { return last_; }
  std::size_t size() const { return ring_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::uint64_t last_;
  std::deque<Entry> ring_;
};

}  // namespace mtjson::daemon
