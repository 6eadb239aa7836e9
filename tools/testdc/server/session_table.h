// Every MTProto session the server knows, keyed by (auth_key_id, session_id). A session outlives
// its connections: a client that reconnects finds its unacknowledged answers and pending updates
// ("Mobile Protocol: Detailed Description", "Session"). At most one connection carries a session at a time.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <utility>

#include "mtproto/session/server_session.h"
#include "testdc/server/api_handler.h"

namespace mtjson::testdc::server {

class Connection;

struct SessionEntry {
  SessionEntry(mtproto::session::AuthKeyLookup lookup, std::vector<mtproto::session::FutureSalt> salts,
               crypto::RandomSource& random)
      : session(std::move(lookup), std::move(salts), random) {}

  mtproto::session::ServerSession session;
  SessionApiState api;
  CallContext ctx;
  Connection* attached = nullptr;  // the connection carrying it now (single io thread)
  // Answers held back by the "delay" fault, released in order when due.
  struct Delayed {
    mtproto::session::TimePoint due;
    Answer answer;
  };
  std::deque<Delayed> delayed;
  bool ever_attached = false;
  std::int64_t last_seen_unix = 0;
};

// The server side's table of client sessions (not the daemon's SessionRegistry of named
// sessions): one entry per (auth_key_id, session_id), each with its ServerSession.
class ServerSessionTable {
 public:
  // Sessions kept per auth key; past this the longest-idle detached one is forgotten (a client
  // that comes back to it gets new_session_created, as from Telegram after a server restart).
  static constexpr std::size_t kMaxSessionsPerKey = 64;

  SessionEntry* find(std::uint64_t auth_key_id, std::uint64_t session_id);
  // Creates the entry when missing; `created` tells which.
  SessionEntry& get_or_create(std::uint64_t auth_key_id, std::uint64_t session_id,
                              const std::function<std::unique_ptr<SessionEntry>()>& make, bool& created);
  std::size_t size() const { return entries_.size(); }
  template <typename F>
  void for_each(F&& f) {
    for (auto& [key, e] : entries_) f(*e);
  }
  // Forgets every session (callers detach them from their connections first).
  void clear() { entries_.clear(); }

 private:
  void evict_for(std::uint64_t auth_key_id);
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::unique_ptr<SessionEntry>> entries_;
};

}  // namespace mtjson::testdc::server
