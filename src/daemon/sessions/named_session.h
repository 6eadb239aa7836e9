// A named shared session: one Account (auth keys, MTProto sessions, salts per DC)
// shared by every client attached to the name. Answers go to the client and id that asked (the
// Account routes them); every update is numbered (seq), kept in a bounded ring and sent to
// every attached client. With no client attached the account stays connected (keepalive pings)
// until the idle timeout; its file in --session-dir is written when keys or the authorization
// change, when seq passes its reservation, and on close (with the update ring beside it, so
// that `since` also works across a clean daemon restart).
//
// Members with options.raw_updates get the server's updates unnumbered, straight from the
// account; the numbered stream (and the ring, and `since` replays) is the gap-free one.
#pragma once

#include <cstdint>

#include <asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "daemon/account/account.h"
#include "daemon/sessions/session_file.h"
#include "daemon/sessions/update_ring.h"

namespace mtjson::daemon {

class Daemon;

// A client as a named session sees it: an AccountClient that also takes numbered updates.
class SessionMember : public AccountClient {
 public:
  virtual void on_session_update(std::uint64_t seq, const std::string& message_json) = 0;
};

class NamedSession : public std::enable_shared_from_this<NamedSession> {
 public:
  // `store` may be null (no --session-dir: the session lives in memory only).
  NamedSession(Daemon& daemon, SessionRecord record, ServerSettings server, SessionStore* store,
               std::function<void(NamedSession*)> on_idle);
  ~NamedSession();

  // Creates the account; a signed-in one connects at once so updates start flowing.
  void start();
  // Attaches `m` (to the account too). With `since`: what it missed, to be written to it, in
  // order, right after the answer and before any newer update.
  UpdateRing::Replay attach(SessionMember* m, std::optional<std::uint64_t> since);
  // Its queries are cancelled (see Account::detach); the idle timer starts with the last one.
  void detach(SessionMember* m, const std::string& reason = {});
  // Saves, then closes the account (daemon shutdown or idle timeout).
  void close();

  const std::string& name() const { return record_.name; }
  Account& account() { return *account_; }
  std::size_t members() const { return members_.size(); }
  std::uint64_t last_seq() const { return ring_.last_seq(); }
  // The key of the home DC as the file would hold it (to compare a client's auth_key with).
  std::optional<KeyState> home_key() const { return account_ ? account_->session().key : record_.state.key; }
  // Writes the file now (no-op without a store). `exact`: seq as is (close), else reserved ahead.
  void save(bool exact = false);

 private:
  void on_update(const std::string& message_json, bool tracked);
  void arm_idle();
  void restore_ring(const std::string& who);

  Daemon& daemon_;
  SessionRecord record_;
  ServerSettings server_;
  SessionStore* store_;
  std::function<void(NamedSession*)> on_idle_;
  std::shared_ptr<Account> account_;
  std::set<SessionMember*> members_;
  UpdateRing ring_;
  std::uint64_t persisted_seq_ = 0;
  asio::steady_timer idle_timer_;
  bool closed_ = false;
};

}  // namespace mtjson::daemon
