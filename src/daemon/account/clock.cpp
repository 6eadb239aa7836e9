#include "daemon/account/clock.h"

#include <asio/system_timer.hpp>

#include "daemon/dc/dc_link_io.h"

namespace mtjson::daemon {

namespace {

class TimerAlarm : public Alarm {
 public:
  explicit TimerAlarm(asio::io_context& io) : timer_(io) {}
  void set(TimePoint when, std::function<void()> fire) override {
    timer_.expires_at(std::chrono::time_point_cast<asio::system_timer::duration>(when));
    timer_.async_wait([fire = std::move(fire)](std::error_code ec) {
      if (!ec) fire();
    });
  }
  void cancel() override { timer_.cancel(); }

 private:
  asio::system_timer timer_;
};

class WallClock : public Clock {
 public:
  explicit WallClock(asio::io_context& io) : io_(io) {}
  TimePoint now() const override { return DcLinkIo::now(); }
  std::unique_ptr<Alarm> make_alarm() override { return std::make_unique<TimerAlarm>(io_); }

 private:
  asio::io_context& io_;
};

}  // namespace

std::shared_ptr<Clock> wall_clock(asio::io_context& io) { return std::make_shared<WallClock>(io); }

}  // namespace mtjson::daemon
