#include "signin/options.h"

#include "cli/flag_value.h"
#include "signin/input_text.h"

namespace mtjson::signin {

Result<Options> parse_options(const std::vector<std::string>& args) {
  Options o;
  cli::ArgReader args_in(args);
  while (args_in.next()) {
    const std::string& flag = args_in.flag();
    auto need = [&](std::string& out, const char* what) -> Status {
      auto given = args_in.value();
      if (!given || given->empty()) return Status::error(flag + " needs " + what);
      out = *given;
      return Status();
    };
    auto no_value = [&]() -> Status {
      if (args_in.has_inline_value()) return Status::error(flag + " takes no value");
      return Status();
    };
    Status err;  // the flag's error line, if it has one
    std::string v;
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
      if ((err = need(v, "the daemon's port")).ok()) {
        auto port = cli::port_value(flag, v, false);
        if (!port) err = port.status();
        else o.port = static_cast<int>(*port);
      }
    } else if (flag == "--phone") {
      if ((err = need(v, "a phone number")).ok()) {
        o.phone = normalize_phone(v);
        if (o.phone.empty()) err = Status::error("--phone: '" + v + "' is not a phone number (digits, international format)");
      }
    } else if (flag == "--password") {
      if ((err = need(v, "the 2FA password")).ok()) o.password = v;
    } else if (flag == "--bot-token") {
      if ((err = need(v, "a bot token (ID:SECRET)")).ok()) {
        o.bot_token = trim(v);
        if (!looks_like_bot_token(o.bot_token)) err = Status::error("--bot-token: not a bot token (ID:SECRET, from @BotFather)");
      }
    } else if (flag == "--api-id") {
      if ((err = need(v, "a number")).ok()) {
        auto id = cli::int_value(flag, v, "an api_id from https://my.telegram.org/apps", 1, 2147483647);
        if (!id) err = id.status();
        else o.api_id = static_cast<std::int32_t>(*id);
      }
    } else if (flag == "--api-hash") {
      if ((err = need(v, "a value")).ok()) o.api_hash = v;
    } else if (flag == "--device-model") {
      err = need(o.device_model, "a value");
    } else if (flag == "--system-version") {
      err = need(o.system_version, "a value");
    } else if (flag == "--app-version") {
      err = need(o.app_version, "a value");
    } else if (flag == "--lang-code") {
      err = need(o.lang_code, "a language code (en, de, ...)");
    } else if (flag == "--server") {
      if ((err = need(v, "HOST:PORT")).ok()) {
        if (auto server = cli::parse_host_port(v)) {
          o.server_host = server->host;
          o.server_port = server->port;
        } else {
          err = Status::error("--server: '" + v + "' is not HOST:PORT ([ADDR]:PORT for IPv6)");
        }
      }
    } else if (flag == "--rsa") {
      err = need(o.rsa_file, "a PEM file (the server's public key)");
    } else if (flag == "--out") {
      err = need(o.out_file, "a file name");
    } else if (flag == "--check") {
      err = need(o.check_file, "the saved session file");
    } else {
      err = Status::error("unknown argument '" + args_in.arg() + "'");
    }
    if (!err) return err;
  }
  if (!o.phone.empty() && !o.bot_token.empty()) return Result<Options>::error("--phone and --bot-token exclude each other");
  if (!o.check_file.empty()) {
    if (!o.phone.empty() || !o.bot_token.empty() || o.password || !o.out_file.empty())
      return Result<Options>::error("--check FILE takes no --phone, --bot-token, --password or --out");
  }
  return o;
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
