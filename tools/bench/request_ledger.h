// One connection's requests in flight, keyed by the `id` the bench gave them (README, "The daemon's protocol": each
// request line gets exactly one response line carrying its id). Checks exactly-once: an answer
// for an id never sent is "unexpected", a second answer for an id already answered is
// "duplicate". Ids count up from 1 per connection, so "sent before and no longer in flight"
// means "answered before". Sans-I/O: the caller passes the clock readings.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace mtjson::bench {

using Clock = std::chrono::steady_clock;

// What a request was sent for; answers are counted by the tag of their request.
enum class Tag : std::uint8_t { control, warmup, measure };

class RequestLedger {
 public:
  struct Sent {
    Clock::time_point at;
    Tag tag = Tag::measure;
  };
  enum class Verdict { answered, duplicate, unexpected };
  struct Outcome {
    Verdict verdict;
    Sent sent;  // valid when answered
  };

  // The id of the next request, registered as in flight since `now`.
  std::int64_t issue(Clock::time_point now, Tag tag);
  // An answer line carrying `id` (not 0: that is an update).
  Outcome on_answer(std::int64_t id);

  std::size_t in_flight() const { return pending_.size(); }
  std::size_t in_flight(Tag tag) const;
  std::int64_t last_id() const { return next_id_ - 1; }
  // The connection is gone: forget everything in flight; returns how many were.
  std::size_t abandon_all();

 private:
  std::int64_t next_id_ = 1;
  std::unordered_map<std::int64_t, Sent> pending_;
};

}  // namespace mtjson::bench
