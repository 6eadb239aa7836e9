#include "daemon/account/dc_directory.h"

#include "daemon/account/account.h"

namespace mtjson::daemon {

namespace ss = mtproto::session;
using nlohmann::json;

void add_dc_addresses(const json& cfg, ServerSettings& server) {
  if (!cfg.is_object() || !cfg.contains("dc_options") || !cfg["dc_options"].is_array()) return;
  for (const json& o : cfg["dc_options"]) {
    if (!o.is_object() || o.value("ipv6", false) || o.value("media_only", false) || o.value("cdn", false) ||
        o.value("tcpo_only", false))
      continue;
    const int id = o.value("id", 0);
    if (id > 0 && !server.dc_addresses.count(id))
      server.dc_addresses[id] = {o.value("ip_address", std::string()), static_cast<std::uint16_t>(o.value("port", 443))};
  }
}

void Account::fetch_dc_addresses() {
  if (fetching_config_) return;
  fetching_config_ = true;
  std::weak_ptr<Account> self = weak_from_this();
  internal_call(home_dc_ == 0 ? server_.dc : home_dc_, json{{"_cons", "help.getConfig"}}.dump(),
                [self](const std::string* result, const ss::RpcError* error) {
                  auto me = self.lock();
                  if (!me) return;
                  me->fetching_config_ = false;
                  if (result) add_dc_addresses(json::parse(*result, nullptr, false), me->server_);
                  // Whatever is still unknown now fails with a clear message.
                  auto unknown = [&me](const Pending& p) {
                    return p.waiting && !me->server_.address(p.dc) && !me->dcs_.count(p.dc);
                  };
                  for (auto t : me->pending_.tokens(unknown))
                    if (Pending* p = me->pending_.find(t))
                      me->fail(*p, "server",
                               "no address known for DC " + std::to_string(p->dc) +
                                   (error ? " (help.getConfig: " + error->message + ")" : ""));
                  me->dispatch_waiting(0);
                });
}

}  // namespace mtjson::daemon
