#include "daemon/options.h"

#include <fstream>
#include <sstream>

#include "cli/flag_value.h"
#include "daemon/sessions/access.h"

namespace mtjson::daemon {

namespace {

bool to_seconds(const std::string& s, double lo, double hi, double& out) {
  try {
    std::size_t used = 0;
    out = std::stod(s, &used);
    return used == s.size() && out >= lo && out <= hi;
  } catch (...) {
    return false;
  }
}

Duration seconds(double s) { return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(s)); }

}  // namespace

std::string usage_text() {
  return R"(mtjson: Telegram's MTProto API as JSON lines over TCP.

Usage: mtjson [flags]

A client connects (nc localhost 1543), writes one JSON object per line, e.g.
  {"id":7,"message":{"_cons":"help.getConfig"}}
and reads one JSON object per line back: the answer with the same id, updates with id 0.

Listening:
  --host ADDR                  listen address (default 127.0.0.1; any other needs --token
                               or --insecure)
  --port N                     listen port (default 1543; 0 picks a free one)
  --token TOKEN[:NAMES]        clients must first send {"auth":{"token":"TOKEN"}}; repeatable.
                               TOKEN:alice,bob limits that token to the named sessions alice
                               and bob (no other session, no auth_key in answers)
  --insecure                   allow a non-loopback --host without --token (anyone who can
                               connect may use every session)
Named shared sessions ({"session":{"name":"alice"}}: many clients, one account):
  --session-dir DIR            keep named sessions in DIR (one 0600 file each; DIR/.lock lets
                               one daemon at a time use it); default: in memory only
  --session-idle-timeout S     keep a named session connected S seconds after its last client
                               left (default 900; 0: until the daemon stops)
  --session-buffer N           updates kept per named session for {"since":SEQ} (default 10000)
Telegram endpoint for new clients (each client may change its own with {"server":{...}}):
  --testdc                     run a local test DC (mtjson-testdc) in-process and use it:
                               sign in with 9996621234, code 22222; @echo answers messages
  --testdc-data DIR            keep the test DC's state (accounts, messages, key) in DIR
  --testdc-port N              the test DC's DC 1 port (DC n on N+n-1; default: free ports)
  --testdc-admin N             the test DC's admin endpoint for fault injection on 127.0.0.1:N
                               (0: any free port; see mtjson-testdc --help)
  --test                       Telegram's test DCs (default: production)
  --dc N                       home DC of new accounts (default 2)
  --server HOST:PORT           a custom server (e.g. an external mtjson-testdc) for DC --dc
  --rsa FILE                   its RSA public key (PEM), trusted besides Telegram's keys
  --transport MODE             abridged | intermediate | padded | full (default intermediate)
  --obfuscated                 obfuscated2 transport
  --proxy URL                  socks5://HOST:PORT, http://HOST:PORT or MTProxy HOST:PORT:SECRET
initConnection for clients that send bare methods (a client's own invokeWithLayer(initConnection)
is remembered and re-sent instead):
  --api-id N                   api_id (default 0)
  --device-model S --system-version S --app-version S --lang-code S
Behaviour:
  --rpc-timeout S              answer {"_cons":"rpc_timeout"} after S seconds (default 60;
                               per request: "timeout")
  --flood-sleep-threshold S    FLOOD_WAIT up to S seconds is waited out and retried; longer
                               ones are passed to the client at once (default 10)
  --ping-interval S            keepalive ping_delay_disconnect interval (default 60)
  --max-line BYTES             longest request line (default 16777216)
  --max-output BYTES           answers queued for a client that does not read before it is
                               disconnected (default 67108864)
  --longs-as-strings           write TL longs as JSON strings (for JavaScript clients)
  --schema FILE                the API schema (default: scheme.tl of this build)
Logging:
  --verbose                    log every line in and out (auth keys redacted)
  --log-level L                debug | info | warn | error (default info)
  --help, --version

SIGINT/SIGTERM: stop accepting, finish writing, close MTProto sessions cleanly, exit.
)";
}

Result<Options> parse_options(const std::vector<std::string>& args) {
  Options o;
  DaemonConfig& d = o.daemon;
  auto fail = [](const std::string& e) { return Result<Options>::error(e); };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    std::string v;
    double s = 0;
    // An integer flag in lo..hi: "--dc: 'x' is not a DC id (1..1000)", "--dc needs a DC id".
    auto integer = [&](const char* what, std::int64_t lo, std::int64_t hi) -> Result<std::int64_t> {
      if (!value(v)) return Result<std::int64_t>::error(a + " needs " + what);
      return cli::int_value(a, v, what, lo, hi);
    };
    if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "--version") {
      o.version = true;
    } else if (a == "--testdc") {
      d.testdc = true;
    } else if (a == "--test") {
      d.server.test = true;
    } else if (a == "--obfuscated") {
      d.server.obfuscated = true;
    } else if (a == "--verbose") {
      d.verbose = true;
    } else if (a == "--longs-as-strings") {
      d.account.longs_as_strings = true;
    } else if (a == "--insecure") {
      d.insecure = true;
    } else if (a == "--token") {
      if (!value(v)) return fail("--token: expected TOKEN or TOKEN:name1,name2");
      auto e = parse_token_spec(v);
      if (!e) return fail(e.message());
      d.tokens.add(std::move(*e));
    } else if (a == "--session-dir") {
      if (!value(d.session_dir) || d.session_dir.empty()) return fail("--session-dir: expected a directory");
    } else if (a == "--session-idle-timeout") {
      if (!value(v) || !to_seconds(v, 0, 365.0 * 86400, s))
        return fail("--session-idle-timeout: expected seconds (0 = forever, up to a year)");
      d.session_idle_timeout = seconds(s);
    } else if (a == "--session-buffer") {
      auto n = integer("a number of updates", 0, 10000000);
      if (!n) return fail(n.message());
      d.session_buffer = static_cast<std::size_t>(*n);
    } else if (a == "--host") {
      if (!value(d.host) || d.host.empty()) return fail("--host: expected an address");
    } else if (a == "--port") {
      auto n = integer("a port number", 0, 65535);
      if (!n) return fail(n.message());
      d.port = static_cast<std::uint16_t>(*n);
    } else if (a == "--testdc-data") {
      if (!value(d.testdc_data) || d.testdc_data.empty()) return fail("--testdc-data: expected a directory");
      d.testdc = true;
    } else if (a == "--testdc-admin") {
      auto n = integer("a port number", 0, 65535);
      if (!n) return fail(n.message());
      d.testdc_admin = *n == 0 ? -1 : static_cast<int>(*n);
      d.testdc = true;
    } else if (a == "--testdc-port") {
      // DC n listens on N+n-1: three DCs need N+2 <= 65535.
      auto n = integer("a port number", 0, 65533);
      if (!n) return fail(n.message());
      d.testdc_port = static_cast<int>(*n);
      d.testdc = true;
    } else if (a == "--dc") {
      auto n = integer("a DC id", 1, 1000);
      if (!n) return fail(n.message());
      d.server.dc = static_cast<int>(*n);
    } else if (a == "--server") {
      if (!value(v)) return fail("--server: expected HOST:PORT");
      auto server = cli::parse_host_port(v);
      if (!server) return fail("--server: '" + v + "' is not HOST:PORT ([ADDR]:PORT for IPv6)");
      d.server.host = server->host;
      d.server.port = server->port;
    } else if (a == "--rsa") {
      if (!value(o.rsa_file)) return fail("--rsa: expected a PEM file");
      std::ifstream f(o.rsa_file);
      if (!f) return fail("--rsa: cannot read '" + o.rsa_file + "'");
      std::stringstream ss;
      ss << f.rdbuf();
      if (auto st = d.server.apply(nlohmann::json{{"rsa", ss.str()}}); !st)
        return fail("--rsa: " + o.rsa_file + ": " + st.message());
    } else if (a == "--transport") {
      if (!value(v) || !d.server.apply(nlohmann::json{{"transport", v}}))
        return fail("--transport: expected abridged, intermediate, padded or full");
    } else if (a == "--proxy") {
      if (!value(v)) return fail("--proxy: expected a proxy URL");
      if (auto st = d.server.apply(nlohmann::json{{"proxy", v}}); !st) return fail("--proxy: " + st.message());
    } else if (a == "--api-id") {
      auto n = integer("an api_id", 0, 2147483647);
      if (!n) return fail(n.message());
      d.account.init.api_id = static_cast<std::int32_t>(*n);
    } else if (a == "--device-model") {
      if (!value(d.account.init.device_model)) return fail("--device-model: expected a value");
    } else if (a == "--system-version") {
      if (!value(d.account.init.system_version)) return fail("--system-version: expected a value");
    } else if (a == "--app-version") {
      if (!value(d.account.init.app_version)) return fail("--app-version: expected a value");
    } else if (a == "--lang-code") {
      if (!value(d.account.init.lang_code)) return fail("--lang-code: expected a value");
      d.account.init.system_lang_code = d.account.init.lang_code;
    } else if (a == "--rpc-timeout") {
      if (!value(v) || !to_seconds(v, 0.001, 86400, s)) return fail("--rpc-timeout: expected seconds (0.001..86400)");
      d.rpc_timeout = seconds(s);
    } else if (a == "--flood-sleep-threshold") {
      if (!value(v) || !to_seconds(v, 0, 86400, s)) return fail("--flood-sleep-threshold: expected seconds (0..86400)");
      d.account.flood_sleep_threshold = seconds(s);
    } else if (a == "--ping-interval") {
      if (!value(v) || !to_seconds(v, 1, 3600, s)) return fail("--ping-interval: expected seconds (1..3600)");
      d.account.ping_interval = seconds(s);
    } else if (a == "--max-line") {
      auto n = integer("a size in bytes", 1024, 1ll << 31);
      if (!n) return fail(n.message());
      d.max_line = static_cast<std::size_t>(*n);
    } else if (a == "--max-output") {
      auto n = integer("a size in bytes", 4096, 1ll << 34);
      if (!n) return fail(n.message());
      d.max_output = static_cast<std::size_t>(*n);
    } else if (a == "--schema") {
      if (!value(o.schema_file)) return fail("--schema: expected a file");
    } else if (a == "--log-level") {
      if (!value(o.log_level) || (o.log_level != "debug" && o.log_level != "info" && o.log_level != "warn" &&
                                  o.log_level != "error"))
        return fail("--log-level: expected debug, info, warn or error");
    } else {
      return fail("unknown argument '" + a + "' (see --help)");
    }
  }
  if (d.testdc && !d.server.host.empty()) return fail("--testdc and --server exclude each other");
  if (d.server.obfuscated && d.server.mode == transport::Mode::full)
    return fail("--obfuscated: the full transport has no obfuscated form (use --transport abridged, intermediate or padded)");
  return o;
}

}  // namespace mtjson::daemon
