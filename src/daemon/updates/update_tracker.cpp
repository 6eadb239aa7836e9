#include "daemon/updates/update_tracker.h"

#include <algorithm>
#include <string>

#include "daemon/updates/difference.h"
#include "daemon/updates/update_entry.h"

namespace mtjson::daemon::updates {

using nlohmann::json;

namespace {

Action deliver(json body, bool from_result = false) {
  Action a;
  a.kind = Action::Kind::deliver;
  a.body = std::move(body);
  a.from_result = from_result;
  return a;
}

Action call(std::uint64_t id, json method) {
  Action a;
  a.kind = Action::Kind::call;
  a.call_id = id;
  a.body = std::move(method);
  return a;
}

bool is_short_message(const std::string& cons) {
  return cons == "updateShortMessage" || cons == "updateShortChatMessage" || cons == "updateShortSentMessage";
}

bool is_affected(const std::string& cons) {
  return cons == "messages.affectedMessages" || cons == "messages.affectedHistory" ||
         cons == "messages.affectedFoundMessages";
}

bool is_container(const std::string& cons) { return cons == "updates" || cons == "updatesCombined"; }

// Answers that carry a channel's pts without being updates ("Working with Updates", "Fetching state": "the
// initial channel state can be obtained from the dialog constructor when fetching dialogs, from
// the full channel info ...").
bool is_dialog_list(const std::string& cons) {
  return cons == "messages.dialogs" || cons == "messages.dialogsSlice" || cons == "messages.peerDialogs";
}

}  // namespace

UpdateTracker::UpdateTracker(TrackerOptions options) : options_(std::move(options)) {}

std::vector<Action> UpdateTracker::start(TimePoint now) {
  std::vector<Action> out = stop();
  if (options_.raw) return out;
  phase_ = Phase::loading_state;
  last_activity_ = now;
  common_ = Fetch{};
  issue_common(out);
  return out;
}

std::vector<Action> UpdateTracker::start(const UpdateState& restored, TimePoint now) {
  std::vector<Action> out = stop();
  if (options_.raw) return out;
  phase_ = Phase::ready;
  state_ = restored;
  last_activity_ = now;
  common_ = Fetch{};
  issue_common(out);
  return out;
}

std::vector<Action> UpdateTracker::stop() {
  std::vector<Action> out;
  give_up(out);
  return out;
}

void UpdateTracker::give_up(std::vector<Action>& out) {
  for (Held& h : queue_) out.push_back(deliver(std::move(h.body), h.from_result));
  queue_.clear();
  phase_ = Phase::idle;
  state_ = UpdateState{};
  common_.reset();
  channels_.clear();
  calls_.clear();
  gap_deadline_.reset();
}

std::vector<Action> UpdateTracker::on_push(const json& updates, TimePoint now) {
  if (options_.raw || phase_ == Phase::idle) return {deliver(updates)};
  last_activity_ = now;
  if (updates.value("_cons", "") == "updatesTooLong") {
    // "too many events pending to be pushed to the client, so one needs to fetch them manually".
    std::vector<Action> out;
    want_difference(out);
    return out;
  }
  return input(updates, false, now);
}

std::vector<Action> UpdateTracker::on_result(const json& result, TimePoint now) {
  if (options_.raw || phase_ == Phase::idle || !result.is_object()) return {};
  const std::string cons = result.value("_cons", "");
  if (is_dialog_list(cons) || cons == "messages.chatFull") {
    note_channel_states(result);
    return {};
  }
  if (!is_container(cons) && cons != "updateShort" && !is_short_message(cons) && !is_affected(cons)) return {};
  last_activity_ = now;
  return input(result, true, now);
}

// A channel whose pts is not known yet takes it from a dialog or channelFull, so that a gap right
// after it (e.g. the first posts after joining, withheld) is one. Without it the channel's next
// update would set its pts as it is, and whatever was missed before it would be lost. A known pts
// is left alone: the pushes and differences keep it, and an older answer must not move it back.
void UpdateTracker::note_channel_states(const json& result) {
  note_chats(result);
  auto learn = [this](const json& id, const json& pts) {
    auto channel = json_long(id);
    if (channel && pts.is_number_integer() && pts.get<std::int32_t>() > 0 && !state_.channel_pts.count(*channel))
      state_.channel_pts[*channel] = pts.get<std::int32_t>();
  };
  if (auto full = result.find("full_chat"); full != result.end() && full->is_object()) {
    if (full->value("_cons", "") == "channelFull" && full->contains("id") && full->contains("pts"))
      learn(full->at("id"), full->at("pts"));
    return;
  }
  auto dialogs = result.find("dialogs");
  if (dialogs == result.end() || !dialogs->is_array()) return;
  for (const json& d : *dialogs) {
    if (!d.is_object() || !d.contains("pts")) continue;
    auto peer = d.find("peer");
    if (peer == d.end() || !peer->is_object() || peer->value("_cons", "") != "peerChannel") continue;
    if (peer->contains("channel_id")) learn(peer->at("channel_id"), d.at("pts"));
  }
}

std::vector<Action> UpdateTracker::input(const json& body, bool from_result, TimePoint now) {
  std::vector<Action> out;
  Held h;
  h.body = body;
  h.from_result = from_result;
  h.before_state = phase_ == Phase::loading_state;
  h.serial = next_serial_++;
  const std::uint64_t serial = h.serial;
  queue_.push_back(std::move(h));
  drain(now, out);
  if (std::any_of(queue_.begin(), queue_.end(), [serial](const Held& x) { return x.serial == serial; })) {
    Action a;
    a.kind = Action::Kind::hold;
    a.deadline = gap_deadline_.value_or(TimePoint{});
    out.push_back(std::move(a));
  }
  return out;
}

// One Updates object against the local state. Containers are all or nothing: a gap anywhere in
// them holds the whole object, so its users/chats stay with its updates and seq is applied once.
UpdateTracker::Outcome UpdateTracker::try_apply(const json& body, bool force_common, bool force_channel,
                                                bool commit) {
  Outcome o;
  UpdateState s = state_;
  enum class Entry { keep, duplicate, gap, consumed };
  auto against = [&](std::int32_t& local, const Sequence& q, bool force, bool channel) {
    switch (check_pts(local, q.pts, q.count)) {
      case Check::apply:
        local = q.pts;
        return Entry::keep;
      case Check::duplicate:
        return Entry::duplicate;
      case Check::gap:
        if (force) {
          local = q.pts;
          return Entry::keep;
        }
        if (channel)
          o.channel_gaps.insert(q.channel_id);
        else
          o.common_gap = true;
        return Entry::gap;
    }
    return Entry::gap;
  };
  auto entry = [&](const json& u) {
    const Sequence q = sequence_of(u);
    switch (q.box) {
      case Sequence::Box::none:
        return Entry::keep;
      case Sequence::Box::channel_too_long:
        // Acted upon here (getChannelDifference), unless there is no pts to fetch from: then the
        // client gets it and may decide.
        if (!s.channel_pts.count(q.channel_id) && q.pts == 0) return Entry::keep;
        o.too_long[q.channel_id] = q.pts;
        return Entry::consumed;
      case Sequence::Box::common:
        return against(s.pts, q, force_common, false);
      case Sequence::Box::secondary:
        return against(s.qts, q, force_common, false);
      case Sequence::Box::channel: {
        auto it = s.channel_pts.find(q.channel_id);
        if (it == s.channel_pts.end()) {
          // No state for this channel yet ("Working with Updates": it comes from dialogs, channelFull or
          // updateChannelTooLong): its first update sets it.
          s.channel_pts[q.channel_id] = q.pts;
          return Entry::keep;
        }
        return against(it->second, q, force_channel, true);
      }
    }
    return Entry::keep;
  };
  auto gap = [&]() {
    o.kind = Outcome::Kind::gap;
    o.too_long.clear();
    return o;
  };
  auto note_date = [&](const json& obj) { s.date = std::max(s.date, json_int(obj, "date", 0)); };

  const std::string cons = body.value("_cons", "");
  if (is_container(cons)) {
    const std::int32_t seq = json_int(body, "seq");
    const std::int32_t seq_start = cons == "updatesCombined" ? json_int(body, "seq_start") : seq;
    switch (check_seq(s.seq, seq_start)) {
      case Check::duplicate:
        o.kind = Outcome::Kind::drop;
        return o;
      case Check::gap:
        if (!force_common) {
          o.common_gap = true;
          return gap();
        }
        break;
      case Check::apply:
        break;
    }
    json kept = json::array();
    bool any = false;
    if (auto list = body.find("updates"); list != body.end() && list->is_array()) {
      for (const json& u : *list) {
        any = true;
        switch (entry(u)) {
          case Entry::keep:
            kept.push_back(u);
            break;
          case Entry::gap:
            return gap();
          case Entry::duplicate:
          case Entry::consumed:
            break;
        }
      }
    }
    // "If the updates were applied, local Updates state must be updated with seq (unless it's 0)
    // and date from the constructor."
    if (seq != 0) s.seq = seq;
    note_date(body);
    if (!(any && kept.empty())) {
      o.deliver = body;
      o.deliver["updates"] = std::move(kept);
    }
  } else if (cons == "updateShort") {
    const json inner = body.contains("update") ? body["update"] : json();
    switch (entry(inner)) {
      case Entry::keep:
        o.deliver = body;
        break;
      case Entry::gap:
        return gap();
      case Entry::duplicate:
        o.kind = Outcome::Kind::drop;
        return o;
      case Entry::consumed:
        break;
    }
    note_date(body);
  } else if (is_short_message(cons) || is_affected(cons)) {
    // updateShort*Message "should be transformed to updateShort upon receival": one common-box
    // event; messages.affected* answers move the common box the same way.
    Sequence q;
    q.box = Sequence::Box::common;
    q.pts = json_int(body, "pts");
    q.count = json_int(body, "pts_count");
    switch (against(s.pts, q, force_common, false)) {
      case Entry::keep:
        if (!is_affected(cons)) o.deliver = body;
        break;
      case Entry::gap:
        return gap();
      default:
        o.kind = Outcome::Kind::drop;
        return o;
    }
    if (!is_affected(cons)) note_date(body);
  } else {
    o.deliver = body;  // nothing sequenced in it
  }
  if (commit) state_ = std::move(s);
  o.kind = Outcome::Kind::apply;
  return o;
}

void UpdateTracker::drain(TimePoint now, std::vector<Action>& out) {
  if (phase_ != Phase::ready || busy()) {
    gap_deadline_.reset();
    return;
  }
  bool progress_any = false;
  for (bool progress = true; progress && !busy();) {
    progress = false;
    // Oldest first; an applied one may fill the gap of an older one, so start over after each.
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      Outcome o = try_apply(it->body, it->rounds >= 2, it->channel_rounds >= 2, true);
      if (o.kind == Outcome::Kind::gap) continue;
      Held h = std::move(*it);
      queue_.erase(it);
      if (h.before_state) {
        // Generated before the state getState returned, but nobody has seen it yet.
        out.push_back(deliver(std::move(h.body), h.from_result));
      } else if (o.kind == Outcome::Kind::apply && !o.deliver.is_null()) {
        note_chats(o.deliver);
        out.push_back(deliver(std::move(o.deliver), h.from_result));
      }
      for (const auto& [channel, pts] : o.too_long) want_channel(channel, pts, out);
      progress = progress_any = true;
      break;
    }
  }
  if (queue_.empty() || busy())
    gap_deadline_.reset();
  else if (progress_any || !gap_deadline_)
    gap_deadline_ = now + options_.gap_wait;  // "wait up to 0.5 seconds" for the gap to fill
}

void UpdateTracker::want_difference(std::vector<Action>& out) {
  if (phase_ != Phase::ready) return;  // not started, or getState is coming anyway
  if (common_) {
    if (common_->call_id) common_->again = true;  // the state may have moved since it was sent
    return;
  }
  common_ = Fetch{};
  gap_deadline_.reset();
  issue_common(out);
}

bool UpdateTracker::want_channel(std::int64_t channel_id, std::int32_t pts_hint, std::vector<Action>& out) {
  if (phase_ != Phase::ready) return false;
  if (!state_.channel_pts.count(channel_id)) {
    if (pts_hint <= 0) return false;
    state_.channel_pts[channel_id] = pts_hint;
  }
  if (auto it = channels_.find(channel_id); it != channels_.end()) {
    if (it->second.call_id) it->second.again = true;
    return true;
  }
  channels_[channel_id] = Fetch{};
  gap_deadline_.reset();
  issue_channel(channel_id, out);
  return true;
}

void UpdateTracker::issue_common(std::vector<Action>& out) {
  const std::uint64_t id = new_call();
  calls_[id] = 0;
  common_->call_id = id;
  common_->retry_at.reset();
  common_->again = false;
  if (phase_ == Phase::loading_state) {
    out.push_back(call(id, {{"_cons", "updates.getState"}}));
    return;
  }
  json m = {{"_cons", "updates.getDifference"}, {"pts", state_.pts}, {"date", state_.date}, {"qts", state_.qts}};
  if (options_.pts_total_limit > 0) m["pts_total_limit"] = options_.pts_total_limit;
  out.push_back(call(id, std::move(m)));
}

void UpdateTracker::issue_channel(std::int64_t channel_id, std::vector<Action>& out) {
  const std::uint64_t id = new_call();
  calls_[id] = channel_id;
  Fetch& f = channels_[channel_id];
  f.call_id = id;
  f.retry_at.reset();
  f.again = false;
  auto hash = access_hash_.find(channel_id);
  json input = {{"_cons", "inputChannel"},
                {"channel_id", channel_id},
                {"access_hash", hash == access_hash_.end() ? 0 : hash->second}};
  out.push_back(call(id, {{"_cons", "updates.getChannelDifference"},
                          {"channel", std::move(input)},
                          {"filter", {{"_cons", "channelMessagesFilterEmpty"}}},
                          {"pts", state_.channel_pts[channel_id]},
                          {"limit", options_.channel_limit}}));
}

void UpdateTracker::apply_difference_state(const json& st) {
  state_.pts = json_int(st, "pts", state_.pts);
  state_.qts = json_int(st, "qts", state_.qts);
  state_.seq = json_int(st, "seq", state_.seq);
  state_.date = json_int(st, "date", state_.date);
}

// Recovered updates go out before anything newer; updateChannelTooLong among them starts that
// channel's difference ("automatically triggered ... by a set of updateChannelTooLong updates
// that will be returned by the updates.getDifference call"); channel updates already applied
// are left out.
void UpdateTracker::deliver_recovered(json updates, std::vector<Action>& out) {
  if (updates.is_null()) return;
  note_chats(updates);
  json kept = json::array();
  for (json& u : updates["updates"]) {
    const Sequence q = sequence_of(u);
    if (q.box == Sequence::Box::channel_too_long && want_channel(q.channel_id, q.pts, out)) continue;
    if (q.box == Sequence::Box::channel && q.pts != 0) {
      auto it = state_.channel_pts.find(q.channel_id);
      if (it != state_.channel_pts.end() && check_pts(it->second, q.pts, q.count) == Check::duplicate) continue;
      if (it == state_.channel_pts.end() || it->second < q.pts) state_.channel_pts[q.channel_id] = q.pts;
    }
    kept.push_back(std::move(u));
  }
  if (kept.empty()) return;
  updates["updates"] = std::move(kept);
  out.push_back(deliver(std::move(updates)));
}

std::vector<Action> UpdateTracker::on_call_result(std::uint64_t call_id, const json& result, TimePoint now) {
  std::vector<Action> out;
  auto c = calls_.find(call_id);
  if (c == calls_.end()) return out;  // from before a stop()
  const std::int64_t channel = c->second;
  const std::string cons = result.is_object() ? result.value("_cons", "") : "";
  last_activity_ = now;

  if (channel == 0) {
    if (!common_ || common_->call_id != call_id) return out;
    if (phase_ == Phase::loading_state) {
      if (cons != "updates.state") return on_call_failed(call_id, now);
      calls_.erase(c);
      apply_difference_state(result);
      phase_ = Phase::ready;
      finish_common(now, out);
      return out;
    }
    if (cons == "updates.differenceEmpty") {
      calls_.erase(c);
      state_.date = json_int(result, "date", state_.date);
      state_.seq = json_int(result, "seq", state_.seq);
      finish_common(now, out);
    } else if (cons == "updates.difference" || cons == "updates.differenceSlice") {
      calls_.erase(c);
      const bool slice = cons == "updates.differenceSlice";
      const json& st = result.contains(slice ? "intermediate_state" : "state")
                           ? result[slice ? "intermediate_state" : "state"]
                           : json::object();
      deliver_recovered(difference_as_updates(result, json_int(st, "date", state_.date)), out);
      apply_difference_state(st);
      // "The intermediate status ... must be saved on the client and the query must be repeated".
      if (slice) {
        common_->failures = 0;
        issue_common(out);
      } else {
        finish_common(now, out);
      }
    } else if (cons == "updates.differenceTooLong") {
      // The gap is too large to be recovered: continue from the pts the server gives, and tell
      // clients that they missed updates (they should re-fetch what they show).
      calls_.erase(c);
      state_.pts = json_int(result, "pts", state_.pts);
      out.push_back(deliver({{"_cons", "updatesTooLong"}}));
      common_->failures = 0;
      issue_common(out);
    } else {
      return on_call_failed(call_id, now);
    }
    return out;
  }

  auto f = channels_.find(channel);
  if (f == channels_.end() || f->second.call_id != call_id) return out;
  bool final = result.is_object() && result.value("final", false);
  if (cons == "updates.channelDifferenceEmpty") {
    state_.channel_pts[channel] = json_int(result, "pts", state_.channel_pts[channel]);
  } else if (cons == "updates.channelDifference") {
    deliver_recovered(channel_difference_as_updates(result, state_.date), out);
    state_.channel_pts[channel] = json_int(result, "pts", state_.channel_pts[channel]);
  } else if (cons == "updates.channelDifferenceTooLong") {
    // Too much to recover: the channel continues at the dialog's pts; clients learn that they
    // have to re-fetch the channel's history.
    note_chats(result);
    const json dialog = result.value("dialog", json::object());
    const std::int32_t pts = json_int(dialog, "pts", state_.channel_pts[channel]);
    state_.channel_pts[channel] = pts;
    out.push_back(deliver({{"_cons", "updates"},
                           {"updates", json::array({{{"_cons", "updateChannelTooLong"},
                                                     {"channel_id", channel},
                                                     {"pts", pts}}})},
                           {"users", result.value("users", json::array())},
                           {"chats", result.value("chats", json::array())},
                           {"date", state_.date},
                           {"seq", 0}}));
  } else {
    return on_call_failed(call_id, now);
  }
  calls_.erase(c);
  f->second.failures = 0;
  // "If the difference is too large to be received in one request, the final flag of the result
  // is not set ... the query must be repeated".
  if (!final)
    issue_channel(channel, out);
  else
    finish_channel(channel, now, out);
  return out;
}

void UpdateTracker::finish_common(TimePoint now, std::vector<Action>& out) {
  const bool again = common_ && common_->again;
  common_.reset();
  for (Held& h : queue_) ++h.rounds;
  if (again) {
    want_difference(out);
    return;
  }
  drain(now, out);
}

void UpdateTracker::finish_channel(std::int64_t channel, TimePoint now, std::vector<Action>& out) {
  auto f = channels_.find(channel);
  const bool again = f != channels_.end() && f->second.again;
  channels_.erase(channel);
  for (Held& h : queue_) ++h.channel_rounds;
  if (again && want_channel(channel, 0, out)) return;
  drain(now, out);
}

std::vector<Action> UpdateTracker::on_call_failed(std::uint64_t call_id, TimePoint now) {
  std::vector<Action> out;
  auto c = calls_.find(call_id);
  if (c == calls_.end()) return out;
  const std::int64_t channel = c->second;
  calls_.erase(c);
  Fetch* f = nullptr;
  if (channel == 0) {
    if (common_ && common_->call_id == call_id) f = &*common_;
  } else if (auto it = channels_.find(channel); it != channels_.end() && it->second.call_id == call_id) {
    f = &it->second;
  }
  if (!f) return out;
  f->call_id = 0;
  if (++f->failures < options_.max_failures) {
    f->retry_at = now + options_.retry_delay;
    return out;
  }
  if (channel == 0) {
    give_up(out);  // deliver what waits; the account runs without tracking until started again
  } else {
    channels_.erase(channel);
    state_.channel_pts.erase(channel);
    drain(now, out);
  }
  return out;
}

std::vector<Action> UpdateTracker::on_new_session(TimePoint now) {
  std::vector<Action> out;
  last_activity_ = now;
  want_difference(out);
  return out;
}

std::vector<Action> UpdateTracker::on_reconnect(TimePoint now) { return on_new_session(now); }

std::optional<TimePoint> UpdateTracker::next_timer() const {
  std::optional<TimePoint> next;
  auto consider = [&](std::optional<TimePoint> t) {
    if (t && (!next || *t < *next)) next = t;
  };
  if (common_) consider(common_->retry_at);
  for (const auto& [id, f] : channels_) consider(f.retry_at);
  if (phase_ == Phase::ready && !busy()) {
    consider(gap_deadline_);
    if (queue_.empty() && options_.idle_difference > Duration::zero())
      consider(last_activity_ + options_.idle_difference);
  }
  return next;
}

std::vector<Action> UpdateTracker::on_timer(TimePoint now) {
  std::vector<Action> out;
  if (common_ && common_->retry_at && *common_->retry_at <= now) issue_common(out);
  for (auto& [id, f] : channels_)
    if (f.retry_at && *f.retry_at <= now) issue_channel(id, out);
  if (phase_ != Phase::ready || busy()) return out;
  if (gap_deadline_ && *gap_deadline_ <= now) {
    // The gap did not fill in time: fetch what each waiting update is missing.
    gap_deadline_.reset();
    bool common = false;
    std::set<std::int64_t> channels;
    for (const Held& h : queue_) {
      Outcome o = try_apply(h.body, h.rounds >= 2, h.channel_rounds >= 2, false);
      if (o.kind != Outcome::Kind::gap) continue;
      common = common || o.common_gap;
      channels.insert(o.channel_gaps.begin(), o.channel_gaps.end());
    }
    if (common) want_difference(out);
    for (std::int64_t channel : channels) want_channel(channel, 0, out);
    if (!busy()) drain(now, out);
    return out;
  }
  if (queue_.empty() && options_.idle_difference > Duration::zero() && now >= last_activity_ + options_.idle_difference) {
    last_activity_ = now;
    want_difference(out);
  }
  return out;
}

void UpdateTracker::note_chats(const json& body) {
  auto chats = body.find("chats");
  if (chats == body.end() || !chats->is_array()) return;
  for (const json& c : *chats) {
    if (!c.is_object() || c.value("_cons", "") != "channel" || c.value("min", false)) continue;
    auto id = c.find("id");
    auto hash = c.find("access_hash");
    if (id == c.end() || hash == c.end()) continue;
    auto i = json_long(*id);
    auto h = json_long(*hash);
    if (i && h) access_hash_[*i] = *h;
  }
}

}  // namespace mtjson::daemon::updates
