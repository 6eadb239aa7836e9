// rpc_result ("Service Messages", "Response to an RPC query"): matched to its request by
// req_msg_id (any copy's), delivered once, then the request is forgotten.
#include "mtproto/session/client_session.h"
#include "mtproto/session/ids.h"

namespace mtjson::mtproto::session {

void ClientSession::handle_rpc_result(std::uint64_t msg_id, std::span<const std::uint8_t> body, Events& ev) {
  tl::WireReader r(body);
  r.read_u32();
  const std::uint64_t req_msg_id = r.read_u64();
  if (r.failed() || r.remaining() < 4) {
    drop(ev, DropReason::malformed, "rpc_result truncated");
    return;
  }
  std::span<const std::uint8_t> result = body.subspan(r.offset());
  Request* req = table_.find(req_msg_id);
  // Unknown or already answered (another copy was answered first): ignore, never deliver twice.
  // It is still acknowledged (handle_message queued the ack).
  if (!req) return;

  Bytes unpacked;
  if (constructor_of(result) == ids::gzip_packed) {
    auto inflated = unpack_gzip(result, cfg_.max_inflated);
    if (!inflated) {
      ev.push_back(Fatal{"rpc_result: " + inflated.message()});
      return;
    }
    unpacked = std::move(*inflated);
    result = unpacked;
  }
  complete(*req, msg_id, result, ev);
}

void ClientSession::complete(Request& req, std::uint64_t answer_msg_id, std::span<const std::uint8_t> result,
                             Events& ev) {
  (void)answer_msg_id;
  const std::uint64_t key = req.key;
  const auto ctor = constructor_of(result);
  switch (req.kind) {
    case RequestKind::query:
      if (ctor == ids::rpc_error) {
        tl::WireReader r(result);
        r.read_u32();
        const std::int32_t code = r.read_i32();
        auto text = r.read_bytes();
        if (r.failed()) {
          ev.push_back(Fatal{"rpc_error truncated"});
          return;
        }
        ev.push_back(RpcError{req.token, req.msg_id, code, std::string(text.begin(), text.end())});
      } else {
        ev.push_back(RpcResult{req.token, req.msg_id, Bytes(result.begin(), result.end())});
      }
      break;
    case RequestKind::ping:
      // A pong wrapped in rpc_result is accepted as well as a bare one.
      if (ctor == ids::pong) ev.push_back(Pong{req.ping_id, req.msg_id});
      break;
    case RequestKind::get_future_salts:
      if (ctor == ids::future_salts) {
        handle_future_salts(result, ev);
        return;  // handle_future_salts erased the request
      }
      break;
    case RequestKind::destroy_session:
      if (ctor == ids::destroy_session_ok || ctor == ids::destroy_session_none) {
        handle_destroy_session_answer(*ctor, result, ev);
        return;
      }
      break;
    case RequestKind::drop_answer:
      // rpc_answer_unknown / _dropped_running / _dropped: the query is already forgotten here.
      break;
  }
  table_.erase(key);
}

}  // namespace mtjson::mtproto::session
