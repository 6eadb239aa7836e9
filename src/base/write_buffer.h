// Output coalescing for one socket, sans-I/O: whatever is queued while the event loop runs one
// turn, or while a write is under way, leaves in one write.
//
//   idle --append--> queued (the caller posts one flush to the end of the turn)
//   queued --start_write--> writing (every queued byte handed over at once)
//   writing --append--> writing, bytes waiting behind the write
//   writing --finish_write--> queued (bytes waited: write again at once) | idle
//
// Buffers are sized on demand: they grow to what one turn queues and are released once idle if
// they grew past kKeepCapacity, so an idle connection holds no large buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace mtjson {

class WriteBuffer {
 public:
  // What an idle buffer may keep allocated (the common answer fits; a burst is given back).
  static constexpr std::size_t kKeepCapacity = 4096;

  // Queues bytes. True when they are the first of a turn: the caller schedules one flush (or
  // starts the write itself); false when a flush is already scheduled or a write is under way.
  bool append(std::span<const std::uint8_t> bytes) {
    const bool first = !flush_scheduled_ && !writing_ && pending_.empty();
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    if (first) flush_scheduled_ = true;
    return first;
  }
  bool append(std::string_view text) {
    return append(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  }

  // The flush ran: everything queued, to write now; empty when a write is under way (its
  // completion picks the bytes up) or nothing is queued. Valid until finish_write().
  std::span<const std::uint8_t> start_write() {
    flush_scheduled_ = false;
    if (writing_ || pending_.empty()) return {};
    writing_ = true;
    std::swap(in_flight_, pending_);
    return in_flight_;
  }

  // The write finished. True when more bytes are queued: call start_write() again.
  bool finish_write() {
    writing_ = false;
    in_flight_.clear();
    trim(in_flight_);
    if (pending_.empty()) trim(pending_);
    return !pending_.empty();
  }

  // The socket is gone: drop everything (a later append starts from idle).
  void clear() {
    std::vector<std::uint8_t>().swap(pending_);
    std::vector<std::uint8_t>().swap(in_flight_);
    writing_ = false;
    flush_scheduled_ = false;
  }

  bool writing() const { return writing_; }
  bool idle() const { return !writing_ && pending_.empty(); }
  std::size_t queued_bytes() const { return pending_.size(); }
  std::size_t capacity() const { return pending_.capacity() + in_flight_.capacity(); }

 private:
  static void trim(std::vector<std::uint8_t>& v) {
    // swap, not `v = {}`: assigning an empty list keeps the allocation.
    if (v.empty() && v.capacity() > kKeepCapacity) std::vector<std::uint8_t>().swap(v);
  }

  std::vector<std::uint8_t> pending_;    // queued, not handed to a write yet
  std::vector<std::uint8_t> in_flight_;  // the write under way
  bool writing_ = false;
  bool flush_scheduled_ = false;
};

}  // namespace mtjson
