// mtjson-testdc as a library: DC 1..N listeners on one io_context thread, the world behind
// them, periodic and final saves with --data, fault injection (admin.h) in process and over the
// --admin TCP endpoint. The main (tools/testdc/mtjson-testdc.cpp) and the integration tests
// both drive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crypto/random.h"
#include "base/status.h"
#include "crypto/rsa.h"
#include "testdc/server/faults.h"
#include "testdc/server/layer_schemas.h"
#include "testdc/server/server_core.h"
#include "testdc/world/world.h"
#include "transport/mtproxy_secret.h"

namespace mtjson::testdc::server {

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 4430;   // DC 1; DC n on port + n - 1. 0: an ephemeral port per DC (tests)
  int dcs = 3;
  std::string data_dir;  // empty: memory only
  std::vector<crypto::RsaPrivateKey> rsa_keys;
  std::vector<transport::ProxySecret> secrets;
  LayerSchemas layers;
  std::vector<SeedAccount> seeds;
  bool verbose = false;
  LogFn log;                                   // one line per event; nullptr: silent
  std::chrono::milliseconds save_interval{2000};  // with data_dir: save this long after a change
  bool handle_signals = false;                 // SIGINT/SIGTERM -> stop (the main)
  crypto::RandomSource* random = nullptr;      // default: crypto::default_random()
  // The admin TCP endpoint on 127.0.0.1: 0 none, kAdminEphemeralPort any free port (tests).
  int admin_port = 0;
  FaultConfig faults;                          // active from the start (the CLI's fault flags)
};

inline constexpr int kAdminEphemeralPort = -1;

class Server {
 public:
  // Loads (or creates) the world and binds every DC's port.
  static Result<std::unique_ptr<Server>> create(ServerConfig config);
  ~Server();

  // The bound port of each DC (index 0 = DC 1).
  const std::vector<std::uint16_t>& ports() const { return ports_; }
  // Runs the io thread's loop until stop(); saves the world before returning (with --data).
  Status run();
  // Thread-safe.
  void stop();

  // Runs one admin command (admin.h) on the io thread and returns its answer. Thread-safe: from
  // any thread, while run() runs on another one or not at all (then it runs in the caller).
  nlohmann::json admin(const nlohmann::json& command);
  // The admin endpoint's bound port (0: none).
  std::uint16_t admin_port() const { return admin_port_; }

  World& world() { return *world_; }
  Status save();

 private:
  struct Impl;
  Server() = default;
  std::unique_ptr<World> world_;
  std::unique_ptr<Impl> impl_;
  std::vector<std::uint16_t> ports_;
  std::uint16_t admin_port_ = 0;
};

}  // namespace mtjson::testdc::server
