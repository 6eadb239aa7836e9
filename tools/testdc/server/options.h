// mtjson-testdc's command line. Bad input gives one line naming the flag (the main exits 2).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "testdc/server/faults.h"
#include "testdc/world/world.h"

namespace mtjson::testdc::server {

struct Options {
  std::string host = "127.0.0.1";
  int port = 4430;                       // DC n listens on port + n - 1
  int dcs = 3;
  std::string data_dir;                  // empty: state in memory only
  std::string rsa_key_file;
  bool print_public_key = false;
  std::vector<std::string> secrets;      // MTProxy secrets as given (hex or base64url)
  std::vector<std::string> schemas;      // API layers added to tl/api-144.tl and tl/api-198.tl
  std::vector<SeedAccount> seeds;
  bool verbose = false;
  bool help = false;
  std::optional<int> admin_port;         // --admin PORT (0: any free port)
  FaultConfig faults;                    // --drop-after, --drop-rate, --delay, --salt-rotate,
                                         // --clock-skew, --flood-wait (method names checked later)
};

// The options, or one line naming the bad flag.
Result<Options> parse_options(const std::vector<std::string>& args);
std::string usage_text();

// "PHONE[:FIRST[:PASSWORD]]"
Result<SeedAccount> parse_seed_account(const std::string& text);
// "METHOD:SECONDS[:COUNT]" (--flood-wait)
Result<MethodFault> parse_flood_wait(const std::string& text);

}  // namespace mtjson::testdc::server
