#include "daemon/daemon.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include "daemon/front/client_peer.h"
#include "daemon/log.h"
#include "daemon/sessions/session_registry.h"

namespace mtjson::daemon {

Daemon::Daemon(DaemonConfig config) : config_(std::move(config)) {}

Daemon::~Daemon() { workers_.join(); }

Result<std::unique_ptr<Daemon>> Daemon::create(DaemonConfig config) {
  using R = Result<std::unique_ptr<Daemon>>;
  if (!config.schema) return R::error("no schema loaded");
  std::unique_ptr<Daemon> d(new Daemon(std::move(config)));
  DaemonConfig& c = d->config_;
  std::error_code ec;
  auto address = asio::ip::make_address(c.host, ec);
  if (ec) return R::error("--host: '" + c.host + "' is not an IP address");
  // Shared sessions are credentials: anyone who can connect could use them (README, "Shared sessions").
  if (!is_loopback_address(c.host) && c.tokens.empty() && !c.insecure)
    return R::error("--host " + c.host + " is reachable from other machines: give --token TOKEN (clients then "
                    "authenticate with {\"auth\":{\"token\":...}}), or --insecure to allow anyone who connects");
  std::unique_ptr<SessionStore> store;
  if (!c.session_dir.empty()) {
    auto opened = SessionStore::open(c.session_dir);
    if (!opened) return R::error(opened.message());
    store = std::move(*opened);
  }
  d->sessions_ = std::make_unique<SessionRegistry>(*d, std::move(store));
  asio::ip::tcp::endpoint endpoint(address, c.port);
  d->acceptor_.open(endpoint.protocol(), ec);
  if (!ec) d->acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) d->acceptor_.bind(endpoint, ec);
  if (!ec) d->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return R::error("cannot listen on " + c.host + ":" + std::to_string(c.port) + ": " + ec.message());
  d->port_ = d->acceptor_.local_endpoint().port();
  return d;
}

void Daemon::run() {
  if (config_.handle_signals) {
    signals_ = std::make_unique<asio::signal_set>(io_, SIGINT, SIGTERM);
    signals_->async_wait([this](std::error_code ec, int sig) {
      if (ec) return;
      log_line(LogLevel::info, std::string("signal ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + ": shutting down");
      begin_shutdown();
    });
  }
  asio::co_spawn(io_, accept_loop(), asio::detached);
  io_.run();
}

void Daemon::stop() {
  asio::post(io_, [this] { begin_shutdown(); });
}

void Daemon::begin_shutdown() {
  if (stopping_) return;
  stopping_ = true;
  std::error_code ignored;
  acceptor_.close(ignored);
  if (signals_) signals_->cancel(ignored);
  // Clients get what is queued for them; their accounts close their MTProto sessions cleanly
  // (pending acks written) before the loop runs out of work.
  for (auto& [raw, peer] : std::map<ClientPeer*, std::shared_ptr<ClientPeer>>(peers_)) peer->shutdown();
  // Named sessions: files written (exact seq), accounts closed like the clients' own.
  if (sessions_) sessions_->close_all();
}

asio::awaitable<void> Daemon::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::experimental::as_tuple(asio::use_awaitable));
    if (stopping_) co_return;
    if (ec) {
      log_line(LogLevel::warn, "accept: " + ec.message());
      if (ec == asio::error::operation_aborted) co_return;
      continue;
    }
    auto peer = std::make_shared<ClientPeer>(*this, std::move(socket), next_peer_++);
    peers_[peer.get()] = peer;
    peer->start();
  }
}

void Daemon::forget(ClientPeer* peer) {
  // Released after the current handler: the peer may be on the stack.
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  asio::post(io_, [keep = std::move(it->second)] {});
  peers_.erase(it);
}

void Daemon::retire(std::shared_ptr<Account> account) {
  retiring_.insert(account);
  Account* raw = account.get();
  account->close([this, raw] {
    asio::post(io_, [this, raw] {
      for (auto it = retiring_.begin(); it != retiring_.end(); ++it)
        if (it->get() == raw) {
          retiring_.erase(it);
          break;
        }
    });
  });
}

}  // namespace mtjson::daemon
