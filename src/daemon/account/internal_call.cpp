// The daemon's own calls (authorization transfer, help.getConfig, the update tracker's): JSON in,
// TL to a chosen DC, the decoded answer or the error to a callback; never seen by clients.
#include <simdjson.h>

#include "daemon/account/account.h"
#include "tl/json_to_tl.h"

namespace mtjson::daemon {

namespace ss = mtproto::session;

void Account::internal_call(int dc_id, const std::string& text,
                            std::function<void(const std::string*, const ss::RpcError*)> done) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::vector<std::uint8_t> query;
  const tl::Combinator* method = nullptr;
  tl::JsonToTl encoder(schema_);
  if (parser.parse(text).get(doc) || !encoder.encode_function(doc, query, &method)) {
    ss::RpcError e{0, 0, -500, "internal call does not encode"};
    done(nullptr, &e);
    return;
  }
  Pending& p = pending_.add(now() + std::chrono::seconds(60));
  p.query = std::move(query);
  p.method = method;
  p.dc = dc_id;
  const tl::Combinator* m = method;
  tl::TlToJson* decoder = &decoder_;
  p.on_internal = [done = std::move(done), m, decoder](const ss::RpcResult* r, const ss::RpcError* e) {
    if (!r) return done(nullptr, e);
    std::string out;
    if (auto st = decoder->decode_result(r->body, *m, out); !st) {
      ss::RpcError err{0, 0, -500, "undecodable answer: " + st.message()};
      return done(nullptr, &err);
    }
    done(&out, nullptr);
  };
  send(p);
  arm_timer();
}

}  // namespace mtjson::daemon
