// mtjson: the JSON-lines MTProto proxy daemon. See --help and src/daemon/.
#include <cstdio>
#include <string>
#include <vector>

#include "daemon/daemon.h"
#include "mtjson/embedded_testdc.h"
#include "daemon/log.h"
#include "daemon/options.h"
#include "tl/default_schema.h"
#include "tl/schema_loader.h"

int main(int argc, char** argv) {
  using namespace mtjson::daemon;
  auto parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed) {
    std::fprintf(stderr, "mtjson: %s\n", parsed.message().c_str());
    return 2;
  }
  Options& o = *parsed;
  if (o.help) {
    std::fputs(usage_text().c_str(), stdout);
    return 0;
  }
  if (o.version) {
    std::puts("mtjson 0.1.0");
    return 0;
  }
  LogLevel level = LogLevel::info;
  parse_log_level(o.log_level, level);
  set_log_level(level);

  const std::string dir = mtjson::tl::default_schema_dir();
  const std::string api = o.schema_file.empty() ? dir + "/scheme.tl" : o.schema_file;
  std::shared_ptr<const mtjson::tl::Schema> schema;
  if (auto st = mtjson::tl::load_schema_files({api, dir + "/tl/mtproto.tl"}, schema); !st) {
    std::fprintf(stderr, "mtjson: schema: %s\n", st.message().c_str());
    return 1;
  }
  o.daemon.schema = schema;
  o.daemon.handle_signals = true;
  // --testdc: the test DC runs before the daemon exists (new clients are pointed at its ports)
  // and stops after the daemon's loop ended, before the daemon is destroyed.
  std::unique_ptr<EmbeddedTestDc> testdc;
  if (o.daemon.testdc) {
    auto started = EmbeddedTestDc::start(o.daemon);
    if (!started) {
      std::fprintf(stderr, "mtjson: %s\n", started.message().c_str());
      return 1;
    }
    testdc = std::move(*started);
    o.daemon.server = testdc->server_settings();
  }
  auto created = Daemon::create(std::move(o.daemon));
  if (!created) {
    if (testdc) testdc->stop();
    std::fprintf(stderr, "mtjson: %s\n", created.message().c_str());
    return 1;
  }
  std::unique_ptr<Daemon> daemon = std::move(*created);
  const auto& c = daemon->config();
  std::string target;
  if (c.testdc) {
    target = "embedded test DC (DCs 1-3 on 127.0.0.1:";
    for (auto& [n, a] : c.server.dc_addresses) target += (n > 1 ? "," : "") + std::to_string(a.second);
    target += ")";
  } else {
    auto j = c.server.to_json();
    target = std::string(c.server.test ? "Telegram test" : "Telegram") + " DC " + std::to_string(c.server.dc) + " at " +
             j.value("host", std::string("?")) + ":" + std::to_string(j.value("port", 443));
  }
  log_line(LogLevel::info, "mtjson listening on " + c.host + ":" + std::to_string(daemon->port()) + "; layer " +
                               std::to_string(schema->layer()) + "; new clients use the " + target);
  if (testdc && testdc->admin_port())
    log_line(LogLevel::info, "test DC admin endpoint on 127.0.0.1:" + std::to_string(testdc->admin_port()));
  daemon->run();
  log_line(LogLevel::info, "mtjson stopped");
  if (testdc) testdc->stop();
  daemon.reset();
  return 0;
}
