// What one load client does before the load, as a sans-I/O state machine: the caller sends each
// returned request, feeds the answer back, and gets the next step.
//  - init (unless --no-init): invokeWithLayer(L, initConnection(..., help.getConfig)), so the
//    daemon's Telegram session declares its layer before the measured calls;
//  - --signin PHONE ("User Authorization", "Sign in/sign up", "Test Accounts"): auth.sendCode (wrapped in
//    the init when there is one) -> auth.signIn with the code (the DC digit five times) ->
//    auth.signUp when the answer is auth.authorizationSignUpRequired; PHONE_MIGRATE_X (303)
//    moves the client to DC X with {"server":{"dc":X}} and starts over;
//  - for sendMessage: contacts.resolveUsername "echo" -> the peer's user_id and access_hash.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "bench/options.h"
#include "bench/workload.h"

namespace mtjson::bench {

class SetupFlow {
 public:
  struct Step {
    enum class Kind { send_message, send_server, done, failed };
    Kind kind = Kind::done;
    std::string body;  // the `message` (send_message) or `server` (send_server) object, as JSON
    std::string what;  // what the request is, for progress and errors ("auth.signIn")
    std::string error; // failed: one line
  };

  SetupFlow(const Options& options, int client_index);

  Step start();
  // An idle client's one Telegram call (--idle-call): the init, whatever the method.
  Step start_idle_call();
  // `answer` is the whole answer line for the request of the last step.
  Step on_answer(const nlohmann::json& answer);

  const PeerUser& peer() const { return peer_; }
  std::int64_t user_id() const { return user_id_; }

 private:
  enum class State { idle, init, send_code, migrate, sign_in, sign_up, resolve, done, failed };

  Step on_answer_checked(const nlohmann::json& answer);
  Step send_code();
  Step sign_in();
  Step after_authorization(const nlohmann::json& authorization);
  Step fail(const std::string& why);
  Step message_step(State next, nlohmann::json message, std::string what);
  nlohmann::json wrapped(nlohmann::json query) const;

  const Options& options_;
  int index_;
  std::string phone_;
  State state_ = State::idle;
  std::string what_;  // the request in flight
  std::string phone_code_hash_;
  int migrations_ = 0;
  std::int64_t user_id_ = 0;
  PeerUser peer_;
};

}  // namespace mtjson::bench
