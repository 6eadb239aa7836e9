// mtjson-signin: sign in to Telegram through a running mtjson daemon and print a reusable session
// line; --check FILE tells whose a saved session is. See usage_text() (options.cpp).
#include <sys/utsname.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "signin/check_flow.h"
#include "signin/daemon_link.h"
#include "signin/driver.h"
#include "signin/options.h"
#include "signin/session_file.h"
#include "signin/signin_flow.h"
#include "signin/terminal.h"
#include "tl/default_schema.h"
#include "tl/schema_loader.h"

using namespace mtjson::signin;

namespace {

// Telegram may take up to the daemon's own timeout (60 s by default) to answer; the daemon then
// says rpc_timeout. Waiting a little longer than that makes its answer, not ours, the verdict.
constexpr std::chrono::seconds kReadTimeout{90};
constexpr std::chrono::seconds kConnectTimeout{10};

int failure(int code, const std::string& message) {
  std::fprintf(stderr, "mtjson-signin: %s\n", message.c_str());
  return code;
}

std::string default_system_version() {
  utsname u{};
  if (::uname(&u) != 0) return "Linux";
  return std::string(u.sysname) + " " + u.release;
}

// The layer we speak is the schema's: scheme.tl's "// LAYER N" marker, read by the tl library.
mtjson::Result<int> schema_layer() {
  std::shared_ptr<const mtjson::tl::Schema> schema;
  auto status = mtjson::tl::load_schema_files(mtjson::tl::default_schema_paths(), schema);
  if (!status) return status;
  if (schema->layer() <= 0) return mtjson::Result<int>::error("no \"// LAYER N\" line in scheme.tl");
  return schema->layer();
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_options(std::vector<std::string>(argv + 1, argv + argc));
  if (!parsed) return failure(kExitInput, parsed.message() + " (see mtjson-signin --help)");
  Options& o = *parsed;
  if (o.help) {
    std::fputs(usage_text().c_str(), stdout);
    return kExitOk;
  }

  AppInfo app;
  auto layer = schema_layer();
  if (!layer)
    return failure(kExitUnreachable, "cannot read the TL schema (" + layer.message() +
                                         "): set MTJSON_SCHEMA_DIR to the directory holding scheme.tl");
  app.layer = *layer;
  app.api_id = o.api_id;
  app.api_hash = o.api_hash;
  app.device_model = o.device_model;
  app.system_version = o.system_version.empty() ? default_system_version() : o.system_version;
  app.app_version = o.app_version.empty() ? std::string(MTJSON_VERSION) : o.app_version;
  app.lang_code = o.lang_code;

  std::string rsa_pem;
  if (!o.rsa_file.empty()) {
    auto text = read_text_file(o.rsa_file);
    if (!text) return failure(kExitInput, "--rsa: " + text.message());
    if (text->find("-----BEGIN") == std::string::npos)
      return failure(kExitInput, "--rsa: " + o.rsa_file + " holds no PEM key (-----BEGIN ...)");
    rsa_pem = *text;
  }

  Json saved_session;
  if (!o.check_file.empty()) {
    auto text = read_text_file(o.check_file);
    if (!text) return failure(kExitInput, "--check: " + text.message());
    auto session = parse_session_text(*text);
    if (!session)
      return failure(kExitInput, "--check: " + o.check_file + ": " + session.message() +
                                     " (it must hold the line mtjson-signin printed)");
    saved_session = *session;
  }

  const std::string daemon = o.host + ":" + std::to_string(o.port);
  auto connected = DaemonLink::connect(o.host, o.port, kConnectTimeout, kReadTimeout);
  if (!connected)
    return failure(kExitUnreachable, "cannot reach the daemon at " + daemon + " (" + connected.message() +
                                         "): start mtjson, or point --host/--port at it");
  std::unique_ptr<DaemonLink> link = std::move(*connected);

  TerminalInput terminal;
  ScriptInput script;
  InputSource& input = o.json ? static_cast<InputSource&>(script) : terminal;

  if (!o.check_file.empty()) {
    CheckFlow flow(CheckConfig{app, saved_session});
    Step end = run_flow(flow, *link, input, daemon);
    if (end.kind == Step::Kind::Fail) return failure(end.exit_code, end.message);
    std::printf("%s\n", o.json ? end.line.c_str() : end.message.c_str());
    return kExitOk;
  }

  SigninConfig config;
  config.app = app;
  config.server = server_value(o, rsa_pem);
  config.phone = o.phone;
  config.bot_token = o.bot_token;
  config.password = o.password;
  SigninFlow flow(std::move(config));
  Step end = run_flow(flow, *link, input, daemon);
  if (end.kind == Step::Kind::Fail) return failure(end.exit_code, end.message);

  if (!o.out_file.empty()) {
    auto written = mtjson::write_file_atomic(o.out_file, end.line + "\n");
    if (!written)
      return failure(kExitInput, "signed in, but " + written.message() +
                                     ": choose a writable --out (the session was not printed: it is secret)");
    if (!o.json) std::fprintf(stderr, "%s The session is in %s (mode 0600).\n", end.message.c_str(), o.out_file.c_str());
  } else {
    std::printf("%s\n", end.line.c_str());
    std::fflush(stdout);
    if (!o.json) std::fprintf(stderr, "%s\n", end.message.c_str());
  }
  return kExitOk;
}
