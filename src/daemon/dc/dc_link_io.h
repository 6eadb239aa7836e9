// Asio glue for one DcLink (the chat_server pattern of Asio's examples): a socket, a reader
// coroutine, a write buffer, one timer, and a worker pool for key-exchange steps. All calls on the
// io_context's thread. Every input to the link is followed by drive(), which performs what the
// link asks for and hands its events to the owner.
//
// Batching: queries from send_query() are not packed at once; one drive is posted to the end of
// the event-loop turn, so every query queued in the turn leaves in one packet (a msg_container,
// acks riding along: MTProto, Service messages, "Simple Container"), and the bytes of one turn
// leave in one write (WriteBuffer). Reads wait for readiness and then read what is there, so no
// read is made that is known to find nothing.
#pragma once

#include <cstdint>

#include <asio/awaitable.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/system_timer.hpp>
#include <asio/thread_pool.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "base/write_buffer.h"
#include "daemon/dc/dc_link.h"
#include "transport/proxy_url.h"

namespace mtjson::daemon {

struct DcAddress {
  std::string host;
  std::uint16_t port = 443;
  std::optional<transport::ProxyUrl> proxy;  // SOCKS5 / HTTP CONNECT
};

class DcLinkIo : public std::enable_shared_from_this<DcLinkIo> {
 public:
  using EventSink = std::function<void(DcLinkIo&, LinkEvent&&)>;

  DcLinkIo(asio::io_context& io, asio::thread_pool& workers, DcAddress address, DcLinkConfig config,
           crypto::RandomSource& random, std::optional<KeyState> key, EventSink sink);
  ~DcLinkIo();

  void start();
  void send_query(Bytes body, std::uint64_t token);
  bool cancel(std::uint64_t token);
  // Graceful: pending acks are written, then the socket closes; LinkClosed follows.
  void close();
  // Simulates a network failure (tests, admin): the socket is dropped, the link reconnects.
  void drop_connection();

  DcLink& link() { return link_; }
  const DcAddress& address() const { return address_; }
  static TimePoint now();

 private:
  void drive();
  // drive() at the end of this event-loop turn (once, however often asked).
  void drive_later();
  void connect();
  asio::awaitable<void> connect_and_read(std::uint64_t generation);
  void flush();
  void write_some();
  void close_socket();
  void arm_timer();

  asio::io_context& io_;
  asio::thread_pool& workers_;
  DcAddress address_;
  DcLink link_;
  EventSink sink_;
  std::shared_ptr<asio::ip::tcp::socket> socket_;
  asio::system_timer timer_;
  std::uint64_t socket_generation_ = 0;
  bool connected_ = false;
  WriteBuffer out_;
  bool drive_posted_ = false;
  bool close_after_write_ = false;
  bool in_drive_ = false;
  bool drive_again_ = false;
  bool stopped_ = false;
};

}  // namespace mtjson::daemon
