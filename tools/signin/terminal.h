// Where answers to prompts come from: a person at the terminal, or a script (--json).
#pragma once

#include <optional>
#include <string>

#include "signin/driver.h"

namespace mtjson::signin {

// Prompts (and their notices) on stderr — stdout is for the session line — and reads stdin.
// A secret prompt turns echo off while the line is typed when stdin is a terminal (termios),
// and puts it back even on Ctrl-C.
class TerminalInput final : public InputSource {
 public:
  std::optional<std::string> ask(const Prompt& prompt) override;
};

// --json: one stdin line per prompt, nothing printed.
class ScriptInput final : public InputSource {
 public:
  std::optional<std::string> ask(const Prompt& prompt) override;
};

}  // namespace mtjson::signin
