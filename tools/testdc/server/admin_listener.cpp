#include "testdc/server/admin_listener.h"

// GCC 12 reports a false -Wmismatched-new-delete inside Asio's coroutine frame allocator
// (awaitable_frame_base has matching operator new/delete); silence it for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "testdc/server/admin.h"

namespace mtjson::testdc::server {

Result<std::unique_ptr<AdminListener>> AdminListener::open(asio::io_context& io, ServerCore& core,
                                                                   std::uint16_t port) {
  std::unique_ptr<AdminListener> l(new AdminListener(io, core));
  asio::error_code ec;
  // Loopback only: the endpoint has no authentication and can wreck every session.
  asio::ip::tcp::endpoint ep(asio::ip::address_v4::loopback(), port);
  l->acceptor_.open(ep.protocol(), ec);
  if (!ec) l->acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) l->acceptor_.bind(ep, ec);
  if (!ec) l->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::error("--admin: cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + ec.message());
  l->port_ = l->acceptor_.local_endpoint().port();
  return l;
}

void AdminListener::start() { asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached); }

void AdminListener::close() {
  closed_ = true;
  asio::error_code ec;
  acceptor_.close(ec);
  for (const auto& s : clients_) s->close(ec);
  clients_.clear();
}

asio::awaitable<void> AdminListener::accept_loop() {
  while (!closed_) {
    asio::error_code ec;
    asio::ip::tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || closed_) co_return;
      core_.info("admin accept: " + ec.message());
      continue;
    }
    auto s = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
    clients_.insert(s);
    asio::co_spawn(acceptor_.get_executor(), serve(s), asio::detached);
  }
}

asio::awaitable<void> AdminListener::serve(std::shared_ptr<asio::ip::tcp::socket> socket) {
  std::string buffer;
  bool skipping = false;  // inside a line that was too long: drop up to its end
  char chunk[4096];
  try {
    for (;;) {
      const std::size_t n = co_await socket->async_read_some(asio::buffer(chunk), asio::use_awaitable);
      buffer.append(chunk, n);
      std::string answers;
      const std::string too_long =
          nlohmann::json{{"ok", false}, {"error", "line longer than " + std::to_string(kMaxLine) + " bytes"}}.dump() +
          "\n";
      std::size_t start = 0;
      for (std::size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string_view line(buffer.data() + start, nl - start);
        if (skipping) {  // the tail of a line already answered as too long
          skipping = false;
          continue;
        }
        if (line.size() > kMaxLine) {
          answers += too_long;
          continue;
        }
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
        answers += run_admin_line(core_, line).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        answers += '\n';
      }
      buffer.erase(0, start);
      if (buffer.size() > kMaxLine) {
        if (!skipping) answers += too_long;
        skipping = true;
        buffer.clear();
      }
      if (!answers.empty()) co_await asio::async_write(*socket, asio::buffer(answers), asio::use_awaitable);
    }
  } catch (const std::system_error&) {
    // EOF or closed by close(): nothing to report.
  }
  clients_.erase(socket);
}

}  // namespace mtjson::testdc::server
