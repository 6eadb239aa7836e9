#include "transport/dialer.h"

// GCC 12 reports a false -Wmismatched-new-delete inside Asio's coroutine frame allocator
// (awaitable_frame_base has matching operator new/delete); silence it for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <asio/buffer.hpp>
#include <asio/connect.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <array>

#include "transport/http_connect.h"
#include "transport/socks5.h"

namespace mtjson::transport {

namespace {

asio::awaitable<Status> connect_tcp(asio::ip::tcp::socket& socket, const std::string& host, std::uint16_t port) {
  std::error_code ec;
  asio::ip::tcp::resolver resolver(socket.get_executor());
  auto endpoints =
      co_await resolver.async_resolve(host, std::to_string(port), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Status::error("resolve " + host + ": " + ec.message());
  co_await asio::async_connect(socket, endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Status::error("connect " + host + ":" + std::to_string(port) + ": " + ec.message());
  socket.set_option(asio::ip::tcp::no_delay(true), ec);  // best effort
  co_return Status();
}

template <class Handshake>
asio::awaitable<Result<Dialed>> run_handshake(asio::ip::tcp::socket& socket, Handshake& hs,
                                              std::vector<std::uint8_t> first) {
  using R = Result<Dialed>;
  std::error_code ec;
  if (first.empty()) co_return R::error("proxy handshake could not start");
  co_await asio::async_write(socket, asio::buffer(first), asio::redirect_error(asio::use_awaitable, ec));
  std::array<std::uint8_t, 4096> buf{};
  for (;;) {
    if (ec) co_return R::error("proxy: " + ec.message());
    const std::size_t n = co_await socket.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return R::error("proxy closed the connection during the handshake: " + ec.message());
    ProxyStep step = hs.on_bytes(std::span(buf.data(), n));
    if (step.status == ProxyStep::Status::error) co_return R::error(step.reason);
    if (!step.to_send.empty()) {
      co_await asio::async_write(socket, asio::buffer(step.to_send), asio::redirect_error(asio::use_awaitable, ec));
    }
    if (step.status == ProxyStep::Status::done) {
      if (ec) co_return R::error("proxy: " + ec.message());
      co_return R(Dialed{std::move(step.leftover)});
    }
  }
}

}  // namespace

asio::awaitable<Result<Dialed>> dial(asio::ip::tcp::socket& socket, std::string host, std::uint16_t port,
                                     std::optional<ProxyUrl> proxy) {
  using R = Result<Dialed>;
  if (!proxy) {
    Status connected = co_await connect_tcp(socket, host, port);
    if (!connected) co_return R(connected);
    co_return R(Dialed{});
  }
  Status connected = co_await connect_tcp(socket, proxy->host, proxy->port);
  if (!connected) co_return R(connected.prefixed("proxy "));
  if (proxy->kind == ProxyUrl::Kind::socks5) {
    Socks5Handshake hs(host, port, proxy->credentials);
    auto first = hs.start();
    if (first.empty()) co_return R(hs.error());
    co_return co_await run_handshake(socket, hs, std::move(first));
  }
  HttpConnectHandshake hs(host, port, proxy->credentials);
  co_return co_await run_handshake(socket, hs, hs.start());
}

}  // namespace mtjson::transport
