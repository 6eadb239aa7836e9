#include "daemon/sessions/session_registry.h"

#include <asio/post.hpp>

#include "daemon/daemon.h"
#include "daemon/log.h"

namespace mtjson::daemon {

SessionRegistry::SessionRegistry(Daemon& daemon, std::unique_ptr<SessionStore> store)
    : daemon_(daemon), store_(std::move(store)) {}

SessionRegistry::~SessionRegistry() = default;

Result<std::shared_ptr<NamedSession>> SessionRegistry::open(const std::string& name,
                                                                    const std::optional<SessionState>& initial,
                                                                    const ServerSettings& server) {
  using R = Result<std::shared_ptr<NamedSession>>;
  auto same_key = [&](const std::optional<KeyState>& existing) {
    // Attaching with the key the session already has is fine (clients may always send their
    // whole session object); another key would change the account under the other clients.
    if (!initial || !initial->key) return true;
    return existing && existing->auth_key.key == initial->key->auth_key.key;
  };
  const std::string differs = "session.auth_key: named session '" + name +
                              "' exists with another auth key (attach with just the name, or use another name)";
  if (auto it = sessions_.find(name); it != sessions_.end()) {
    if (!same_key(it->second->home_key())) return R::error(differs);
    return it->second;
  }
  SessionRecord record;
  record.name = name;
  ServerSettings srv = server;
  bool loaded = false;
  if (store_) {
    auto r = store_->load(name);
    if (!r) {
      log_line(LogLevel::error, "session '" + name + "': " + r.message());
      return R::error("session '" + name + "': its file in --session-dir cannot be used (see the daemon's log)");
    }
    if (*r) {
      if (!same_key((*r)->state.key)) return R::error(differs);
      record = std::move(**r);
      srv = daemon_.config().server;
      if (!record.server.empty())
        if (auto st = srv.apply(record.server); !st) return R::error("session '" + name + "': its file's " + st.message());
      srv.dc = record.state.dc;
      loaded = true;
    }
  }
  if (!loaded) {
    if (initial) record.state = *initial;
    else record.state.dc = srv.dc;
  }
  auto session = std::make_shared<NamedSession>(daemon_, std::move(record), std::move(srv), store_.get(),
                                                [this](NamedSession* s) { forget(s); });
  sessions_[name] = session;
  session->start();
  if (!loaded) session->save();
  log_line(LogLevel::info, "session '" + name + "': " + (loaded ? "loaded from " + store_->path_of(name) : std::string("created")));
  return session;
}

void SessionRegistry::forget(NamedSession* session) {
  auto it = sessions_.find(session->name());
  if (it == sessions_.end() || it->second.get() != session) return;
  auto keep = it->second;
  sessions_.erase(it);
  keep->close();
  // Released after the current handler (the timer callback holds it too).
  asio::post(daemon_.io(), [keep] {});
}

void SessionRegistry::close_all() {
  for (auto& [name, s] : sessions_) s->close();
  sessions_.clear();
}

}  // namespace mtjson::daemon
