#include "bench/run.h"

#include <cstdint>
#include <asio.hpp>

#include <sys/resource.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <random>
#include <vector>

#include "bench/connection.h"
#include "bench/proc_memory.h"

namespace mtjson::bench {

namespace {

// Connects under way at once: a thousand idle clients must not overflow the daemon's backlog.
constexpr int kConnectWindow = 64;
constexpr auto kSampleEvery = std::chrono::milliseconds(100);

std::chrono::nanoseconds seconds_ns(double s) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(s * 1e9));
}

// Every connection is a descriptor: lift the soft limit to the hard one when needed.
void raise_fd_limit(std::size_t needed) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return;
  if (r.rlim_cur >= needed + 64) return;
  r.rlim_cur = r.rlim_max;
  setrlimit(RLIMIT_NOFILE, &r);
}

class Run final : public ConnectionHost {
 public:
  explicit Run(const Options& o) : o_(o), sampler_(io_), phase_timer_(io_), setup_timer_(io_), progress_timer_(io_), signals_(io_) {}

  RunResult run();

  // ConnectionHost
  void on_connected(Connection& c, const std::error_code& ec) override;
  void on_ready(Connection& c) override;
  void on_setup_failed(Connection& c, const std::string& why) override;
  void on_disconnect(Connection& c, const std::string& why) override;
  bool may_issue(Tag& tag) override;
  void after_batch() override;
  bool measuring() const override { return phase_ == Phase::measure || phase_ == Phase::drain; }
  void measured_answer_at(Clock::time_point t) override { last_answer_ = t; }
  Counters& counters() override { return summary_.counters; }
  LatencyHistogram& latency() override { return summary_.latency; }
  bool verbose() const override { return o_.verbose; }

 private:
  enum class Phase { connecting, setup, warmup, measure, drain, done };

  void connect_next();
  void begin_load();
  void begin_measure();
  void begin_drain();
  void finish();
  void fail(int exit_code, const std::string& error);
  void sample_memory();
  void progress();
  std::size_t load_in_flight() const;
  void log(const std::string& line) const {
    if (o_.verbose) std::cerr << line << "\n";
  }

  const Options& o_;
  asio::io_context io_;
  asio::steady_timer sampler_, phase_timer_, setup_timer_, progress_timer_;
  asio::signal_set signals_;
  asio::ip::tcp::endpoint endpoint_;
  std::vector<std::unique_ptr<Connection>> conns_;  // load clients first, then the idle ones
  std::size_t next_connect_ = 0;
  std::size_t connecting_ = 0;
  std::size_t connected_ = 0;
  std::size_t ready_ = 0;
  std::size_t alive_load_ = 0;
  Phase phase_ = Phase::connecting;
  std::optional<std::uint64_t> budget_;  // measured requests left to send (--requests)
  Clock::time_point measure_start_{}, last_answer_{};
  std::uint64_t last_progress_ok_ = 0;
  std::optional<int> daemon_pid_;
  std::optional<MemoryTracker> daemon_mem_, testdc_mem_;
  Summary summary_;
  RunResult result_;
};

RunResult Run::run() {
  summary_.host = o_.host;
  summary_.port = o_.port;
  summary_.method = o_.method_name();
  summary_.clients = o_.clients;
  summary_.inflight = o_.inflight;
  summary_.idle_clients = o_.idle_clients;
  summary_.duration_s = o_.duration_s;
  summary_.requests = o_.requests;
  summary_.warmup_s = o_.warmup_s;
  if (o_.requests) budget_ = *o_.requests;

  std::error_code ec;
  asio::ip::tcp::resolver resolver(io_);
  auto results = resolver.resolve(o_.host, std::to_string(o_.port), ec);
  if (ec || results.empty())
    return {2, Result<Summary>::error("cannot resolve " + o_.host + ": " + (ec ? ec.message() : std::string("no address")))};
  endpoint_ = results.begin()->endpoint();

  // The processes to watch: given, or the one listening on the port (local daemons only).
  std::optional<int> daemon_pid = o_.pid_daemon;
  if (!daemon_pid && endpoint_.address().is_loopback()) daemon_pid = find_listening_pid(o_.port);
  if (daemon_pid) daemon_mem_.emplace(*daemon_pid);
  std::optional<int> testdc_pid = o_.pid_testdc;
  if (!testdc_pid && daemon_pid) testdc_pid = find_child_named(*daemon_pid, "testdc");
  if (testdc_pid) testdc_mem_.emplace(*testdc_pid);
  log(daemon_pid ? "daemon: pid " + std::to_string(*daemon_pid) + " (" + daemon_mem_->name() + ")"
                 : "daemon: process not found, no memory figures");
  if (testdc_pid) log("test DC: pid " + std::to_string(*testdc_pid) + " (" + testdc_mem_->name() + ")");
  daemon_pid_ = daemon_pid;
  sample_memory();

  raise_fd_limit(static_cast<std::size_t>(o_.clients) + static_cast<std::size_t>(o_.idle_clients));
  std::random_device rd;
  std::mt19937_64 rng((std::uint64_t{rd()} << 32) ^ rd());
  for (int i = 0; i < o_.clients; ++i)
    conns_.push_back(std::make_unique<Connection>(io_, *this, o_, i, Connection::Role::load, rng()));
  for (int i = 0; i < o_.idle_clients; ++i)
    conns_.push_back(std::make_unique<Connection>(io_, *this, o_, o_.clients + i, Connection::Role::idle, 0));

  setup_timer_.expires_after(seconds_ns(o_.setup_timeout_s));
  setup_timer_.async_wait([this](const std::error_code& e) {
    if (e || phase_ > Phase::setup) return;
    fail(phase_ == Phase::connecting ? 2 : 1,
         "setup did not finish in " + std::to_string(o_.setup_timeout_s) + " s: " + std::to_string(connected_) +
             " of " + std::to_string(conns_.size()) + " connected, " + std::to_string(ready_) + " ready");
  });
  signals_.add(SIGINT);
  signals_.add(SIGTERM);
  signals_.async_wait([this](const std::error_code& e, int) {
    if (e) return;
    log("signal: stopping");
    if (phase_ == Phase::warmup || phase_ == Phase::measure) {
      if (phase_ == Phase::warmup) begin_measure();
      begin_drain();
    } else if (phase_ == Phase::drain) {
      finish();
    } else {
      fail(1, "interrupted");
    }
  });
  for (int i = 0; i < kConnectWindow; ++i) connect_next();
  io_.run();
  return result_;
}

void Run::connect_next() {
  if (next_connect_ >= conns_.size() || phase_ != Phase::connecting) return;
  ++connecting_;
  conns_[next_connect_++]->connect(endpoint_);
}

void Run::on_connected(Connection& c, const std::error_code& ec) {
  --connecting_;
  if (phase_ != Phase::connecting) return;
  if (ec) {
    std::string who = c.role() == Connection::Role::idle ? "idle client " : "client ";
    fail(2, "cannot connect to " + o_.host + ":" + std::to_string(o_.port) + " (" + who +
                std::to_string(c.index()) + "): " + ec.message());
    return;
  }
  ++connected_;
  if (c.role() == Connection::Role::load) ++alive_load_;
  if (connected_ < conns_.size()) {
    connect_next();
    return;
  }
  log("connected " + std::to_string(connected_) + " connections");
  phase_ = Phase::setup;
  sample_memory();
  for (auto& conn : conns_) conn->start();
}

void Run::on_ready(Connection&) {
  if (phase_ != Phase::setup) return;
  if (++ready_ < conns_.size()) return;
  setup_timer_.cancel();
  log("setup done");
  if (daemon_mem_) daemon_mem_->sample_after_setup();
  if (testdc_mem_) testdc_mem_->sample_after_setup();
  begin_load();
}

void Run::on_setup_failed(Connection& c, const std::string& why) {
  fail(1, "client " + std::to_string(c.index()) + ": " + why);
}

void Run::on_disconnect(Connection& c, const std::string& why) {
  if (phase_ == Phase::done) return;
  if (phase_ <= Phase::setup) {
    fail(1, "client " + std::to_string(c.index()) + " lost its connection during setup: " + why);
    return;
  }
  ++summary_.counters.disconnects;
  log("client " + std::to_string(c.index()) + " disconnected: " + why);
  if (c.role() == Connection::Role::load && --alive_load_ == 0) {
    if (phase_ == Phase::warmup) begin_measure();
    finish();
  }
}

bool Run::may_issue(Tag& tag) {
  switch (phase_) {
    case Phase::warmup:
      tag = Tag::warmup;
      return true;
    case Phase::measure:
      tag = Tag::measure;
      if (!budget_) return true;
      if (*budget_ == 0) return false;
      // --requests R: the R-th measured request ends the sending; then drain.
      if (--*budget_ == 0) begin_drain();
      return true;
    default:
      return false;
  }
}

void Run::begin_load() {
  // An external test DC (mtjson --server to an mtjson-testdc) is found through the daemon's
  // connections, which exist once the setup made Telegram calls.
  if (!testdc_mem_ && daemon_pid_) {
    if (auto pid = find_upstream_named(*daemon_pid_, "testdc")) {
      testdc_mem_.emplace(*pid);
      log("test DC: pid " + std::to_string(*pid) + " (" + testdc_mem_->name() + "), the daemon's upstream");
    }
  }
  if (o_.warmup_s > 0) {
    phase_ = Phase::warmup;
    log("warm-up " + std::to_string(o_.warmup_s) + " s");
    phase_timer_.expires_after(seconds_ns(o_.warmup_s));
    phase_timer_.async_wait([this](const std::error_code& e) {
      if (!e && phase_ == Phase::warmup) {
        begin_measure();
        for (auto& c : conns_) c->fill();
      }
    });
  } else {
    begin_measure();
  }
  progress_timer_.expires_after(std::chrono::seconds(1));
  progress_timer_.async_wait([this](const std::error_code& e) {
    if (!e) progress();
  });
  sample_memory();  // from here on every 100 ms until the end
  for (auto& c : conns_) c->fill();
}

void Run::begin_measure() {
  phase_ = Phase::measure;
  measure_start_ = last_answer_ = Clock::now();
  log("measuring");
  if (o_.duration_s) {
    phase_timer_.expires_after(seconds_ns(*o_.duration_s));
    phase_timer_.async_wait([this](const std::error_code& e) {
      if (!e && phase_ == Phase::measure) begin_drain();
    });
  }
}

void Run::begin_drain() {
  if (phase_ != Phase::measure) return;
  phase_ = Phase::drain;
  log("sending stopped; waiting for " + std::to_string(load_in_flight()) + " answers");
  phase_timer_.expires_after(seconds_ns(o_.drain_s));
  phase_timer_.async_wait([this](const std::error_code& e) {
    if (!e && phase_ == Phase::drain) finish();
  });
  // Nothing in flight (possible with --requests): done at once, after the caller's batch.
  asio::post(io_, [this] { after_batch(); });
}

void Run::after_batch() {
  if (phase_ == Phase::drain && load_in_flight() == 0) finish();
}

std::size_t Run::load_in_flight() const {
  std::size_t n = 0;
  for (const auto& c : conns_)
    if (c->role() == Connection::Role::load && c->alive()) n += c->in_flight();
  return n;
}

void Run::sample_memory() {
  if (daemon_mem_) daemon_mem_->sample();
  if (testdc_mem_) testdc_mem_->sample();
  if (phase_ == Phase::warmup || phase_ == Phase::measure || phase_ == Phase::drain) {
    sampler_.expires_after(kSampleEvery);
    sampler_.async_wait([this](const std::error_code& e) {
      if (!e) sample_memory();
    });
  }
}

void Run::progress() {
  if (phase_ != Phase::warmup && phase_ != Phase::measure && phase_ != Phase::drain) return;
  if (o_.verbose) {
    double t = std::chrono::duration<double>(Clock::now() - measure_start_).count();
    char line[160];
    std::snprintf(line, sizeof line, "%s %.1f s: %llu ok in the last second, %zu in flight",
                  phase_ == Phase::warmup ? "warm-up" : "measure", phase_ == Phase::warmup ? 0.0 : t,
                  static_cast<unsigned long long>(summary_.counters.ok - last_progress_ok_), load_in_flight());
    std::cerr << line << "\n";
  }
  last_progress_ok_ = summary_.counters.ok;
  progress_timer_.expires_after(std::chrono::seconds(1));
  progress_timer_.async_wait([this](const std::error_code& e) {
    if (!e) progress();
  });
}

MemoryFigure figure(const MemoryTracker& m) {
  return {m.pid(), m.name(), m.peak_kib(), m.start_rss_kib(), m.max_rss_kib(), m.setup_rss_kib()};
}

void Run::finish() {
  if (phase_ == Phase::done) return;
  phase_ = Phase::done;
  sample_memory();
  std::uint64_t unanswered = 0;
  for (const auto& c : conns_)
    if (c->role() == Connection::Role::load) unanswered += c->in_flight(Tag::measure) + c->in_flight(Tag::warmup);
  summary_.counters.unanswered = unanswered;
  summary_.elapsed_s = std::chrono::duration<double>(last_answer_ - measure_start_).count();
  if (daemon_mem_ && daemon_mem_->seen()) summary_.daemon = figure(*daemon_mem_);
  if (testdc_mem_ && testdc_mem_->seen()) summary_.testdc = figure(*testdc_mem_);
  result_.exit_code = summary_.counters.errors() ? 1 : 0;
  result_.summary = std::move(summary_);
  for (auto& c : conns_) c->close();
  io_.stop();
}

void Run::fail(int exit_code, const std::string& error) {
  if (phase_ == Phase::done) return;
  phase_ = Phase::done;
  result_ = {exit_code, Result<Summary>::error(error)};
  for (auto& c : conns_) c->close();
  io_.stop();
}

}  // namespace

RunResult run_bench(const Options& options) {
  Run run(options);
  return run.run();
}

}  // namespace mtjson::bench
