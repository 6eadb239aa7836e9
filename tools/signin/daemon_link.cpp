#include "signin/daemon_link.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mtjson::signin {

namespace {

// Blocking connect with a deadline: non-blocking connect, poll for writability, SO_ERROR.
Result<int> connect_one(const addrinfo* ai, int timeout_ms) {
  int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
  if (fd < 0) return Status::error(std::strerror(errno));
  int flags = ::fcntl(fd, F_GETFL, 0);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    rc = ::poll(&p, 1, timeout_ms);
    if (rc == 0) {
      ::close(fd);
      return Status::error("timed out");
    }
    int so_error = 0;
    socklen_t len = sizeof so_error;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
    if (rc < 0 || so_error != 0) {
      Status failed = Status::error(std::strerror(rc < 0 ? errno : so_error));
      ::close(fd);
      return failed;
    }
  } else if (rc != 0) {
    Status failed = Status::error(std::strerror(errno));
    ::close(fd);
    return failed;
  }
  ::fcntl(fd, F_SETFL, flags);
  return fd;
}

}  // namespace

Result<std::unique_ptr<DaemonLink>> DaemonLink::connect(const std::string& host, int port,
                                                        std::chrono::milliseconds connect_timeout,
                                                        std::chrono::milliseconds read_timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
  if (rc != 0) return Status::error(::gai_strerror(rc));
  Result<int> fd = Status::error("no address");
  for (const addrinfo* ai = list; ai && !fd; ai = ai->ai_next)
    fd = connect_one(ai, static_cast<int>(connect_timeout.count()));
  ::freeaddrinfo(list);
  if (!fd) return fd.status();
  return std::unique_ptr<DaemonLink>(new DaemonLink(*fd, read_timeout));
}

DaemonLink::~DaemonLink() {
  if (fd_ >= 0) ::close(fd_);
}

Status DaemonLink::send_line(std::string_view line) {
  std::string data(line);
  data += '\n';
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::error(std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<std::string> DaemonLink::read_line() {
  constexpr std::size_t kMaxLine = 64u << 20;  // the daemon's answers are far below this
  const auto deadline = std::chrono::steady_clock::now() + read_timeout_;
  for (;;) {
    if (auto nl = buffer_.find('\n'); nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (buffer_.size() > kMaxLine) return Result<std::string>::error("an answer line over 64 MiB");
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return Result<std::string>::error("nothing within " + std::to_string(read_timeout_.count() / 1000) + " s");
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return Result<std::string>::error(std::strerror(errno));
    if (rc == 0) continue;  // the deadline check above reports it
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Result<std::string>::error(std::strerror(errno));
    if (n == 0) return Result<std::string>::error("it closed the connection");
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

}  // namespace mtjson::signin
