// CheckFlow (mtjson-signin --check FILE): restores a saved session in the daemon and asks
// Telegram who it is (users.getUsers [inputUserSelf]). Sans-I/O, driven like SigninFlow.
//
//   [api_id?] -> {"session":{saved}} -> users.getUsers -> Done(line {"user":{...}}, "Signed in as ...")
#pragma once

#include <cstdint>
#include <string_view>

#include "signin/protocol.h"
#include "signin/step.h"

namespace mtjson::signin {

struct CheckConfig {
  AppInfo app;   // api_id is asked for when missing: initConnection needs it
  Json session;  // the saved session object (what follows "session" in the file)
};

class CheckFlow {
 public:
  explicit CheckFlow(CheckConfig config);

  Step start();
  Step on_line(std::string_view line);
  Step on_input(std::string_view text);
  bool finished() const { return state_ == State::Finished; }

 private:
  enum class State { Idle, Asking, AwaitRestore, AwaitUsers, Finished };

  Step restore();
  Step on_users(const Json& users);
  Step fail(int exit_code, std::string message);
  Step fail_answer(const Answer& answer);

  CheckConfig config_;
  State state_ = State::Idle;
  std::int64_t next_id_ = 1;
  std::int64_t pending_id_ = 0;
  std::string pending_what_;
};

// {"user":{"id":..,"first_name":..,"last_name":..,"username":..,"phone":..,"bot":bool}} — the
// fields of a User worth printing (absent ones left out, "bot" always there).
Json user_summary(const Json& user);

}  // namespace mtjson::signin
