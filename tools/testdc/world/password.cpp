// 2FA with SRP ("Two-factor authentication"): account.getPassword, auth.checkPassword, account.updatePasswordSettings.
#include <algorithm>

#include "crypto/dh.h"
#include "testdc/world/args.h"
#include "testdc/world/handlers.h"

namespace mtjson::testdc {

using nlohmann::json;

namespace {

constexpr const char* kAlgo = "passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow";
constexpr std::int64_t kSrpTtl = 300;

json algo_json(const crypto::SrpAlgo& a) {
  return {{"_cons", kAlgo}, {"salt1", b64(a.salt1)}, {"salt2", b64(a.salt2)}, {"g", a.g}, {"p", b64(a.p)}};
}

std::vector<std::uint8_t> known_prime() {
  const auto& p = crypto::known_dh_prime();
  return {p.begin(), p.end()};
}

// The account whose password is asked for: the signed-in user, or the one whose sign-in stopped
// at SESSION_PASSWORD_NEEDED on this auth key.
Account& password_account(Ctx& c) {
  if (c.self) return *c.self;
  auto it = c.w.password_pending.find(c.caller.auth_key_id);
  if (it != c.w.password_pending.end())
    if (Account* u = c.w.find_user(it->second)) return *u;
  fail(401, "AUTH_KEY_UNREGISTERED");
}

void drop_expired_srp(World::Impl& w) {
  std::int64_t now = w.now();
  std::erase_if(w.srp_sessions, [now](const auto& kv) { return now > kv.second.expires; });
}

// Checks an InputCheckPasswordSRP against the account's password ("Two-factor authentication"
// "Checking the password with SRP"). The srp_id is used once, whatever the outcome.
void verify_password(Ctx& c, Account& account, const json& input) {
  std::string cons = cons_of(input);
  if (cons == "inputCheckPasswordEmpty") fail(400, "PASSWORD_HASH_INVALID");
  if (cons != "inputCheckPasswordSRP") bad_input();
  std::int64_t srp_id = long_arg(input, "srp_id");
  auto A = as_bytes(arg(input, "A"));
  auto M1 = as_bytes(arg(input, "M1"));
  drop_expired_srp(c.w);
  auto it = c.w.srp_sessions.find(srp_id);
  if (it == c.w.srp_sessions.end() || it->second.user_id != account.id || !account.password)
    fail(400, "SRP_ID_INVALID");
  crypto::SrpServerChallenge challenge = it->second.challenge;
  c.w.srp_sessions.erase(it);
  const Password& pw = *account.password;
  if (!crypto::srp_server_verify(pw.algo, pw.v, challenge, A, M1)) fail(400, "PASSWORD_HASH_INVALID");
}

}  // namespace

json account_get_password(Ctx& c) {
  Account& account = password_account(c);
  crypto::SrpAlgo fresh{account.new_salt1, c.w.random_bytes(16), 3, known_prime()};
  json out = {{"_cons", "account.password"},
              {"new_algo", algo_json(fresh)},
              {"new_secure_algo", {{"_cons", "securePasswordKdfAlgoSHA512"}, {"salt", b64(c.w.random_bytes(8))}}},
              {"secure_random", b64(c.w.random_bytes(32))}};
  if (account.password) {
    const Password& pw = *account.password;
    auto challenge = crypto::srp_server_challenge(pw.algo, pw.v, c.w.random());
    if (!challenge) fail(500, "INTERNAL");
    drop_expired_srp(c.w);
    std::int64_t srp_id = c.w.random_long();
    c.w.srp_sessions[srp_id] = SrpSession{account.id, challenge.value(), c.w.now() + kSrpTtl};
    out["has_password"] = true;
    out["current_algo"] = algo_json(pw.algo);
    out["srp_B"] = b64({challenge->B.begin(), challenge->B.end()});
    out["srp_id"] = srp_id;
    if (!pw.hint.empty()) out["hint"] = pw.hint;
  }
  return out;
}

json auth_check_password(Ctx& c) {
  auto it = c.w.password_pending.find(c.caller.auth_key_id);
  if (it == c.w.password_pending.end()) fail(401, "AUTH_KEY_UNREGISTERED");
  Account* account = c.w.find_user(it->second);
  if (!account) fail(401, "AUTH_KEY_UNREGISTERED");
  verify_password(c, *account, arg(c.m, "password"));
  return authorize(c, *account);
}

// "Two-factor authentication", "Setting a new 2FA password": new_password_hash = v for new_algo, whose salt1 is
// the offered salt1 followed by the client's random bytes; an empty hash removes the password.
json account_update_password_settings(Ctx& c) {
  Account& account = c.me();
  const json& input = arg(c.m, "password");
  const json& settings = arg(c.m, "new_settings");
  if (cons_of(settings) != "account.passwordInputSettings") bad_input();

  std::optional<Password> next;
  std::vector<std::uint8_t> v;
  if (has_arg(settings, "new_password_hash")) v = as_bytes(settings.at("new_password_hash"));
  if (!v.empty()) {
    if (!has_arg(settings, "new_algo") || cons_of(settings.at("new_algo")) != kAlgo) fail(400, "NEW_SETTINGS_INVALID");
    const json& a = settings.at("new_algo");
    crypto::SrpAlgo algo{as_bytes(arg(a, "salt1")), as_bytes(arg(a, "salt2")), int_arg(a, "g"), as_bytes(arg(a, "p"))};
    if (algo.p != known_prime() || !crypto::check_dh_params(algo.g, algo.p)) fail(400, "NEW_SETTINGS_INVALID");
    if (algo.salt1.size() <= account.new_salt1.size() ||
        !std::equal(account.new_salt1.begin(), account.new_salt1.end(), algo.salt1.begin()))
      fail(400, "NEW_SALT_INVALID");
    if (v.size() != 256 || !crypto::check_dh_public_value(v, algo.p, "new_password_hash"))
      fail(400, "NEW_SETTINGS_INVALID");
    std::string hint = has_arg(settings, "hint") ? as_string(settings.at("hint")) : "";
    if (hint.size() > 64) fail(400, "PASSWORD_HINT_INVALID");
    next = Password{std::move(algo), std::move(v), std::move(hint)};
  }

  if (account.password) {
    verify_password(c, account, input);
  } else if (cons_of(input) != "inputCheckPasswordEmpty") {
    fail(400, "PASSWORD_HASH_INVALID");
  }
  account.password = std::move(next);
  std::erase_if(c.w.srp_sessions, [&](const auto& kv) { return kv.second.user_id == account.id; });
  c.w.log("account.updatePasswordSettings: user " + std::to_string(account.id) +
          (account.password ? " set a 2FA password" : " removed the 2FA password"));
  return true;
}

}  // namespace mtjson::testdc
