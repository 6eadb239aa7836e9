// classify_rpc_error (src/daemon/account/rpc_error.h): what the daemon reads from an error's text
// ("Error handling": FLOOD_WAIT_X, *_MIGRATE_X, CONNECTION_NOT_INITED).
#include <catch2/catch.hpp>

#include "daemon/account/rpc_error.h"

using mtjson::daemon::classify_rpc_error;
using Kind = mtjson::daemon::RpcErrorInfo::Kind;

TEST_CASE("rpc error: flood waits give their seconds", "[daemon][rpc_error]") {
  auto a = classify_rpc_error(420, "FLOOD_WAIT_17");
  CHECK(a.kind == Kind::flood_wait);
  CHECK(a.value == 17);
  auto b = classify_rpc_error(420, "FLOOD_PREMIUM_WAIT_3");
  CHECK(b.kind == Kind::flood_wait);
  CHECK(b.value == 3);
  auto c = classify_rpc_error(400, "SLOWMODE_WAIT_60");
  CHECK(c.kind == Kind::flood_wait);
  CHECK(c.value == 60);
  CHECK(classify_rpc_error(420, "FLOOD_WAIT_0").kind == Kind::flood_wait);
  CHECK(classify_rpc_error(420, "FLOOD_WAIT_86400").value == 86400);
}

TEST_CASE("rpc error: migrations name the DC", "[daemon][rpc_error]") {
  for (const char* home : {"PHONE_MIGRATE_4", "NETWORK_MIGRATE_4", "USER_MIGRATE_4"}) {
    INFO(home);
    auto i = classify_rpc_error(303, home);
    CHECK(i.kind == Kind::migrate_home);
    CHECK(i.value == 4);
  }
  for (const char* req : {"FILE_MIGRATE_5", "STATS_MIGRATE_5"}) {
    INFO(req);
    auto i = classify_rpc_error(303, req);
    CHECK(i.kind == Kind::migrate_request);
    CHECK(i.value == 5);
  }
}

TEST_CASE("rpc error: CONNECTION_NOT_INITED", "[daemon][rpc_error]") {
  CHECK(classify_rpc_error(400, "CONNECTION_NOT_INITED").kind == Kind::not_inited);
}

TEST_CASE("rpc error: anything else is other", "[daemon][rpc_error]") {
  struct Case {
    int code;
    const char* text;
  };
  for (Case c : {Case{400, "PEER_ID_INVALID"},
                 Case{420, "FLOOD_WAIT_"},         // no number
                 Case{420, "FLOOD_WAIT_X"},        // not a number
                 Case{420, "FLOOD_WAIT_12s"},      // trailing junk
                 Case{420, "FLOOD_WAIT_-5"},       // negative
                 Case{420, "FLOOD_WAIT_99999999999999999999"},  // overflows
                 Case{500, "FLOOD_WAIT_5"},        // wrong code for a flood wait
                 Case{400, "PHONE_MIGRATE_2"},     // a migration is a 303
                 Case{303, "PHONE_MIGRATE_0"},     // DC 0 does not exist
                 Case{303, "PHONE_MIGRATE_"},
                 Case{303, "SOMETHING_MIGRATE_2"},  // not one of the known kinds
                 Case{303, "phone_migrate_2"},     // case matters
                 Case{401, "AUTH_KEY_UNREGISTERED"},
                 Case{400, ""}}) {
    INFO(c.code << " " << c.text);
    auto i = classify_rpc_error(c.code, c.text);
    CHECK(i.kind == Kind::other);
    CHECK(i.value == 0);
  }
}

// decide_on_error (src/daemon/account/error_policy.h): the account's answer to an rpc_error.
#include "daemon/account/error_policy.h"

namespace {
using mtjson::daemon::CallAttempts;
using mtjson::daemon::decide_on_error;
using mtjson::daemon::ErrorLimits;
using Action = mtjson::daemon::ErrorDecision::Action;
using namespace std::chrono_literals;

CallAttempts fresh_call() {
  CallAttempts c;
  c.time_left = 60s;
  return c;
}
}  // namespace

TEST_CASE("error policy: a flood wait under the threshold is slept, over it is answered", "[daemon][error_policy]") {
  const ErrorLimits limits;  // 10 s, 5 retries
  auto d = decide_on_error(420, "FLOOD_WAIT_3", fresh_call(), limits);
  CHECK(d.action == Action::retry_after);
  CHECK(d.wait == 3s);
  CHECK(decide_on_error(420, "FLOOD_WAIT_10", fresh_call(), limits).action == Action::retry_after);
  CHECK(decide_on_error(420, "FLOOD_WAIT_11", fresh_call(), limits).action == Action::answer);
  CallAttempts tired = fresh_call();
  tired.flood_retries = 5;
  CHECK(decide_on_error(420, "FLOOD_WAIT_1", tired, limits).action == Action::answer);
  CallAttempts late = fresh_call();
  late.time_left = 3s;  // the wait would end at the deadline: rpc_timeout would come first
  CHECK(decide_on_error(420, "FLOOD_WAIT_3", late, limits).action == Action::answer);
}

TEST_CASE("error policy: 303 moves the home DC or the one call", "[daemon][error_policy]") {
  const ErrorLimits limits;
  auto home = decide_on_error(303, "USER_MIGRATE_4", fresh_call(), limits);
  CHECK(home.action == Action::move_home);
  CHECK(home.dc == 4);
  CallAttempts internal = fresh_call();
  internal.internal = true;
  CHECK(decide_on_error(303, "PHONE_MIGRATE_4", internal, limits).action == Action::answer);
  auto file = decide_on_error(303, "FILE_MIGRATE_5", internal, limits);
  CHECK(file.action == Action::send_on_dc);
  CHECK(file.dc == 5);
  CallAttempts wandered = fresh_call();
  wandered.migrations = 3;
  CHECK(decide_on_error(303, "PHONE_MIGRATE_4", wandered, limits).action == Action::answer);
  CHECK(decide_on_error(303, "FILE_MIGRATE_5", wandered, limits).action == Action::answer);
}

TEST_CASE("error policy: CONNECTION_NOT_INITED resends once with initConnection", "[daemon][error_policy]") {
  const ErrorLimits limits;
  auto d = decide_on_error(400, "CONNECTION_NOT_INITED", fresh_call(), limits);
  CHECK(d.action == Action::send_again);
  CHECK(d.session_not_inited);
  CallAttempts wrapped = fresh_call();
  wrapped.wrapped = true;
  auto again = decide_on_error(400, "CONNECTION_NOT_INITED", wrapped, limits);
  CHECK(again.action == Action::answer);
  CHECK(again.session_not_inited);
  auto other = decide_on_error(400, "PEER_ID_INVALID", fresh_call(), limits);
  CHECK(other.action == Action::answer);
  CHECK(!other.session_not_inited);
}
