// 2FA with real SRP ("Two-factor authentication"): the client side is computed with crypto/srp.h.
#include "crypto/srp.h"
#include "testdc/world/args.h"
#include "world_fixture.h"

using namespace mtjson;
using namespace mtjson::testdc;
using namespace mtjson::testdc::test;

namespace {

std::vector<std::uint8_t> unb64(const json& v) {
  auto decoded = base64_decode(v.get<std::string>());
  REQUIRE(decoded.ok());
  return std::move(decoded).value();
}

crypto::SrpAlgo algo_of(const json& a) {
  REQUIRE(a["_cons"] == "passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow");
  return crypto::SrpAlgo{unb64(a["salt1"]), unb64(a["salt2"]), a["g"].get<std::int32_t>(), unb64(a["p"])};
}

// inputCheckPasswordSRP for `password`, as a client computes it from account.password.
json srp_input(const json& account_password, const std::string& password) {
  auto check = crypto::srp_compute_check(algo_of(account_password["current_algo"]), unb64(account_password["srp_B"]),
                                         account_password["srp_id"].get<std::int64_t>(), password);
  REQUIRE(check.ok());
  return {{"_cons", "inputCheckPasswordSRP"},
          {"srp_id", check->srp_id},
          {"A", base64_encode(check->A)},
          {"M1", base64_encode(check->M1)}};
}

json get_password() { return {{"_cons", "account.getPassword"}}; }
json check_password(const json& input) { return {{"_cons", "auth.checkPassword"}, {"password", input}}; }

// Sign-in up to SESSION_PASSWORD_NEEDED.
void sign_in_until_password(Fixture& f, const Caller& c, const std::string& phone) {
  std::string hash = f.ok(c, Fixture::send_code(phone))["phone_code_hash"];
  CHECK(f.err(c, Fixture::sign_in(phone, hash, std::string(5, phone[5]))) == "401 SESSION_PASSWORD_NEEDED");
}

}  // namespace

TEST_CASE("world: 2FA sign-in with the right and wrong password", "[testdc][srp]") {
  Fixture f({SeedAccount{"9996621000", "Carol", "", "", "hunter2"}});
  Caller c = Fixture::caller(2, 0x70);
  CHECK(f.err(c, check_password({{"_cons", "inputCheckPasswordEmpty"}})) == "401 AUTH_KEY_UNREGISTERED");
  CHECK(f.err(c, get_password()) == "401 AUTH_KEY_UNREGISTERED");
  sign_in_until_password(f, c, "9996621000");
  CHECK(f.err(c, {{"_cons", "updates.getState"}}) == "401 AUTH_KEY_UNREGISTERED");

  json pw = f.ok(c, get_password());
  CHECK(pw["_cons"] == "account.password");
  CHECK(pw["has_password"] == true);
  crypto::SrpAlgo algo = algo_of(pw["current_algo"]);
  CHECK(algo.g == 3);
  CHECK(algo.p == std::vector<std::uint8_t>(crypto::known_dh_prime().begin(), crypto::known_dh_prime().end()));
  CHECK(unb64(pw["srp_B"]).size() == 256);
  CHECK(pw.contains("new_algo"));
  CHECK(pw["new_secure_algo"]["_cons"] == "securePasswordKdfAlgoSHA512");

  // Wrong password, then the same srp_id again (it is used up), then the empty check.
  CHECK(f.err(c, check_password(srp_input(pw, "hunter3"))) == "400 PASSWORD_HASH_INVALID");
  CHECK(f.err(c, check_password(srp_input(pw, "hunter2"))) == "400 SRP_ID_INVALID");
  CHECK(f.err(c, check_password({{"_cons", "inputCheckPasswordEmpty"}})) == "400 PASSWORD_HASH_INVALID");

  pw = f.ok(c, get_password());
  json a = f.ok(c, check_password(srp_input(pw, "hunter2")));
  CHECK(a["_cons"] == "auth.authorization");
  CHECK(a["user"]["first_name"] == "Carol");
  f.ok(c, {{"_cons", "updates.getState"}});
}

TEST_CASE("world: the srp_id expires", "[testdc][srp]") {
  Fixture f({SeedAccount{"9996621001", "Dan", "", "", "pw"}});
  Caller c = Fixture::caller(2, 0x71);
  sign_in_until_password(f, c, "9996621001");
  json pw = f.ok(c, get_password());
  f.world.set_clock_offset(301);
  CHECK(f.err(c, check_password(srp_input(pw, "pw"))) == "400 SRP_ID_INVALID");
}

TEST_CASE("world: account.updatePasswordSettings sets and removes a password", "[testdc][srp]") {
  Fixture f;
  f.login("9996611300", 0x80);
  Caller c = Fixture::caller(1, 0x80);
  json pw = f.ok(c, get_password());
  CHECK_FALSE(pw.contains("has_password"));
  CHECK_FALSE(pw.contains("srp_B"));

  // "Two-factor authentication", "Setting a new 2FA password": salt1 = offered salt1 + 32 random bytes, hash = v.
  crypto::SrpAlgo algo = algo_of(pw["new_algo"]);
  // sent_p: the p put in new_algo when it differs from the one v was computed with.
  auto update = [&](crypto::SrpAlgo a, const std::string& password, const json& current,
                    std::vector<std::uint8_t> sent_p = {}) {
    json algo_json = {{"_cons", "passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow"},
                      {"salt1", base64_encode(a.salt1)}, {"salt2", base64_encode(a.salt2)},
                      {"g", a.g}, {"p", base64_encode(sent_p.empty() ? a.p : sent_p)}};
    json settings = {{"_cons", "account.passwordInputSettings"}, {"hint", "the usual"}};
    if (!password.empty()) {
      auto v = crypto::srp_verifier(a, password);
      REQUIRE(v.ok());
      settings["new_algo"] = algo_json;
      settings["new_password_hash"] = base64_encode(*v);
    } else {
      settings["new_password_hash"] = "";
    }
    return json{{"_cons", "account.updatePasswordSettings"}, {"password", current}, {"new_settings", settings}};
  };
  json empty = {{"_cons", "inputCheckPasswordEmpty"}};
  // A salt1 that does not extend the offered one.
  crypto::SrpAlgo bad = algo;
  bad.salt1[0] ^= 1;
  bad.salt1.resize(bad.salt1.size() + 32, 7);
  CHECK(f.err(c, update(bad, "s3cret", empty)) == "400 NEW_SALT_INVALID");
  crypto::SrpAlgo good = algo;
  good.salt1.resize(good.salt1.size() + 32, 9);
  std::vector<std::uint8_t> wrong_prime = good.p;
  wrong_prime[255] ^= 2;
  CHECK(f.err(c, update(good, "s3cret", empty, wrong_prime)) == "400 NEW_SETTINGS_INVALID");
  json wrong_g = update(good, "s3cret", empty);
  wrong_g["new_settings"]["new_algo"]["g"] = 9;
  CHECK(f.err(c, wrong_g) == "400 NEW_SETTINGS_INVALID");
  json short_hash = update(good, "s3cret", empty);
  short_hash["new_settings"]["new_password_hash"] = base64_encode(std::vector<std::uint8_t>(255, 1));
  CHECK(f.err(c, short_hash) == "400 NEW_SETTINGS_INVALID");
  CHECK(f.ok(c, update(good, "s3cret", empty)) == true);

  pw = f.ok(c, get_password());
  CHECK(pw["has_password"] == true);
  CHECK(pw["hint"] == "the usual");
  CHECK(algo_of(pw["current_algo"]).salt1 == good.salt1);

  // A new key must now pass 2FA.
  Caller other = Fixture::caller(1, 0x81);
  sign_in_until_password(f, other, "9996611300");
  json opw = f.ok(other, get_password());
  CHECK(f.ok(other, check_password(srp_input(opw, "s3cret")))["_cons"] == "auth.authorization");

  // Removing needs the current password.
  CHECK(f.err(c, update(good, "", empty)) == "400 PASSWORD_HASH_INVALID");
  pw = f.ok(c, get_password());
  CHECK(f.ok(c, update(good, "", srp_input(pw, "s3cret"))) == true);
  CHECK_FALSE(f.ok(c, get_password()).contains("has_password"));
  f.login("9996611300", 0x82);  // no 2FA any more
}
