#include "testdc/server/server.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <atomic>
#include <future>
#include <mutex>

#include "testdc/server/admin.h"
#include "testdc/server/admin_listener.h"
#include "testdc/server/connection.h"

namespace mtjson::testdc::server {

struct Server::Impl {
  // Order matters: the io_context goes first on destruction, so connections it still owns
  // find the core alive.
  std::unique_ptr<ServerCore> core;
  std::string data_dir;
  std::chrono::milliseconds save_interval{2000};
  asio::io_context io{1};
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors;
  std::unique_ptr<asio::signal_set> signals;
  std::unique_ptr<AdminListener> admin;
  asio::steady_timer save_timer{io};
  asio::steady_timer stop_timer{io};
  asio::steady_timer salt_timer{io};
  std::uint64_t salt_generation = 0;  // a stale salt_timer wake-up does nothing
  bool stopping = false;
  // Whether run() is inside io.run(): Server::admin() posts to it then, else runs in place.
  std::mutex run_mutex;
  bool running = false;

  // --salt-rotate / {"rotate_salt":{"every":S}}: (re)starts the periodic rotation.
  void arm_salt_timer() {
    ++salt_generation;
    salt_timer.cancel();
    const auto every = core->faults.salt_rotate;
    if (every.count() <= 0 || stopping) return;
    salt_timer.expires_after(every);
    salt_timer.async_wait([this, g = salt_generation](const asio::error_code& e) {
      if (e || g != salt_generation || stopping) return;
      core->rotate_salts("every " + std::to_string(core->faults.salt_rotate.count()) + " s");
      arm_salt_timer();
    });
  }

  asio::awaitable<void> accept_loop(asio::ip::tcp::acceptor& acceptor, int dc_id) {
    for (;;) {
      asio::error_code ec;
      asio::ip::tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (ec == asio::error::operation_aborted || stopping) co_return;
        core->info("dc" + std::to_string(dc_id) + " accept: " + ec.message());
        continue;
      }
      socket.set_option(asio::ip::tcp::no_delay(true), ec);
      std::make_shared<Connection>(*core, std::move(socket), dc_id)->start();
    }
  }

  asio::awaitable<void> save_loop(Server& server) {
    while (!stopping) {
      save_timer.expires_after(save_interval);
      asio::error_code ec;
      co_await save_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (stopping) co_return;
      if (core->dirty) (void)server.save();
    }
  }

  void shutdown() {
    if (stopping) return;
    stopping = true;
    asio::error_code ec;
    for (auto& a : acceptors) a->close(ec);
    if (signals) signals->cancel(ec);
    save_timer.cancel();
    ++salt_generation;
    salt_timer.cancel();
    if (admin) admin->close();
    // Let every connection flush and close on its own (their coroutines then end and run()
    // returns); a peer that does not read cannot hold the process: stop after a grace period.
    const std::set<Connection*> open = core->connections;
    for (Connection* c : open) c->close("server stopping");
    if (core->connections.empty()) return;
    core->on_last_closed = [this] { stop_timer.cancel(); };
    stop_timer.expires_after(std::chrono::seconds(2));
    stop_timer.async_wait([this](const asio::error_code& e) {
      if (!e) io.stop();
    });
  }
};

Result<std::unique_ptr<Server>> Server::create(ServerConfig config) {
  if (config.layers.all().empty()) return Status::error("no schema loaded");
  if (config.rsa_keys.empty()) return Status::error("no RSA key");
  std::unique_ptr<Server> server(new Server());
  server->impl_ = std::make_unique<Impl>();
  Impl& impl = *server->impl_;
  crypto::RandomSource& random = config.random ? *config.random : crypto::default_random();

  // Bind first: with port 0 the world's help.getConfig must name the ports really taken.
  asio::error_code ec;
  const auto address = asio::ip::make_address(config.host, ec);
  if (ec) return Status::error("--host: '" + config.host + "' is not an IP address");
  for (int dc = 1; dc <= config.dcs; ++dc) {
    const std::uint16_t want = config.port == 0 ? 0 : static_cast<std::uint16_t>(config.port + dc - 1);
    auto acceptor = std::make_unique<asio::ip::tcp::acceptor>(impl.io);
    asio::ip::tcp::endpoint ep(address, want);
    acceptor->open(ep.protocol(), ec);
    if (!ec) acceptor->set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor->bind(ep, ec);
    if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
      return Status::error("DC " + std::to_string(dc) + ": cannot listen on " + config.host + ":" +
                                   std::to_string(want) + ": " + ec.message());
    server->ports_.push_back(acceptor->local_endpoint().port());
    impl.acceptors.push_back(std::move(acceptor));
  }

  WorldOptions wo;
  wo.dc_count = config.dcs;
  wo.ip_address = config.host;
  wo.base_port = server->ports_[0];
  for (auto port : server->ports_) wo.ports.push_back(port);
  wo.accounts = config.seeds;
  wo.log = config.log;
  wo.random = &random;
  if (!config.data_dir.empty()) {
    auto loaded = World::load(config.data_dir, std::move(wo));
    if (!loaded) return loaded.status();
    server->world_ = std::make_unique<World>(std::move(*loaded));
  } else {
    server->world_ = std::make_unique<World>(std::move(wo));
  }

  impl.data_dir = config.data_dir;
  impl.save_interval = config.save_interval;
  impl.core = std::make_unique<ServerCore>(*server->world_, std::move(config.layers), random, config.log,
                                           config.verbose);
  impl.core->rsa_keys = std::move(config.rsa_keys);
  impl.core->secrets = std::move(config.secrets);
  impl.core->dc_count = config.dcs;

  if (config.admin_port != 0) {
    if (config.admin_port != kAdminEphemeralPort && (config.admin_port < 1 || config.admin_port > 65535))
      return Status::error("--admin: " + std::to_string(config.admin_port) + " is not a port number");
    const auto want = static_cast<std::uint16_t>(config.admin_port == kAdminEphemeralPort ? 0 : config.admin_port);
    auto admin = AdminListener::open(impl.io, *impl.core, want);
    if (!admin) return admin.status();
    impl.admin = std::move(*admin);
    server->admin_port_ = impl.admin->port();
    impl.admin->start();
  }
  // The CLI's faults, as if set by admin commands.
  const std::int64_t skew = config.faults.clock_skew;
  impl.core->faults = std::move(config.faults);
  impl.core->faults.clock_skew = 0;
  if (skew != 0) impl.core->set_clock_skew(skew);
  Impl* ip = &impl;
  impl.core->on_salt_rotate_changed = [ip] { ip->arm_salt_timer(); };
  impl.arm_salt_timer();

  for (std::size_t i = 0; i < impl.acceptors.size(); ++i)
    asio::co_spawn(impl.io, impl.accept_loop(*impl.acceptors[i], static_cast<int>(i) + 1), asio::detached);
  if (!impl.data_dir.empty()) asio::co_spawn(impl.io, impl.save_loop(*server), asio::detached);
  if (config.handle_signals) {
    impl.signals = std::make_unique<asio::signal_set>(impl.io, SIGINT, SIGTERM);
    Impl* p = &impl;
    impl.signals->async_wait([p](const asio::error_code& e, int signo) {
      if (e) return;
      p->core->info(std::string("signal ") + (signo == SIGINT ? "SIGINT" : "SIGTERM") + ": stopping");
      p->shutdown();
    });
  }
  return server;
}

Server::~Server() {
  if (impl_) {
    impl_->shutdown();
    impl_->io.stop();
    // Connections left in the io_context are destroyed with it, before the core and world.
    impl_->acceptors.clear();
    impl_->signals.reset();
  }
}

Status Server::run() {
  {
    std::lock_guard lock(impl_->run_mutex);
    impl_->running = true;
  }
  impl_->io.run();
  {
    std::lock_guard lock(impl_->run_mutex);
    impl_->running = false;
  }
  return save();
}

nlohmann::json Server::admin(const nlohmann::json& command) {
  Impl* p = impl_.get();
  if (p->io.get_executor().running_in_this_thread()) return run_admin_command(*p->core, command);
  // Whoever sets `taken` first runs the command: the io thread, or this one when run() returned
  // before the io thread got to it (a stopped io_context never runs the posted handler).
  struct Task {
    nlohmann::json command, answer;
    std::atomic<bool> taken{false};
    std::promise<void> done;
  };
  auto task = std::make_shared<Task>();
  task->command = command;
  std::future<void> done = task->done.get_future();
  {
    std::lock_guard lock(p->run_mutex);
    if (!p->running) return run_admin_command(*p->core, command);  // run() cannot start meanwhile
    asio::post(p->io, [p, task] {
      if (task->taken.exchange(true)) return;
      task->answer = run_admin_command(*p->core, task->command);
      task->done.set_value();
    });
  }
  while (done.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
    std::lock_guard lock(p->run_mutex);
    if (!p->running && !task->taken.exchange(true)) return run_admin_command(*p->core, command);
  }
  return task->answer;
}

void Server::stop() {
  Impl* p = impl_.get();
  asio::post(p->io, [p] { p->shutdown(); });
}

Status Server::save() {
  if (impl_->data_dir.empty()) return {};
  impl_->core->dirty = false;
  auto s = world_->save(impl_->data_dir);
  if (!s) impl_->core->info("save failed: " + s.message());
  return s;
}

}  // namespace mtjson::testdc::server
