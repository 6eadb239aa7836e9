// mtjson-testdc: a local fake Telegram (MTProto 2.0 server, DC 1..N) for tests and interop
// scripts. See --help and tools/testdc/server/.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "testdc/server/admin.h"
#include "testdc/server/layer_schemas.h"
#include "testdc/server/options.h"
#include "testdc/server/rsa_key_file.h"
#include "testdc/server/server.h"
#include "tl/default_schema.h"
#include "transport/mtproxy_secret.h"

namespace {

using namespace mtjson::testdc::server;

void log_line(const std::string& line) {
  static std::mutex mutex;
  std::timespec ts{};
  std::timespec_get(&ts, TIME_UTC);
  std::tm tm{};
  gmtime_r(&ts.tv_sec, &tm);
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "%02d:%02d:%02d.%03ld", tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
  std::lock_guard lock(mutex);
  std::fprintf(stderr, "%s %s\n", stamp, line.c_str());
  std::fflush(stderr);
}

int fail(const std::string& message, int code = 1) {
  std::fprintf(stderr, "mtjson-testdc: %s\n", message.c_str());
  return code;
}

std::string key_dir(const Options& o) {
  if (!o.data_dir.empty()) return o.data_dir;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.mtjson-testdc";
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed) return fail(parsed.message(), 2);
  Options& o = *parsed;
  if (o.help) {
    std::fputs(usage_text().c_str(), stdout);
    return 0;
  }

  auto key = load_or_create_rsa_key(o.rsa_key_file, key_dir(o));
  if (!key) return fail("RSA key: " + key.message());
  if (o.print_public_key) {
    auto pem = key->key.public_key().to_pem();
    if (!pem) return fail("RSA key: " + pem.message());
    std::fputs(pem->c_str(), stdout);
    return 0;
  }

  const std::string dir = mtjson::tl::default_schema_dir();
  // --schema adds layers to the defaults; LayerSchemas refuses a layer loaded twice.
  std::vector<std::string> api_files = {dir + "/scheme.tl", dir + "/tl/api-144.tl", dir + "/tl/api-198.tl"};
  api_files.insert(api_files.end(), o.schemas.begin(), o.schemas.end());

  ServerConfig cfg;
  if (auto s = LayerSchemas::load(api_files, dir + "/tl/mtproto.tl", cfg.layers); !s)
    return fail((o.schemas.empty() ? "schema: " : "--schema: ") + s.message(), o.schemas.empty() ? 1 : 2);
  for (const MethodFault& f : o.faults.methods)
    if (!known_method(cfg.layers, f.method))
      return fail("--flood-wait: '" + f.method + "' is not a method of any loaded layer (or *)", 2);
  for (const std::string& text : o.secrets) cfg.secrets.push_back(*mtjson::transport::parse_proxy_secret(text));
  cfg.host = o.host;
  cfg.port = o.port;
  cfg.dcs = o.dcs;
  cfg.data_dir = o.data_dir;
  cfg.rsa_keys.push_back(key->key);
  cfg.seeds = o.seeds;
  cfg.verbose = o.verbose;
  cfg.log = log_line;
  cfg.handle_signals = true;
  if (o.admin_port) cfg.admin_port = *o.admin_port == 0 ? kAdminEphemeralPort : *o.admin_port;
  cfg.faults = o.faults;

  std::string layers;
  for (const auto& l : cfg.layers.all()) layers += (layers.empty() ? "" : ", ") + std::to_string(l->layer);
  const std::uint64_t fingerprint = key->key.public_key().fingerprint();

  auto server = Server::create(std::move(cfg));
  if (!server) return fail(server.message());
  std::string dcs;
  for (std::size_t i = 0; i < (*server)->ports().size(); ++i)
    dcs += (i ? ", " : "") + std::string("DC ") + std::to_string(i + 1) + " " + o.host + ":" +
           std::to_string((*server)->ports()[i]);
  char fp[24];
  std::snprintf(fp, sizeof fp, "%016llx", static_cast<unsigned long long>(fingerprint));
  const std::string admin =
      (*server)->admin_port() ? "; admin 127.0.0.1:" + std::to_string((*server)->admin_port()) : std::string();
  log_line("mtjson-testdc: " + dcs + "; layers " + layers + "; RSA key " + key->origin + " (fingerprint " + fp +
           "); " + (o.data_dir.empty() ? std::string("state in memory") : "data in " + o.data_dir) + admin);
  auto s = (*server)->run();
  if (!s) return fail("save: " + s.message());
  return 0;
}
