#include "mtjson/embedded_testdc.h"

#include <optional>

#include "daemon/log.h"
#include "testdc/server/layer_schemas.h"
#include "testdc/server/rsa_key_file.h"
#include "testdc/server/server.h"
#include "tl/default_schema.h"

namespace mtjson::daemon {

namespace ts = testdc::server;

Result<std::unique_ptr<EmbeddedTestDc>> EmbeddedTestDc::start(const DaemonConfig& c) {
  using R = Result<std::unique_ptr<EmbeddedTestDc>>;
  ts::ServerConfig cfg;
  cfg.host = "127.0.0.1";
  cfg.port = c.testdc_port;
  cfg.dcs = 3;
  cfg.data_dir = c.testdc_data;
  const std::string dir = tl::default_schema_dir();
  if (auto st = ts::LayerSchemas::load({dir + "/scheme.tl", dir + "/tl/api-198.tl", dir + "/tl/api-144.tl"},
                                       dir + "/tl/mtproto.tl", cfg.layers);
      !st)
    return R::error("test DC schema: " + st.message());
  std::optional<crypto::RsaPrivateKey> key;
  if (!c.testdc_data.empty()) {
    auto loaded = ts::load_or_create_rsa_key("", c.testdc_data);
    if (!loaded) return R::error("test DC key: " + loaded.message());
    key = loaded->key;
  } else {
    auto generated = crypto::RsaPrivateKey::generate(2048);
    if (!generated) return R::error("test DC key: " + generated.message());
    key = *generated;
  }
  auto pem = key->public_key().to_pem();
  if (!pem) return R::error("test DC key: " + pem.message());
  cfg.rsa_keys.push_back(*key);
  cfg.verbose = c.testdc_verbose;
  cfg.admin_port = c.testdc_admin < 0 ? ts::kAdminEphemeralPort : c.testdc_admin;
  cfg.log = [](const std::string& line) { log_line(LogLevel::info, "testdc: " + line); };
  auto server = ts::Server::create(std::move(cfg));
  if (!server) return R::error(server.message());
  std::unique_ptr<EmbeddedTestDc> dc(new EmbeddedTestDc());
  dc->public_pem_ = *pem;
  dc->server_ = std::move(*server);
  dc->thread_ = std::thread([srv = dc->server_.get()] { (void)srv->run(); });
  return dc;
}

EmbeddedTestDc::~EmbeddedTestDc() { stop(); }

void EmbeddedTestDc::stop() {
  if (!server_) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

ServerSettings EmbeddedTestDc::server_settings() const {
  const auto& ports = server_->ports();
  ServerSettings s;
  s.dc = 2;
  s.host = "127.0.0.1";
  s.port = ports.at(1);
  s.rsa_pem = public_pem_;
  for (std::size_t i = 0; i < ports.size(); ++i) s.dc_addresses[static_cast<int>(i + 1)] = {"127.0.0.1", ports[i]};
  return s;
}

std::uint16_t EmbeddedTestDc::admin_port() const { return server_ ? server_->admin_port() : 0; }

}  // namespace mtjson::daemon
