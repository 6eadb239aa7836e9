// SigninFlow: signing in through a running mtjson daemon, as a sans-I/O state machine.
//
//   [server] -> auth.sendCode -> code -> auth.signIn -> (auth.authorization
//                                                      | authorizationSignUpRequired -> names -> auth.signUp
//                                                      | SESSION_PASSWORD_NEEDED -> account.getPassword
//                                                        -> password -> SRP -> auth.checkPassword)
//            -> {"session":{}} -> Done({"session":{...,"user_id":N}})
//   bots:    [server] -> auth.importBotAuthorization -> {"session":{}} -> Done
//
// ("User Authorization" for the user flow, "Two-factor authentication" for the password.) The driver calls start(), then
// feeds every daemon line to on_line() and every answer to a Prompt to on_input(), acting on the
// Step each returns, until Done or Fail. Requests are sent one at a time, each with a new id;
// lines with another id (updates are id 0) are ignored. PHONE_MIGRATE_X / USER_MIGRATE_X are the
// daemon's business: reaching the flow they are an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "crypto/random.h"
#include "crypto/srp.h"
#include "signin/protocol.h"
#include "signin/step.h"

namespace mtjson::signin {

struct SigninConfig {
  AppInfo app;
  Json server;                          // null: the daemon's default; else sent first as {"server":...}
  std::string phone;                    // empty: asked (a bot token may be given at that prompt)
  std::string bot_token;                // set: bot sign-in with auth.importBotAuthorization
  std::optional<std::string> password;  // --password: used as is, never asked for (a wrong one fails)
  int max_tries = 3;                    // per code, password, phone and name prompts
};

class SigninFlow {
 public:
  explicit SigninFlow(SigninConfig config, crypto::RandomSource& random = crypto::default_random());

  Step start();
  Step on_line(std::string_view line);
  Step on_input(std::string_view text);

  bool finished() const { return state_ == State::Finished; }
  // The signed-in user as Telegram described it (after Done).
  const Json& user() const { return user_; }

 private:
  enum class State {
    Idle,
    AwaitServer,
    Asking,              // waiting for on_input(asking_)
    AwaitSentCode,
    AwaitSignIn,
    AwaitSignUp,
    AwaitPasswordInfo,   // account.getPassword sent
    AwaitCheckPassword,
    AwaitBotAuth,
    AwaitSession,
    Finished,
  };

  Step advance();  // asks for the next missing input or sends the first auth request
  Step ask(Field field, std::string notice = {});
  Step send_message(State next, std::string method_name, Json method);
  Step send_sign_in();
  Step send_sign_up();
  Step send_get_password();
  Step send_check_password();
  Step on_authorization(const Json& authorization);
  Step on_sent_code(const Json& sent);
  Step on_password_info(const Json& info);
  Step on_session(const Answer& answer);
  Step retry(Field field, int& failures, const std::string& what);  // ask again or give up
  Step fail(int exit_code, std::string message);
  Step fail_answer(const Answer& answer);  // the generic outcome of an unexpected answer

  SigninConfig config_;
  crypto::RandomSource& random_;
  State state_ = State::Idle;
  Field asking_ = Field::Phone;
  std::int64_t next_id_ = 1;
  std::int64_t pending_id_ = 0;
  std::string pending_method_;  // for messages: "auth.signIn"

  bool phone_prompted_ = false;
  std::string phone_code_hash_;
  std::string code_;
  std::string first_name_;
  std::string last_name_;
  std::optional<std::string> password_;  // the one to check next
  bool password_from_flag_ = false;
  std::string password_hint_;
  crypto::SrpAlgo srp_algo_;
  std::vector<std::uint8_t> srp_B_;
  std::int64_t srp_id_ = 0;
  std::string retry_notice_;  // shown at the next password prompt

  int phone_failures_ = 0;
  int code_failures_ = 0;
  int password_failures_ = 0;
  int name_failures_ = 0;
  int srp_refreshes_ = 0;

  Json user_;
};

}  // namespace mtjson::signin
