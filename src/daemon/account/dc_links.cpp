#include "daemon/account/dc_links.h"

namespace mtjson::daemon {

namespace {

class SocketLink : public AccountLink {
 public:
  explicit SocketLink(std::shared_ptr<DcLinkIo> io) : io_(std::move(io)) {}
  ~SocketLink() override = default;
  void start() override { io_->start(); }
  void send_query(Bytes body, std::uint64_t token) override { io_->send_query(std::move(body), token); }
  bool cancel(std::uint64_t token) override { return io_->cancel(token); }
  void close() override { io_->close(); }
  void drop_connection() override { io_->drop_connection(); }
  const DcLink& link() const override { return io_->link(); }

 private:
  std::shared_ptr<DcLinkIo> io_;
};

}  // namespace

LinkFactory socket_links(asio::io_context& io, asio::thread_pool& workers, crypto::RandomSource& random) {
  return [&io, &workers, &random](const DcAddress& address, DcLinkConfig config, std::optional<KeyState> key,
                                  LinkEventSink sink) -> std::shared_ptr<AccountLink> {
    auto link = std::make_shared<DcLinkIo>(io, workers, address, std::move(config), random, std::move(key),
                                           [sink = std::move(sink)](DcLinkIo&, LinkEvent&& ev) { sink(std::move(ev)); });
    return std::make_shared<SocketLink>(std::move(link));
  };
}

}  // namespace mtjson::daemon
