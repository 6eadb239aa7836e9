// The server-wide fault actions of ServerCore (admin commands and --salt-rotate / --clock-skew):
// cut connections, rotate salts, forget auth keys, skew the clock, report counters.
#include <algorithm>
#include <set>

#include "testdc/server/connection.h"
#include "testdc/server/server_core.h"

namespace mtjson::testdc::server {

namespace {

// Every session gets its key's salt list (they share one per auth key, as the handshake's
// first salt is per key).
void sync_session_salts(ServerCore& core) {
  const std::int64_t t = core.unix_now();
  core.sessions.for_each([&](SessionEntry& e) {
    if (ServerKeyState* k = core.keys.find(e.ctx.auth_key_id, t)) e.session.set_salts(k->salts);
  });
}

}  // namespace

std::size_t ServerCore::drop_connections(std::optional<int> dc) {
  const std::set<Connection*> open = connections;  // abort() never erases, but be safe
  std::size_t closed = 0;
  for (Connection* c : open) {
    if (c->closing() || (dc && c->dc_id() != *dc)) continue;
    c->abort("fault drop_connections");
    ++closed;
  }
  stats.dropped_by_faults += closed;
  ++stats.faults_fired;
  info("fault drop_connections: " + std::to_string(closed) + " connection(s) cut" +
       (dc ? " on dc" + std::to_string(*dc) : std::string()));
  return closed;
}

std::size_t ServerCore::rotate_salts(const std::string& why) {
  const std::int64_t t = unix_now();
  std::size_t key_count = 0;
  keys.for_each([&](ServerKeyState& k) {
    keys.rotate_salt(k, t);
    ++key_count;
  });
  std::size_t session_count = 0;
  sessions.for_each([&](SessionEntry&) { ++session_count; });
  sync_session_salts(*this);
  ++stats.salt_rotations;
  ++stats.faults_fired;
  info("fault rotate_salt (" + why + "): new salt for " + std::to_string(key_count) + " auth key(s), " +
       std::to_string(session_count) + " session(s); old salts invalid now");
  return session_count;
}

void ServerCore::clear_sessions() {
  // Their connections hold pointers to them: detach first.
  sessions.for_each([&](SessionEntry& e) {
    if (Connection* c = e.attached) {
      c->detach(&e);
      world.session_closed(e.ctx.auth_key_id, static_cast<std::int64_t>(e.ctx.session_id));
    }
  });
  sessions.clear();
}

std::size_t ServerCore::forget_sessions() {
  const std::size_t n = sessions.size();
  clear_sessions();
  stats.sessions_forgotten += n;
  ++stats.faults_fired;
  info("fault forget_sessions: " + std::to_string(n) +
       " session(s) forgotten (auth keys kept); their next packets start new sessions (new_session_created)");
  return n;
}

std::size_t ServerCore::destroy_keys() {
  clear_sessions();
  std::set<std::uint64_t> ids;
  keys.for_each([&](ServerKeyState& k) { ids.insert(k.key.id); });
  for (std::uint64_t id : world.auth_key_ids()) ids.insert(id);
  keys.clear();
  // A DC that lost a key lost what hung off it: the authorization too.
  for (std::uint64_t id : ids) {
    world.remove_auth_key(id);
    world.destroy_authorization(id);
  }
  dirty = true;
  ++stats.faults_fired;
  info("fault destroy_keys: " + std::to_string(ids.size()) +
       " auth key(s) forgotten; their next packets get transport error -404");
  return ids.size();
}

void ServerCore::set_clock_skew(std::int64_t seconds) {
  faults.clock_skew = seconds;
  world.set_clock_offset(seconds);
  // Salts handed out before the jump stay valid at the new time (same values).
  const std::int64_t t = unix_now();
  keys.for_each([&](ServerKeyState& k) { keys.cover_time(k, t); });
  sync_session_salts(*this);
  info("fault clock_skew: the server's clock runs " + std::to_string(seconds) + " s " +
       (seconds < 0 ? "behind" : "ahead"));
}

nlohmann::json ServerCore::stats_json() const {
  nlohmann::json calls = nlohmann::json::object();
  for (const auto& [method, n] : stats.calls) calls[method] = n;
  std::size_t open = 0;
  for (const Connection* c : connections)
    if (!c->closing()) ++open;
  return {
      {"connections_open", open},
      {"connections_accepted", stats.connections_accepted},
      {"handshakes_completed", stats.handshakes_completed},
      {"calls", std::move(calls)},
      {"rpc_errors_sent", stats.rpc_errors_sent},
      {"dropped_by_faults", stats.dropped_by_faults},
      {"faults_fired", stats.faults_fired},
      {"quick_acks_sent", stats.quick_acks_sent},
      {"transport_errors_sent", stats.transport_errors_sent},
      {"salt_rotations", stats.salt_rotations},
      {"updates_skipped", stats.updates_skipped},
      {"updates_too_long", stats.updates_too_long},
      {"sessions_forgotten", stats.sessions_forgotten},
      {"auth_keys", keys.size()},
      {"sessions", sessions.size()},
  };
}

}  // namespace mtjson::testdc::server
