// classify_rpc_error (src/daemon/account/rpc_error.h): what the daemon reads from an error's text
// (api_errors.md: FLOOD_WAIT_X, *_MIGRATE_X, CONNECTION_NOT_INITED).
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
