#include "signin/signin_flow.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "base/base64.h"
#include "signin/input_text.h"

namespace mtjson::signin {

namespace {

constexpr const char* kSrpAlgo = "passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow";

std::string tries_left(int left) { return std::to_string(left) + (left == 1 ? " try left" : " tries left"); }

std::optional<std::vector<std::uint8_t>> bytes_field(const Json& object, const char* key) {
  std::string text = json_string(object, key);
  if (text.empty()) return std::nullopt;
  auto decoded = base64_decode(text);
  if (!decoded) return std::nullopt;
  return std::move(decoded).value();
}

// Where the code went, from auth.SentCodeType ("User Authorization", "Sign in/sign up"). Empty when the
// type needs something this tool cannot do (the caller fails).
std::string code_notice(const Json& type) {
  const std::string cons = json_string(type, "_cons");
  const int length = json_int(type, "length", 0);
  const std::string digits = length > 0 ? " (" + std::to_string(length) + " characters)" : "";
  if (cons == "auth.sentCodeTypeApp") return "The code was sent to your Telegram app" + digits + ".";
  if (cons == "auth.sentCodeTypeSms" || cons == "auth.sentCodeTypeFirebaseSms")
    return "The code was sent by SMS" + digits + ".";
  if (cons == "auth.sentCodeTypeCall") return "Telegram is calling you to dictate the code" + digits + ".";
  if (cons == "auth.sentCodeTypeFlashCall")
    return "Telegram will call you: the code is the calling number (pattern " + json_string(type, "pattern") + ").";
  if (cons == "auth.sentCodeTypeMissedCall")
    return "Telegram will call you from a number starting with " + json_string(type, "prefix") +
           ": the code is its last digits" + digits + ".";
  if (cons == "auth.sentCodeTypeEmailCode")
    return "The code was sent to your email " + json_string(type, "email_pattern") + digits + ".";
  if (cons == "auth.sentCodeTypeFragmentSms")
    return "The code was sent to your number on Fragment (" + json_string(type, "url") + ")" + digits + ".";
  if (cons == "auth.sentCodeTypeSmsWord" || cons == "auth.sentCodeTypeSmsPhrase") {
    std::string start = json_string(type, "beginning");
    return std::string("The code is a ") + (cons == "auth.sentCodeTypeSmsWord" ? "word" : "phrase") +
           " sent by SMS" + (start.empty() ? "" : " (it starts with \"" + start + "\")") + ".";
  }
  if (cons == "auth.sentCodeTypeSetUpEmailRequired") return {};
  return "The code was sent (" + cons + ").";
}

}  // namespace

SigninFlow::SigninFlow(SigninConfig config, crypto::RandomSource& random)
    : config_(std::move(config)), random_(random) {
  if (config_.password) {
    password_ = config_.password;
    password_from_flag_ = true;
  }
  if (config_.max_tries < 1) config_.max_tries = 1;
}

Step SigninFlow::start() {
  if (state_ != State::Idle) return fail(kExitUnreachable, "internal: the sign-in was started twice");
  if (!config_.server.is_null()) {
    state_ = State::AwaitServer;
    pending_id_ = next_id_++;
    pending_method_ = "server";
    return Step::send(request_line(pending_id_, "server", config_.server));
  }
  return advance();
}

Step SigninFlow::advance() {
  if (config_.bot_token.empty() && config_.phone.empty()) return ask(Field::Phone);
  if (!config_.app.api_id) return ask(Field::ApiId);
  if (!config_.app.api_hash) return ask(Field::ApiHash);
  if (!config_.bot_token.empty()) {
    // flags:int here is a plain int field, not a '#' (scheme.tl): always 0.
    return send_message(State::AwaitBotAuth, "auth.importBotAuthorization",
                        Json{{"_cons", "auth.importBotAuthorization"},
                             {"flags", 0},
                             {"api_id", *config_.app.api_id},
                             {"api_hash", *config_.app.api_hash},
                             {"bot_auth_token", config_.bot_token}});
  }
  return send_message(State::AwaitSentCode, "auth.sendCode",
                      Json{{"_cons", "auth.sendCode"},
                           {"phone_number", config_.phone},
                           {"api_id", *config_.app.api_id},
                           {"api_hash", *config_.app.api_hash},
                           {"settings", Json{{"_cons", "codeSettings"}}}});
}

Step SigninFlow::ask(Field field, std::string notice) {
  state_ = State::Asking;
  asking_ = field;
  Prompt p;
  p.field = field;
  p.notice = std::move(notice);
  switch (field) {
    case Field::Phone:
      phone_prompted_ = true;
      p.text = "Phone number (international format) or bot token: ";
      break;
    case Field::ApiId: p.text = "api_id (from https://my.telegram.org/apps): "; break;
    case Field::ApiHash: p.text = "api_hash: "; break;
    case Field::Code: p.text = "Code: "; break;
    case Field::Password:
      p.text = password_hint_.empty() ? "2FA password: " : "2FA password (hint: " + password_hint_ + "): ";
      p.secret = true;
      break;
    case Field::FirstName: p.text = "First name: "; break;
    case Field::LastName: p.text = "Last name (may be empty): "; break;
  }
  return Step::ask(std::move(p));
}

Step SigninFlow::send_message(State next, std::string method_name, Json method) {
  state_ = next;
  pending_id_ = next_id_++;
  pending_method_ = std::move(method_name);
  return Step::send(request_line(pending_id_, "message", wrap_method(config_.app, std::move(method))));
}

Step SigninFlow::send_sign_in() {
  return send_message(State::AwaitSignIn, "auth.signIn",
                      Json{{"_cons", "auth.signIn"},
                           {"phone_number", config_.phone},
                           {"phone_code_hash", phone_code_hash_},
                           {"phone_code", code_}});
}

Step SigninFlow::send_sign_up() {
  return send_message(State::AwaitSignUp, "auth.signUp",
                      Json{{"_cons", "auth.signUp"},
                           {"phone_number", config_.phone},
                           {"phone_code_hash", phone_code_hash_},
                           {"first_name", first_name_},
                           {"last_name", last_name_}});
}

Step SigninFlow::send_get_password() {
  return send_message(State::AwaitPasswordInfo, "account.getPassword", Json{{"_cons", "account.getPassword"}});
}

// "Two-factor authentication", "Checking the password with SRP": A and M1 from the algo, srp_B and srp_id of the
// account.password just received (an srp_id is good for one check only).
Step SigninFlow::send_check_password() {
  auto check = crypto::srp_compute_check(srp_algo_, srp_B_, srp_id_, *password_, random_);
  if (!check)
    return fail(kExitUnreachable, "the server's 2FA parameters fail the security checks (" + check.message() +
                                      "): not sending the password; is --server the right one?");
  return send_message(State::AwaitCheckPassword, "auth.checkPassword",
                      Json{{"_cons", "auth.checkPassword"},
                           {"password", Json{{"_cons", "inputCheckPasswordSRP"},
                                             {"srp_id", check->srp_id},
                                             {"A", base64_encode(check->A)},
                                             {"M1", base64_encode(check->M1)}}}});
}

Step SigninFlow::on_input(std::string_view raw) {
  if (state_ != State::Asking) return fail(kExitUnreachable, "internal: an input came while none was asked for");
  switch (asking_) {
    case Field::Phone: {
      std::string text = trim(raw);
      if (looks_like_bot_token(text)) {
        config_.bot_token = text;
        return advance();
      }
      std::string phone = normalize_phone(text);
      if (phone.empty())
        return ask(Field::Phone, "A phone number has digits only, e.g. +15551234567; a bot token looks like 123456:ABC-DEF.");
      config_.phone = phone;
      return advance();
    }
    case Field::ApiId: {
      std::string text = trim(raw);
      std::int32_t id = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
      if (ec != std::errc() || p != text.data() + text.size() || id <= 0)
        return ask(Field::ApiId, "api_id is a positive number (https://my.telegram.org/apps).");
      config_.app.api_id = id;
      return advance();
    }
    case Field::ApiHash: {
      std::string text = trim(raw);
      if (text.empty()) return ask(Field::ApiHash, "api_hash may not be empty.");
      config_.app.api_hash = text;
      return advance();
    }
    case Field::Code: {
      std::string code = normalize_code(raw);
      if (code.empty()) return ask(Field::Code, "The code may not be empty.");
      code_ = code;
      return send_sign_in();
    }
    case Field::Password: {
      std::string password(strip_line_end(raw));
      if (password.empty()) return ask(Field::Password, "The password may not be empty.");
      password_ = std::move(password);
      return send_check_password();
    }
    case Field::FirstName: {
      std::string name = trim(raw);
      if (name.empty()) return ask(Field::FirstName, "The first name may not be empty.");
      first_name_ = name;
      return ask(Field::LastName);
    }
    case Field::LastName:
      last_name_ = trim(raw);
      return send_sign_up();
  }
  return fail(kExitUnreachable, "internal: unknown input");
}

Step SigninFlow::on_line(std::string_view line) {
  if (state_ == State::Finished) return Step::wait();
  auto parsed = parse_answer(line);
  if (!parsed)
    return fail(kExitUnreachable, "the daemon sent a line that is not a protocol answer (" + parsed.message() +
                                      "): is --host/--port an mtjson daemon?");
  const Answer& a = *parsed;
  // Updates (id 0) and anything that is not the answer we wait for.
  if (a.id != pending_id_ || state_ == State::Asking || state_ == State::Idle) return Step::wait();

  switch (state_) {
    case State::AwaitServer:
      if (a.kind == Answer::Kind::Server) return advance();
      return fail_answer(a);

    case State::AwaitSentCode:
      if (a.kind == Answer::Kind::Result) return on_sent_code(a.body);
      if (a.kind == Answer::Kind::RpcError && a.error == "PHONE_NUMBER_INVALID" && phone_prompted_) {
        config_.phone.clear();
        return retry(Field::Phone, phone_failures_, "Telegram does not know this phone number (PHONE_NUMBER_INVALID)");
      }
      return fail_answer(a);

    case State::AwaitSignIn:
      if (a.kind == Answer::Kind::Result) return on_authorization(a.body);
      if (a.kind == Answer::Kind::RpcError) {
        if (a.error == "PHONE_CODE_INVALID" || a.error == "PHONE_CODE_EMPTY")
          return retry(Field::Code, code_failures_, "Wrong code (" + a.error + ")");
        if (a.error == "SESSION_PASSWORD_NEEDED") return send_get_password();
      }
      return fail_answer(a);

    case State::AwaitSignUp:
      if (a.kind == Answer::Kind::Result) return on_authorization(a.body);
      if (a.kind == Answer::Kind::RpcError && (a.error == "FIRSTNAME_INVALID" || a.error == "LASTNAME_INVALID"))
        return retry(Field::FirstName, name_failures_,
                     "Telegram refused the name (" + a.error + ")");
      return fail_answer(a);

    case State::AwaitPasswordInfo:
      if (a.kind == Answer::Kind::Result) return on_password_info(a.body);
      return fail_answer(a);

    case State::AwaitCheckPassword:
      if (a.kind == Answer::Kind::Result) return on_authorization(a.body);
      if (a.kind == Answer::Kind::RpcError && a.error == "PASSWORD_HASH_INVALID") {
        if (password_from_flag_)
          return fail(kExitInput, "wrong 2FA password (PASSWORD_HASH_INVALID): check --password, or leave it out to be asked");
        ++password_failures_;
        if (password_failures_ >= config_.max_tries)
          return fail(kExitInput, "wrong 2FA password " + std::to_string(password_failures_) +
                                      " times (PASSWORD_HASH_INVALID): run mtjson-signin again");
        // The srp_id is spent: fetch a fresh challenge, then ask again.
        password_.reset();
        retry_notice_ = "Wrong password (PASSWORD_HASH_INVALID), " + tries_left(config_.max_tries - password_failures_) + ".";
        return send_get_password();
      }
      if (a.kind == Answer::Kind::RpcError && (a.error == "SRP_ID_INVALID" || a.error == "SRP_PASSWORD_CHANGED") &&
          srp_refreshes_ < 2) {
        // The challenge expired (or the password changed) meanwhile: a new one, same password.
        ++srp_refreshes_;
        return send_get_password();
      }
      return fail_answer(a);

    case State::AwaitBotAuth:
      if (a.kind == Answer::Kind::Result) return on_authorization(a.body);
      return fail_answer(a);

    case State::AwaitSession:
      return on_session(a);

    default:
      return Step::wait();
  }
}

Step SigninFlow::on_sent_code(const Json& sent) {
  const std::string cons = json_string(sent, "_cons");
  if (cons == "auth.sentCodeSuccess") {
    // Signed in without a code (a future_auth_token was accepted).
    if (!sent.contains("authorization")) return fail(kExitUnreachable, "auth.sentCodeSuccess without an authorization");
    return on_authorization(sent.at("authorization"));
  }
  if (cons == "auth.sentCodePaymentRequired")
    return fail(kExitInput, "Telegram wants a payment before it sends a code to this number "
                            "(auth.sentCodePaymentRequired): sign in once with an official app");
  if (cons != "auth.sentCode")
    return fail(kExitUnreachable, "the daemon answered auth.sendCode with " + (cons.empty() ? sent.dump() : cons) +
                                      ", not auth.sentCode");
  phone_code_hash_ = json_string(sent, "phone_code_hash");
  if (phone_code_hash_.empty()) return fail(kExitUnreachable, "auth.sentCode came without a phone_code_hash");
  std::string notice = sent.contains("type") ? code_notice(sent.at("type")) : "The code was sent.";
  if (notice.empty())
    return fail(kExitInput, "Telegram wants a login email set up for this number first "
                            "(auth.sentCodeTypeSetUpEmailRequired): sign in once with an official app");
  return ask(Field::Code, notice);
}

Step SigninFlow::on_authorization(const Json& authorization) {
  const std::string cons = json_string(authorization, "_cons");
  if (cons == "auth.authorizationSignUpRequired") {
    if (!config_.bot_token.empty()) return fail(kExitUnreachable, "Telegram asks a bot to sign up");
    return ask(Field::FirstName, "No account uses this number yet: a new one will be created.");
  }
  if (cons != "auth.authorization")
    return fail(kExitUnreachable, "the daemon answered " + pending_method_ + " with " +
                                      (cons.empty() ? authorization.dump() : cons) + ", not an auth.authorization");
  user_ = authorization.contains("user") ? authorization.at("user") : Json::object();
  state_ = State::AwaitSession;
  pending_id_ = next_id_++;
  pending_method_ = "session";
  return Step::send(request_line(pending_id_, "session", Json::object()));
}

Step SigninFlow::on_password_info(const Json& info) {
  if (json_string(info, "_cons") != "account.password")
    return fail(kExitUnreachable, "the daemon answered account.getPassword with " + json_string(info, "_cons"));
  const bool has_password = json_bool(info, "has_password");
  const Json algo = info.contains("current_algo") ? info.at("current_algo") : Json();
  if (!has_password || algo.is_null())
    return fail(kExitUnreachable, "Telegram asked for a 2FA password but account.password reports none: try again");
  if (json_string(algo, "_cons") != kSrpAlgo)
    return fail(kExitInput, "the account's 2FA password uses " + json_string(algo, "_cons") +
                                ", which mtjson-signin does not know: sign in with an official app");
  auto salt1 = bytes_field(algo, "salt1");
  auto salt2 = bytes_field(algo, "salt2");
  auto p = bytes_field(algo, "p");
  auto srp_B = bytes_field(info, "srp_B");
  auto srp_id = info.contains("srp_id") ? json_long(info.at("srp_id")) : std::nullopt;
  if (!salt1 || !salt2 || !p || !srp_B || !srp_id)
    return fail(kExitUnreachable, "account.password lacks salt1, salt2, p, srp_B or srp_id: cannot check the password");
  srp_algo_ = crypto::SrpAlgo{std::move(*salt1), std::move(*salt2), json_int(algo, "g", 0), std::move(*p)};
  srp_B_ = std::move(*srp_B);
  srp_id_ = *srp_id;
  password_hint_ = json_string(info, "hint");
  if (password_) return send_check_password();
  std::string notice = retry_notice_.empty() ? "This account has a 2FA password." : retry_notice_;
  retry_notice_.clear();
  return ask(Field::Password, notice);
}

Step SigninFlow::on_session(const Answer& a) {
  if (a.kind != Answer::Kind::Session) return fail_answer(a);
  if (!a.body.is_object() || !a.body.contains("auth_key"))
    return fail(kExitUnreachable, "the daemon answered the session request without an auth_key: is it an mtjson daemon?");
  Json session = a.body;
  if ((!session.contains("user_id") || session.at("user_id").is_null()) && user_.is_object() && user_.contains("id"))
    session["user_id"] = user_.at("id");
  state_ = State::Finished;
  Json out = {{"session", std::move(session)}};
  return Step::done(out.dump(-1, ' ', false, Json::error_handler_t::replace), "Signed in as " + describe_user(user_) + ".");
}

Step SigninFlow::retry(Field field, int& failures, const std::string& what) {
  ++failures;
  if (failures >= config_.max_tries) {
    std::string again = field == Field::Code ? "run mtjson-signin again for a new code" : "run mtjson-signin again";
    return fail(kExitInput, what + " " + std::to_string(failures) + " times: " + again);
  }
  return ask(field, what + ", " + tries_left(config_.max_tries - failures) + ".");
}

Step SigninFlow::fail(int exit_code, std::string message) {
  state_ = State::Finished;
  return Step::fail(exit_code, std::move(message));
}

Step SigninFlow::fail_answer(const Answer& a) {
  Failure f = describe_answer_failure(pending_method_, a);
  return fail(f.exit_code, f.message);
}

}  // namespace mtjson::signin
