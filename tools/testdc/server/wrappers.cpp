#include "testdc/server/wrappers.h"

#include "tl/wire_reader.h"

namespace mtjson::testdc::server {

namespace {

std::string read_string(tl::WireReader& r) {
  auto b = r.read_bytes();
  return std::string(b.begin(), b.end());
}

Status fail(const char* wrapper, std::size_t offset, const std::string& what) {
  return Status::error(std::string(wrapper) + " at offset " + std::to_string(offset) + ": " + what);
}

// Skips one boxed object of initConnection (proxy, params) by decoding it.
Status skip_object(std::span<const std::uint8_t> body, std::size_t& pos, const tl::TlToJson& decoder) {
  std::string ignored;
  std::size_t consumed = 0;
  auto s = decoder.decode_boxed(body.subspan(pos), ignored, &consumed);
  if (!s) return s;
  pos += consumed;
  return Status();
}

}  // namespace

Status unwrap_query(std::span<const std::uint8_t> body, const tl::TlToJson& decoder, Unwrapped& out) {
  Unwrapped u;
  std::size_t pos = 0;
  for (int depth = 0;; ++depth) {
    tl::WireReader r(body.subspan(pos));
    const std::uint32_t id = r.read_u32();
    if (r.failed()) return fail("query", pos, "shorter than a constructor id");
    const bool wrapper = id == wrapper_ids::invoke_with_layer || id == wrapper_ids::init_connection ||
                         id == wrapper_ids::invoke_without_updates || id == wrapper_ids::invoke_after_msg ||
                         id == wrapper_ids::invoke_after_msgs;
    if (!wrapper) break;
    if (depth >= kMaxWrapperDepth) return fail("query", pos, "more than 8 nested wrappers");
    switch (id) {
      case wrapper_ids::invoke_with_layer: {
        const std::int32_t layer = r.read_i32();
        if (r.failed()) return fail("invokeWithLayer", pos, "truncated layer");
        u.layer = layer;
        pos += r.offset();
        break;
      }
      case wrapper_ids::invoke_without_updates:
        u.without_updates = true;
        pos += r.offset();
        break;
      case wrapper_ids::invoke_after_msg: {
        const std::uint64_t id_after = r.read_u64();
        if (r.failed()) return fail("invokeAfterMsg", pos, "truncated msg_id");
        u.after_msg_ids.push_back(id_after);
        pos += r.offset();
        break;
      }
      case wrapper_ids::invoke_after_msgs: {
        const std::uint32_t vec = r.read_u32();
        const std::uint32_t n = r.read_u32();
        if (r.failed()) return fail("invokeAfterMsgs", pos, "truncated msg_ids");
        if (vec != tl::kVectorId) return fail("invokeAfterMsgs", pos, "msg_ids is not a Vector<long>");
        if (n > r.remaining() / 8) return fail("invokeAfterMsgs", pos, "msg_ids count beyond the data");
        for (std::uint32_t i = 0; i < n; ++i) u.after_msg_ids.push_back(r.read_u64());
        pos += r.offset();
        break;
      }
      case wrapper_ids::init_connection: {
        InitConnectionInfo info;
        const std::uint32_t flags = r.read_u32();
        info.api_id = r.read_i32();
        info.device_model = read_string(r);
        info.system_version = read_string(r);
        info.app_version = read_string(r);
        info.system_lang_code = read_string(r);
        info.lang_pack = read_string(r);
        info.lang_code = read_string(r);
        if (r.failed()) return fail("initConnection", pos, std::string("truncated ") + r.error_what());
        const std::size_t start = pos;
        pos += r.offset();
        if (flags & 1u)
          if (auto st = skip_object(body, pos, decoder); !st) return fail("initConnection.proxy", start, st.message());
        if (flags & 2u)
          if (auto st = skip_object(body, pos, decoder); !st) return fail("initConnection.params", start, st.message());
        u.init = std::move(info);
        break;
      }
    }
  }
  u.method_offset = pos;
  out = std::move(u);
  return {};
}

}  // namespace mtjson::testdc::server
