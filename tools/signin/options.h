// mtjson-signin's command line. Bad input gives one line naming the flag (main exits 1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"
#include "signin/protocol.h"

namespace mtjson::signin {

struct Options {
  std::string host = "localhost";  // the daemon
  int port = 1543;
  std::string phone;                    // normalized digits
  std::optional<std::string> password;
  std::string bot_token;
  std::optional<std::int32_t> api_id;
  std::optional<std::string> api_hash;
  std::string device_model = "mtjson-signin";
  std::string system_version;  // empty: uname
  std::string app_version;     // empty: the project version
  std::string lang_code = "en";
  bool test = false;           // Telegram's test DCs
  std::string server_host;     // --server HOST:PORT
  int server_port = 0;
  std::string rsa_file;        // --rsa FILE
  std::string out_file;        // empty: stdout
  bool json = false;           // no prompts: inputs from flags and stdin lines
  std::string check_file;      // --check FILE
  bool help = false;
};

// The options, or one line naming the bad flag.
Result<Options> parse_options(const std::vector<std::string>& args);
std::string usage_text();

// The {"server":...} value to send first (null when no server flag was given): "test" for --test,
// "host"/"port" for --server, "rsa" (the PEM text) for --rsa.
Json server_value(const Options& options, const std::string& rsa_pem);

}  // namespace mtjson::signin
