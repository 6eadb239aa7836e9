// mtjson's command line. A bad flag gives one line naming it (the main exits 2).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "daemon/daemon.h"

namespace mtjson::daemon {

struct Options {
  DaemonConfig daemon;
  std::string schema_file;  // empty: scheme.tl next to the build / install
  std::string rsa_file;
  std::string log_level = "info";
  bool help = false;
  bool version = false;
};

Result<Options> parse_options(const std::vector<std::string>& args);
std::string usage_text();

}  // namespace mtjson::daemon
