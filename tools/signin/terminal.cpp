#include "signin/terminal.h"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace mtjson::signin {

namespace {

// The terminal settings to put back if a signal ends the process while echo is off.
termios g_saved_termios;
volatile sig_atomic_t g_echo_off = 0;

constexpr int kRestoreSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};

extern "C" void restore_and_reraise(int sig) {
  if (g_echo_off) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);  // async-signal-safe
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

// Echo off for the lifetime of the object (ECHONL keeps the Enter visible as a line break).
class EchoOff {
 public:
  EchoOff() {
    if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &g_saved_termios) != 0) return;
    struct sigaction sa {};
    sa.sa_handler = restore_and_reraise;
    ::sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 4; ++i) ::sigaction(kRestoreSignals[i], &sa, &old_[i]);
    termios quiet = g_saved_termios;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    if (::tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0) g_echo_off = 1;
    active_ = true;
  }
  ~EchoOff() {
    if (!active_) return;
    if (g_echo_off) ::tcsetattr(STDIN_FILENO, TCSANOW, &g_saved_termios);
    g_echo_off = 0;
    for (int i = 0; i < 4; ++i) ::sigaction(kRestoreSignals[i], &old_[i], nullptr);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  bool active_ = false;
  struct sigaction old_[4] {};
};

std::optional<std::string> read_stdin_line() {
  std::string line;
  if (!std::getline(std::cin, line)) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

std::optional<std::string> TerminalInput::ask(const Prompt& prompt) {
  if (!prompt.notice.empty()) std::fprintf(stderr, "%s\n", prompt.notice.c_str());
  // Echo goes off before the prompt shows: nothing typed after it appears is echoed.
  std::optional<EchoOff> quiet;
  if (prompt.secret) quiet.emplace();
  std::fputs(prompt.text.c_str(), stderr);
  std::fflush(stderr);
  return read_stdin_line();
}

std::optional<std::string> ScriptInput::ask(const Prompt&) { return read_stdin_line(); }

}  // namespace mtjson::signin
