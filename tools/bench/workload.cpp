#include "bench/workload.h"

#include <charconv>

#include <nlohmann/json.hpp>

namespace mtjson::bench {

namespace {

template <typename T>
void append_int(std::string& out, T v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

}  // namespace

Workload::Workload(const Options& options, std::uint64_t random_base)
    : options_(options), random_base_(random_base), text_json_(nlohmann::json(options.text).dump()) {}

void Workload::append_request(std::string& out, std::int64_t id) const {
  if (options_.method == Method::server) {
    append_server_get_line(out, id);
    return;
  }
  out += "{\"id\":";
  append_int(out, id);
  if (options_.timeout_s) {
    out += ",\"timeout\":";
    append_int(out, *options_.timeout_s);
  }
  out += ",\"message\":";
  // Unique per request: the per-client random base plus the per-connection id.
  auto unique = static_cast<std::int64_t>(random_base_ + static_cast<std::uint64_t>(id));
  switch (options_.method) {
    case Method::get_config:
      out += R"({"_cons":"help.getConfig"})";
      break;
    case Method::ping:
      out += R"({"_cons":"ping","ping_id":)";
      append_int(out, unique);
      out += '}';
      break;
    case Method::send_message:
      out += R"({"_cons":"messages.sendMessage","peer":{"_cons":"inputPeerUser","user_id":)";
      append_int(out, peer_.user_id);
      out += R"(,"access_hash":)";
      append_int(out, peer_.access_hash);
      out += R"(},"message":)";
      out += text_json_;
      out += R"(,"random_id":)";
      append_int(out, unique);
      out += '}';
      break;
    case Method::raw:
      out += options_.message;
      break;
    case Method::server:
      break;
  }
  out += "}\n";
}

void append_message_line(std::string& out, std::int64_t id, const std::string& message_json) {
  out += "{\"id\":";
  append_int(out, id);
  out += ",\"message\":";
  out += message_json;
  out += "}\n";
}

void append_server_get_line(std::string& out, std::int64_t id) {
  out += "{\"id\":";
  append_int(out, id);
  out += ",\"server\":{}}\n";
}

}  // namespace mtjson::bench
