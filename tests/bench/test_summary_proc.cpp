// The summary renderings and the /proc readers.
#include <catch2/catch.hpp>

#include <cstdint>
#include <asio.hpp>

#include <unistd.h>

#include "bench/proc_memory.h"
#include "bench/summary.h"

using namespace mtjson::bench;

namespace {

Summary sample_summary() {
  Summary s;
  s.host = "127.0.0.1";
  s.port = 1543;
  s.method = "help.getConfig";
  s.clients = 10;
  s.inflight = 32;
  s.duration_s = 10;
  s.elapsed_s = 10.0;
  s.counters.sent = 48213;
  s.counters.ok = 48213;
  for (int i = 0; i < 48213; ++i) s.latency.record(i % 100 < 50 ? 1'900'000 : i % 100 < 90 ? 3'100'000 : 5'000'000);
  s.latency.record(12'000'000);
  s.counters.ok = 48213;
  s.daemon = MemoryFigure{100, "mtjson", 14540, 9000, 14000};
  s.testdc = MemoryFigure{101, "mtjson-testdc", 20582, 18000, 20000};
  return s;
}

}  // namespace

TEST_CASE("format_ms: two significant digits, whole ms from 10 ms") {
  CHECK(format_ms(1'900'000) == "1.9 ms");
  CHECK(format_ms(420'000) == "0.42 ms");
  CHECK(format_ms(12'345'678) == "12 ms");
  CHECK(format_ms(0) == "0.00 ms");
}

TEST_CASE("the human summary line") {
  Summary s = sample_summary();
  CHECK(human_summary(s) ==
        "clients 10 x 32 in flight, help.getConfig: 48213 requests in 10.00 s = 4821 req/s; latency p50 1.9 ms "
        "p90 3.1 ms p99 5.0 ms max 12 ms; errors 0; daemon peak RSS 14.2 MiB; testdc peak RSS 20.1 MiB\n");

  s.testdc.reset();
  s.daemon.reset();
  s.idle_clients = 1000;
  s.counters.rpc_errors["FLOOD_WAIT_3"] = 2;
  s.counters.protocol_errors["tl"] = 1;
  s.counters.duplicates = 1;
  s.counters.unanswered = 3;
  s.counters.updates = 7;
  std::string h = human_summary(s);
  CHECK(h.find("clients 10 x 32 in flight + 1000 idle, ") == 0);
  CHECK(h.find("; errors 7; daemon peak RSS n/a\n") != std::string::npos);
  CHECK(h.find("testdc") == std::string::npos);
  CHECK(h.find("errors: rpc_error FLOOD_WAIT_3 x2, error tl x1, duplicate x1, unanswered x3\n") != std::string::npos);
  CHECK(h.find("updates (id 0 lines) 7\n") != std::string::npos);
}

TEST_CASE("the daemon's RSS growth per connection, with idle clients") {
  Summary s = sample_summary();
  CHECK_FALSE(s.daemon_kib_per_connection());  // no figure after the setup
  s.idle_clients = 990;
  s.daemon->start_rss_kib = 10000;
  s.daemon->setup_rss_kib = 30000;
  REQUIRE(s.daemon_kib_per_connection());
  CHECK(*s.daemon_kib_per_connection() == Approx(20.0));
  CHECK(human_summary(s).find("daemon RSS 9.8 MiB before connecting, 29.3 MiB after the setup of 1000 connections: "
                              "20.0 KiB per connection\n") != std::string::npos);
  CHECK(json_summary(s)["daemon_rss_kib_per_connection"].get<double>() == Approx(20.0));
}

TEST_CASE("the --json summary") {
  Summary s = sample_summary();
  s.counters.rpc_errors["FLOOD_WAIT_3"] = 2;
  nlohmann::json j = json_summary(s);
  CHECK(j["method"] == "help.getConfig");
  CHECK(j["clients"] == 10);
  CHECK(j["ok"] == 48213);
  CHECK(j["requests_per_s"].get<double>() == Approx(4821.3));
  CHECK(j["latency_ms"]["p50"].get<double>() == Approx(1.9).epsilon(0.01));
  CHECK(j["latency_ms"]["max"].get<double>() == Approx(12.0));
  CHECK(j["errors"]["total"] == 2);
  CHECK(j["errors"]["rpc_error"]["FLOOD_WAIT_3"] == 2);
  CHECK(j["errors"]["protocol"].is_object());
  CHECK(j["errors"]["duplicate"] == 0);
  CHECK(j["daemon"]["peak_rss_kib"] == 14540);
  CHECK(j["testdc"]["name"] == "mtjson-testdc");
  CHECK(j["requests_limit"].is_null());
  Summary empty;
  CHECK(json_summary(empty)["latency_ms"].is_null());
  CHECK(json_summary(empty)["daemon"].is_null());
}

TEST_CASE("parse /proc/PID/status and /proc/PID/stat") {
  auto m = parse_proc_status("Name:\tmtjson\nVmPeak:\t  99999 kB\nVmHWM:\t   14540 kB\nVmRSS:\t   12000 kB\nThreads:\t2\n");
  REQUIRE(m);
  CHECK(m->vm_hwm_kib == 14540);
  CHECK(m->vm_rss_kib == 12000);
  CHECK_FALSE(parse_proc_status("Name:\tkthreadd\nState:\tS\n"));

  int ppid = 0;
  std::string comm;
  REQUIRE(parse_proc_stat("4242 (mtjson (x) y) S 4200 4242 4242 0 -1", ppid, comm));
  CHECK(comm == "mtjson (x) y");
  CHECK(ppid == 4200);
  CHECK_FALSE(parse_proc_stat("garbage", ppid, comm));
}

TEST_CASE("find the listening socket in a /proc/net/tcp table") {
  const char* table =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0100007F:0607 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 111 1 0 100 0 0 10 0\n"
      "   1: 0100007F:0607 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 222 1 0 20 4 30 10 -1\n"
      "   2: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 333 1 0 100 0 0 10 0\n";
  CHECK(listening_inodes(table, 1543) == std::vector<std::uint64_t>{111});  // 0x0607; 222 is a connection
  CHECK(listening_inodes(table, 8080) == std::vector<std::uint64_t>{333});
  CHECK(listening_inodes(table, 1).empty());
  auto rows = parse_net_tcp(table);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].state == 1);  // ESTABLISHED
  CHECK(rows[1].local_port == 1543);
  CHECK(rows[1].remote_port == 0xD2F0);
  CHECK(rows[1].inode == 222);
  CHECK(rows[2].state == 10);
  CHECK(rows[2].remote_port == 0);
  const char* tcp6 =
      "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 00000000000000000000000001000000:115C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 444 1 0 100 0 0 10 0\n"
      "   1: broken line\n";
  CHECK(listening_inodes(tcp6, 0x115C) == std::vector<std::uint64_t>{444});
  CHECK(parse_net_tcp(tcp6).size() == 1);
}

TEST_CASE("live: this process is found listening, and its memory is read") {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  int port = acceptor.local_endpoint().port();
  auto pid = find_listening_pid(port);
  REQUIRE(pid);
  CHECK(*pid == getpid());
  auto m = read_proc_memory(getpid());
  REQUIRE(m);
  CHECK(m->vm_rss_kib > 0);
  CHECK(m->vm_hwm_kib >= m->vm_rss_kib);
  MemoryTracker t(getpid());
  t.sample();
  CHECK(t.seen());
  CHECK(t.peak_kib() >= t.start_rss_kib());
  CHECK_FALSE(process_name(getpid()).empty());
  CHECK_FALSE(read_proc_memory(0));
}
