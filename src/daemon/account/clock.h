// The account's time: what "now" is and a way to be woken at a moment. Injected so that tests run
// deadlines, flood waits and update timers on a clock they move; the daemon uses the wall clock
// the DC links use (DcLinkIo::now) and an Asio timer.
#pragma once

#include <functional>
#include <memory>

#include <asio/io_context.hpp>

#include "daemon/dc/dc_link.h"

namespace mtjson::daemon {

// One pending wake-up: set() replaces the previous one; `fire` runs on the owner's thread.
class Alarm {
 public:
  virtual ~Alarm() = default;
  virtual void set(TimePoint when, std::function<void()> fire) = 0;
  virtual void cancel() = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  virtual std::unique_ptr<Alarm> make_alarm() = 0;
};

// DcLinkIo::now() and asio::system_timer on `io`.
std::shared_ptr<Clock> wall_clock(asio::io_context& io);

}  // namespace mtjson::daemon
