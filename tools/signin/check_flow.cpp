#include "signin/check_flow.h"

#include <charconv>

#include "signin/input_text.h"

namespace mtjson::signin {

CheckFlow::CheckFlow(CheckConfig config) : config_(std::move(config)) {}

Step CheckFlow::start() {
  if (state_ != State::Idle) return fail(kExitUnreachable, "internal: the check was started twice");
  if (!config_.app.api_id) {
    state_ = State::Asking;
    Prompt p;
    p.field = Field::ApiId;
    p.text = "api_id (from https://my.telegram.org/apps): ";
    return Step::ask(std::move(p));
  }
  return restore();
}

Step CheckFlow::on_input(std::string_view raw) {
  if (state_ != State::Asking) return fail(kExitUnreachable, "internal: an input came while none was asked for");
  std::string text = trim(raw);
  std::int32_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || p != text.data() + text.size() || id <= 0) {
    Prompt again;
    again.field = Field::ApiId;
    again.text = "api_id (from https://my.telegram.org/apps): ";
    again.notice = "api_id is a positive number (https://my.telegram.org/apps).";
    return Step::ask(std::move(again));
  }
  config_.app.api_id = id;
  return restore();
}

Step CheckFlow::restore() {
  state_ = State::AwaitRestore;
  pending_id_ = next_id_++;
  pending_what_ = "session restore";
  return Step::send(request_line(pending_id_, "session", config_.session));
}

Step CheckFlow::on_line(std::string_view line) {
  if (state_ == State::Finished) return Step::wait();
  auto parsed = parse_answer(line);
  if (!parsed)
    return fail(kExitUnreachable, "the daemon sent a line that is not a protocol answer (" + parsed.message() +
                                      "): is --host/--port an mtjson daemon?");
  const Answer& a = *parsed;
  if (a.id != pending_id_ || state_ == State::Asking || state_ == State::Idle) return Step::wait();
  if (state_ == State::AwaitRestore) {
    if (a.kind != Answer::Kind::Session) return fail_answer(a);
    state_ = State::AwaitUsers;
    pending_id_ = next_id_++;
    pending_what_ = "users.getUsers";
    Json method = {{"_cons", "users.getUsers"}, {"id", Json::array({Json{{"_cons", "inputUserSelf"}}})}};
    return Step::send(request_line(pending_id_, "message", wrap_method(config_.app, std::move(method))));
  }
  if (state_ == State::AwaitUsers) {
    if (a.kind == Answer::Kind::Result) return on_users(a.body);
    return fail_answer(a);
  }
  return Step::wait();
}

Step CheckFlow::on_users(const Json& users) {
  if (!users.is_array())
    return fail(kExitUnreachable, "the daemon answered users.getUsers with " + users.dump() + ", not a vector");
  if (users.empty() || json_string(users.at(0), "_cons") != "user")
    return fail(kExitInput, "Telegram knows no user for this session (users.getUsers gave " +
                                (users.empty() ? std::string("nothing") : json_string(users.at(0), "_cons")) +
                                "): sign in again with mtjson-signin");
  const Json& user = users.at(0);
  // The saved line says whose session it is; a different answer means a mixed-up file or daemon.
  if (config_.session.is_object() && config_.session.contains("user_id") && user.contains("id")) {
    auto saved = json_long(config_.session.at("user_id"));
    auto got = json_long(user.at("id"));
    if (saved && got && *saved != *got)
      return fail(kExitInput, "the session answers as user " + std::to_string(*got) + ", but the file says user " +
                                  std::to_string(*saved) + ": sign in again with mtjson-signin");
  }
  state_ = State::Finished;
  return Step::done(user_summary(user).dump(-1, ' ', false, Json::error_handler_t::replace),
                    "Signed in as " + describe_user(user) + ".");
}

Step CheckFlow::fail(int exit_code, std::string message) {
  state_ = State::Finished;
  return Step::fail(exit_code, std::move(message));
}

Step CheckFlow::fail_answer(const Answer& a) {
  Failure f = describe_answer_failure(pending_what_, a);
  return fail(f.exit_code, f.message);
}

Json user_summary(const Json& user) {
  Json u = Json::object();
  if (user.contains("id")) u["id"] = user.at("id");
  for (const char* key : {"first_name", "last_name", "username", "phone"})
    if (std::string v = json_string(user, key); !v.empty()) u[key] = v;
  u["bot"] = json_bool(user, "bot");
  return Json{{"user", std::move(u)}};
}

}  // namespace mtjson::signin
