// One Telegram account as the daemon holds it: a home DC plus any other DCs it had to use, one
// DcLink (auth key + MTProto session) per DC, and the table of queries in flight. Clients attach
// to it (one by default; several for a shared session) and submit calls; each answer goes to the
// client and id that asked, every update to every attached client.
//
// Account coordinates; each job lives in its own file: pending_calls (the table and its
// deadlines), error_policy (what an rpc_error means for the call), dc_migration (home DC switch
// and authorization transfer), dc_directory (DC addresses from help.getConfig), sign_in (which
// answers sign the account in or out), update_pump (updates through the tracker to clients),
// internal_call (the daemon's own calls). Time comes from an injected Clock and DC links from an
// injected LinkFactory, so tests run it against an in-memory DC.
//
// Transparent to clients : initConnection on every new MTProto
// session, FLOOD_WAIT up to a threshold, *_MIGRATE_X (home DC switch with authorization transfer
// via auth.exportAuthorization/importAuthorization), per-request timeouts, reconnects (the link
// re-sends; each request is answered exactly once).
#pragma once

#include <cstdint>

#include <asio/io_context.hpp>
#include <asio/thread_pool.hpp>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "daemon/account/clock.h"
#include "daemon/account/dc_links.h"
#include "daemon/account/init_connection.h"
#include "daemon/account/pending_calls.h"
#include "daemon/account/server_settings.h"
#include "daemon/dc/dc_link_io.h"
#include "daemon/updates/update_tracker.h"
#include "tl/schema.h"
#include "tl/tl_to_json.h"

namespace mtjson::daemon {

// Receives what the account sends to one client. Text is a complete JSON object (the value of
// "message").
class AccountClient {
 public:
  virtual ~AccountClient() = default;
  virtual void on_answer(std::int64_t id, std::string message_json) = 0;
  // A call could not be made or its answer not decoded: an error line for that id.
  virtual void on_failure(std::int64_t id, std::string kind, std::string what) = 0;
  virtual void on_update(std::string message_json) = 0;
  // true: updates as the server sent them, without gap recovery (the client keeps its own
  // pts/qts/seq), instead of the tracked stream ("raw_updates" in the README).
  virtual bool wants_raw_updates() const { return false; }
};

struct AccountOptions {
  InitParams init;
  Duration flood_sleep_threshold = std::chrono::seconds(10);
  Duration ping_interval = std::chrono::seconds(60);
  int max_flood_retries = 5;
  bool longs_as_strings = false;
  updates::TrackerOptions updates;  // gapless updates (src/daemon/updates)
  std::function<void(const std::string&)> log;  // never given secrets
  // Called when what a session file holds changed: an auth key created or lost on some DC, a
  // sign-in or log-out, a new home DC (named sessions write their file then).
  std::function<void()> on_state_change;
};

// The `session` object: the home DC's auth key and what goes with it.
struct SessionState {
  int dc = 2;
  std::optional<KeyState> key;
  std::int64_t user_id = 0;  // 0: not signed in (as far as the daemon saw)
  bool bot = false;
  // Auth keys of the other DCs the account used (session files keep them so that a restart does
  // not redo key exchanges; their authorization is transferred again when needed).
  std::map<int, KeyState> other_keys;
  // The update state (pts, qts, seq, date, channel pts) when it is known: a restored account
  // resumes with updates.getDifference from it, so nothing pushed meanwhile is lost.
  std::optional<updates::UpdateState> update_state;
};

// Where an account's time and DC links come from.
struct AccountRuntime {
  std::shared_ptr<Clock> clock;
  LinkFactory make_link;
};

class Account : public std::enable_shared_from_this<Account> {
 public:
  // The daemon's account: wall clock and Asio timers on `io`, links over TCP.
  Account(asio::io_context& io, asio::thread_pool& workers, std::shared_ptr<const tl::Schema> schema,
          ServerSettings server, SessionState session, AccountOptions options, crypto::RandomSource& random);
  Account(std::shared_ptr<const tl::Schema> schema, ServerSettings server, SessionState session,
          AccountOptions options, AccountRuntime runtime);
  ~Account();

  void attach(AccountClient* client);
  // Its queries are cancelled (rpc_drop_answer when already sent); no more callbacks to it, except
  // one on_failure("cancelled", reason) per cancelled query when a reason is given (the client
  // is still connected and waits for its answers).
  void detach(AccountClient* client, const std::string& reason = {});
  std::size_t clients() const { return clients_.size(); }

  // query: method bytes without an invokeWithLayer(initConnection) wrapper; init_prefix: the
  // client's wrapper, remembered for every new session; method: decodes the answer.
  void submit(AccountClient* client, std::int64_t id, std::vector<std::uint8_t> query, const tl::Combinator* method,
              std::optional<std::vector<std::uint8_t>> init_prefix, Duration timeout);

  SessionState session() const;
  // Updates leave the account through deliver_update: to this sink when set (a named session
  // numbers and buffers them), else to every attached client. `tracked`: the update passed
  // through the tracker (gap-free stream), so clients with wants_raw_updates() already had the
  // server's original and must not get it again.
  using UpdateSink = std::function<void(const std::string& message_json, bool tracked)>;
  void set_update_sink(UpdateSink sink) { update_sink_ = std::move(sink); }
  // A restored, signed-in account: connect the home DC now and make one call there so the server
  // starts pushing updates to this session (named sessions, before any client asks anything).
  void start_updates();
  // The tracked update state (pts/qts/seq/date, channel pts), for session files.
  const updates::UpdateTracker& update_tracker() const { return tracker_; }
  const ServerSettings& server() const { return server_; }
  // Closes every link gracefully (acks flushed); `done` runs when all are closed.
  void close(std::function<void()> done = nullptr);
  // Drops every TCP connection as a network failure would (tests).
  void drop_connections();

 private:
  using Pending = PendingCall;
  struct Dc {
    std::shared_ptr<AccountLink> link;
    bool inited = false;      // initConnection accepted on the current MTProto session
    bool authorized = false;  // the account's authorization is usable on this DC
    bool importing = false;   // auth.exportAuthorization/importAuthorization in progress
  };

  Dc* dc(int dc_id);  // creates the link on first use; nullptr when the address is unknown
  void send(Pending& p);
  void dispatch_waiting(int dc_id);
  void on_link_event(int dc_id, LinkEvent&& ev);
  void on_result(mtproto::session::RpcResult& r);
  void on_error(mtproto::session::RpcError& e);
  void answer(Pending& p, std::string json);
  void fail(Pending& p, std::string kind, std::string what);
  void finish(std::uint64_t token);
  void retry_later(Pending& p, Duration delay);
  void answer_error(Pending& p, std::int32_t code, const std::string& message);
  void move_home(int new_dc);
  void transfer_authorization(int from_dc, int to_dc);
  void fetch_dc_addresses();
  void internal_call(int dc_id, const std::string& json, std::function<void(const std::string* result, const mtproto::session::RpcError*)> done);
  void note_authorization(const Pending& p, const std::string& json);
  void push_update(const std::vector<std::uint8_t>& body);
  void deliver_update(std::string text, bool tracked = false);
  void start_tracking();
  void run_updates(std::vector<updates::Action> actions);
  void feed_result(const Pending& p, const std::string& text);
  void state_changed() const {
    if (options_.on_state_change) options_.on_state_change();
  }
  void arm_timer();
  void on_timer();
  void log(const std::string& line) const {
    if (options_.log) options_.log(line);
  }

  TimePoint now() const { return clock_->now(); }

  std::shared_ptr<Clock> clock_;
  LinkFactory make_link_;
  std::shared_ptr<const tl::Schema> schema_;
  tl::TlToJson decoder_;
  ServerSettings server_;
  AccountOptions options_;
  std::vector<std::uint8_t> init_prefix_;
  int home_dc_;
  std::int64_t user_id_ = 0;
  bool bot_ = false;
  std::map<int, Dc> dcs_;
  std::optional<KeyState> home_key_;  // restored key, used when the home link is created
  std::optional<updates::UpdateState> restored_updates_;  // from the session, for the first start
  std::map<int, KeyState> restored_keys_;  // other DCs' restored keys, used when their links are created
  UpdateSink update_sink_;
  updates::UpdateTracker tracker_;
  std::deque<updates::Action> update_actions_;  // run in order, also when a run adds more
  bool running_updates_ = false;
  bool home_link_lost_ = false;  // the home DC's connection dropped; LinkUp then means a reconnect
  bool tracking_tried_ = false;  // started once for this sign-in (a failed start is not retried per call)
  std::set<AccountClient*> clients_;
  PendingCalls pending_;
  std::unique_ptr<Alarm> alarm_;
  TimePoint alarm_at_ = TimePoint::max();  // when alarm_ fires; max: not set
  bool fetching_config_ = false;
  bool closing_ = false;
  std::function<void()> on_closed_;
};

}  // namespace mtjson::daemon
