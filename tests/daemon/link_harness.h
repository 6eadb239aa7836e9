// Drives one DcLink against a FakeDc the way the Asio glue (dc_link_io.cpp) does, but inline
// and on an injected clock: connect requests are granted (or refused, or left hanging), key
// exchange jobs run at once, bytes move both ways until both sides are quiet, and advance()
// jumps the clock from timer to timer.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <variant>
#include <vector>

#include "daemon/dc/dc_link.h"
#include "fake_dc.h"

namespace mtjson::daemon::test {

// 2024-02-08 12:05:04 UTC: any fixed moment works; the server runs on the same clock.
inline TimePoint start_time() { return mtproto::session::from_unix_seconds(1707393904); }

inline DcLinkConfig test_link_config() {
  DcLinkConfig c;
  c.dc_id = 2;
  c.server_keys.add(dc_rsa_key().public_key());
  return c;
}

template <typename T>
std::size_t count_of(const std::vector<LinkEvent>& events) {
  std::size_t n = 0;
  for (const auto& e : events) n += std::holds_alternative<T>(e);
  return n;
}

template <typename T>
std::vector<T> all_of(const std::vector<LinkEvent>& events) {
  std::vector<T> out;
  for (const auto& e : events)
    if (auto* p = std::get_if<T>(&e)) out.push_back(*p);
  return out;
}

struct LinkHarness {
  enum class Connect { accept, refuse, hang };

  TimePoint now = start_time();
  FakeDc dc{now};
  hs::test::SeededRandom client_random;
  DcLink link;
  Connect connect_mode = Connect::accept;
  bool socket_open = false;  // the glue's view: a connected socket exists
  bool connecting = false;   // a connect attempt is hanging
  std::vector<LinkEvent> events;
  std::vector<std::string> close_requests;  // reasons the link gave when asking to close
  int connect_requests = 0;
  int jobs_run = 0;
  std::vector<TimePoint> connect_times;

  explicit LinkHarness(std::optional<KeyState> key = std::nullopt, DcLinkConfig config = test_link_config(),
                       std::uint64_t seed = 42)
      : client_random(seed), link(std::move(config), client_random, std::move(key)) {}

  // Moves everything that can move now, until both sides are quiet.
  void pump() {
    for (int round = 0; round < 10000; ++round) {
      bool progress = false;
      if (link.take_connect_request()) {
        progress = true;
        ++connect_requests;
        connect_times.push_back(now);
        if (socket_open) drop_socket();
        switch (connect_mode) {
          case Connect::accept:
            dc.accept();
            socket_open = true;
            connecting = false;
            link.on_connected(now);
            break;
          case Connect::refuse:
            link.on_connect_failed("connection refused", now);
            break;
          case Connect::hang:
            connecting = true;
            break;
        }
      }
      if (auto job = link.take_job()) {
        progress = true;
        ++jobs_run;
        job->run();
        link.on_job_done(std::move(*job), now);
      }
      Bytes out = link.take_output(now);
      if (!out.empty()) {
        progress = true;
        if (socket_open) dc.on_bytes(out);
      }
      if (auto reason = link.take_close_request()) {
        progress = true;
        close_requests.push_back(*reason);
        drop_socket();
        connecting = false;
        link.on_disconnected(*reason, now);  // our own close (as the glue reports it)
      }
      if (socket_open) {
        Bytes in = dc.take_output();
        if (!in.empty()) {
          progress = true;
          link.on_bytes(in, now);
        }
        if (socket_open && dc.closed()) {
          progress = true;
          drop_socket();
          link.on_disconnected("the server closed the connection", now);
        }
      }
      for (auto& e : link.take_events()) {
        progress = true;
        events.push_back(std::move(e));
      }
      if (!progress) return;
    }
    FAIL("pump: the link and the DC never went quiet");
  }

  void drop_socket() {
    socket_open = false;
    dc.disconnect();
  }

  // A network failure: the socket breaks under both sides.
  void break_connection(const std::string& reason = "connection reset by peer") {
    REQUIRE(socket_open);
    drop_socket();
    link.on_disconnected(reason, now);
    pump();
  }

  // Raw bytes from "the server" straight into the link.
  void inject(const Bytes& bytes) {
    link.on_bytes(bytes, now);
    pump();
  }

  std::optional<TimePoint> next_wake() const {
    std::optional<TimePoint> t = link.next_timer(now);
    if (auto d = dc.next_timer(); d && (!t || *d < *t)) t = d;
    return t;
  }

  // Runs the clock forward by `d`, firing every timer due on the way.
  void advance(Duration d) {
    const TimePoint end = now + d;
    for (int i = 0; i < 100000; ++i) {
      auto t = next_wake();
      if (!t || *t > end) break;
      if (*t > now) now = *t;
      link.on_timer(now);
      pump();
      // A timer that names a moment where nothing happens would spin the glue forever.
      auto again = next_wake();
      if (again && *again <= now) {
        link.on_timer(now);
        pump();
        again = next_wake();
        if (again && *again <= now) FAIL("a timer due now does nothing (state " << int(link.state()) << ")");
      }
    }
    now = end;
    link.on_timer(now);
    pump();
  }

  // start() and run until quiet, firing what is due at once (the first keepalive ping).
  void start() {
    link.start(now);
    pump();
    advance(Duration{0});
  }

  std::vector<mtproto::session::RpcResult> results_for(std::uint64_t token) const {
    std::vector<mtproto::session::RpcResult> out;
    for (auto& r : all_of<mtproto::session::RpcResult>(events))
      if (r.token == token) out.push_back(r);
    return out;
  }
  std::vector<LinkEvent> take_events() { return std::exchange(events, {}); }
};

}  // namespace mtjson::daemon::test
