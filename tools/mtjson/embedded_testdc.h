// `mtjson --testdc`: an mtjson-testdc run in-process on its own thread, and the `server` settings
// that point new clients at it. Part of the mtjson executable's start-up, which lives in tools/
// because it joins the daemon library with the test DC: the library knows nothing of the test
// DC (tools/check_layers.sh keeps it so), it is just given these settings.
#pragma once

#include <cstdint>
#include <memory>
#include <thread>

#include "base/status.h"
#include "daemon/account/server_settings.h"
#include "daemon/daemon.h"

namespace mtjson::testdc::server {
class Server;
}

namespace mtjson::daemon {

class EmbeddedTestDc {
 public:
  // DCs 1..3 on loopback with layers 228 (+ 198, 144 for older clients) and its own RSA key
  // (kept in config.testdc_data when given, else made fresh in memory); running when returned.
  static Result<std::unique_ptr<EmbeddedTestDc>> start(const DaemonConfig& config);
  ~EmbeddedTestDc();

  // Stops its loop and joins its thread (the world is saved with --testdc-data). Idempotent.
  void stop();
  // DC 2 as the home DC of new accounts, every DC's address, and the test DC's key.
  ServerSettings server_settings() const;
  // Its admin endpoint (fault injection); 0 when there is none or after stop().
  std::uint16_t admin_port() const;

 private:
  EmbeddedTestDc() = default;

  std::unique_ptr<testdc::server::Server> server_;
  std::thread thread_;
  std::string public_pem_;
};

}  // namespace mtjson::daemon
