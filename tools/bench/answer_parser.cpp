#include "bench/answer_parser.h"

namespace mtjson::bench {

namespace {

Answer bad(std::string_view why) {
  Answer a;
  a.kind = Answer::Kind::bad_line;
  a.detail = why;
  return a;
}

}  // namespace

Answer AnswerParser::parse(const char* data, std::size_t len, bool padded) {
  simdjson::dom::element root;
  if (parser_.parse(data, len, !padded).get(root)) return bad("not JSON");
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) return bad("not a JSON object");

  Answer a;
  simdjson::dom::element id;
  if (obj["id"].get(id)) return bad("no \"id\"");
  if (id.get_int64().get(a.id)) return bad("\"id\" is not a 64-bit integer");

  simdjson::dom::element error;
  if (!obj["error"].get(error)) {
    a.kind = Answer::Kind::protocol_error;
    if (error.get_string().get(a.error_kind)) a.error_kind = "?";
    std::string_view msg;
    if (!obj["msg"].get_string().get(msg)) a.detail = msg;
    return a;
  }

  simdjson::dom::object message;
  bool has_message = !obj["message"].get_object().get(message);
  if (has_message) {
    std::string_view cons;
    if (!message["_cons"].get_string().get(cons)) a.cons = cons;
  }
  if (a.id == 0) {
    a.kind = Answer::Kind::update;
    return a;
  }
  if (a.cons == "rpc_error") {
    a.kind = Answer::Kind::rpc_error;
    std::string_view m;
    if (!message["error_message"].get_string().get(m)) a.error_message = m;
    std::int64_t code = 0;
    if (!message["error_code"].get_int64().get(code)) a.error_code = code;
    return a;
  }
  if (a.cons == "rpc_timeout") {
    a.kind = Answer::Kind::rpc_timeout;
    return a;
  }
  a.kind = Answer::Kind::result;
  return a;
}

}  // namespace mtjson::bench
