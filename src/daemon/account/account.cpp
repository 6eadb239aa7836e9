#include "daemon/account/account.h"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "daemon/account/rpc_error.h"
#include "mtproto/session/ids.h"
#include "tl/json_to_tl.h"

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

std::string rpc_error_json(std::int32_t code, const std::string& message) {
  return json{{"_cons", "rpc_error"}, {"error_code", code}, {"error_message", message}}.dump();
}

// Methods whose auth.authorization answer signs the account in on the DC that answered.
bool signs_in(const std::string& name) {
  return name == "auth.signIn" || name == "auth.signUp" || name == "auth.checkPassword" ||
         name == "auth.importBotAuthorization" || name == "auth.importAuthorization" ||
         name == "auth.recoverPassword" || name == "auth.importLoginToken" ||
         name == "auth.importWebTokenAuthorization";
}

}  // namespace

Account::Account(asio::io_context& io, asio::thread_pool& workers, std::shared_ptr<const tl::Schema> schema,
                 ServerSettings server, SessionState session, AccountOptions options, crypto::RandomSource& random)
    : io_(io), workers_(workers), schema_(schema), decoder_(schema, decode_options(options)), server_(std::move(server)),
      options_(std::move(options)), random_(random), home_dc_(session.dc), user_id_(session.user_id),
      bot_(session.bot), home_key_(session.key), restored_updates_(std::move(session.update_state)),
      restored_keys_(std::move(session.other_keys)), timer_(io) {
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
  std::vector<std::uint64_t> gone;
  for (auto& [token, p] : pending_)
    if (p.client == client) gone.push_back(token);
  for (std::uint64_t token : gone) {
    Pending& p = pending_.at(token);
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

void Account::start_updates() {
  if (closing_ || user_id_ == 0 || !home_key_) return;
  start_tracking();
  if (tracker_.started()) return;  // its updates.getState is that call
  // api_updates.md: the server sends updates to sessions that made a call; updates.getState is
  // the lightest one (TDLib and Telethon do the same on start).
  internal_call(home_dc_, json{{"_cons", "updates.getState"}}.dump(), [](const std::string*, const ss::RpcError*) {});
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
  auto link = std::make_shared<DcLinkIo>(io_, workers_, *address, std::move(*config), random_, key,
                                         [self, dc_id](DcLinkIo&, LinkEvent&& ev) {
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
  const std::uint64_t token = next_token_++;
  Pending& p = pending_[token];
  p.token = token;
  p.client = client;
  p.id = id;
  p.query = std::move(query);
  p.method = method;
  p.deadline = DcLinkIo::now() + timeout;
  timers_.emplace(p.deadline, token);
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
  // Another DC than the home one needs the account's authorization first (api_datacenter.md,
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
  std::vector<std::uint64_t> tokens;
  for (auto& [token, p] : pending_)
    if (p.waiting && (dc_id == 0 || p.dc == dc_id)) tokens.push_back(token);
  for (std::uint64_t t : tokens)
    if (auto it = pending_.find(t); it != pending_.end() && it->second.waiting) send(it->second);
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
    // mtproto_service_messages.md, new_session_created: updates may have been missed, and the
    // new session needs initConnection again.
    d.inited = false;
    if (dc_id == home_dc_)
      deliver_update(json{{"_cons", "new_session_created"},
                          {"first_msg_id", n->first_msg_id},
                          {"unique_id", n->unique_id},
                          {"server_salt", n->server_salt}}
                         .dump());
    // "Session loss on the server": updates may be missing (api_updates.md, "Recovering gaps").
    if (dc_id == home_dc_) run_updates(tracker_.on_new_session(DcLinkIo::now()));
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
      run_updates(tracker_.on_reconnect(DcLinkIo::now()));
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
  auto it = pending_.find(r.token);
  if (it == pending_.end()) return;  // cancelled or timed out
  Pending& p = it->second;
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
  auto it = pending_.find(e.token);
  if (it == pending_.end()) return;
  Pending& p = it->second;
  const RpcErrorInfo info = classify_rpc_error(e.code, e.message);
  const TimePoint now = DcLinkIo::now();
  switch (info.kind) {
    case RpcErrorInfo::Kind::flood_wait: {
      const Duration wait = std::chrono::seconds(info.value);
      if (wait <= options_.flood_sleep_threshold && p.flood_retries < options_.max_flood_retries &&
          now + wait < p.deadline) {
        ++p.flood_retries;
        log("flood wait " + std::to_string(info.value) + " s before retrying " + p.method->name);
        retry_later(p, wait);
        return;
      }
      break;
    }
    case RpcErrorInfo::Kind::migrate_home:
      if (p.migrations < 3 && !p.on_internal) {
        ++p.migrations;
        const int from = home_dc_;
        move_home(static_cast<int>(info.value));
        log("home DC " + std::to_string(from) + " -> " + std::to_string(home_dc_) + " (" + e.message + ")");
        p.dc = 0;
        send(p);
        return;
      }
      break;
    case RpcErrorInfo::Kind::migrate_request:
      if (p.migrations < 3) {
        ++p.migrations;
        p.dc = static_cast<int>(info.value);
        send(p);
        return;
      }
      break;
    case RpcErrorInfo::Kind::not_inited:
      dcs_[p.dc].inited = false;
      if (!p.wrapped) {
        send(p);
        return;
      }
      break;
    case RpcErrorInfo::Kind::other:
      break;
  }
  if (p.on_internal) {
    auto f = std::move(p.on_internal);
    finish(e.token);
    f(nullptr, &e);
    return;
  }
  answer(p, rpc_error_json(e.code, e.message));
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
  retries_.emplace(DcLinkIo::now() + delay, p.token);
  arm_timer();
}

void Account::move_home(int new_dc) {
  const int old = home_dc_;
  if (new_dc == old) return;
  home_dc_ = new_dc;
  home_key_.reset();
  if (auto it = dcs_.find(new_dc); it != dcs_.end() && it->second.link) home_key_ = it->second.link->link().key_state();
  else if (auto r = restored_keys_.find(new_dc); r != restored_keys_.end()) home_key_ = r->second;
  restored_keys_.erase(new_dc);
  if (user_id_ != 0) {
    // USER_MIGRATE for a signed-in account: carry the authorization over.
    Dc* d = dc(new_dc);
    if (d && !d->authorized) transfer_authorization(old, new_dc);
  }
  state_changed();
}

void Account::transfer_authorization(int from, int to) {
  Dc* target = dc(to);
  if (!target || target->importing) return;
  target->importing = true;
  log("transferring the authorization from DC " + std::to_string(from) + " to DC " + std::to_string(to));
  std::weak_ptr<Account> self = weak_from_this();
  internal_call(from, json{{"_cons", "auth.exportAuthorization"}, {"dc_id", to}}.dump(),
                [self, to](const std::string* result, const ss::RpcError* error) {
                  auto me = self.lock();
                  if (!me) return;
                  auto give_up = [&](const std::string& why) {
                    me->dcs_[to].importing = false;
                    me->log("authorization transfer to DC " + std::to_string(to) + " failed: " + why);
                    std::vector<std::uint64_t> tokens;
                    for (auto& [t, p] : me->pending_)
                      if (p.waiting && p.dc == to) tokens.push_back(t);
                    for (auto t : tokens)
                      if (auto it = me->pending_.find(t); it != me->pending_.end())
                        me->answer(it->second, rpc_error_json(error ? error->code : 500,
                                                              error ? error->message : "AUTH_TRANSFER_FAILED"));
                  };
                  if (!result) return give_up(error ? error->message : "no answer");
                  json exported = json::parse(*result, nullptr, false);
                  if (!exported.is_object() || !exported.contains("id") || !exported.contains("bytes"))
                    return give_up("unexpected answer to auth.exportAuthorization");
                  me->internal_call(to,
                                    json{{"_cons", "auth.importAuthorization"}, {"id", exported["id"]},
                                         {"bytes", exported["bytes"]}}
                                        .dump(),
                                    [self, to](const std::string* imported, const ss::RpcError* err) {
                                      auto me2 = self.lock();
                                      if (!me2) return;
                                      Dc& d = me2->dcs_[to];
                                      d.importing = false;
                                      if (!imported) {
                                        me2->log("auth.importAuthorization on DC " + std::to_string(to) +
                                                 " failed: " + (err ? err->message : "no answer"));
                                      }
                                      d.authorized = true;  // a failure answers the waiting calls with the server's error
                                      me2->dispatch_waiting(to);
                                    });
                });
}

void Account::fetch_dc_addresses() {
  if (fetching_config_) return;
  fetching_config_ = true;
  std::weak_ptr<Account> self = weak_from_this();
  internal_call(home_dc_ == 0 ? server_.dc : home_dc_, json{{"_cons", "help.getConfig"}}.dump(),
                [self](const std::string* result, const ss::RpcError* error) {
                  auto me = self.lock();
                  if (!me) return;
                  me->fetching_config_ = false;
                  if (result) {
                    json cfg = json::parse(*result, nullptr, false);
                    if (cfg.is_object() && cfg.contains("dc_options")) {
                      for (const json& o : cfg["dc_options"]) {
                        if (o.value("ipv6", false) || o.value("media_only", false) || o.value("cdn", false) ||
                            o.value("tcpo_only", false))
                          continue;
                        const int id = o.value("id", 0);
                        if (id > 0 && !me->server_.dc_addresses.count(id))
                          me->server_.dc_addresses[id] = {o.value("ip_address", std::string()),
                                                          static_cast<std::uint16_t>(o.value("port", 443))};
                      }
                    }
                  }
                  // Whatever is still unknown now fails with a clear message.
                  std::vector<std::uint64_t> tokens;
                  for (auto& [t, p] : me->pending_)
                    if (p.waiting && !me->server_.address(p.dc) && !me->dcs_.count(p.dc)) tokens.push_back(t);
                  for (auto t : tokens)
                    if (auto it = me->pending_.find(t); it != me->pending_.end())
                      me->fail(it->second, "server",
                               "no address known for DC " + std::to_string(it->second.dc) +
                                   (error ? " (help.getConfig: " + error->message + ")" : ""));
                  me->dispatch_waiting(0);
                });
}

void Account::internal_call(int dc_id, const std::string& text,
                            std::function<void(const std::string*, const ss::RpcError*)> done) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::vector<std::uint8_t> query;
  const tl::Combinator* method = nullptr;
  tl::JsonToTl encoder(schema_);
  if (parser.parse(text).get(doc) || !encoder.encode_function(doc, query, &method)) {
    ss::RpcError e{0, 0, -500, "internal call does not encode"};
    done(nullptr, &e);
    return;
  }
  const std::uint64_t token = next_token_++;
  Pending& p = pending_[token];
  p.token = token;
  p.query = std::move(query);
  p.method = method;
  p.dc = dc_id;
  p.deadline = DcLinkIo::now() + std::chrono::seconds(60);
  timers_.emplace(p.deadline, token);
  const tl::Combinator* m = method;
  tl::TlToJson* decoder = &decoder_;
  p.on_internal = [done = std::move(done), m, decoder](const ss::RpcResult* r, const ss::RpcError* e) {
    if (!r) return done(nullptr, e);
    std::string out;
    if (auto st = decoder->decode_result(r->body, *m, out); !st) {
      ss::RpcError err{0, 0, -500, "undecodable answer: " + st.message()};
      return done(nullptr, &err);
    }
    done(&out, nullptr);
  };
  send(p);
  arm_timer();
}

void Account::note_authorization(const Pending& p, const std::string& text) {
  if (p.method->name == "auth.logOut") {
    user_id_ = 0;
    restored_updates_.reset();
    bot_ = false;
    for (auto& [n, d] : dcs_) d.authorized = false;
    run_updates(tracker_.stop());
    tracking_tried_ = false;
    state_changed();
    return;
  }
  json a = json::parse(text, nullptr, false);
  if (!a.is_object() || a.value("_cons", "") != "auth.authorization" || !a.contains("user")) return;
  const json& user = a["user"];
  if (!user.contains("id")) return;
  user_id_ = user["id"].is_string() ? std::stoll(user["id"].get<std::string>()) : user["id"].get<std::int64_t>();
  bot_ = user.value("bot", false);
  dcs_[p.dc].authorized = true;
  if (p.dc != home_dc_ && p.method->name != "auth.importAuthorization") move_home(p.dc);
  tracking_tried_ = false;
  start_tracking();  // "When the user logs in for the first time, a call to updates.getState"
  state_changed();
}

// Every update from Telegram enters here and goes through the update tracker (issue 7, gapless
// updates): clients get it once, in order, after whatever a gap before it needed recovering.
void Account::push_update(const std::vector<std::uint8_t>& body) {
  std::string text;
  if (auto st = decoder_.decode_boxed(body, text); !st) {
    log("undecodable update: " + st.message());
    return;
  }
  json update = tracker_.started() ? json::parse(text, nullptr, false) : json();
  if (!tracker_.started() || update.is_discarded()) {
    deliver_update(std::move(text));
    return;
  }
  // Clients that keep their own pts get the server's objects as they are, also on a named
  // session (they are attached to the account like every member).
  for (AccountClient* c : std::vector<AccountClient*>(clients_.begin(), clients_.end()))
    if (clients_.count(c) && c->wants_raw_updates()) c->on_update(text);
  run_updates(tracker_.on_push(update, DcLinkIo::now()));
}

void Account::deliver_update(std::string text, bool tracked) {
  if (update_sink_) {
    update_sink_(text, tracked);
    return;
  }
  for (AccountClient* c : std::vector<AccountClient*>(clients_.begin(), clients_.end()))
    if (clients_.count(c) && !(tracked && c->wants_raw_updates())) c->on_update(text);
}

void Account::start_tracking() {
  if (closing_ || user_id_ == 0 || tracker_.started() || tracking_tried_) return;
  tracking_tried_ = true;
  if (restored_updates_) {
    auto restored = std::move(*restored_updates_);
    restored_updates_.reset();
    log("updates: resuming from the saved state (pts " + std::to_string(restored.pts) + ") with updates.getDifference");
    run_updates(tracker_.start(restored, DcLinkIo::now()));
    return;
  }
  run_updates(tracker_.start(DcLinkIo::now()));
}

// Answers that move the account's pts (sent messages, deletions, read marks) must move the
// tracker's too, or the next push would look like a gap. Their caller already has them.
void Account::feed_result(const Pending& p, const std::string& text) {
  if (!tracker_.started() || text.find("\"pts\"") == std::string::npos) return;
  json result = json::parse(text, nullptr, false);
  if (result.is_discarded()) return;
  // channels.* answers of the messages.affected* kind count in the channel's box, which the
  // answer does not name: the channel's next update sets it.
  if (p.method->name.rfind("channels.", 0) == 0 && result.value("_cons", "").rfind("messages.affected", 0) == 0)
    return;
  run_updates(tracker_.on_result(result, DcLinkIo::now()));
}

// The tracker's actions in order; a call's answer comes back here later, and actions that a
// delivery causes meanwhile are queued behind the current ones.
void Account::run_updates(std::vector<updates::Action> actions) {
  for (auto& a : actions) update_actions_.push_back(std::move(a));
  if (running_updates_) return;
  running_updates_ = true;
  while (!update_actions_.empty()) {
    updates::Action a = std::move(update_actions_.front());
    update_actions_.pop_front();
    if (a.kind == updates::Action::Kind::deliver) {
      if (!a.from_result) deliver_update(a.body.dump(), true);
    } else if (a.kind == updates::Action::Kind::call && !closing_) {
      std::weak_ptr<Account> self = weak_from_this();
      const std::uint64_t call_id = a.call_id;
      const std::string method = a.body.value("_cons", "");
      internal_call(home_dc_, a.body.dump(), [self, call_id, method](const std::string* result, const ss::RpcError* error) {
        auto me = self.lock();
        if (!me) return;
        json answer = result ? json::parse(*result, nullptr, false) : json();
        if (!result || answer.is_discarded()) {
          me->log(method + " failed: " + (error ? error->message : "undecodable answer"));
          me->run_updates(me->tracker_.on_call_failed(call_id, DcLinkIo::now()));
          return;
        }
        me->run_updates(me->tracker_.on_call_result(call_id, answer, DcLinkIo::now()));
      });
    }
  }
  running_updates_ = false;
  if (!closing_) arm_timer();  // close() cancelled the timer for good
}

void Account::arm_timer() {
  TimePoint next = TimePoint::max();
  if (!timers_.empty()) next = timers_.begin()->first;
  if (!retries_.empty()) next = std::min(next, retries_.begin()->first);
  if (auto t = tracker_.next_timer(); t && !closing_) next = std::min(next, *t);
  if (next == TimePoint::max()) return;
  timer_.expires_at(std::chrono::time_point_cast<asio::system_timer::duration>(next));
  std::weak_ptr<Account> self = weak_from_this();
  timer_.async_wait([self](std::error_code ec) {
    if (ec) return;
    if (auto me = self.lock()) me->on_timer();
  });
}

void Account::on_timer() {
  const TimePoint now = DcLinkIo::now();
  while (!retries_.empty() && retries_.begin()->first <= now) {
    const std::uint64_t token = retries_.begin()->second;
    retries_.erase(retries_.begin());
    if (auto it = pending_.find(token); it != pending_.end() && it->second.waiting) send(it->second);
  }
  while (!timers_.empty() && timers_.begin()->first <= now) {
    const std::uint64_t token = timers_.begin()->second;
    timers_.erase(timers_.begin());
    auto it = pending_.find(token);
    if (it == pending_.end() || it->second.deadline > now) continue;
    Pending& p = it->second;
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
  std::vector<std::uint64_t> tokens;
  for (auto& [t, p] : pending_) tokens.push_back(t);
  for (auto t : tokens)
    if (auto it = pending_.find(t); it != pending_.end()) fail(it->second, "shutdown", "the session was closed before the answer came");
  on_closed_ = std::move(done);
  bool any = false;
  for (auto& [n, d] : dcs_)
    if (d.link && d.link->link().state() != DcLink::State::closed) {
      any = true;
      d.link->close();
    }
  timer_.cancel();
  if (!any && on_closed_) std::exchange(on_closed_, nullptr)();
}

void Account::drop_connections() {
  for (auto& [n, d] : dcs_)
    if (d.link) d.link->drop_connection();
}

}  // namespace mtjson::daemon
