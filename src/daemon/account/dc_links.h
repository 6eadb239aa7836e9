// How the account reaches a DC: one DcLink per DC behind this small interface, made by a factory
// the account is given. The daemon's factory runs each link over TCP (DcLinkIo); tests make links
// that talk to an in-memory DC.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <asio/io_context.hpp>
#include <asio/thread_pool.hpp>

#include "crypto/random.h"
#include "daemon/dc/dc_link_io.h"

namespace mtjson::daemon {

class AccountLink {
 public:
  virtual ~AccountLink() = default;
  virtual void start() = 0;
  // The answer comes back as an RpcResult/RpcError event with this token.
  virtual void send_query(Bytes body, std::uint64_t token) = 0;
  virtual bool cancel(std::uint64_t token) = 0;
  // Graceful: pending acks are written, then LinkClosed.
  virtual void close() = 0;
  // A network failure (tests, admin): the link reconnects by itself.
  virtual void drop_connection() = 0;
  virtual const DcLink& link() const = 0;
};

using LinkEventSink = std::function<void(LinkEvent&&)>;
using LinkFactory = std::function<std::shared_ptr<AccountLink>(const DcAddress& address, DcLinkConfig config,
                                                               std::optional<KeyState> key, LinkEventSink sink)>;

// Links over TCP (and proxies) on `io`, key-exchange math on `workers`.
LinkFactory socket_links(asio::io_context& io, asio::thread_pool& workers, crypto::RandomSource& random);

}  // namespace mtjson::daemon
