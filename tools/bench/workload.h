// The request lines of the load (README, "The JSON form of TL"): built by appending to a string, no JSON library on
// the hot path. Each line carries its id; sendMessage also a random_id unique per request (the
// test DC, like Telegram, answers a repeated random_id with the first message again).
#pragma once

#include <cstdint>
#include <string>

#include "bench/options.h"

namespace mtjson::bench {

// The resolved @echo for sendMessage (contacts.resolveUsername).
struct PeerUser {
  std::int64_t user_id = 0;
  std::int64_t access_hash = 0;
};

class Workload {
 public:
  // `random_base` makes ping_id / random_id differ between clients and runs.
  Workload(const Options& options, std::uint64_t random_base);

  void set_peer(PeerUser peer) { peer_ = peer; }
  // Appends one request line, '\n' included.
  void append_request(std::string& out, std::int64_t id) const;

 private:
  const Options& options_;
  std::uint64_t random_base_;
  PeerUser peer_;
  std::string text_json_;  // the sendMessage text as a JSON string
};

// `{"id":N,"message":MESSAGE}\n` for a control request (init, sign-in).
void append_message_line(std::string& out, std::int64_t id, const std::string& message_json);
// `{"id":N,"server":{}}\n`: the idle clients' hello and --method server.
void append_server_get_line(std::string& out, std::int64_t id);

}  // namespace mtjson::bench
