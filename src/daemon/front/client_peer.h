// One JSON-lines client connection (the daemon's front end): reads request lines, answers
// server/session at once, hands messages to its account, writes answers and updates as they
// come. Output is a bounded queue: a client that stops reading is disconnected with a logged
// reason instead of growing the daemon's memory.
#pragma once

#include <cstdint>

#include <asio/awaitable.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <deque>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <simdjson.h>
#include <string>

#include "base/write_buffer.h"
#include "daemon/account/account.h"
#include "daemon/front/method_call.h"
#include "daemon/front/request.h"
#include "daemon/sessions/access.h"
#include "daemon/sessions/named_session.h"

namespace mtjson::daemon {

class Daemon;

class ClientPeer : public SessionMember, public std::enable_shared_from_this<ClientPeer> {
 public:
  ClientPeer(Daemon& daemon, asio::ip::tcp::socket socket, std::uint64_t number);
  ~ClientPeer() override;

  void start();
  // Finish writing what is queued, then close (daemon shutdown).
  void shutdown();
  std::uint64_t number() const { return number_; }

  // AccountClient
  void on_answer(std::int64_t id, std::string message_json) override;
  void on_failure(std::int64_t id, std::string kind, std::string what) override;
  void on_update(std::string message_json) override;
  // SessionMember: an update of the named session this client is attached to.
  void on_session_update(std::uint64_t seq, const std::string& message_json) override;

  // {"options":{"raw_updates":true}}: this client keeps its own update state (pts/qts/seq) and
  // wants updates exactly as they come, without the daemon's gap recovery.
  bool raw_updates() const { return raw_updates_; }
  bool wants_raw_updates() const override { return raw_updates_; }

 private:
  // Wrong tokens a connection may send before it is dropped (guessing costs a reconnect each time).
  static constexpr int kMaxAuthFailures = 3;

  asio::awaitable<void> reader();
  void handle_line(std::string_view line, std::uint64_t line_number);
  void error_line(std::optional<std::int64_t> id, const std::string& kind, const std::string& what);
  void write(std::string line);
  void write_some();
  void close(const std::string& reason);
  // After the client's half-close: close once every request read is answered and written.
  void finish_if_done();
  void release_account(const std::string& reason = {});
  Account& account();
  // The keys of a parsed line, applied in this order by handle_line. Each returns what it adds
  // to the answer (",\"auth\":{...}") or the error to answer with, of the kind named here.
  // {"auth":{...}} (kind "auth"); also refuses a line without one before authentication.
  Result<std::string> apply_auth(const Request& request);
  Result<std::string> apply_options(const Request& request);  // kind "request"
  Result<std::string> apply_server(const Request& request);   // kind "server"
  // Kind "auth": a session the token does not cover.
  Status may_use(const SessionFields& session) const;
  struct SessionAnswer {
    std::string extra;
    std::optional<UpdateRing::Replay> replay;  // for an attach to a named session
  };
  Result<SessionAnswer> apply_session(const SessionFields& session);  // kind "session"
  // {"session":{"name":...}}: attaches to the named session (kind "session").
  Status attach_named(const SessionFields& session, UpdateRing::Replay& replay);
  // The `session` object of an answer for a named session (auth_key only when may_see_keys()).
  nlohmann::json named_json(const UpdateRing::Replay* replay) const;
  // Session data (auth keys) may be shown: no authentication needed, or an unlimited token.
  bool may_see_keys() const { return grant_.all; }

  Daemon& daemon_;
  asio::ip::tcp::socket socket_;
  std::uint64_t number_;
  std::string peer_;
  simdjson::dom::parser parser_;
  MethodEncoder encoder_;
  ServerSettings server_;
  std::optional<SessionState> restore_;  // set by {"session": {...}}, used by the next account
  std::shared_ptr<Account> account_;
  std::shared_ptr<NamedSession> named_;  // set when attached to a named session (account_ is its)
  bool authed_ = false;                  // {"auth"} accepted, or none required
  Grant grant_;                          // what the client may use once authed_
  int auth_failures_ = 0;
  bool raw_updates_ = false;
  WriteBuffer out_;  // answer lines not written yet (bounded by --max-output)
  bool closed_ = false;
  bool shutting_down_ = false;
  bool input_ended_ = false;    // the client shut down its sending side
  std::size_t in_flight_ = 0;   // message requests submitted and not answered yet
  // Extra keys ("server", "session") to add to the answer line of a message request, by id.
  std::multimap<std::int64_t, std::string> extras_;
};

}  // namespace mtjson::daemon
