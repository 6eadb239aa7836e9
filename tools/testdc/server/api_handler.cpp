#include "testdc/server/api_handler.h"

#include <algorithm>
#include <cstdio>

#include "tl/wire_reader.h"

namespace mtjson::testdc::server {

namespace {

Answer error_answer(std::uint64_t msg_id, std::int32_t code, std::string message) {
  Answer a;
  a.req_msg_id = msg_id;
  a.error_code = code;
  a.error_message = std::move(message);
  return a;
}

std::string hex_id(std::uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

ApiHandler::ApiHandler(World& world, LayerSchemas& layers, AuthKeyStore& keys,
                       std::function<void(const std::string&)> log, bool verbose)
    : world_(world), layers_(layers), keys_(keys), log_(std::move(log)), verbose_(verbose) {}

LayerSchema* ApiHandler::initial_layer(std::uint64_t auth_key_id, std::int64_t now_unix) {
  ServerKeyState* k = keys_.find(auth_key_id, now_unix);
  if (!k || !k->layer) return nullptr;
  return &layers_.closest(*k->layer);
}

ApiHandler::Wait ApiHandler::check_after(const SessionApiState& s, const std::vector<std::uint64_t>& ids) const {
  Wait w = Wait::ready;
  for (std::uint64_t id : ids) {
    auto it = s.finished.find(id);
    if (it == s.finished.end()) {
      w = Wait::wait;
    } else if (!it->second) {
      return Wait::failed;
    }
  }
  return w;
}

void ApiHandler::finish(SessionApiState& s, const Answer& a) {
  if (s.finished.emplace(a.req_msg_id, a.ok).second) s.finished_order.push_back(a.req_msg_id);
  while (s.finished_order.size() > kFinishedMemory) {
    s.finished.erase(s.finished_order.front());
    s.finished_order.pop_front();
  }
}

std::vector<Answer> ApiHandler::on_query(const CallContext& ctx, SessionApiState& s, std::uint64_t msg_id,
                                         std::span<const std::uint8_t> body, TimePoint now) {
  std::vector<Answer> out;
  Unwrapped u;
  if (auto st = unwrap_query(body, *layer_of(s).decoder, u); !st) {
    if (verbose_ && log_) log_("dc" + std::to_string(ctx.dc_id) + " key " + hex_id(ctx.auth_key_id) + ": " + st.message());
    out.push_back(error_answer(msg_id, 400, "INPUT_FETCH_ERROR"));
    finish(s, out.back());
    return out;
  }
  // The wrappers' effects hold from this query on, even if it has to wait ("Calling API Methods":
  // the layer is saved with the client's other parameters).
  if (u.layer) {
    s.layer = &layers_.closest(*u.layer);
    if (ServerKeyState* k = keys_.find(ctx.auth_key_id, mtproto::session::to_unix_seconds(now))) k->layer = *u.layer;
  }
  if (u.init) {
    if (ServerKeyState* k = keys_.find(ctx.auth_key_id, mtproto::session::to_unix_seconds(now))) k->init = u.init;
  }
  if (u.without_updates) s.without_updates = true;

  switch (check_after(s, u.after_msg_ids)) {
    case Wait::failed:
      out.push_back(error_answer(msg_id, 400, "MSG_WAIT_FAILED"));
      finish(s, out.back());
      break;
    case Wait::wait:
      s.deferred.push_back({msg_id, Bytes(body.begin(), body.end()), now + kMsgWaitTimeout});
      return out;
    case Wait::ready: {
      Answer a = execute(ctx, s, msg_id, body, u);
      if (a.swallowed) break;  // acknowledged by the session, never answered
      out.push_back(std::move(a));
      finish(s, out.back());
      break;
    }
  }
  run_unblocked(ctx, s, out);
  return out;
}

void ApiHandler::run_unblocked(const CallContext& ctx, SessionApiState& s, std::vector<Answer>& out) {
  for (bool progress = true; progress;) {
    progress = false;
    for (std::size_t i = 0; i < s.deferred.size(); ++i) {
      Unwrapped u;
      SessionApiState::Deferred d = s.deferred[i];
      if (!unwrap_query(d.body, *layer_of(s).decoder, u)) continue;  // parsed once already
      const Wait w = check_after(s, u.after_msg_ids);
      if (w == Wait::wait) continue;
      s.deferred.erase(s.deferred.begin() + static_cast<std::ptrdiff_t>(i));
      Answer a = w == Wait::failed ? error_answer(d.msg_id, 400, "MSG_WAIT_FAILED")
                                   : execute(ctx, s, d.msg_id, d.body, u);
      progress = true;
      if (a.swallowed) break;
      out.push_back(std::move(a));
      finish(s, out.back());
      break;
    }
  }
}

std::vector<Answer> ApiHandler::on_timer(SessionApiState& s, TimePoint now) {
  std::vector<Answer> out;
  for (auto it = s.deferred.begin(); it != s.deferred.end();) {
    if (it->deadline <= now) {
      // Not remembered as finished: the client resends it wrapped the same way.
      out.push_back(error_answer(it->msg_id, 400, "MSG_WAIT_TIMEOUT"));
      it = s.deferred.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

std::optional<TimePoint> ApiHandler::next_deadline(const SessionApiState& s) const {
  std::optional<TimePoint> t;
  for (const auto& d : s.deferred)
    if (!t || d.deadline < *t) t = d.deadline;
  return t;
}

Answer ApiHandler::execute(const CallContext& ctx, SessionApiState& s, std::uint64_t msg_id,
                           std::span<const std::uint8_t> body, const Unwrapped& u) {
  return call_method(ctx, s, msg_id, body.subspan(u.method_offset));
}

Status ApiHandler::encode_json(tl::JsonToTl& encoder, const nlohmann::json& value, const tl::TypeExpr* type,
                               Bytes& out) {
  scratch_ = value.dump();
  simdjson::dom::element doc;
  if (auto err = parser_.parse(scratch_).get(doc); err)
    return Status::error(std::string("JSON from the world does not parse: ") + simdjson::error_message(err));
  return type ? encoder.encode(doc, *type, out) : encoder.encode_boxed(doc, out);
}

Answer ApiHandler::call_method(const CallContext& ctx, SessionApiState& s, std::uint64_t msg_id,
                               std::span<const std::uint8_t> method_bytes) {
  LayerSchema& mine = layer_of(s);
  tl::WireReader r(method_bytes);
  const std::uint32_t id = r.read_u32();
  if (r.failed()) return error_answer(msg_id, 400, "INPUT_FETCH_ERROR");

  // The session's layer first, then any other loaded one, newest first ("decodes any known
  // constructor id": a client that has not declared its layer yet, or uses a method or object
  // its declared layer lacks, is still understood).
  std::vector<LayerSchema*> order{&mine};
  for (auto it = layers_.all().rbegin(); it != layers_.all().rend(); ++it)
    if (it->get() != &mine) order.push_back(it->get());
  const std::string where = "dc" + std::to_string(ctx.dc_id) + " key " + hex_id(ctx.auth_key_id);
  LayerSchema* used = nullptr;
  const tl::Combinator* method = nullptr;
  std::string text;
  Status first_error;
  for (LayerSchema* l : order) {
    const tl::Combinator* m = l->schema->by_id(id);
    if (!m || !m->is_function) continue;
    std::string out;
    Status st = l->decoder->decode_boxed(method_bytes, out);
    if (st) {
      used = l;
      method = m;
      text = std::move(out);
      break;
    }
    if (first_error.ok()) first_error = Status::error(m->name + ": " + st.message());
  }
  if (!method) {
    if (first_error.ok()) {
      if (verbose_ && log_) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "#%08x", id);
        log_(where + ": unknown method " + buf + " -> 400 METHOD_INVALID");
      }
      return error_answer(msg_id, 400, "METHOD_INVALID");
    }
    const bool unknown_ctor = first_error.message().find("unknown constructor") != std::string::npos;
    if (verbose_ && log_) log_(where + ": " + first_error.message());
    return error_answer(msg_id, 400, unknown_ctor ? "INPUT_CONSTRUCTOR_INVALID" : "INPUT_FETCH_ERROR");
  }
  nlohmann::json request = nlohmann::json::parse(text, nullptr, false);
  if (request.is_discarded()) return error_answer(msg_id, 400, "INPUT_FETCH_ERROR");

  if (stats_) ++stats_->calls[method->name];
  if (faults_) {
    if (auto f = faults_->take_method_fault(method->name)) {
      if (stats_) ++stats_->faults_fired;
      if (f->kind == MethodFault::Kind::swallow) {
        if (log_) log_(where + ": fault swallow: " + method->name + " (msg_id " + std::to_string(msg_id) +
                       ") acknowledged, never answered");
        Answer a;
        a.req_msg_id = msg_id;
        a.swallowed = true;
        return a;
      }
      if (log_) log_(where + ": fault error: " + method->name + " -> " + std::to_string(f->code) + " " + f->message);
      return error_answer(msg_id, f->code, f->message);
    }
  }

  Caller caller;
  caller.dc_id = ctx.dc_id;
  caller.auth_key_id = ctx.auth_key_id;
  caller.session_id = static_cast<std::int64_t>(ctx.session_id);
  caller.layer = mine.layer;
  CallResult res = world_.call(caller, request);
  if (!res.ok) {
    if (verbose_ && log_) log_(where + ": " + method->name + " -> " + std::to_string(res.error_code) + " " + res.error_message);
    Answer a = error_answer(msg_id, res.error_code, res.error_message);
    a.pushes = std::move(res.pushes);
    return a;
  }

  // Encode in the session's layer when it knows the method, else in the layer that decoded it.
  LayerSchema* out_layer = &mine;
  const tl::Combinator* out_method = mine.schema->by_name(method->name);
  if (!out_method) {
    out_layer = used;
    out_method = method;
  }
  Answer a;
  a.req_msg_id = msg_id;
  if (auto st = encode_json(*out_layer->encoder, res.result, &out_method->result, a.result); !st) {
    if (log_) log_(where + ": " + method->name + ": answer does not encode in layer " +
                   std::to_string(out_layer->layer) + ": " + st.message());
    return error_answer(msg_id, 500, "INTERNAL_SERVER_ERROR");
  }
  if (verbose_ && log_) log_(where + ": " + method->name + " -> ok (layer " + std::to_string(out_layer->layer) + ")");
  a.ok = true;
  a.pushes = std::move(res.pushes);
  return a;
}

std::optional<Bytes> ApiHandler::encode_updates(const SessionApiState& s, const nlohmann::json& updates) {
  LayerSchema& l = layer_of(s);
  Bytes out;
  if (auto st = encode_json(*l.encoder, updates, nullptr, out); !st) {
    if (log_) log_("updates do not encode in layer " + std::to_string(l.layer) + ": " + st.message());
    return std::nullopt;
  }
  return out;
}

}  // namespace mtjson::testdc::server
