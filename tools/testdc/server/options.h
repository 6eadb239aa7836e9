// mtjson-testdc's command line. Bad input gives one line naming the flag (the main exits 2).
#pragma once

#include <optional>
#include <string>
#include <vector>

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
  std::vector<std::string> schemas;      // extra API layers; empty: tl/api-144.tl, tl/api-198.tl
  std::vector<SeedAccount> seeds;
  bool verbose = false;
  bool help = false;
};

struct ParsedOptions {
  std::optional<Options> options;
  std::string error;  // one line, when !options
};

ParsedOptions parse_options(const std::vector<std::string>& args);
std::string usage_text();

// "PHONE[:FIRST[:PASSWORD]]"
std::optional<SeedAccount> parse_seed_account(const std::string& text, std::string& error);

}  // namespace mtjson::testdc::server
