// The mtjson daemon: a TCP listener for JSON-lines clients, one Asio event loop, a small worker
// pool for key-exchange math. New clients talk to DaemonConfig::server (with --testdc the mtjson
// executable starts an embedded test DC first and puts its settings there: tools/mtjson/embedded_testdc.h).
#pragma once

#include <cstdint>

#include <asio/awaitable.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/signal_set.hpp>
#include <asio/thread_pool.hpp>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "crypto/random.h"
#include "base/status.h"
#include "daemon/account/account.h"
#include "daemon/account/server_settings.h"
#include "daemon/sessions/access.h"
#include "tl/schema.h"

namespace mtjson::daemon {

class ClientPeer;
class SessionRegistry;

struct DaemonConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 1543;  // 0: ephemeral (tests; see Daemon::port())
  ServerSettings server;      // what new clients talk to
  AccountOptions account;
  Duration rpc_timeout = std::chrono::seconds(60);
  std::size_t max_line = 16u << 20;     // bytes in one request line
  std::size_t max_output = 64u << 20;   // bytes queued for one client before it is dropped
  bool verbose = false;                 // log every line in and out (secrets redacted)
  bool handle_signals = false;          // SIGINT/SIGTERM -> graceful stop
  std::shared_ptr<const tl::Schema> schema;
  // Named shared sessions.
  std::string session_dir;  // empty: named sessions live in memory only
  Duration session_idle_timeout = std::chrono::minutes(15);  // zero: kept until the daemon stops
  std::size_t session_buffer = 10000;  // updates kept per named session for re-attach with "since"
  TokenSet tokens;                     // --token: clients authenticate first
  bool insecure = false;               // --insecure: listen beyond loopback without a token
  // --testdc: the mtjson executable runs a test DC in-process and points `server` at it before
  // Daemon::create (tools/mtjson/embedded_testdc.h); the daemon itself does not read these.
  bool testdc = false;
  std::string testdc_data;  // its state directory (empty: in memory)
  int testdc_port = 0;      // DC 1's port (DC n on +n-1); 0: ephemeral ports
  bool testdc_verbose = false;
  int testdc_admin = 0;     // its admin endpoint (fault injection): 0 none, -1 any free port
};

class Daemon {
 public:
  static Result<std::unique_ptr<Daemon>> create(DaemonConfig config);
  ~Daemon();

  // Runs until stop() (or a signal with handle_signals). Thread-safe stop().
  void run();
  void stop();
  std::uint16_t port() const { return port_; }

  // For client peers.
  asio::io_context& io() { return io_; }
  asio::thread_pool& workers() { return workers_; }
  const DaemonConfig& config() const { return config_; }
  crypto::RandomSource& random() { return crypto::default_random(); }
  void forget(ClientPeer* peer);
  // Keeps a closing account alive until its links have said goodbye.
  void retire(std::shared_ptr<Account> account);
  SessionRegistry& sessions() { return *sessions_; }
  // Clients must send {"auth":{"token":...}} first.
  bool auth_required() const { return !config_.tokens.empty(); }

 private:
  Daemon(DaemonConfig config);
  asio::awaitable<void> accept_loop();
  void begin_shutdown();

  DaemonConfig config_;
  asio::io_context io_;
  asio::thread_pool workers_{2};
  asio::ip::tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::map<ClientPeer*, std::shared_ptr<ClientPeer>> peers_;
  std::set<std::shared_ptr<Account>> retiring_;
  std::unique_ptr<SessionRegistry> sessions_;
  std::uint64_t next_peer_ = 1;
  bool stopping_ = false;
  std::unique_ptr<asio::signal_set> signals_;
};

}  // namespace mtjson::daemon
