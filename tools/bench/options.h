// mtjson-bench's command line. Bad input gives one line naming the flag (the main exits 2).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/status.h"

namespace mtjson::bench {

enum class Method {
  get_config,    // {"_cons":"help.getConfig"}
  ping,          // {"_cons":"ping","ping_id":...} (MTProto ping, answered with pong)
  send_message,  // messages.sendMessage to @echo; needs signed-in clients
  raw,           // --message JSON, any TL object
  server,        // {"server":{}}: answered by the daemon itself, no Telegram round trip
};

struct Options {
  std::string host = "127.0.0.1";
  int port = 1543;
  int clients = 1;
  int inflight = 32;
  // Exactly one of the two bounds the measured phase; neither given: 10 s.
  std::optional<double> duration_s;
  std::optional<std::uint64_t> requests;
  double warmup_s = 0;
  double drain_s = 10;               // wait this long for answers still in flight at the end
  double setup_timeout_s = 120;      // connect, init and sign-in of every client
  Method method = Method::get_config;
  std::string message;               // --method raw: the TL object, minified
  std::optional<int> timeout_s;      // sent as each request's "timeout" key
  std::optional<std::string> signin; // first phone; client i signs in as phone + i
  bool init = true;                  // invokeWithLayer(initConnection(help.getConfig)) first
  int layer = 228;
  int api_id = 1;
  std::string api_hash = "0123456789abcdef0123456789abcdef";
  std::string text = "mtjson-bench";  // the sendMessage text
  std::optional<int> pid_daemon;
  std::optional<int> pid_testdc;
  int idle_clients = 0;
  // Each idle client first makes one Telegram call (invokeWithLayer(initConnection(
  // help.getConfig))), so the daemon holds a Telegram session and DC connection for it.
  bool idle_call = false;
  bool json = false;
  bool verbose = false;
  bool help = false;

  // Totals for the summary: "help.getConfig", "messages.sendMessage", the raw _cons...
  std::string method_name() const;
  // The phone client `index` signs in with (signin + index), empty when not signing in.
  std::string phone_for(int index) const;
  bool signs_in() const { return signin.has_value(); }
};

// args without the program name. The options, or one line naming the bad flag.
Result<Options> parse_options(const std::vector<std::string>& args);
std::string usage_text();

}  // namespace mtjson::bench
