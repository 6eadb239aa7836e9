// What a sign-in state machine asks its driver to do next (sans-I/O: the flows never touch a
// socket or a terminal; main.cpp and the tests feed them daemon lines and user inputs).
#pragma once

#include <string>

namespace mtjson::signin {

// Exit codes of mtjson-signin (and the codes a Fail step carries).
inline constexpr int kExitOk = 0;
inline constexpr int kExitInput = 1;        // wrong input or credentials: fix them and run again
inline constexpr int kExitUnreachable = 2;  // the daemon or Telegram cannot be used right now

// The things a person (or a script, with --json) may be asked for.
enum class Field {
  Phone,      // phone number, or a bot token (it contains ':')
  ApiId,
  ApiHash,
  Code,       // the login code
  Password,   // the 2FA password (read without echo)
  FirstName,  // sign-up of a new account
  LastName,
};

const char* field_name(Field field);  // "phone", "code", ... (for messages)

struct Prompt {
  Field field = Field::Phone;
  std::string text;    // "Code: " — shown as is, without a newline
  std::string notice;  // a line to show before the prompt ("Wrong code, 2 tries left"); may be empty
  bool secret = false; // read without echo
};

struct Step {
  enum class Kind {
    Send,    // write `line` (+ '\n') to the daemon, then feed its answers to on_line()
    Wait,    // nothing to do: keep reading the daemon's lines (an update, another id)
    Prompt,  // ask for `prompt`, then feed the answer to on_input()
    Done,    // print `line` (the result); `message` is a human note ("Signed in as ...")
    Fail,    // print `message` on stderr, exit with `exit_code`
  };
  Kind kind = Kind::Wait;
  std::string line;
  Prompt prompt;
  std::string message;
  int exit_code = kExitOk;

  static Step send(std::string line) {
    Step s;
    s.kind = Kind::Send;
    s.line = std::move(line);
    return s;
  }
  static Step wait() { return Step{}; }
  static Step ask(Prompt p) {
    Step s;
    s.kind = Kind::Prompt;
    s.prompt = std::move(p);
    return s;
  }
  static Step done(std::string line, std::string message) {
    Step s;
    s.kind = Kind::Done;
    s.line = std::move(line);
    s.message = std::move(message);
    return s;
  }
  static Step fail(int exit_code, std::string message) {
    Step s;
    s.kind = Kind::Fail;
    s.exit_code = exit_code;
    s.message = std::move(message);
    return s;
  }
};

}  // namespace mtjson::signin
