// Sign-in, sign-up, bots, log-out and authorization transfer ("User Authorization", "Working with Different Data Centers").
#include <algorithm>
#include <cctype>
#include <charconv>

#include "testdc/world/args.h"
#include "testdc/world/handlers.h"
#include "testdc/world/views.h"

namespace mtjson::testdc {

using nlohmann::json;

namespace {

// "User Authorization", "Test Accounts": 99966XYYYY lives on DC X. Other numbers do not exist here.
std::string normalize_phone(Ctx& c, const std::string& raw, int& dc) {
  std::string digits;
  for (char ch : raw) {
    if (ch == '+' || ch == ' ' || ch == '-' || ch == '(' || ch == ')') continue;
    if (!std::isdigit(static_cast<unsigned char>(ch))) fail(400, "PHONE_NUMBER_INVALID");
    digits += ch;
  }
  if (digits.size() != 10 || digits.compare(0, 5, "99966") != 0) fail(400, "PHONE_NUMBER_INVALID");
  dc = digits[5] - '0';
  if (dc < 1 || dc > c.w.options.dc_count) fail(400, "PHONE_NUMBER_INVALID");
  return digits;
}

// The phone's DC must be the caller's ("Working with Different Data Centers", "Registration/Authorization").
std::string phone_here(Ctx& c) {
  int dc = 0;
  std::string phone = normalize_phone(c, string_arg(c.m, "phone_number"), dc);
  if (dc != c.caller.dc_id) fail(303, "PHONE_MIGRATE_" + std::to_string(dc));
  return phone;
}

// The pending code behind phone_code_hash; PHONE_CODE_EXPIRED when unknown or too old.
PendingCode& pending_code(Ctx& c, const std::string& phone) {
  std::string hash = string_arg(c.m, "phone_code_hash");
  if (hash.empty()) fail(400, "PHONE_CODE_HASH_EMPTY");
  auto it = c.w.codes.find(hash);
  if (it == c.w.codes.end() || it->second.phone != phone) fail(400, "PHONE_CODE_EXPIRED");
  if (c.w.now() > it->second.expires) {
    c.w.codes.erase(it);
    fail(400, "PHONE_CODE_EXPIRED");
  }
  return it->second;
}

bool has_live_session(World::Impl& w, std::int64_t user_id) {
  for (const auto& [key, sessions] : w.sessions) {
    auto a = w.authorizations.find(key);
    if (a != w.authorizations.end() && a->second.user_id == user_id && !sessions.empty()) return true;
  }
  return false;
}

std::string hex(const std::vector<std::uint8_t>& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::string trimmed(const std::string& s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

}  // namespace

json authorize(Ctx& c, Account& user) {
  c.w.authorizations[c.caller.auth_key_id] = Authorization{user.id, c.caller.dc_id, c.w.now32()};
  c.w.password_pending.erase(c.caller.auth_key_id);
  return {{"_cons", "auth.authorization"}, {"user", user_json(user, &user)}};
}

json auth_send_code(Ctx& c) {
  std::string phone = phone_here(c);
  int_arg(c.m, "api_id");
  string_arg(c.m, "api_hash");
  // "User Authorization", "Test Accounts": the code is the DC digit five times.
  std::string code(5, phone[5]);
  std::string hash = hex(c.w.random_bytes(8));
  c.w.codes[hash] = PendingCode{phone, code, c.w.now() + c.w.options.code_ttl_seconds, false};
  c.w.log("auth.sendCode: code for +" + phone + " is " + code);
  const Account* account = c.w.find_by_phone(phone);
  // An account with a live session gets the code "as a Telegram service notification" (App).
  const char* type = account && has_live_session(c.w, account->id) ? "auth.sentCodeTypeApp" : "auth.sentCodeTypeSms";
  return {{"_cons", "auth.sentCode"}, {"type", {{"_cons", type}, {"length", 5}}}, {"phone_code_hash", hash}};
}

json auth_sign_in(Ctx& c) {
  std::string phone = phone_here(c);
  PendingCode& pending = pending_code(c, phone);
  if (!has_arg(c.m, "phone_code")) fail(400, "PHONE_CODE_EMPTY");
  std::string code = string_arg(c.m, "phone_code");
  if (code.empty()) fail(400, "PHONE_CODE_EMPTY");
  if (code != pending.code) fail(400, "PHONE_CODE_INVALID");
  Account* account = c.w.find_by_phone(phone);
  if (!account) {
    // "User Authorization", "Sign in/sign up": right code, no account yet.
    pending.verified = true;
    return {{"_cons", "auth.authorizationSignUpRequired"}};
  }
  c.w.codes.erase(string_arg(c.m, "phone_code_hash"));
  if (account->password) {
    // "User Authorization", "2FA": continue with account.getPassword + auth.checkPassword.
    c.w.password_pending[c.caller.auth_key_id] = account->id;
    fail(401, "SESSION_PASSWORD_NEEDED");
  }
  return authorize(c, *account);
}

json auth_sign_up(Ctx& c) {
  std::string phone = phone_here(c);
  PendingCode& pending = pending_code(c, phone);
  if (!pending.verified) fail(400, "PHONE_CODE_INVALID");  // auth.signIn must have checked the code
  if (c.w.find_by_phone(phone)) fail(400, "PHONE_NUMBER_OCCUPIED");
  std::string first = trimmed(string_arg(c.m, "first_name"));
  std::string last = trimmed(string_arg(c.m, "last_name"));
  if (first.empty() || first.size() > 64) fail(400, "FIRSTNAME_INVALID");
  if (last.size() > 64) fail(400, "LASTNAME_INVALID");
  c.w.codes.erase(string_arg(c.m, "phone_code_hash"));
  Account& account = c.w.create_account(SeedAccount{phone, first, last, "", ""}, c.caller.dc_id);
  c.w.log("auth.signUp: new user " + std::to_string(account.id) + " +" + phone);
  return authorize(c, account);
}

json auth_log_out(Ctx& c) {
  c.w.authorizations.erase(c.caller.auth_key_id);
  return {{"_cons", "auth.loggedOut"}};
}

// Bot tokens are "ID:SECRET". An unknown ID becomes a bot living on the DC of its first import;
// later imports must repeat the secret and come to that DC.
json auth_import_bot_authorization(Ctx& c) {
  int_arg(c.m, "flags");
  int_arg(c.m, "api_id");
  string_arg(c.m, "api_hash");
  std::string token = string_arg(c.m, "bot_auth_token");
  auto colon = token.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == token.size()) fail(400, "ACCESS_TOKEN_INVALID");
  std::int64_t id = 0;
  auto r = std::from_chars(token.data(), token.data() + colon, id);
  if (r.ec != std::errc() || r.ptr != token.data() + colon || id <= 0) fail(400, "ACCESS_TOKEN_INVALID");
  std::string secret = token.substr(colon + 1);
  if (!std::all_of(secret.begin(), secret.end(),
                   [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-'; }))
    fail(400, "ACCESS_TOKEN_INVALID");

  Account* bot = c.w.find_user(id);
  if (bot) {
    if (!bot->bot || bot->bot_secret.empty() || bot->bot_secret != secret) fail(400, "ACCESS_TOKEN_INVALID");
    if (bot->dc_id != c.caller.dc_id) fail(303, "USER_MIGRATE_" + std::to_string(bot->dc_id));
  } else {
    Account account;
    account.id = id;
    account.access_hash = c.w.random_long();
    account.first_name = "Test bot " + std::to_string(id);
    account.username = "bot" + std::to_string(id) + "_bot";
    account.dc_id = c.caller.dc_id;
    account.bot = true;
    account.bot_secret = secret;
    account.new_salt1 = c.w.random_bytes(8);
    bot = &c.w.accounts.emplace(id, std::move(account)).first->second;
    c.w.log("auth.importBotAuthorization: new bot " + std::to_string(id) + " on DC " + std::to_string(c.caller.dc_id));
  }
  return authorize(c, *bot);
}

// "Working with Different Data Centers", "Authorization Transfer".
json auth_export_authorization(Ctx& c) {
  std::int32_t dc = int_arg(c.m, "dc_id");
  if (dc < 1 || dc > c.w.options.dc_count || dc == c.caller.dc_id) fail(400, "DC_ID_INVALID");
  auto bytes = c.w.random_bytes(32);
  c.w.exported[b64(bytes)] = ExportedAuth{c.me().id, dc, c.w.now() + 600};
  return {{"_cons", "auth.exportedAuthorization"}, {"id", c.me().id}, {"bytes", b64(bytes)}};
}

json auth_import_authorization(Ctx& c) {
  std::int64_t id = long_arg(c.m, "id");
  std::string key = b64(as_bytes(arg(c.m, "bytes")));  // canonical form
  auto it = c.w.exported.find(key);
  if (it == c.w.exported.end() || it->second.user_id != id || it->second.dc_id != c.caller.dc_id ||
      c.w.now() > it->second.expires)
    fail(400, "AUTH_BYTES_INVALID");
  c.w.exported.erase(it);
  Account* user = c.w.find_user(id);
  if (!user) fail(400, "AUTH_BYTES_INVALID");
  return authorize(c, *user);
}

}  // namespace mtjson::testdc
