// Gapless updates for one account, sans-I/O ("Working with Updates"): every Updates
// object the server pushes, and every RPC answer that moves the account's pts, goes in; out come
// actions: updates to deliver (in order, each once), API calls to make (updates.getState,
// updates.getDifference, updates.getChannelDifference) whose answers come back through
// on_call_result/on_call_failed, and holds (a gap may still fill, "Working with Updates": "wait up to 0.5
// seconds"). Time is injected: the caller arms a timer for next_timer() and calls on_timer(now).
//
// Life cycle:
//  - Not started: every input is delivered as it came (the account is not signed in yet; only
//    login-related updates exist then).
//  - start() without a known state: updates.getState ("When the user logs in for the first time, a
//    call to updates.getState has to be made"). Pushed updates wait meanwhile; when the state
//    arrives, those it already covers are delivered as they are (nobody saw them yet) and the
//    newer ones are checked against it. Adopting the first update's pts instead would leave qts,
//    seq and date unknown, and the first getDifference could not be made right.
//  - start(restored): "On startup, only updates.getDifference should be called".
//  - A gap held longer than gap_wait, updatesTooLong, a new MTProto session, a reconnect, or
//    idle_difference without any update: updates.getDifference; a channel gap or
//    updateChannelTooLong: updates.getChannelDifference, repeated while not `final`.
//  - While a difference is being fetched everything new waits ("postpone updates received via the
//    socket while filling gaps"); after it, the waiting ones are checked again: already covered
//    ones are dropped, newer ones delivered in order.
//  - stop(): signed out; back to not started, the state forgotten.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon/updates/update_state.h"
#include "mtproto/session/session_clock.h"

namespace mtjson::daemon::updates {

using mtproto::session::Duration;
using mtproto::session::TimePoint;

struct Action {
  enum class Kind { deliver, call, hold };
  Kind kind = Kind::deliver;
  // deliver: an Updates object for clients (a pushed one, filtered of duplicates, or recovered
  // updates as one `updates`). call: the method in TL JSON.
  nlohmann::json body;
  // deliver: it came from an RPC answer (on_result), whose caller already has it.
  bool from_result = false;
  std::uint64_t call_id = 0;  // call: give it back with the answer
  // hold: the gap timer's deadline; TimePoint{} when waiting for a difference already asked for.
  TimePoint deadline{};
};

struct TrackerOptions {
  bool raw = false;  // no tracking at all: every input is delivered as it came
  Duration gap_wait = std::chrono::milliseconds(500);
  // "Long period without updates: no updates for 15 minutes or longer" -> getDifference.
  Duration idle_difference = std::chrono::minutes(15);
  std::int32_t channel_limit = 100;   // getChannelDifference `limit` ("10-100 for channels")
  std::int32_t pts_total_limit = 0;   // getDifference `pts_total_limit`; 0: not sent
  Duration retry_delay = std::chrono::seconds(1);  // after a failed call
  int max_failures = 5;  // then the tracker gives up on that sequence (see on_call_failed)
};

class UpdateTracker {
 public:
  explicit UpdateTracker(TrackerOptions options = {});

  std::vector<Action> start(TimePoint now);
  std::vector<Action> start(const UpdateState& restored, TimePoint now);
  // Delivers what waits, as it came.
  std::vector<Action> stop();

  // A pushed Updates object (updates, updatesCombined, updateShort, updateShort*Message,
  // updatesTooLong) as the server sent it.
  std::vector<Action> on_push(const nlohmann::json& updates, TimePoint now);
  // An RPC answer that may move the state: an Updates object (messages.sendMessage and friends)
  // or messages.affectedMessages/affectedHistory/affectedFoundMessages of the common box. Dialog
  // lists (messages.dialogs, dialogsSlice, peerDialogs) and messages.chatFull give the pts of
  // channels not tracked yet. Other answers are ignored.
  std::vector<Action> on_result(const nlohmann::json& result, TimePoint now);
  std::vector<Action> on_call_result(std::uint64_t call_id, const nlohmann::json& result, TimePoint now);
  // The call failed (RPC error, timeout, undecodable): retried after retry_delay; after
  // max_failures in a row the tracker gives up on it: for getState/getDifference it delivers
  // what waits and goes back to not started; for a channel it forgets the channel's pts (the
  // next update of the channel is taken as it is).
  std::vector<Action> on_call_failed(std::uint64_t call_id, TimePoint now);
  // new_session_created ("Service Messages") and a re-established connection: updates
  // may have been lost ("Session loss on the server").
  std::vector<Action> on_new_session(TimePoint now);
  std::vector<Action> on_reconnect(TimePoint now);

  std::optional<TimePoint> next_timer() const;
  std::vector<Action> on_timer(TimePoint now);

  bool started() const { return phase_ != Phase::idle; }
  // Known once getState answered (or restored); what a session file stores.
  bool has_state() const { return phase_ == Phase::ready; }
  const UpdateState& state() const { return state_; }
  std::size_t held() const { return queue_.size(); }

 private:
  enum class Phase { idle, loading_state, ready };
  struct Held {
    nlohmann::json body;
    bool from_result = false;
    bool before_state = false;  // arrived while getState was pending
    // getDifference / getChannelDifference rounds completed while it waited. After two, a gap
    // it still has is not one the server can fill: it is applied as it is (no endless loop).
    int rounds = 0;
    int channel_rounds = 0;
    std::uint64_t serial = 0;
  };
  struct Fetch {
    std::uint64_t call_id = 0;            // 0: not in flight
    std::optional<TimePoint> retry_at;    // waiting to retry after a failure
    int failures = 0;
    bool again = false;                   // asked for again while in flight
  };
  struct Outcome {
    enum class Kind { apply, drop, gap } kind = Kind::apply;
    nlohmann::json deliver;               // apply: what to deliver (null: nothing)
    bool common_gap = false;              // gap: in pts/qts/seq
    std::set<std::int64_t> channel_gaps;  // gap: in these channels
    std::map<std::int64_t, std::int32_t> too_long;  // updateChannelTooLong seen: channel -> pts
  };

  std::vector<Action> input(const nlohmann::json& body, bool from_result, TimePoint now);
  Outcome try_apply(const nlohmann::json& body, bool force_common, bool force_channel, bool commit);
  void drain(TimePoint now, std::vector<Action>& out);
  bool busy() const { return common_.has_value() || !channels_.empty(); }
  void want_difference(std::vector<Action>& out);
  bool want_channel(std::int64_t channel_id, std::int32_t pts_hint, std::vector<Action>& out);
  void issue_common(std::vector<Action>& out);
  void issue_channel(std::int64_t channel_id, std::vector<Action>& out);
  void finish_common(TimePoint now, std::vector<Action>& out);
  void finish_channel(std::int64_t channel_id, TimePoint now, std::vector<Action>& out);
  void apply_difference_state(const nlohmann::json& state);
  void deliver_recovered(nlohmann::json updates, std::vector<Action>& out);
  void note_chats(const nlohmann::json& body);
  void note_channel_states(const nlohmann::json& result);
  void give_up(std::vector<Action>& out);
  std::uint64_t new_call() { return next_call_++; }

  TrackerOptions options_;
  Phase phase_ = Phase::idle;
  UpdateState state_;
  std::deque<Held> queue_;
  std::optional<TimePoint> gap_deadline_;
  TimePoint last_activity_{};
  std::optional<Fetch> common_;              // getState (loading_state) or getDifference (ready)
  std::map<std::int64_t, Fetch> channels_;   // getChannelDifference per channel
  std::map<std::uint64_t, std::int64_t> calls_;  // call id -> channel id (0: the common call)
  std::map<std::int64_t, std::int64_t> access_hash_;  // channel id -> access_hash, from `chats`
  std::uint64_t next_call_ = 1;
  std::uint64_t next_serial_ = 1;
};

}  // namespace mtjson::daemon::updates
