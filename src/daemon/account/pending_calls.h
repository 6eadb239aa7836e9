// The calls an account has in flight, by token (the cookie its DC links report answers with), and
// the two kinds of moments they wait for: each call's deadline (rpc_timeout) and the end of a flood
// wait before it is sent again. No clock of its own: callers pass "now".
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "daemon/dc/dc_link.h"
#include "mtproto/session/events.h"
#include "tl/schema.h"

namespace mtjson::daemon {

class AccountClient;

struct PendingCall {
  using InternalDone = std::function<void(const mtproto::session::RpcResult*, const mtproto::session::RpcError*)>;
  std::uint64_t token = 0;
  AccountClient* client = nullptr;  // nullptr: the daemon's own call (on_internal)
  std::int64_t id = 0;
  std::vector<std::uint8_t> query;
  const tl::Combinator* method = nullptr;
  int dc = 0;                  // 0: the home DC at send time
  bool wrapped = false;        // sent with the initConnection prefix
  TimePoint deadline{};
  int flood_retries = 0;
  int migrations = 0;
  bool waiting = false;        // in a flood wait or waiting for a DC to become usable
  InternalDone on_internal;
};

class PendingCalls {
 public:
  // A new call with a fresh token, due by `deadline`.
  PendingCall& add(TimePoint deadline);
  PendingCall* find(std::uint64_t token);
  void erase(std::uint64_t token) { calls_.erase(token); }
  std::size_t size() const { return calls_.size(); }
  // Tokens of the calls `match` selects, in token order (callers may erase while walking them).
  std::vector<std::uint64_t> tokens(const std::function<bool(const PendingCall&)>& match) const;

  // A flood wait: the call goes out again at `when`.
  void retry_at(TimePoint when, std::uint64_t token) { retries_.emplace(when, token); }
  // The earliest deadline or retry still ahead, if any.
  std::optional<TimePoint> next_due() const;
  // Calls whose flood wait ended by `now` and that still wait.
  std::vector<std::uint64_t> take_retries_due(TimePoint now);
  // Calls whose deadline passed by `now` (still pending).
  std::vector<std::uint64_t> take_expired(TimePoint now);

 private:
  std::map<std::uint64_t, PendingCall> calls_;
  template <typename Predicate>
  std::vector<std::uint64_t> take_due(std::multimap<TimePoint, std::uint64_t>& timers, TimePoint now,
                                      Predicate still_due);

  std::multimap<TimePoint, std::uint64_t> deadlines_;
  std::multimap<TimePoint, std::uint64_t> retries_;
  std::uint64_t next_token_ = 1;
};

}  // namespace mtjson::daemon
