// The --admin endpoint: a TCP listener on 127.0.0.1 only, JSON lines both ways (admin.h): one
// command per line, one answer line per command, in order. A bad line gets an error answer and
// the connection stays open. Runs on the server's io thread.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include "base/status.h"
#include "testdc/server/server_core.h"

namespace mtjson::testdc::server {

class AdminListener {
 public:
  // Longest command line accepted; a longer one is answered with an error and skipped.
  static constexpr std::size_t kMaxLine = 1 << 20;

  // Binds 127.0.0.1:port (0: any free port).
  static Result<std::unique_ptr<AdminListener>> open(asio::io_context& io, ServerCore& core,
                                                             std::uint16_t port);
  std::uint16_t port() const { return port_; }
  void start();
  // Stops accepting and closes every admin connection (server shutdown).
  void close();

 private:
  AdminListener(asio::io_context& io, ServerCore& core) : core_(core), acceptor_(io) {}
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> serve(std::shared_ptr<asio::ip::tcp::socket> socket);

  ServerCore& core_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  bool closed_ = false;
  std::set<std::shared_ptr<asio::ip::tcp::socket>> clients_;
};

}  // namespace mtjson::testdc::server
