#include "testdc/server/options.h"

#include <cctype>
#include <charconv>
#include <cstdint>

#include "cli/flag_value.h"
#include "transport/mtproxy_secret.h"

namespace mtjson::testdc::server {

namespace {

bool parse_probability(const std::string& text, double& out) {
  double v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size() || !(v >= 0.0 && v <= 1.0)) return false;
  out = v;
  return true;
}

constexpr std::int64_t kMaxSkew = 10LL * 365 * 24 * 3600;

}  // namespace

Result<SeedAccount> parse_seed_account(const std::string& text) {
  SeedAccount a;
  std::size_t c1 = text.find(':');
  a.phone = text.substr(0, c1);
  if (c1 != std::string::npos) {
    std::size_t c2 = text.find(':', c1 + 1);
    a.first_name = text.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
    if (c2 != std::string::npos) a.password = text.substr(c2 + 1);
  }
  if (!a.phone.empty() && a.phone[0] == '+') a.phone.erase(0, 1);
  bool digits = !a.phone.empty();
  for (char ch : a.phone) digits = digits && std::isdigit(static_cast<unsigned char>(ch));
  if (!digits)
    return Result<SeedAccount>::error("--seed-account: '" + text + "' is not PHONE[:FIRST[:PASSWORD]] with a numeric phone");
  if (a.first_name.empty()) a.first_name = "Test";
  return a;
}

Result<MethodFault> parse_flood_wait(const std::string& text) {
  const std::size_t c1 = text.find(':');
  const std::size_t c2 = c1 == std::string::npos ? std::string::npos : text.find(':', c1 + 1);
  MethodFault f;
  f.method = text.substr(0, c1);
  f.code = 420;
  const std::string sec_text = c1 == std::string::npos ? "" : text.substr(c1 + 1, c2 == std::string::npos ? c2 : c2 - c1 - 1);
  const auto seconds = cli::parse_int(sec_text, 0, 365 * 24 * 3600);
  bool ok = !f.method.empty() && seconds;
  if (ok && c2 != std::string::npos) {
    const auto count = cli::parse_int(text.substr(c2 + 1), -1, 1'000'000'000);
    ok = count && *count != 0;
    if (ok) f.remaining = static_cast<int>(*count);
  }
  if (!ok)
    return Result<MethodFault>::error("--flood-wait: '" + text +
                                      "' is not METHOD:SECONDS[:COUNT] (SECONDS 0..31536000, COUNT >= 1 or -1)");
  f.message = "FLOOD_WAIT_" + std::to_string(*seconds);
  return f;
}

Result<Options> parse_options(const std::vector<std::string>& args) {
  Options o;
  cli::ArgReader args_in(args);
  while (args_in.next()) {
    const std::string& flag = args_in.flag();
    auto value = [&](std::string& out) -> bool {
      auto given = args_in.value();
      if (given) out = *given;
      return given.has_value();
    };
    auto no_value = [&]() { return !args_in.has_inline_value(); };
    // An integer flag in lo..hi; a bad one leaves its error line in `bad` (given back after
    // the flag) and 0 as the value, so the flags stay one-line assignments.
    Status bad;
    auto integer = [&](const std::string& text, const char* what, std::int64_t lo, std::int64_t hi) -> std::int64_t {
      auto n = cli::int_value(flag, text, what, lo, hi);
      if (!n) {
        bad = n.status();
        return 0;
      }
      return *n;
    };
    std::string v;
    if (flag == "--help" || flag == "-h") {
      if (!no_value()) return Result<Options>::error(flag + " takes no value");
      o.help = true;
    } else if (flag == "--verbose" || flag == "-v") {
      if (!no_value()) return Result<Options>::error(flag + " takes no value");
      o.verbose = true;
    } else if (flag == "--print-public-key") {
      if (!no_value()) return Result<Options>::error(flag + " takes no value");
      o.print_public_key = true;
    } else if (flag == "--port") {
      if (!value(v)) return Result<Options>::error("--port needs a value");
      auto port = cli::port_value(flag, v, true);
      if (!port) return Result<Options>::error(port.message());
      o.port = static_cast<int>(*port);
    } else if (flag == "--dcs") {
      if (!value(v)) return Result<Options>::error("--dcs needs a value");
      o.dcs = static_cast<int>(integer(v, "a DC count", 1, 5));
    } else if (flag == "--host") {
      if (!value(o.host) || o.host.empty()) return Result<Options>::error("--host needs an address");
    } else if (flag == "--data") {
      if (!value(o.data_dir) || o.data_dir.empty()) return Result<Options>::error("--data needs a directory");
    } else if (flag == "--rsa-key") {
      if (!value(o.rsa_key_file) || o.rsa_key_file.empty()) return Result<Options>::error("--rsa-key needs a PEM file");
    } else if (flag == "--secret") {
      if (!value(v)) return Result<Options>::error("--secret needs a value");
      auto parsed = transport::parse_proxy_secret(v);
      if (!parsed) return Result<Options>::error("--secret: " + parsed.message());
      o.secrets.push_back(v);
    } else if (flag == "--schema") {
      if (!value(v) || v.empty()) return Result<Options>::error("--schema needs a file");
      o.schemas.push_back(v);
    } else if (flag == "--admin") {
      if (!value(v)) return Result<Options>::error("--admin needs a port");
      auto port = cli::port_value(flag, v, true);
      if (!port) return Result<Options>::error(port.message());
      o.admin_port = static_cast<int>(*port);
    } else if (flag == "--drop-after") {
      if (!value(v)) return Result<Options>::error("--drop-after needs a packet count");
      const auto n = integer(v, "a packet count", 1, 1'000'000'000);
      if (bad) o.faults.drop_after = FaultConfig::DropAfter{static_cast<int>(n), std::nullopt};
    } else if (flag == "--drop-rate") {
      if (!value(v)) return Result<Options>::error("--drop-rate needs a probability");
      if (!parse_probability(v, o.faults.drop_rate))
        return Result<Options>::error("--drop-rate: '" + v + "' is not a probability (0..1)");
    } else if (flag == "--delay") {
      if (!value(v)) return Result<Options>::error("--delay needs milliseconds");
      o.faults.delay = std::chrono::milliseconds(integer(v, "milliseconds", 0, 600'000));
    } else if (flag == "--salt-rotate") {
      if (!value(v)) return Result<Options>::error("--salt-rotate needs seconds");
      o.faults.salt_rotate = std::chrono::seconds(integer(v, "a period in seconds", 1, 30 * 24 * 3600));
    } else if (flag == "--clock-skew") {
      if (!value(v)) return Result<Options>::error("--clock-skew needs seconds");
      o.faults.clock_skew = integer(v, "seconds", -kMaxSkew, kMaxSkew);
    } else if (flag == "--flood-wait") {
      if (!value(v)) return Result<Options>::error("--flood-wait needs METHOD:SECONDS[:COUNT]");
      auto f = parse_flood_wait(v);
      if (!f) return Result<Options>::error(f.message());
      o.faults.methods.push_back(*f);
    } else if (flag == "--seed-account") {
      if (!value(v)) return Result<Options>::error("--seed-account needs PHONE[:FIRST[:PASSWORD]]");
      auto seed = parse_seed_account(v);
      if (!seed) return Result<Options>::error(seed.message());
      o.seeds.push_back(*seed);
    } else {
      return Result<Options>::error("unknown argument '" + args_in.arg() + "' (see --help)");
    }
    if (!bad) return bad;
  }
  if (o.port != 0 && o.port + o.dcs - 1 > 65535) return Result<Options>::error("--port: DC ports would pass 65535");
  return o;
}

std::string usage_text() {
  return R"(usage: mtjson-testdc [options]

A local fake Telegram for tests: MTProto 2.0 servers for DC 1..N on consecutive ports, backed by
an in-memory world (accounts, messages, updates). Test phone numbers are 99966XYYYY (DC X); the
login code is X repeated five times (e.g. 22222 for 9996621234).

  --port PORT           port of DC 1; DC n listens on PORT+n-1 (default 4430; 0: any free ports)
  --dcs N               number of DCs, 1..5 (default 3)
  --host ADDR           address to listen on (default 127.0.0.1)
  --data DIR            keep accounts, messages, auth keys and the RSA key in DIR (created,
                        mode 0700); without it the world lives in memory only
  --rsa-key FILE        the server's RSA private key (PEM); default: DIR/server_rsa.pem, generated
                        on first start with its public half DIR/server_rsa.pub.pem (without --data:
                        ~/.mtjson-testdc/)
  --print-public-key    print the public key (PEM) clients must trust, then exit
  --secret HEX          accept MTProxy clients with this secret (plain, dd or ee; repeatable);
                        plain and obfuscated2 clients are accepted as well
  --schema FILE         an API layer to answer in besides the defaults (repeatable; paired with
                        tl/mtproto.tl). Always loaded: scheme.tl, tl/api-144.tl, tl/api-198.tl;
                        a layer loaded twice is an error
  --seed-account PHONE[:FIRST[:PASSWORD]]
                        create this account at start if missing (repeatable; PASSWORD sets 2FA)
  --verbose             log every API call and its outcome
  --help                this text

Fault injection (for tests; every fault that fires is logged):
  --admin PORT          accept admin commands on 127.0.0.1:PORT (0: any free port, logged):
                        JSON lines, one command object per line, one answer line each, e.g.
                        {"drop_connections":{}}  {"drop_after":{"messages":3}}  {"drop_rate":{"p":0.1}}
                        {"delay":{"ms":200}}  {"rotate_salt":{}}  {"destroy_keys":{}}
                        {"flood_wait":{"method":"help.getConfig","seconds":3,"count":1}}
                        {"error":{"method":"*","code":500,"message":"INTERNAL","count":1}}
                        {"migrate":{"method":"*","error":"NETWORK_MIGRATE_3"}}
                        {"swallow":{"method":"help.getConfig"}}  {"clock_skew":{"seconds":600}}
                        {"skip_updates":{"count":2}} (the next 2 update pushes are lost: a pts gap)
                        {"too_long_updates":{"count":1}} (the next push becomes updatesTooLong)
                        {"forget_sessions":{}} (sessions lost, keys kept: new_session_created)
                        {"stats":{}}  {"reset":{}}
  --drop-after N        cut each connection right after it received N encrypted packets (a
                        container counts once; the Nth is processed, its answers wait in the
                        session for the client's next connection)
  --drop-rate P         each encrypted packet is lost, and its connection cut, with probability P
  --delay MS            hold every API answer (rpc_result, not acks) MS milliseconds
  --salt-rotate S       every S seconds every auth key gets a new salt, the old one invalid at once
  --clock-skew S        the server's clock runs S seconds ahead (negative: behind)
  --flood-wait METHOD:SECONDS[:COUNT]
                        the next COUNT calls (default 1; -1: all) of METHOD (a TL method name, or
                        *) get 420 FLOOD_WAIT_SECONDS (repeatable)

Schemas are read from $MTJSON_SCHEMA_DIR (default: the source tree). SIGINT/SIGTERM save the
world (with --data) and exit 0.
)";
}

}  // namespace mtjson::testdc::server
