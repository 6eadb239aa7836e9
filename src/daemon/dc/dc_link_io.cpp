#include "daemon/dc/dc_link_io.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "base/read_scratch.h"
#include "transport/dialer.h"

namespace mtjson::daemon {

DcLinkIo::DcLinkIo(asio::io_context& io, asio::thread_pool& workers, DcAddress address, DcLinkConfig config,
                   crypto::RandomSource& random, std::optional<KeyState> key, EventSink sink)
    : io_(io), workers_(workers), address_(std::move(address)), link_(std::move(config), random, std::move(key)),
      sink_(std::move(sink)), timer_(io) {}

DcLinkIo::~DcLinkIo() = default;

TimePoint DcLinkIo::now() {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

void DcLinkIo::start() {
  link_.start(now());
  drive();
}

void DcLinkIo::send_query(Bytes body, std::uint64_t token) {
  link_.send_query(std::move(body), token, now());
  // The other clients' queries of this turn join it in one container.
  drive_later();
}

void DcLinkIo::drive_later() {
  if (drive_posted_) return;
  drive_posted_ = true;
  asio::post(io_, [self = weak_from_this()] {
    if (auto me = self.lock()) {
      me->drive_posted_ = false;
      me->drive();
    }
  });
}

bool DcLinkIo::cancel(std::uint64_t token) {
  const bool r = link_.cancel(token, now());
  drive();
  return r;
}

void DcLinkIo::close() {
  link_.close(now());
  drive();
}

void DcLinkIo::drop_connection() {
  if (!socket_) return;
  close_socket();
  link_.on_disconnected("connection dropped", now());
  drive();
}

void DcLinkIo::drive() {
  if (in_drive_) {
    drive_again_ = true;
    return;
  }
  in_drive_ = true;
  do {
    drive_again_ = false;
    const TimePoint t = now();
    Bytes out = link_.take_output(t);
    if (!out.empty() && socket_ && connected_ && out_.append(out)) {
      // First bytes of this turn: one write at its end carries whatever else the turn adds.
      asio::post(io_, [self = weak_from_this(), g = socket_generation_] {
        if (auto me = self.lock(); me && g == me->socket_generation_) me->flush();
      });
    }
    if (auto reason = link_.take_close_request()) {
      if (socket_ && connected_ && !out_.idle()) {
        close_after_write_ = true;
      } else {
        close_socket();
        // Our own close: the reader will not report it (generation changed).
        link_.on_disconnected(*reason, t);
      }
    }
    if (link_.take_connect_request()) connect();
    if (auto job = link_.take_job()) {
      auto self = weak_from_this();
      asio::post(workers_, [self, job = std::move(*job), &io = io_]() mutable {
        job.run();
        asio::post(io, [self, job = std::move(job)]() mutable {
          if (auto me = self.lock()) {
            me->link_.on_job_done(std::move(job), now());
            me->drive();
          }
        });
      });
    }
    for (LinkEvent& ev : link_.take_events()) sink_(*this, std::move(ev));
  } while (drive_again_);
  in_drive_ = false;
  arm_timer();
}

void DcLinkIo::arm_timer() {
  auto when = link_.next_timer(now());
  if (!when) {
    timer_.cancel();
    return;
  }
  timer_.expires_at(std::chrono::time_point_cast<asio::system_timer::duration>(*when));
  auto self = weak_from_this();
  timer_.async_wait([self](std::error_code ec) {
    if (ec) return;
    if (auto me = self.lock()) {
      me->link_.on_timer(now());
      me->drive();
    }
  });
}

void DcLinkIo::connect() {
  close_socket();
  socket_ = std::make_shared<asio::ip::tcp::socket>(io_);
  connected_ = false;
  asio::co_spawn(io_, [self = shared_from_this(), g = socket_generation_]() { return self->connect_and_read(g); },
                 asio::detached);
}

asio::awaitable<void> DcLinkIo::connect_and_read(std::uint64_t generation) {
  auto self = shared_from_this();  // keeps the object alive while the coroutine runs
  std::shared_ptr<asio::ip::tcp::socket> socket = socket_;  // outlives close_socket()
  Result<transport::Dialed> dialed = co_await transport::dial(*socket, address_.host, address_.port, address_.proxy);
  if (generation != socket_generation_) co_return;
  if (!dialed) {
    link_.on_connect_failed(dialed.message(), now());
    drive();
    co_return;
  }
  std::error_code ignored;
  socket->set_option(asio::ip::tcp::no_delay(true), ignored);
  connected_ = true;
  link_.on_connected(now());
  if (!dialed->leftover.empty()) link_.on_bytes(dialed->leftover, now());
  drive();
  // Readiness first, then one read of what arrived into a buffer shared by every link of this
  // thread (the bytes are consumed before the next co_await): no read that is known to find
  // nothing, and no large buffer per idle connection.
  socket->non_blocking(true, ignored);
  for (;;) {
    auto [wait_ec] = co_await socket->async_wait(asio::ip::tcp::socket::wait_read,
                                                 asio::experimental::as_tuple(asio::use_awaitable));
    if (generation != socket_generation_) co_return;
    std::error_code ec = wait_ec;
    for (;;) {
      if (ec) break;
      std::span<std::uint8_t> buf = thread_read_scratch();
      const std::size_t n = socket->read_some(asio::buffer(buf.data(), buf.size()), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) {
        ec = {};
        break;
      }
      if (ec) break;
      link_.on_bytes(std::span<const std::uint8_t>(buf.data(), n), now());
      drive();
      if (generation != socket_generation_) co_return;
      if (n < buf.size()) break;  // the kernel had no more; a full buffer may have left some
    }
    if (ec) {
      close_socket();
      link_.on_disconnected(ec == asio::error::eof ? "the server closed the connection" : ec.message(), now());
      drive();
      co_return;
    }
  }
}

void DcLinkIo::flush() {
  if (!out_.writing()) write_some();
}

void DcLinkIo::write_some() {
  if (!socket_) return;
  const std::span<const std::uint8_t> bytes = out_.start_write();
  if (bytes.empty()) return;
  auto self = shared_from_this();
  const std::uint64_t generation = socket_generation_;
  asio::async_write(*socket_, asio::buffer(bytes.data(), bytes.size()),
                    [self, generation, socket = socket_](std::error_code ec, std::size_t) {
                      if (generation != self->socket_generation_) return;
                      const bool more = self->out_.finish_write();
                      if (ec) return;  // the reader reports the failure
                      if (more) {
                        self->write_some();
                      } else if (self->close_after_write_) {
                        self->close_socket();
                        self->link_.on_disconnected("closed", now());
                        self->drive();
                      }
                    });
}

void DcLinkIo::close_socket() {
  ++socket_generation_;
  if (socket_) {
    std::error_code ignored;
    socket_->shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket_->close(ignored);
    socket_.reset();
  }
  connected_ = false;
  close_after_write_ = false;
  out_.clear();
}

}  // namespace mtjson::daemon
