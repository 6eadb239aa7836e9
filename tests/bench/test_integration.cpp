// The mtjson-bench program (MTJSON_BENCH_EXE) run against the stand-in daemon of standin_server.h.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/bench/standin_server.h"

extern char** environ;

using mtjson::bench::test::StandinMode;
using mtjson::bench::test::StandinServer;
using nlohmann::json;

namespace {

struct Ran {
  int exit_code = -1;
  std::string out, err;
  json j;  // stdout as JSON, when it is
};

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Ran run_bench(std::vector<std::string> args) {
  const char* exe = std::getenv("MTJSON_BENCH_EXE");
  REQUIRE(exe);
  char out_path[] = "/tmp/mtjson-bench-test-out-XXXXXX";
  char err_path[] = "/tmp/mtjson-bench-test-err-XXXXXX";
  int out_fd = mkstemp(out_path);
  int err_fd = mkstemp(err_path);
  REQUIRE(out_fd >= 0);
  REQUIRE(err_fd >= 0);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  std::vector<std::string> argv_s = {exe};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, exe, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  REQUIRE(rc == 0);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  close(out_fd);
  close(err_fd);
  Ran r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  unlink(out_path);
  unlink(err_path);
  r.j = json::parse(r.out, nullptr, false);
  return r;
}

std::vector<std::string> base(const StandinServer& s, std::vector<std::string> more) {
  std::vector<std::string> a = {"--port", std::to_string(s.port()), "--json"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

// The counts every run must satisfy, whatever the stand-in did.
void check_consistent(const json& j) {
  REQUIRE(j.is_object());
  const json& e = j["errors"];
  std::uint64_t rpc = 0, proto = 0;
  for (auto& [k, v] : e["rpc_error"].items()) rpc += v.get<std::uint64_t>();
  for (auto& [k, v] : e["protocol"].items()) proto += v.get<std::uint64_t>();
  // Every measured request sent is answered exactly once (ok, rpc_error, rpc_timeout, error line)
  // or still unanswered at the end.
  CHECK(j["sent"].get<std::uint64_t>() ==
        j["ok"].get<std::uint64_t>() + rpc + e["rpc_timeout"].get<std::uint64_t>() + proto +
            e["unanswered"].get<std::uint64_t>());
  if (!j["latency_ms"].is_null()) {
    const json& l = j["latency_ms"];
    CHECK(l["count"] == j["ok"]);
    CHECK(l["min"].get<double>() <= l["p50"].get<double>());
    CHECK(l["p50"].get<double>() <= l["p90"].get<double>());
    CHECK(l["p90"].get<double>() <= l["p99"].get<double>());
    CHECK(l["p99"].get<double>() <= l["max"].get<double>());
  }
}

}  // namespace

TEST_CASE("--requests R: exactly R requests, each answered once, out of order, updates counted") {
  StandinServer s(StandinMode::normal);
  Ran r = run_bench(base(s, {"--clients", "4", "--inflight", "16", "--requests", "3000", "--no-init"}));
  s.stop();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  check_consistent(r.j);
  CHECK(r.j["sent"] == 3000);
  CHECK(r.j["ok"] == 3000);
  CHECK(r.j["errors"]["total"] == 0);
  CHECK(r.j["method"] == "help.getConfig");
  CHECK(r.j["requests_limit"] == 3000);
  // What the stand-in saw: exactly R request lines (nothing else with --no-init), ids unique.
  CHECK(s.stats().lines == 3000);
  CHECK(s.stats().connections == 4);
  CHECK(s.stats().id_reused == 0);
  CHECK(s.stats().out_of_order > 0);  // the test means something: answers did overtake
  CHECK(s.stats().updates_sent > 0);
  CHECK(r.j["updates"] == s.stats().updates_sent.load());
  // The stand-in's random delay is 0..2 ms.
  CHECK(r.j["latency_ms"]["p50"].get<double>() < 50);
  CHECK(r.j["requests_per_s"].get<double>() > 0);
  // The daemon is found by its listening socket: here it is this test process.
  REQUIRE(r.j["daemon"].is_object());
  CHECK(r.j["daemon"]["pid"] == getpid());
  CHECK(r.j["daemon"]["peak_rss_kib"].get<std::uint64_t>() > 0);
  // The human summary goes to stderr with --json.
  CHECK(r.err.find("clients 4 x 16 in flight, help.getConfig: 3000 requests in ") == 0);
}

TEST_CASE("--duration: stops sending after S seconds; init request first; human summary on stdout") {
  StandinServer s(StandinMode::normal);
  Ran r = run_bench({"--port", std::to_string(s.port()), "--clients", "2", "--duration", "1", "--method", "ping"});
  s.stop();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("clients 2 x 32 in flight, ping: ") == 0);
  CHECK(r.out.find(" req/s; latency p50 ") != std::string::npos);
  CHECK(r.out.find("; errors 0; daemon peak RSS ") != std::string::npos);
  // One initConnection per client, then the pings.
  CHECK(s.stats().lines == s.stats().plain_requests + 2);
  CHECK(s.stats().plain_requests > 100);
}

TEST_CASE("--duration with --json: elapsed close to S; warm-up requests not counted") {
  StandinServer s(StandinMode::normal);
  Ran r = run_bench(base(s, {"--clients", "2", "--duration", "1", "--warmup", "0.3", "--no-init"}));
  s.stop();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  check_consistent(r.j);
  double elapsed = r.j["elapsed_s"].get<double>();
  CHECK(elapsed >= 0.99);
  CHECK(elapsed < 1.5);
  CHECK(r.j["warmup_answers"].get<std::uint64_t>() > 0);
  CHECK(s.stats().lines == r.j["sent"].get<std::uint64_t>() + r.j["warmup_answers"].get<std::uint64_t>());
}

TEST_CASE("a duplicate answer is reported") {
  StandinServer s(StandinMode::duplicate);
  Ran r = run_bench(base(s, {"--clients", "2", "--requests", "500", "--no-init"}));
  s.stop();
  INFO(r.err);
  CHECK(r.exit_code == 1);
  check_consistent(r.j);
  CHECK(r.j["errors"]["duplicate"] == 1);
  CHECK(r.j["errors"]["total"] == 1);
  CHECK(r.j["ok"] == 500);
  CHECK(r.err.find("errors: duplicate x1\n") != std::string::npos);
}

TEST_CASE("an answer to an id never sent is reported") {
  StandinServer s(StandinMode::unknown_id);
  Ran r = run_bench(base(s, {"--requests", "200", "--no-init"}));
  s.stop();
  CHECK(r.exit_code == 1);
  check_consistent(r.j);
  CHECK(r.j["errors"]["unexpected_id"] == 1);
  CHECK(r.j["ok"] == 200);
}

TEST_CASE("a request never answered is reported after the drain") {
  StandinServer s(StandinMode::drop_one);
  Ran r = run_bench(base(s, {"--clients", "3", "--requests", "300", "--no-init", "--drain", "0.5"}));
  s.stop();
  CHECK(r.exit_code == 1);
  check_consistent(r.j);
  CHECK(r.j["errors"]["unanswered"] == 1);
  CHECK(r.j["ok"] == 299);
  CHECK(s.stats().lines == 300);
}

TEST_CASE("rpc_error by error_message, rpc_timeout and error lines by kind") {
  StandinServer s(StandinMode::errors);
  Ran r = run_bench(base(s, {"--clients", "3", "--inflight", "4", "--requests", "300", "--no-init"}));
  s.stop();
  CHECK(r.exit_code == 1);
  check_consistent(r.j);
  CHECK(r.j["errors"]["rpc_error"] == json{{"FLOOD_WAIT_1", 3}});
  CHECK(r.j["errors"]["rpc_timeout"] == 3);
  CHECK(r.j["errors"]["protocol"] == json{{"tl", 3}});
  CHECK(r.j["errors"]["total"] == 9);
  CHECK(r.j["ok"] == 291);
  CHECK(r.err.find("errors: rpc_error FLOOD_WAIT_1 x3, rpc_timeout x3, error tl x3\n") != std::string::npos);
}

TEST_CASE("a line that is not JSON is reported") {
  StandinServer s(StandinMode::bad_line);
  Ran r = run_bench(base(s, {"--requests", "100", "--no-init"}));
  s.stop();
  CHECK(r.exit_code == 1);
  CHECK(r.j["errors"]["bad_line"] == 1);
  CHECK(r.j["ok"] == 100);
}

TEST_CASE("a connection the daemon closes is a disconnect; its requests are unanswered") {
  StandinServer s(StandinMode::disconnect);
  Ran r = run_bench(base(s, {"--clients", "2", "--inflight", "8", "--requests", "400", "--no-init"}));
  s.stop();
  INFO(r.err);
  CHECK(r.exit_code == 1);
  check_consistent(r.j);
  CHECK(r.j["errors"]["disconnects"] == 1);
  CHECK(r.j["errors"]["unanswered"].get<std::uint64_t>() >= 1);
  CHECK(r.j["errors"]["unanswered"].get<std::uint64_t>() <= 8);
  CHECK(r.j["sent"] == 400);
}

TEST_CASE("sendMessage: each client signs up, resolves @echo, sends unique random_ids; echoes are updates") {
  StandinServer s(StandinMode::normal, 500);
  Ran r = run_bench(base(s, {"--method", "sendMessage", "--signin", "9996621000", "--clients", "3", "--inflight", "8",
                             "--requests", "600"}));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  check_consistent(r.j);
  CHECK(r.j["method"] == "messages.sendMessage");
  CHECK(r.j["ok"] == 600);
  CHECK(s.stats().send_codes == 3);
  CHECK(s.stats().sign_ins == 3);
  CHECK(s.stats().sign_ups == 3);
  CHECK(s.stats().resolves == 3);
  CHECK(s.stats().send_messages == 600);
  CHECK(s.stats().bad_peer == 0);
  CHECK(s.stats().random_id_reused == 0);
  CHECK(r.j["updates"] == s.stats().updates_sent.load());
  CHECK(r.j["updates"].get<std::uint64_t>() >= 600);

  // A second run signs the same numbers in without sign-up.
  Ran again = run_bench(base(s, {"--method", "sendMessage", "--signin", "9996621000", "--clients", "3", "--requests", "30"}));
  s.stop();
  CHECK(again.exit_code == 0);
  CHECK(s.stats().sign_ins == 6);
  CHECK(s.stats().sign_ups == 3);
  CHECK(s.stats().random_id_reused == 0);
}

TEST_CASE("idle clients connect, say hello once, and stay") {
  StandinServer s(StandinMode::normal);
  Ran r = run_bench(base(s, {"--requests", "100", "--idle-clients", "200", "--no-init"}));
  s.stop();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.j["idle_clients"] == 200);
  CHECK(s.stats().connections == 201);
  CHECK(s.stats().server_gets == 200);
  CHECK(s.stats().lines == 300);
  CHECK(r.err.find("clients 1 x 32 in flight + 200 idle, help.getConfig: 100 requests in ") == 0);
}

TEST_CASE("--idle-call: every idle client makes one Telegram call, then stays") {
  StandinServer s(StandinMode::normal);
  Ran r = run_bench(base(s, {"--requests", "100", "--idle-clients", "50", "--idle-call", "--no-init"}));
  s.stop();
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(s.stats().connections == 51);
  CHECK(s.stats().server_gets == 0);
  // 100 measured requests by the load client, one help.getConfig by each idle one.
  CHECK(s.stats().lines == 150);
  CHECK(s.stats().plain_requests == 150);
}

TEST_CASE("--method server and --method raw") {
  StandinServer s(StandinMode::normal);
  Ran a = run_bench(base(s, {"--method", "server", "--requests", "50"}));
  CHECK(a.exit_code == 0);
  CHECK(a.j["method"] == "server");
  CHECK(s.stats().server_gets == 50);  // no init for daemon-local requests
  Ran b = run_bench(base(s, {"--method", "raw", "--message", R"({"_cons":"help.getConfig"})", "--requests", "50"}));
  CHECK(b.exit_code == 0);
  CHECK(b.j["ok"] == 50);
  Ran c = run_bench(base(s, {"--method", "raw", "--message", R"({"_cons":"help.getNearestDc"})", "--requests", "5"}));
  s.stop();
  CHECK(c.exit_code == 1);
  CHECK(c.j["errors"]["rpc_error"] == json{{"METHOD_INVALID", 5}});
}

TEST_CASE("a failed sign-in stops the run with exit 1 and says which client, step and error") {
  StandinServer s(StandinMode::refuse_signin);
  Ran r = run_bench(base(s, {"--method", "sendMessage", "--clients", "2", "--requests", "10"}));
  s.stop();
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(r.err.find("mtjson-bench: client ") == 0);
  CHECK(r.err.find(": auth.sendCode +999662000") != std::string::npos);
  CHECK(r.err.find(": rpc_error 400 PHONE_NUMBER_BANNED\n") != std::string::npos);
}

TEST_CASE("bad flags and no daemon: exit 2 with one line") {
  Ran r = run_bench({"--clients", "zero"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "mtjson-bench: --clients: 'zero' is not a client count (1..100000)\n");
  CHECK(r.out.empty());

  // A port nobody listens on: bind one, note it, close it.
  int port = 0;
  {
    StandinServer s(StandinMode::normal);
    port = s.port();
  }
  Ran c = run_bench({"--port", std::to_string(port), "--requests", "10"});
  CHECK(c.exit_code == 2);
  CHECK(c.err.find("mtjson-bench: cannot connect to 127.0.0.1:" + std::to_string(port)) == 0);
  CHECK(c.err.find("refused") != std::string::npos);
}
