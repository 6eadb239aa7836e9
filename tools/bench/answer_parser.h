// Classifies one line from the daemon (README, "The JSON form of TL"): an answer `{"id":N,"message":...}` (a
// result, an rpc_error, an rpc_timeout), an error line `{"id":N,"error":KIND,"msg":...}`, an
// update `{"id":0,...}`, or a line that breaks the protocol. Only what the counters need is
// extracted; string views point into the parser and live until the next parse().
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mtjson::bench {

struct Answer {
  enum class Kind {
    result,          // an answer that is not an error (also the answer to "server"/"session")
    rpc_error,       // message._cons == "rpc_error"
    rpc_timeout,     // message._cons == "rpc_timeout"
    protocol_error,  // an `error` line
    update,          // id 0
    bad_line,        // not a JSON object, or no integer id: `detail` says which
  };
  Kind kind = Kind::bad_line;
  std::int64_t id = 0;
  std::string_view cons;           // message._cons, when there is one
  std::string_view error_message;  // rpc_error.error_message
  std::int64_t error_code = 0;     // rpc_error.error_code
  std::string_view error_kind;     // an error line's `error`
  std::string_view detail;         // an error line's `msg`, or what was wrong with a bad line
};

class AnswerParser {
 public:
  // `data[len..len+SIMDJSON_PADDING)` must be readable when `padded` (no copy then).
  Answer parse(const char* data, std::size_t len, bool padded);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace mtjson::bench
