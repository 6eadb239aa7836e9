// Runs a sans-I/O flow (SigninFlow, CheckFlow) against a line channel to the daemon and a source
// of inputs (the terminal, or stdin lines with --json). The tests drive it with fakes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "signin/step.h"

namespace mtjson::signin {

class LineChannel {
 public:
  virtual ~LineChannel() = default;
  // Writes line + '\n'.
  virtual Status send_line(std::string_view line) = 0;
  // The next line, without its '\n'. Errors: the daemon closed the connection, timed out, I/O.
  virtual Result<std::string> read_line() = 0;
};

class InputSource {
 public:
  virtual ~InputSource() = default;
  // The answer to a prompt; nullopt when there is no more input (end of stdin).
  virtual std::optional<std::string> ask(const Prompt& prompt) = 0;
};

// Runs until the flow says Done or Fail and returns that step. Connection trouble becomes a
// Fail with kExitUnreachable naming `daemon` ("localhost:1543").
template <typename Flow>
Step run_flow(Flow& flow, LineChannel& channel, InputSource& input, const std::string& daemon) {
  Step step = flow.start();
  for (;;) {
    switch (step.kind) {
      case Step::Kind::Send: {
        auto sent = channel.send_line(step.line);
        if (!sent)
          return Step::fail(kExitUnreachable, "lost the connection to the daemon at " + daemon + " (" + sent.message() +
                                                  "): check that mtjson is still running, then run again");
        step = Step::wait();
        break;
      }
      case Step::Kind::Wait: {
        auto line = channel.read_line();
        if (!line)
          return Step::fail(kExitUnreachable, "no answer from the daemon at " + daemon + " (" + line.message() +
                                                  "): check that mtjson is still running (its log), then run again");
        step = flow.on_line(*line);
        break;
      }
      case Step::Kind::Prompt: {
        auto answer = input.ask(step.prompt);
        if (!answer)
          return Step::fail(kExitInput, std::string("no ") + field_name(step.prompt.field) +
                                            " given (input ended): pass it as a flag or as a line on stdin");
        step = flow.on_input(*answer);
        break;
      }
      case Step::Kind::Done:
      case Step::Kind::Fail:
        return step;
    }
  }
}

}  // namespace mtjson::signin
