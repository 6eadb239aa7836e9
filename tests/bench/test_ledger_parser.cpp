// Exactly-once bookkeeping, answer classification and the request lines.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <set>
#include <string>

#include "bench/answer_parser.h"
#include "bench/request_ledger.h"
#include "bench/workload.h"

using namespace mtjson::bench;

TEST_CASE("ledger: ids count up from 1; each answered once") {
  RequestLedger l;
  auto t0 = Clock::now();
  CHECK(l.issue(t0, Tag::control) == 1);
  CHECK(l.issue(t0 + std::chrono::milliseconds(1), Tag::measure) == 2);
  CHECK(l.issue(t0, Tag::warmup) == 3);
  CHECK(l.in_flight() == 3);
  CHECK(l.in_flight(Tag::measure) == 1);
  CHECK(l.last_id() == 3);

  auto a = l.on_answer(2);  // out of order is fine
  CHECK(a.verdict == RequestLedger::Verdict::answered);
  CHECK(a.sent.tag == Tag::measure);
  CHECK(a.sent.at == t0 + std::chrono::milliseconds(1));
  CHECK(l.in_flight() == 2);

  CHECK(l.on_answer(2).verdict == RequestLedger::Verdict::duplicate);
  CHECK(l.on_answer(4).verdict == RequestLedger::Verdict::unexpected);   // never sent
  CHECK(l.on_answer(-2).verdict == RequestLedger::Verdict::unexpected);
  CHECK(l.on_answer(1).verdict == RequestLedger::Verdict::answered);
  CHECK(l.on_answer(3).verdict == RequestLedger::Verdict::answered);
  CHECK(l.in_flight() == 0);
  CHECK(l.on_answer(1).verdict == RequestLedger::Verdict::duplicate);
  l.issue(t0, Tag::measure);
  CHECK(l.abandon_all() == 1);
  CHECK(l.in_flight() == 0);
}

TEST_CASE("parser: results, errors, timeouts, error lines, updates, bad lines") {
  AnswerParser p;
  auto parse = [&p](const std::string& s) { return p.parse(s.data(), s.size(), false); };

  Answer a = parse(R"({"id":7,"message":{"_cons":"config","date":1}})");
  CHECK(a.kind == Answer::Kind::result);
  CHECK(a.id == 7);
  CHECK(a.cons == "config");

  a = parse(R"({"message":{"_cons":"rpc_error","error_code":420,"error_message":"FLOOD_WAIT_30"},"id":8})");
  CHECK(a.kind == Answer::Kind::rpc_error);
  CHECK(a.id == 8);
  CHECK(a.error_code == 420);
  CHECK(a.error_message == "FLOOD_WAIT_30");

  a = parse(R"({"id":9,"message":{"_cons":"rpc_timeout"}})");
  CHECK(a.kind == Answer::Kind::rpc_timeout);

  a = parse(R"({"id":10,"error":"tl","msg":"message._cons: unknown constructor"})");
  CHECK(a.kind == Answer::Kind::protocol_error);
  CHECK(a.id == 10);
  CHECK(a.error_kind == "tl");
  CHECK(a.detail == "message._cons: unknown constructor");

  a = parse(R"({"id":-2,"error":"json","msg":"not JSON"})");
  CHECK(a.kind == Answer::Kind::protocol_error);
  CHECK(a.id == -2);

  a = parse(R"({"id":0,"message":{"_cons":"updateShortMessage"}})");
  CHECK(a.kind == Answer::Kind::update);
  CHECK(a.cons == "updateShortMessage");

  a = parse(R"({"id":3,"server":{"host":"127.0.0.1","port":443}})");
  CHECK(a.kind == Answer::Kind::result);

  CHECK(parse("hello").kind == Answer::Kind::bad_line);
  CHECK(parse("[1,2]").kind == Answer::Kind::bad_line);
  CHECK(parse(R"({"message":{}})").kind == Answer::Kind::bad_line);
  CHECK(parse(R"({"id":"7"})").kind == Answer::Kind::bad_line);
  CHECK(parse(R"({"id":1.5})").kind == Answer::Kind::bad_line);
  CHECK(parse(R"({"id":1,"message")").kind == Answer::Kind::bad_line);
}

TEST_CASE("workload lines are JSON with the id, and sendMessage random_ids are unique") {
  Options o;
  o.method = Method::send_message;
  o.text = "hi \"there\"";
  o.timeout_s = 5;
  Workload w(o, 0xFFFFFFFFFFFFFFF0ull);  // the base wraps past 2^64: still unique, as a signed long
  w.set_peer({777000, -1234567890123456789});
  std::string out;
  std::set<std::int64_t> random_ids;
  for (std::int64_t id = 1; id <= 100; ++id) {
    out.clear();
    w.append_request(out, id);
    REQUIRE(out.back() == '\n');
    auto j = nlohmann::json::parse(out);
    CHECK(j["id"] == id);
    CHECK(j["timeout"] == 5);
    CHECK(j["message"]["_cons"] == "messages.sendMessage");
    CHECK(j["message"]["peer"]["_cons"] == "inputPeerUser");
    CHECK(j["message"]["peer"]["user_id"] == 777000);
    CHECK(j["message"]["peer"]["access_hash"] == -1234567890123456789);
    CHECK(j["message"]["message"] == "hi \"there\"");
    random_ids.insert(j["message"]["random_id"].get<std::int64_t>());
  }
  CHECK(random_ids.size() == 100);

  Options g;
  Workload gw(g, 1);
  out.clear();
  gw.append_request(out, 42);
  CHECK(out == "{\"id\":42,\"message\":{\"_cons\":\"help.getConfig\"}}\n");

  Options s;
  s.method = Method::server;
  Workload sw(s, 1);
  out.clear();
  sw.append_request(out, 3);
  CHECK(out == "{\"id\":3,\"server\":{}}\n");

  Options p;
  p.method = Method::ping;
  Workload pw(p, 100);
  out.clear();
  pw.append_request(out, 5);
  CHECK(nlohmann::json::parse(out) == nlohmann::json::parse(R"({"id":5,"message":{"_cons":"ping","ping_id":105}})"));

  Options r;
  r.method = Method::raw;
  r.message = R"({"_cons":"help.getNearestDc"})";
  Workload rw(r, 1);
  out.clear();
  rw.append_request(out, 9);
  CHECK(out == "{\"id\":9,\"message\":{\"_cons\":\"help.getNearestDc\"}}\n");
}
