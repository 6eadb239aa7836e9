// The state one mtjson-testdc process shares between its connections (all on one io thread):
// the world, the layers, auth keys, sessions, and what a new connection is configured with.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "crypto/random.h"
#include "crypto/rsa.h"
#include "mtproto/session/session_clock.h"
#include "testdc/server/api_handler.h"
#include "testdc/server/auth_keys.h"
#include "testdc/server/faults.h"
#include "testdc/server/layer_schemas.h"
#include "testdc/server/session_table.h"
#include "testdc/world/world.h"
#include "transport/server_connection.h"

namespace mtjson::testdc::server {

using LogFn = std::function<void(const std::string&)>;

struct ServerCore {
  ServerCore(World& w, LayerSchemas l, crypto::RandomSource& r, LogFn lg, bool verbose)
      : world(w), layers(std::move(l)), random(r), log(std::move(lg)), verbose(verbose),
        keys(world, random), api(world, layers, keys, log, verbose) {
    api.set_fault_hooks(&faults, &stats);
  }

  World& world;
  LayerSchemas layers;
  crypto::RandomSource& random;
  LogFn log;
  bool verbose = false;
  AuthKeyStore keys;
  ApiHandler api;
  ServerSessionTable sessions;
  std::vector<crypto::RsaPrivateKey> rsa_keys;
  std::vector<transport::ProxySecret> secrets;
  std::set<Connection*> connections;  // live ones, to close them on shutdown
  std::function<void()> on_last_closed;  // set while shutting down
  bool dirty = false;              // something to save since the last save
  std::uint64_t next_connection_id = 1;
  int dc_count = 0;
  FaultConfig faults;
  Stats stats;
  std::function<void()> on_salt_rotate_changed;  // the server re-arms its periodic rotation

  // The server's clock: the system clock plus the clock_skew fault. Everything the clients see
  // (msg_ids, server_time, salts' validity, dates) and checks of their msg_ids use it.
  mtproto::session::TimePoint now() const;
  std::int64_t unix_now() const { return mtproto::session::to_unix_seconds(now()); }

  // Fault actions (fault_actions.cpp); each logs one line.
  // Cuts every client connection (of one DC) at once, like a network failure; returns how many.
  std::size_t drop_connections(std::optional<int> dc);
  // A new salt for every auth key, the old ones invalid at once; returns the sessions updated.
  std::size_t rotate_salts(const std::string& why);
  // Forgets every auth key (and its authorization and sessions); returns how many keys.
  std::size_t destroy_keys();
  // Forgets every MTProto session but keeps the auth keys, as a server restart does
  // ("Service Messages", new_session_created); returns how many.
  std::size_t forget_sessions();
  void set_clock_skew(std::int64_t seconds);
  // The counters of Stats plus what is live now.
  nlohmann::json stats_json() const;

  // Delivers one Updates object to a session (World's Push), in that session's layer.
  void deliver_push(const Push& push, mtproto::session::TimePoint now);

  void clear_sessions();

  void info(const std::string& line) const {
    if (log) log(line);
  }
};

mtproto::session::TimePoint now_point();

}  // namespace mtjson::testdc::server
