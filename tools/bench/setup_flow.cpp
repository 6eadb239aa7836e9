#include "bench/setup_flow.h"

#include <charconv>

#include "base/json_fields.h"

namespace mtjson::bench {

using nlohmann::json;

namespace {

std::string describe_error(const json& answer) {
  if (answer.contains("error")) {
    return "error line \"" + answer.value("error", std::string("?")) + "\": " + answer.value("msg", std::string());
  }
  const json& m = answer.contains("message") ? answer["message"] : json();
  std::string cons = m.is_object() ? m.value("_cons", std::string("?")) : "?";
  if (cons == "rpc_error") {
    return "rpc_error " + std::to_string(m.value("error_code", 0)) + " " + m.value("error_message", std::string());
  }
  return "unexpected answer " + (m.is_null() ? answer.dump() : cons);
}

std::string cons_of(const json& answer) {
  if (!answer.contains("message") || !answer["message"].is_object()) return {};
  return answer["message"].value("_cons", std::string());
}

// The X of "PHONE_MIGRATE_X" (also NETWORK_/USER_MIGRATE), 0 when it is another error.
int migrate_dc(const json& answer) {
  if (cons_of(answer) != "rpc_error") return 0;
  std::string m = answer["message"].value("error_message", std::string());
  for (const char* prefix : {"PHONE_MIGRATE_", "NETWORK_MIGRATE_", "USER_MIGRATE_"}) {
    std::string p = prefix;
    if (m.rfind(p, 0) != 0) continue;
    int dc = 0;
    auto r = std::from_chars(m.data() + p.size(), m.data() + m.size(), dc);
    if (r.ec == std::errc() && r.ptr == m.data() + m.size() && dc > 0) return dc;
  }
  return 0;
}

// A long arrives as a JSON integer or a decimal string (base/json_fields.h); `out` is left
// alone when `j` is neither.
bool get_long(const json& j, std::int64_t& out) {
  const auto v = json_long(j);
  if (v) out = *v;
  return v.has_value();
}

}  // namespace

SetupFlow::SetupFlow(const Options& options, int client_index)
    : options_(options), index_(client_index), phone_(options.phone_for(client_index)) {}

json SetupFlow::wrapped(json query) const {
  if (!options_.init) return query;
  return {{"_cons", "invokeWithLayer"},
          {"layer", options_.layer},
          {"query",
           {{"_cons", "initConnection"},
            {"api_id", options_.api_id},
            {"device_model", "mtjson-bench"},
            {"system_version", "Linux"},
            {"app_version", "0.1"},
            {"system_lang_code", "en"},
            {"lang_pack", ""},
            {"lang_code", "en"},
            {"query", std::move(query)}}}};
}

SetupFlow::Step SetupFlow::message_step(State next, json message, std::string what) {
  state_ = next;
  what_ = what;
  return {Step::Kind::send_message, message.dump(), std::move(what), {}};
}

SetupFlow::Step SetupFlow::fail(const std::string& why) {
  state_ = State::failed;
  return {Step::Kind::failed, {}, what_, what_ + ": " + why};
}

SetupFlow::Step SetupFlow::start() {
  if (options_.signs_in()) return send_code();
  if (options_.init && options_.method != Method::server)
    return message_step(State::init, wrapped({{"_cons", "help.getConfig"}}), "initConnection");
  state_ = State::done;
  return {};
}

SetupFlow::Step SetupFlow::start_idle_call() {
  return message_step(State::init, wrapped({{"_cons", "help.getConfig"}}), "idle call (help.getConfig)");
}

SetupFlow::Step SetupFlow::send_code() {
  json q = {{"_cons", "auth.sendCode"},
            {"phone_number", phone_},
            {"api_id", options_.api_id},
            {"api_hash", options_.api_hash},
            {"settings", {{"_cons", "codeSettings"}}}};
  return message_step(State::send_code, wrapped(std::move(q)), "auth.sendCode +" + phone_);
}

SetupFlow::Step SetupFlow::sign_in() {
  // "User Authorization", "Test Accounts": the code is the DC digit five times.
  std::string code(5, phone_[5]);
  return message_step(State::sign_in,
                      {{"_cons", "auth.signIn"},
                       {"phone_number", phone_},
                       {"phone_code_hash", phone_code_hash_},
                       {"phone_code", code}},
                      "auth.signIn +" + phone_);
}

SetupFlow::Step SetupFlow::after_authorization(const json& m) {
  if (!m.is_object()) return fail("authorization is not an object");
  if (m.contains("user") && m["user"].is_object() && m["user"].contains("id")) get_long(m["user"]["id"], user_id_);
  if (options_.method != Method::send_message) {
    state_ = State::done;
    return {};
  }
  return message_step(State::resolve, {{"_cons", "contacts.resolveUsername"}, {"username", "echo"}},
                      "contacts.resolveUsername echo");
}

SetupFlow::Step SetupFlow::on_answer(const json& answer) {
  // A field of an unexpected JSON type makes nlohmann throw: that is a failed setup, not a crash.
  try {
    return on_answer_checked(answer);
  } catch (const json::exception& e) {
    return fail(std::string("malformed answer: ") + e.what());
  }
}

SetupFlow::Step SetupFlow::on_answer_checked(const json& answer) {
  std::string cons = cons_of(answer);
  bool error = answer.contains("error") || cons == "rpc_error" || cons == "rpc_timeout" || cons.empty();
  switch (state_) {
    case State::init:
      if (error) return fail(describe_error(answer));
      state_ = State::done;
      return {};

    case State::send_code:
      if (int dc = migrate_dc(answer)) {
        if (++migrations_ > 3) return fail("too many migrations (last: " + describe_error(answer) + ")");
        state_ = State::migrate;
        what_ = "server dc " + std::to_string(dc);
        return {Step::Kind::send_server, json{{"dc", dc}}.dump(), what_, {}};
      }
      if (cons == "auth.sentCode" && answer["message"].contains("phone_code_hash") &&
          answer["message"]["phone_code_hash"].is_string()) {
        phone_code_hash_ = answer["message"]["phone_code_hash"].get<std::string>();
        return sign_in();
      }
      if (cons == "auth.sentCodeSuccess" && answer["message"].contains("authorization"))
        return after_authorization(answer["message"]["authorization"]);
      return fail(describe_error(answer));

    case State::migrate:
      if (answer.contains("error") || !answer.contains("server"))
        return fail(describe_error(answer));
      return send_code();

    case State::sign_in:
      if (cons == "auth.authorizationSignUpRequired") {
        return message_step(State::sign_up,
                            {{"_cons", "auth.signUp"},
                             {"phone_number", phone_},
                             {"phone_code_hash", phone_code_hash_},
                             {"first_name", "Bench"},
                             {"last_name", std::to_string(index_)}},
                            "auth.signUp +" + phone_);
      }
      if (cons == "auth.authorization") return after_authorization(answer["message"]);
      if (cons == "rpc_error" &&
          answer["message"].value("error_message", std::string()) == "SESSION_PASSWORD_NEEDED")
        return fail("the account has a 2FA password; mtjson-bench does not sign in with SRP");
      return fail(describe_error(answer));

    case State::sign_up:
      if (cons == "auth.authorization") return after_authorization(answer["message"]);
      return fail(describe_error(answer));

    case State::resolve: {
      if (cons != "contacts.resolvedPeer") return fail(describe_error(answer));
      const json& m = answer["message"];
      std::int64_t uid = 0;
      if (!m.contains("peer") || !m["peer"].is_object() || m["peer"].value("_cons", "") != "peerUser" ||
          !m["peer"].contains("user_id") || !get_long(m["peer"]["user_id"], uid))
        return fail("contacts.resolvedPeer without a peerUser");
      if (m.contains("users") && m["users"].is_array()) {
        for (const json& u : m["users"]) {
          std::int64_t id = 0, hash = 0;
          if (u.is_object() && u.contains("id") && get_long(u["id"], id) && id == uid &&
              u.contains("access_hash") && get_long(u["access_hash"], hash)) {
            peer_ = {uid, hash};
            state_ = State::done;
            return {};
          }
        }
      }
      return fail("contacts.resolvedPeer: user " + std::to_string(uid) + " without access_hash");
    }

    case State::idle:
    case State::done:
    case State::failed:
      break;
  }
  return fail("answer after the setup ended");
}

}  // namespace mtjson::bench
