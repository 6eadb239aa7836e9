#include "daemon/account/server_settings.h"

#include <tuple>

namespace mtjson::daemon {

namespace {

struct MtProxy {
  std::string host;
  std::uint16_t port = 0;
  transport::ProxySecret secret;
};

constexpr const char* kProxyForms = "server.proxy: expected socks5://host:port, http://host:port or host:port:secret";

// "host:port:secret"
Result<MtProxy> parse_mtproxy(const std::string& text) {
  const auto last = text.rfind(':');
  if (last == std::string::npos || last == 0) return Result<MtProxy>::error(kProxyForms);
  const auto mid = text.rfind(':', last - 1);
  if (mid == std::string::npos) return Result<MtProxy>::error(kProxyForms);
  MtProxy p;
  p.host = text.substr(0, mid);
  const std::string port = text.substr(mid + 1, last - mid - 1);
  char* end = nullptr;
  const long v = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end || v <= 0 || v > 65535)
    return Result<MtProxy>::error("server.proxy: bad MTProxy port '" + port + "'");
  p.port = static_cast<std::uint16_t>(v);
  auto s = transport::parse_proxy_secret(text.substr(last + 1));
  if (!s) return s.status().prefixed("server.proxy: MTProxy secret: ");
  p.secret = *s;
  return p;
}

const char* mode_text(transport::Mode m) {
  switch (m) {
    case transport::Mode::abridged: return "abridged";
    case transport::Mode::intermediate: return "intermediate";
    case transport::Mode::padded_intermediate: return "padded";
    case transport::Mode::full: return "full";
  }
  return "intermediate";
}

}  // namespace

std::optional<std::string> builtin_dc_host(int dc_id, bool test) {
  static const std::map<int, std::string> production = {{1, "149.154.175.50"}, {2, "149.154.167.51"},
                                                        {3, "149.154.175.100"}, {4, "149.154.167.91"},
                                                        {5, "149.154.171.5"}};
  static const std::map<int, std::string> testing = {{1, "149.154.175.10"}, {2, "149.154.167.40"},
                                                     {3, "149.154.175.117"}};
  const auto& table = test ? testing : production;
  auto it = table.find(dc_id);
  if (it == table.end()) return std::nullopt;
  return it->second;
}

nlohmann::json ServerSettings::to_json() const {
  nlohmann::json j = {{"dc", dc}, {"test", test}, {"transport", mode_text(mode)}, {"obfuscated", obfuscated}};
  if (!host.empty()) {
    j["host"] = host;
    j["port"] = port;
  } else if (auto h = builtin_dc_host(dc, test)) {
    j["host"] = *h;
    j["port"] = 443;
  }
  if (!rsa_pem.empty()) j["rsa"] = rsa_pem;
  if (!proxy.empty()) j["proxy"] = proxy;
  return j;
}

Status ServerSettings::apply(const nlohmann::json& j) {
  if (!j.is_object()) return Status::error("server: expected an object");
  ServerSettings next = *this;
  bool endpoint_changed = false;
  for (auto& [key, v] : j.items()) {
    if (key == "host") {
      if (!v.is_string() || v.get<std::string>().empty()) return Status::error("server.host: expected a non-empty string");
      next.host = v.get<std::string>();
      endpoint_changed = true;
    } else if (key == "port") {
      if (!v.is_number_integer() || v.get<std::int64_t>() <= 0 || v.get<std::int64_t>() > 65535)
        return Status::error("server.port: expected an integer 1..65535");
      next.port = static_cast<std::uint16_t>(v.get<std::int64_t>());
      endpoint_changed = true;
    } else if (key == "dc") {
      if (!v.is_number_integer() || v.get<std::int64_t>() <= 0 || v.get<std::int64_t>() > 1000)
        return Status::error("server.dc: expected a DC id (1..1000)");
      next.dc = static_cast<int>(v.get<std::int64_t>());
    } else if (key == "test") {
      if (!v.is_boolean()) return Status::error("server.test: expected true or false");
      next.test = v.get<bool>();
      if (next.test != test && !j.contains("host")) {
        next.host.clear();  // Telegram's test/production addresses
        next.dc_addresses.clear();
      }
    } else if (key == "rsa") {
      if (!v.is_string()) return Status::error("server.rsa: expected PEM text");
      crypto::PublicKeyRing ring;
      if (auto st = ring.add_pem(v.get<std::string>()); !st) return Status::error("server.rsa: " + st.message());
      next.rsa_pem = v.get<std::string>();
    } else if (key == "transport") {
      if (!v.is_string()) return Status::error("server.transport: expected abridged|intermediate|padded|full");
      const std::string t = v.get<std::string>();
      if (t == "abridged") next.mode = transport::Mode::abridged;
      else if (t == "intermediate") next.mode = transport::Mode::intermediate;
      else if (t == "padded") next.mode = transport::Mode::padded_intermediate;
      else if (t == "full") next.mode = transport::Mode::full;
      else return Status::error("server.transport: '" + t + "' is not abridged|intermediate|padded|full");
    } else if (key == "obfuscated") {
      if (!v.is_boolean()) return Status::error("server.obfuscated: expected true or false");
      next.obfuscated = v.get<bool>();
    } else if (key == "proxy") {
      if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) {
        next.proxy.clear();
        continue;
      }
      if (!v.is_string()) return Status::error("server.proxy: expected a string");
      const std::string p = v.get<std::string>();
      if (p.rfind("socks5://", 0) == 0 || p.rfind("socks5h://", 0) == 0 || p.rfind("http://", 0) == 0) {
        auto u = transport::parse_proxy_url(p);
        if (!u) return u.status().prefixed("server.proxy: ");
      } else {
        if (auto m = parse_mtproxy(p); !m) return m.status();
      }
      next.proxy = p;
    } else {
      return Status::error("server: unknown key '" + key + "'");
    }
  }
  // The built-in address of the DC written out (a saved session of a production account) is the
  // built-in address again, so the other DCs keep theirs.
  if (!next.host.empty() && next.proxy.empty() && next.port == 443)
    if (auto h = builtin_dc_host(next.dc, next.test); h && *h == next.host) next.host.clear();
  // obfuscated2 wraps abridged/intermediate/padded only ("MTProto transports").
  if (next.obfuscated && next.mode == transport::Mode::full)
    return Status::error("server: the full transport has no obfuscated form (use abridged, intermediate or padded)");
  // A different server has its own DC list; the address of one of the known DCs (a restored
  // session of another home DC) is the same server.
  if (endpoint_changed && (next.host != host || next.port != port)) {
    const auto known = known_address(next.dc);
    if (!known || known->first != next.host || known->second != next.port) next.dc_addresses.clear();
  }
  *this = std::move(next);
  return Status();
}

std::optional<std::pair<std::string, std::uint16_t>> ServerSettings::known_address(int dc_id) const {
  auto it = dc_addresses.find(dc_id);
  if (it == dc_addresses.end()) return std::nullopt;
  return it->second;
}

ServerSettings ServerSettings::seen_from(int dc_id) const {
  ServerSettings s = *this;
  s.dc = dc_id;
  if (!host.empty() && !via_mtproxy())
    if (auto known = known_address(dc_id)) std::tie(s.host, s.port) = *known;
  return s;
}

std::optional<DcAddress> ServerSettings::address(int dc_id) const {
  DcAddress a;
  if (via_mtproxy()) {
    auto p = parse_mtproxy(proxy);
    if (!p) return std::nullopt;
    a.host = p->host;  // the MTProxy forwards to the DC named in the obfuscated2 header
    a.port = p->port;
    return a;
  }
  if (!proxy.empty())
    if (auto u = transport::parse_proxy_url(proxy)) a.proxy = std::move(*u);
  if (auto known = known_address(dc_id)) {
    std::tie(a.host, a.port) = *known;
    return a;
  }
  if (!host.empty()) {
    if (dc_id != dc) return std::nullopt;
    a.host = host;
    a.port = port;
    return a;
  }
  auto h = builtin_dc_host(dc_id, test);
  if (!h) return std::nullopt;
  a.host = *h;
  a.port = 443;
  return a;
}

Result<DcLinkConfig> ServerSettings::link_config(int dc_id) const {
  DcLinkConfig c;
  c.dc_id = dc_id;
  c.test_dc = test;
  c.transport.mode = mode;
  c.transport.obfuscated = obfuscated;
  if (via_mtproxy()) {
    auto p = parse_mtproxy(proxy);
    if (!p) return p.status();
    c.transport.secret = p->secret;
    c.transport.obfuscated = true;
    if (auto m = p->secret.required_mode()) c.transport.mode = *m;
  }
  if (c.transport.obfuscated || c.transport.secret)
    c.transport.dc_id = static_cast<std::int16_t>(test ? dc_id + 10000 : dc_id);
  auto ring = crypto::PublicKeyRing::builtin(test ? crypto::DcKind::test : crypto::DcKind::production);
  if (!ring) return Result<DcLinkConfig>::error(ring.message());
  c.server_keys = *ring;
  if (!rsa_pem.empty())
    if (auto st = c.server_keys.add_pem(rsa_pem); !st) return Result<DcLinkConfig>::error("server.rsa: " + st.message());
  return c;
}

}  // namespace mtjson::daemon
