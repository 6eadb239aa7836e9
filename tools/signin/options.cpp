#include "signin/options.h"

#include <charconv>

#include "signin/input_text.h"

namespace mtjson::signin {

namespace {

bool parse_int(const std::string& text, long lo, long hi, long& out) {
  long v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || p == text.data() || v < lo || v > hi) return false;
  out = v;
  return true;
}

}  // namespace

bool parse_host_port(const std::string& text, std::string& host, int& port) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  std::string h = text.substr(0, colon);
  if (h.front() == '[') {
    if (h.size() < 3 || h.back() != ']') return false;
    h = h.substr(1, h.size() - 2);
  } else if (h.find(':') != std::string::npos) {
    return false;  // a bare IPv6 address is ambiguous: "[::1]:443"
  }
  long p = 0;
  if (!parse_int(text.substr(colon + 1), 1, 65535, p)) return false;
  host = h;
  port = static_cast<int>(p);
  return true;
}

ParsedOptions parse_options(const std::vector<std::string>& args) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> inline_value;
    if (auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    auto value = [&](std::string& out) -> bool {
      if (inline_value) {
        out = *inline_value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      out = args[++i];
      return true;
    };
    auto need = [&](std::string& out, const char* what) -> std::optional<std::string> {
      if (!value(out) || out.empty()) return flag + " needs " + what;
      return std::nullopt;
    };
    auto no_value = [&]() -> std::optional<std::string> {
      if (inline_value) return flag + " takes no value";
      return std::nullopt;
    };
    std::optional<std::string> err;
    std::string v;
    long n = 0;
    if (flag == "--help" || flag == "-h") {
      err = no_value();
      o.help = true;
    } else if (flag == "--json") {
      err = no_value();
      o.json = true;
    } else if (flag == "--test") {
      err = no_value();
      o.test = true;
    } else if (flag == "--host") {
      err = need(o.host, "the daemon's address");
    } else if (flag == "--port") {
      if (!(err = need(v, "the daemon's port")) && !parse_int(v, 1, 65535, n))
        err = "--port: '" + v + "' is not a port number (1..65535)";
      o.port = static_cast<int>(n);
    } else if (flag == "--phone") {
      if (!(err = need(v, "a phone number"))) {
        o.phone = normalize_phone(v);
        if (o.phone.empty()) err = "--phone: '" + v + "' is not a phone number (digits, international format)";
      }
    } else if (flag == "--password") {
      if (!(err = need(v, "the 2FA password"))) o.password = v;
    } else if (flag == "--bot-token") {
      if (!(err = need(v, "a bot token (ID:SECRET)"))) {
        o.bot_token = trim(v);
        if (!looks_like_bot_token(o.bot_token)) err = "--bot-token: not a bot token (ID:SECRET, from @BotFather)";
      }
    } else if (flag == "--api-id") {
      if (!(err = need(v, "a number")) && !parse_int(v, 1, 2147483647, n))
        err = "--api-id: '" + v + "' is not a positive number (https://my.telegram.org/apps)";
      o.api_id = static_cast<std::int32_t>(n);
    } else if (flag == "--api-hash") {
      if (!(err = need(v, "a value"))) o.api_hash = v;
    } else if (flag == "--device-model") {
      err = need(o.device_model, "a value");
    } else if (flag == "--system-version") {
      err = need(o.system_version, "a value");
    } else if (flag == "--app-version") {
      err = need(o.app_version, "a value");
    } else if (flag == "--lang-code") {
      err = need(o.lang_code, "a language code (en, de, ...)");
    } else if (flag == "--server") {
      if (!(err = need(v, "HOST:PORT")) && !parse_host_port(v, o.server_host, o.server_port))
        err = "--server: '" + v + "' is not HOST:PORT ([ADDR]:PORT for IPv6)";
    } else if (flag == "--rsa") {
      err = need(o.rsa_file, "a PEM file (the server's public key)");
    } else if (flag == "--out") {
      err = need(o.out_file, "a file name");
    } else if (flag == "--check") {
      err = need(o.check_file, "the saved session file");
    } else {
      err = "unknown argument '" + args[i] + "'";
    }
    if (err) return {std::nullopt, *err};
  }
  if (!o.phone.empty() && !o.bot_token.empty()) return {std::nullopt, "--phone and --bot-token exclude each other"};
  if (!o.check_file.empty()) {
    if (!o.phone.empty() || !o.bot_token.empty() || o.password || !o.out_file.empty())
      return {std::nullopt, "--check FILE takes no --phone, --bot-token, --password or --out"};
  }
  return {std::move(o), {}};
}

Json server_value(const Options& o, const std::string& rsa_pem) {
  if (!o.test && o.server_host.empty() && rsa_pem.empty()) return Json();
  Json server = Json::object();
  if (!o.server_host.empty()) {
    server["host"] = o.server_host;
    server["port"] = o.server_port;
  }
  if (!rsa_pem.empty()) server["rsa"] = rsa_pem;
  if (o.test) server["test"] = true;
  return server;
}

std::string usage_text() {
  return R"(usage: mtjson-signin [options]
       mtjson-signin --check FILE [options]

Signs in to Telegram through a running mtjson daemon (its JSON protocol only) and prints one
line, {"session": {...}}, that restores the signed-in session when sent to the daemon by any
client, also after a restart. Whatever is missing is asked for on the terminal (the password
without echo). Keep the output secret: it holds the session's auth key.

The daemon:
  --host HOST             default localhost
  --port PORT             default 1543

Telegram (default: the daemon's own setting):
  --test                  Telegram's test DCs ({"server":{"test":true}})
  --server HOST:PORT      a custom server, e.g. a test DC ([ADDR]:PORT for IPv6)
  --rsa FILE              its RSA public key (PEM)

Who signs in:
  --phone NUMBER          international format; or type a bot token at the phone prompt
  --bot-token ID:SECRET   sign in as a bot (auth.importBotAuthorization)
  --password PASSWORD     the 2FA password (else asked when needed; a wrong one fails at once)
  --api-id N              from https://my.telegram.org/apps
  --api-hash HASH
  --device-model TEXT     initConnection parameters (default mtjson-signin, uname, version, en)
  --system-version TEXT
  --app-version TEXT
  --lang-code CODE

Output:
  --out FILE              write the session line to FILE (mode 0600, replaced atomically)
                          instead of stdout
  --json                  for scripts: no prompts; what flags do not give is read from stdin,
                          one line each, in this order: phone (or bot token), api_id, api_hash,
                          code, then first and last name (new account) or the 2FA password
  --check FILE            restore the session saved in FILE and print whose it is (a line of
                          text, or {"user":{...}} with --json); needs --api-id (else asked)
  -h, --help              this text

Exit status: 0 signed in (or --check passed), 1 wrong input or credentials, 2 the daemon or
Telegram cannot be used (not running, no answer, FLOOD_WAIT: try again later). Each failure
prints one line on stderr saying what to do.
)";
}

}  // namespace mtjson::signin
