#include "daemon/account/account.h"

#include <nlohmann/json.hpp>

#include "daemon/account/error_policy.h"
#include "daemon/account/sign_in.h"
#include "mtproto/session/ids.h"

namespace mtjson::daemon {

namespace ss = mtproto::session;
using nlohmann::json;

namespace {

bool is_service_query(const tl::Combinator* method) {
  namespace ids = mtproto::session::ids;
  return method && (method->id == ids::ping || method->id == ids::ping_delay_disconnect ||
                    method->id == ids::get_future_salts);
}

tl::DecodeOptions decode_options(const AccountOptions& o) {
  tl::DecodeOptions d;
  d.longs_as_strings = o.longs_as_strings;
  return d;
}

}  // namespace

Account::Account(asio::io_context& io, asio::thread_pool& workers, std::shared_ptr<const tl::Schema> schema,
                 ServerSettings server, SessionState session, AccountOptions options, crypto::RandomSource& random)
    : Account(std::move(schema), std::move(server), std::move(session), std::move(options),
              AccountRuntime{wall_clock(io), socket_links(io, workers, random)}) {}

Account::Account(std::shared_ptr<const tl::Schema> schema, ServerSettings server, SessionState session,
                 AccountOptions options, AccountRuntime runtime)
    : clock_(std::move(runtime.clock)), make_link_(std::move(runtime.make_link)), schema_(schema),
      decoder_(schema, decode_options(options)), server_(std::move(server)), options_(std::move(options)),
      home_dc_(session.dc), user_id_(session.user_id), bot_(session.bot), home_key_(session.key),
      restored_updates_(std::move(session.update_state)), restored_keys_(std::move(session.other_keys)),
      alarm_(clock_->make_alarm()) {
  if (auto st = build_init_prefix(schema_, options_.init, init_prefix_); !st) log("initConnection: " + st.message());
  tracker_ = updates::UpdateTracker(options_.updates);
}

Account::~Account() {
  for (auto& [id, d] : dcs_)
    if (d.link) d.link->close();
}

void Account::attach(AccountClient* client) { clients_.insert(client); }

void Account::detach(AccountClient* client, const std::string& reason) {
  clients_.erase(client);
  for (std::uint64_t token : pending_.tokens([client](const Pending& p) { return p.client == client; })) {
    Pending& p = *pending_.find(token);
    if (auto it = dcs_.find(p.dc); it != dcs_.end() && it->second.link) it->second.link->cancel(token);
    const std::int64_t id = p.id;
    pending_.erase(token);
    // A client that stays connected still gets exactly one line per request.
    if (!reason.empty()) client->on_failure(id, "cancelled", reason);
  }
}

SessionState Account::session() const {
  SessionState s;
  s.dc = home_dc_;
  s.user_id = user_id_;
  s.bot = bot_;
  s.key = home_key_;
  if (auto it = dcs_.find(home_dc_); it != dcs_.end() && it->second.link) {
    if (auto k = it->second.link->link().key_state()) s.key = k;
  }
  for (const auto& [id, k] : restored_keys_)
    if (id != home_dc_) s.other_keys[id] = k;
  for (const auto& [id, d] : dcs_)
    if (id != home_dc_ && d.link)
      if (auto k = d.link->link().key_state()) s.other_keys[id] = *k;
  if (user_id_ != 0 && tracker_.has_state()) s.update_state.emplace(tracker_.state());
  else if (user_id_ != 0 && restored_updates_) s.update_state.emplace(*restored_updates_);
  return s;
}

Account::Dc* Account::dc(int dc_id) {
  auto it = dcs_.find(dc_id);
  if (it != dcs_.end()) return &it->second;
  auto address = server_.address(dc_id);
  if (!address) return nullptr;
  auto config = server_.link_config(dc_id);
  if (!config) {
    log("DC " + std::to_string(dc_id) + ": " + config.message());
    return nullptr;
  }
  config->ping_interval = options_.ping_interval;
  std::optional<KeyState> key;
  if (dc_id == home_dc_) key = home_key_;
  else if (auto r = restored_keys_.find(dc_id); r != restored_keys_.end()) key = r->second;
  std::weak_ptr<Account> self = weak_from_this();
  auto link = make_link_(*address, std::move(*config), key, [self, dc_id](LinkEvent&& ev) {
    if (auto me = self.lock()) me->on_link_event(dc_id, std::move(ev));
  });
  Dc& d = dcs_[dc_id];
  d.link = link;
  // A restored session carries the authorization of its home DC.
  // (Not a home DC reached by USER_MIGRATE: move_home clears home_key_ first.)
  d.authorized = dc_id == home_dc_ && user_id_ != 0 && home_key_.has_value();
  link->start();
  return &d;
}

void Account::submit(AccountClient* client, std::int64_t id, std::vector<std::uint8_t> query,
                     const tl::Combinator* method, std::optional<std::vector<std::uint8_t>> init_prefix,
                     Duration timeout) {
  if (closing_) {
    client->on_failure(id, "shutdown", "the daemon is shutting down");
    return;
  }
  if (init_prefix && *init_prefix != init_prefix_) {
    // The client's own initConnection replaces the default; every session gets it again.
    init_prefix_ = std::move(*init_prefix);
    for (auto& [n, d] : dcs_) d.inited = false;
  }
  Pending& p = pending_.add(now() + timeout);
  p.client = client;
  p.id = id;
  p.query = std::move(query);
  p.method = method;
  send(p);
  arm_timer();
  if (user_id_ != 0) start_tracking();  // a signed-in session given by the client
}

void Account::send(Pending& p) {
  const int target = p.dc ? p.dc : home_dc_;
  Dc* d = dc(target);
  if (!d) {
    p.waiting = true;
    p.dc = target;
    fetch_dc_addresses();
    return;
  }
  p.dc = target;
  // Another DC than the home one needs the account's authorization first ("Working with Different Data Centers",
  // "Authorization transfer"), except for the transfer's own calls.
  // After a USER_MIGRATE the new home DC waits for the transfer move_home started.
  if (user_id_ != 0 && !d->authorized && !p.on_internal && (target != home_dc_ || d->importing)) {
    p.waiting = true;
    if (target != home_dc_) transfer_authorization(home_dc_, target);
    return;
  }
  p.waiting = false;
  // MTProto service queries (ping, get_future_salts) are answered by the session layer itself,
  // outside invokeWithLayer/initConnection.
  p.wrapped = !d->inited && !is_service_query(p.method);
  std::vector<std::uint8_t> body;
  if (p.wrapped) {
    body.reserve(init_prefix_.size() + p.query.size());
    body.insert(body.end(), init_prefix_.begin(), init_prefix_.end());
  }
  body.insert(body.end(), p.query.begin(), p.query.end());
  d->link->send_query(std::move(body), p.token);
}

void Account::dispatch_waiting(int dc_id) {
  for (std::uint64_t t : pending_.tokens([dc_id](const Pending& p) { return p.waiting && (dc_id == 0 || p.dc == dc_id); }))
    if (Pending* p = pending_.find(t); p && p->waiting) send(*p);
}

void Account::on_link_event(int dc_id, LinkEvent&& ev) {
  Dc& d = dcs_[dc_id];
  if (auto* r = std::get_if<ss::RpcResult>(&ev)) {
    on_result(*r);
  } else if (auto* e = std::get_if<ss::RpcError>(&ev)) {
    on_error(*e);
  } else if (auto* u = std::get_if<ss::Update>(&ev)) {
    push_update(u->body);
  } else if (auto* n = std::get_if<ss::NewSession>(&ev)) {
    // "Service Messages", new_session_created: updates may have been missed, and the
    // new session needs initConnection again.
    d.inited = false;
    if (dc_id == home_dc_)
      deliver_update(json{{"_cons", "new_session_created"},
                          {"first_msg_id", n->first_msg_id},
                          {"unique_id", n->unique_id},
                          {"server_salt", n->server_salt}}
                         .dump());
    // "Session loss on the server": updates may be missing ("Working with Updates", "Recovering gaps").
    if (dc_id == home_dc_) run_updates(tracker_.on_new_session(now()));
  } else if (auto* k = std::get_if<KeyCreated>(&ev)) {
    d.inited = false;
    d.authorized = false;
    if (dc_id == home_dc_) home_key_ = k->key;
    restored_keys_.erase(dc_id);
    log("DC " + std::to_string(dc_id) + ": new auth key created");
    state_changed();
  } else if (std::holds_alternative<KeyLost>(ev)) {
    d.inited = false;
    d.authorized = false;
    if (dc_id == home_dc_) {
      home_key_.reset();
      if (user_id_) log("DC " + std::to_string(dc_id) + ": the server lost our auth key; the sign-in is gone");
      user_id_ = 0;
      restored_updates_.reset();
      run_updates(tracker_.stop());
      tracking_tried_ = false;
    }
    restored_keys_.erase(dc_id);
    state_changed();
  } else if (std::holds_alternative<LinkUp>(ev)) {
    // Pushes sent while the connection was down are lost: recover them.
    if (dc_id == home_dc_ && std::exchange(home_link_lost_, false))
      run_updates(tracker_.on_reconnect(now()));
  } else if (auto* down = std::get_if<LinkDown>(&ev)) {
    if (dc_id == home_dc_) home_link_lost_ = true;
    log("DC " + std::to_string(dc_id) + ": connection lost (" + down->reason + "); reconnecting");
  } else if (std::holds_alternative<LinkClosed>(ev)) {
    if (closing_) {
      bool all = true;
      for (auto& [n, x] : dcs_)
        if (x.link && x.link->link().state() != DcLink::State::closed) all = false;
      if (all && on_closed_) std::exchange(on_closed_, nullptr)();
    }
  }
}

void Account::on_result(ss::RpcResult& r) {
  Pending* found = pending_.find(r.token);
  if (!found) return;  // cancelled or timed out
  Pending& p = *found;
  if (p.wrapped) dcs_[p.dc].inited = true;
  if (p.on_internal) {
    auto f = std::move(p.on_internal);
    finish(r.token);
    f(&r, nullptr);
    return;
  }
  std::string text;
  if (auto st = decoder_.decode_result(r.body, *p.method, text); !st) {
    fail(p, "tl", "cannot decode the answer to " + p.method->name + ": " + st.message());
    return;
  }
  if (signs_in(p.method->name) || p.method->name == "auth.logOut") note_authorization(p, text);
  feed_result(p, text);
  answer(p, std::move(text));
}

void Account::on_error(ss::RpcError& e) {
  Pending* found = pending_.find(e.token);
  if (!found) return;
  Pending& p = *found;
  CallAttempts attempts;
  attempts.flood_retries = p.flood_retries;
  attempts.migrations = p.migrations;
  attempts.internal = static_cast<bool>(p.on_internal);
  attempts.wrapped = p.wrapped;
  attempts.time_left = p.deadline - now();
  ErrorLimits limits;
  limits.flood_sleep_threshold = options_.flood_sleep_threshold;
  limits.max_flood_retries = options_.max_flood_retries;
  const ErrorDecision d = decide_on_error(e.code, e.message, attempts, limits);
  if (d.session_not_inited) dcs_[p.dc].inited = false;
  switch (d.action) {
    case ErrorDecision::Action::retry_after:
      ++p.flood_retries;
      log("flood wait " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d.wait).count()) +
          " s before retrying " + p.method->name);
      retry_later(p, d.wait);
      return;
    case ErrorDecision::Action::move_home: {
      ++p.migrations;
      const int from = home_dc_;
      move_home(d.dc);
      log("home DC " + std::to_string(from) + " -> " + std::to_string(home_dc_) + " (" + e.message + ")");
      p.dc = 0;
      send(p);
      return;
    }
    case ErrorDecision::Action::send_on_dc:
      ++p.migrations;
      p.dc = d.dc;
      send(p);
      return;
    case ErrorDecision::Action::send_again:
      send(p);
      return;
    case ErrorDecision::Action::answer:
      break;
  }
  if (p.on_internal) {
    auto f = std::move(p.on_internal);
    finish(e.token);
    f(nullptr, &e);
    return;
  }
  answer_error(p, e.code, e.message);
}

void Account::answer_error(Pending& p, std::int32_t code, const std::string& message) {
  answer(p, json{{"_cons", "rpc_error"}, {"error_code", code}, {"error_message", message}}.dump());
}

void Account::answer(Pending& p, std::string text) {
  AccountClient* c = p.client;
  const std::int64_t id = p.id;
  finish(p.token);
  if (c && clients_.count(c)) c->on_answer(id, std::move(text));
}

void Account::fail(Pending& p, std::string kind, std::string what) {
  AccountClient* c = p.client;
  const std::int64_t id = p.id;
  auto f = std::move(p.on_internal);
  finish(p.token);
  if (f) {
    ss::RpcError e{0, 0, -500, what};
    f(nullptr, &e);
    return;
  }
  if (c && clients_.count(c)) c->on_failure(id, std::move(kind), std::move(what));
}

void Account::finish(std::uint64_t token) { pending_.erase(token); }

void Account::retry_later(Pending& p, Duration delay) {
  p.waiting = true;
  pending_.retry_at(now() + delay, p.token);
  arm_timer();
}

void Account::arm_timer() {
  TimePoint next = pending_.next_due().value_or(TimePoint::max());
  if (auto t = tracker_.next_timer(); t && !closing_) next = std::min(next, *t);
  // Every call re-arms: a wake-up that is already set no later than `next` stays (on_timer
  // re-arms for what is left), so a burst of calls costs one timer, not one per call.
  if (next >= alarm_at_) return;
  alarm_at_ = next;
  std::weak_ptr<Account> self = weak_from_this();
  alarm_->set(next, [self] {
    if (auto me = self.lock()) {
      me->alarm_at_ = TimePoint::max();
      me->on_timer();
    }
  });
}

void Account::on_timer() {
  const TimePoint now = this->now();
  for (std::uint64_t token : pending_.take_retries_due(now))
    if (Pending* p = pending_.find(token); p && p->waiting) send(*p);
  for (std::uint64_t token : pending_.take_expired(now)) {
    Pending* found = pending_.find(token);
    if (!found) continue;  // answered while an earlier one expired
    Pending& p = *found;
    if (auto d = dcs_.find(p.dc); d != dcs_.end() && d->second.link) d->second.link->cancel(token);
    if (p.on_internal) {
      fail(p, "timeout", "no answer in time");
      continue;
    }
    answer(p, json{{"_cons", "rpc_timeout"}}.dump());
  }
  if (auto t = tracker_.next_timer(); t && *t <= now) {
    run_updates(tracker_.on_timer(now));  // re-arms
    return;
  }
  arm_timer();
}

void Account::close(std::function<void()> done) {
  closing_ = true;
  for (std::uint64_t t : pending_.tokens([](const Pending&) { return true; }))
    if (Pending* p = pending_.find(t)) fail(*p, "shutdown", "the session was closed before the answer came");
  on_closed_ = std::move(done);
  bool any = false;
  for (auto& [n, d] : dcs_)
    if (d.link && d.link->link().state() != DcLink::State::closed) {
      any = true;
      d.link->close();
    }
  alarm_->cancel();
  alarm_at_ = TimePoint::max();
  if (!any && on_closed_) std::exchange(on_closed_, nullptr)();
}

void Account::drop_connections() {
  for (auto& [n, d] : dcs_)
    if (d.link) d.link->drop_connection();
}

}  // namespace mtjson::daemon
