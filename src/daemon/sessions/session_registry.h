// The daemon's named sessions by name: found in memory, else loaded from --session-dir on first
// attach, else created (with the auth key the client gave, or none: a new key on first call).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "base/status.h"
#include "daemon/sessions/named_session.h"
#include "daemon/sessions/session_file.h"

namespace mtjson::daemon {

class Daemon;

class SessionRegistry {
 public:
  // `store` may be null (sessions in memory only).
  SessionRegistry(Daemon& daemon, std::unique_ptr<SessionStore> store);
  ~SessionRegistry();

  // The session `name`, started. `initial`/`server`: what a new one starts from (ignored for one
  // that exists; a different auth key for an existing one is an error). Errors are for the
  // client ("session.auth_key: ...").
  Result<std::shared_ptr<NamedSession>> open(const std::string& name, const std::optional<SessionState>& initial,
                                                     const ServerSettings& server);
  // Daemon shutdown: every session saved and closed.
  void close_all();
  std::size_t size() const { return sessions_.size(); }
  const SessionStore* store() const { return store_.get(); }

 private:
  void forget(NamedSession* session);

  Daemon& daemon_;
  std::unique_ptr<SessionStore> store_;
  std::map<std::string, std::shared_ptr<NamedSession>> sessions_;
};

}  // namespace mtjson::daemon
