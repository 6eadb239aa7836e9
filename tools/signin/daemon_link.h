// A blocking TCP connection to the daemon, one JSON line each way (POSIX sockets and poll():
// a command-line tool that waits for one answer at a time needs no event loop).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "signin/driver.h"

namespace mtjson::signin {

class DaemonLink final : public LineChannel {
 public:
  // Tries every address of host (IPv4 and IPv6); an error ("Connection refused", the last
  // address's) when none accepts within connect_timeout.
  static Result<std::unique_ptr<DaemonLink>> connect(const std::string& host, int port,
                                                     std::chrono::milliseconds connect_timeout,
                                                     std::chrono::milliseconds read_timeout);
  ~DaemonLink() override;
  DaemonLink(const DaemonLink&) = delete;
  DaemonLink& operator=(const DaemonLink&) = delete;

  Status send_line(std::string_view line) override;
  Result<std::string> read_line() override;

 private:
  DaemonLink(int fd, std::chrono::milliseconds read_timeout) : fd_(fd), read_timeout_(read_timeout) {}
  int fd_ = -1;
  std::chrono::milliseconds read_timeout_;
  std::string buffer_;
};

}  // namespace mtjson::signin
