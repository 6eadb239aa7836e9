#include <catch2/catch.hpp>

#include <memory>

#include "mtproto/session/ids.h"
#include "test_util.h"
#include "tl/schema_loader.h"

using namespace mtjson;
using namespace mtjson::mtproto::session;

TEST_CASE("service constructor ids equal tl/mtproto.tl", "[ids]") {
  std::shared_ptr<const tl::Schema> schema;
  const mtjson::Status st = tl::load_schema_files({mtjson::mtproto::session::test::source_root() + "/tl/mtproto.tl"}, schema);
  REQUIRE(st.ok());
  const std::pair<const char*, std::uint32_t> table[] = {
      {"rpc_result", ids::rpc_result}, {"rpc_error", ids::rpc_error},
      {"rpc_drop_answer", ids::rpc_drop_answer}, {"rpc_answer_unknown", ids::rpc_answer_unknown},
      {"rpc_answer_dropped_running", ids::rpc_answer_dropped_running},
      {"rpc_answer_dropped", ids::rpc_answer_dropped}, {"get_future_salts", ids::get_future_salts},
      {"future_salt", ids::future_salt}, {"future_salts", ids::future_salts}, {"ping", ids::ping},
      {"ping_delay_disconnect", ids::ping_delay_disconnect}, {"pong", ids::pong},
      {"destroy_session", ids::destroy_session}, {"destroy_session_ok", ids::destroy_session_ok},
      {"destroy_session_none", ids::destroy_session_none}, {"new_session_created", ids::new_session_created},
      {"msg_container", ids::msg_container}, {"msg_copy", ids::msg_copy}, {"gzip_packed", ids::gzip_packed},
      {"msgs_ack", ids::msgs_ack}, {"bad_msg_notification", ids::bad_msg_notification},
      {"bad_server_salt", ids::bad_server_salt}, {"msg_resend_req", ids::msg_resend_req},
      {"msgs_state_req", ids::msgs_state_req}, {"msgs_state_info", ids::msgs_state_info},
      {"msgs_all_info", ids::msgs_all_info}, {"msg_detailed_info", ids::msg_detailed_info},
      {"msg_new_detailed_info", ids::msg_new_detailed_info}, {"http_wait", ids::http_wait},
  };
  for (const auto& [name, id] : table) {
    INFO(name);
    const tl::Combinator* c = schema->by_name(name);
    REQUIRE(c != nullptr);
    CHECK(c->id == id);
  }
  CHECK(ids::vector == tl::kVectorId);
}
