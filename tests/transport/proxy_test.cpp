// SOCKS5 / HTTP CONNECT handshakes against scripted proxy answers, proxy URL parsing, and the
// Asio dialer against in-test loopback proxies (127.0.0.1 only).
#include <catch2/catch.hpp>

#include <asio/buffer.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/read.hpp>
#include <asio/read_until.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "base/base64.h"
#include "test_util.h"
#include "transport/dialer.h"
#include "transport/http_connect.h"
#include "transport/proxy_url.h"
#include "transport/socks5.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // GCC 12 false positive in Asio coroutines
#endif

using namespace mtjson::transport;
using namespace mtjson::transport::test;

namespace {
std::string str(const std::vector<std::uint8_t>& v) { return {v.begin(), v.end()}; }
}  // namespace

TEST_CASE("socks5: no authentication, domain target", "[socks5]") {
  Socks5Handshake hs("149.154.167.50.example", 443);
  CHECK(hex(hs.start()) == "050100");
  auto step = hs.on_bytes(unhex("05"));
  CHECK(step.status == ProxyStep::Status::need_more);
  step = hs.on_bytes(unhex("00"));
  REQUIRE(step.status == ProxyStep::Status::need_more);
  CHECK(hex(step.to_send) == "050100031631343" "92E3135342E3136372E35302E6578616D706C6501BB");
  // Reply with a bound IPv4 address, then two tunnel bytes, split oddly.
  step = hs.on_bytes(unhex("050000010A00"));
  CHECK(step.status == ProxyStep::Status::need_more);
  step = hs.on_bytes(unhex("0001D431ABCD"));
  REQUIRE(step.status == ProxyStep::Status::done);
  CHECK(hex(step.leftover) == "ABCD");
}

TEST_CASE("socks5: user/password, IPv4 and IPv6 targets", "[socks5]") {
  Socks5Handshake hs("149.154.167.50", 443, ProxyCredentials{"user", "pa:ss"});
  CHECK(hex(hs.start()) == "0502" "0002");
  auto step = hs.on_bytes(unhex("0502"));
  CHECK(hex(step.to_send) == "0104" "75736572" "05" "70613A7373");
  step = hs.on_bytes(unhex("0100"));
  CHECK(hex(step.to_send) == "05010001" "959AA732" "01BB");
  step = hs.on_bytes(unhex("05000004" "00000000000000000000000000000001" "0050"));
  CHECK(step.status == ProxyStep::Status::done);
  CHECK(step.leftover.empty());

  Socks5Handshake v6("2001:db8::1", 80);
  v6.start();
  step = v6.on_bytes(unhex("0500"));
  CHECK(hex(step.to_send) == "05010004" "20010DB8000000000000000000000001" "0050");
}

TEST_CASE("socks5: rejections", "[socks5][errors]") {
  auto run = [](std::optional<ProxyCredentials> creds, const char* answer) {
    Socks5Handshake hs("example.org", 443, creds);
    REQUIRE_FALSE(hs.start().empty());
    auto step = hs.on_bytes(unhex(answer));
    REQUIRE(step.status == ProxyStep::Status::error);
    // Sticky.
    CHECK(hs.on_bytes(unhex("00")).reason == step.reason);
    return step.reason;
  };
  const ProxyCredentials creds{"u", "p"};
  CHECK(run({}, "04FF") == "SOCKS5: proxy answered with version 4");
  CHECK(run({}, "05FF") == "SOCKS5: proxy requires authentication");
  CHECK(run(creds, "05FF") == "SOCKS5: proxy accepts none of our authentication methods");
  CHECK(run({}, "0502") == "SOCKS5: proxy chose an authentication method we did not offer");
  CHECK(run(creds, "05020101") == "SOCKS5: username/password rejected");
  CHECK(run({}, "05000505000100") == "SOCKS5: CONNECT failed: connection refused (5)");
  CHECK(run({}, "05000509000100") == "SOCKS5: CONNECT failed: unknown error (9)");
  CHECK(run({}, "0500050000070000") == "SOCKS5: bad address type 7 in the reply");

  Socks5Handshake long_host(std::string(256, 'a'), 1);
  CHECK(long_host.start().empty());
  CHECK(long_host.error().message() == "SOCKS5: target host must be 1..255 bytes");
  Socks5Handshake empty_user("h", 1, ProxyCredentials{"", "x"});
  CHECK(empty_user.start().empty());
  CHECK(empty_user.error().message() == "SOCKS5: username must be 1..255 bytes and password at most 255 (RFC 1929)");
}

TEST_CASE("http connect: request, success, failures", "[http_connect]") {
  HttpConnectHandshake hs("149.154.167.50", 443, ProxyCredentials{"Aladdin", "open sesame"});
  CHECK(str(hs.start()) ==
        "CONNECT 149.154.167.50:443 HTTP/1.1\r\nHost: 149.154.167.50:443\r\n"
        "Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n");
  auto step = hs.on_bytes(unhex("485454502F312E3120323030"));  // "HTTP/1.1 200"
  CHECK(step.status == ProxyStep::Status::need_more);
  const std::string rest = " Connection established\r\nX: y\r\n\r\n\xef";
  step = hs.on_bytes(std::span(reinterpret_cast<const std::uint8_t*>(rest.data()), rest.size()));
  REQUIRE(step.status == ProxyStep::Status::done);
  CHECK(hex(step.leftover) == "EF");

  HttpConnectHandshake v6("2001:db8::1", 80);
  CHECK(str(v6.start()).rfind("CONNECT [2001:db8::1]:80 HTTP/1.1\r\n", 0) == 0);

  auto reject = [](const std::string& answer) {
    HttpConnectHandshake h("example.org", 443);
    h.start();
    return h.on_bytes(std::span(reinterpret_cast<const std::uint8_t*>(answer.data()), answer.size())).reason;
  };
  CHECK(reject("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n") ==
        "HTTP CONNECT: proxy answered \"HTTP/1.1 407 Proxy Authentication Required\"");
  CHECK(reject("SSH-2.0-OpenSSH\r\n\r\n") == "HTTP CONNECT: malformed status line \"SSH-2.0-OpenSSH\"");
  CHECK(reject(std::string(20000, 'x')) == "HTTP CONNECT: response header too large");
  CHECK(mtjson::base64_encode(unhex("")) == "");
  CHECK(mtjson::base64_encode(unhex("66")) == "Zg==");
  CHECK(mtjson::base64_encode(unhex("666F")) == "Zm8=");
}

TEST_CASE("proxy url: parse and validate", "[proxy_url]") {
  auto u = parse_proxy_url("socks5://us%40er:p%3Ass@proxy.example:1081");
  REQUIRE(u);
  CHECK(u->kind == ProxyUrl::Kind::socks5);
  CHECK(u->host == "proxy.example");
  CHECK(u->port == 1081);
  REQUIRE(u->credentials);
  CHECK(u->credentials->username == "us@er");
  CHECK(u->credentials->password == "p:ss");

  u = parse_proxy_url("http://[::1]:3128/");
  REQUIRE(u);
  CHECK(u->kind == ProxyUrl::Kind::http_connect);
  CHECK(u->host == "::1");
  CHECK(u->port == 3128);
  CHECK_FALSE(u->credentials);

  CHECK(parse_proxy_url("socks5h://10.0.0.1")->port == 1080);
  CHECK(parse_proxy_url("http://proxy")->port == 80);

  CHECK(parse_proxy_url("proxy:1080").message() == "proxy URL: missing scheme (socks5://host:port or http://host:port)");
  CHECK(parse_proxy_url("ftp://h:1").message() == "proxy URL: unsupported scheme \"ftp\" (socks5:// or http://)");
  CHECK(parse_proxy_url("socks5://:1080").message() == "proxy URL: missing host");
  CHECK(parse_proxy_url("socks5://h:0").message() == "proxy URL: invalid port \"0\"");
  CHECK(parse_proxy_url("socks5://h:65536").message() == "proxy URL: invalid port \"65536\"");
  CHECK(parse_proxy_url("socks5://h:12ab").message() == "proxy URL: invalid port \"12ab\"");
  CHECK(parse_proxy_url("socks5://h:").message() == "proxy URL: empty port");
  CHECK(parse_proxy_url("socks5://u:%zz@h:1").message() == "proxy URL: bad percent-encoding in the user or password");
  CHECK(parse_proxy_url("socks5://u:%2@h:1").message() == "proxy URL: bad percent-encoding in the user or password");
  CHECK(parse_proxy_url("http://h:1/path").message() == "proxy URL: unexpected path, query or fragment");
  CHECK(parse_proxy_url("http://[::1:1").message() == "proxy URL: unclosed '[' in the host");
}

// ----- the Asio dialer against loopback proxies -----

namespace {

using asio::ip::tcp;

// An echo "target": answers each chunk with the same bytes.
asio::awaitable<void> echo_once(tcp::socket s) {
  std::array<std::uint8_t, 256> buf{};
  std::error_code ec;
  const std::size_t n = co_await s.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) co_await asio::async_write(s, asio::buffer(buf.data(), n), asio::redirect_error(asio::use_awaitable, ec));
}

// A minimal proxy speaking the server side of SOCKS5 (user/password) or HTTP CONNECT. It checks
// the requested target and then acts as the echo target itself (no second connection).
asio::awaitable<void> fake_proxy(tcp::acceptor& acceptor, bool socks, std::string* seen_target) {
  std::error_code ec;
  auto s = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  auto rd = [&](std::size_t n) -> asio::awaitable<std::vector<std::uint8_t>> {
    std::vector<std::uint8_t> v(n);
    co_await asio::async_read(s, asio::buffer(v), asio::redirect_error(asio::use_awaitable, ec));
    co_return v;
  };
  auto wr = [&](std::vector<std::uint8_t> v) -> asio::awaitable<void> {
    co_await asio::async_write(s, asio::buffer(v), asio::redirect_error(asio::use_awaitable, ec));
  };
  if (socks) {
    auto g = co_await rd(2);
    co_await rd(g[1]);
    co_await wr(unhex("0502"));
    auto a = co_await rd(2);
    auto user = co_await rd(a[1]);
    auto plen = co_await rd(1);
    auto pass = co_await rd(plen[0]);
    const bool ok = std::string(user.begin(), user.end()) == "alice" && std::string(pass.begin(), pass.end()) == "s3cret";
    co_await wr(unhex(ok ? "0100" : "0101"));
    if (!ok) co_return;
    auto req = co_await rd(5);
    auto host = co_await rd(req[4] + 2u);
    *seen_target = std::string(host.begin(), host.end() - 2) + ":" + std::to_string(host[host.size() - 2] * 256 + host.back());
    co_await wr(unhex("05000001" "7F000001" "0000"));
  } else {
    std::string h;
    const std::string end_of_header = "\r\n\r\n";
    co_await asio::async_read_until(s, asio::dynamic_buffer(h), end_of_header,
                                    asio::redirect_error(asio::use_awaitable, ec));
    *seen_target = h.substr(8, h.find(' ', 8) - 8);
    const std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
    co_await wr(std::vector<std::uint8_t>(ok.begin(), ok.end()));
  }
  co_await echo_once(std::move(s));
}

mtjson::Result<Dialed> dial_through(bool socks, const std::string& creds, std::string* seen_target, std::string* echoed) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();
  asio::co_spawn(io, fake_proxy(acceptor, socks, seen_target), asio::detached);
  mtjson::Result<Dialed> result = mtjson::Result<Dialed>::error("dial did not finish");
  tcp::socket socket(io);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const std::string url = std::string(socks ? "socks5://" : "http://") + creds + "127.0.0.1:" + std::to_string(port);
        // A named optional, not a temporary inside the co_await expression (GCC's coroutine
        // frames mishandle temporaries with destructors there).
        std::optional<ProxyUrl> proxy;
        if (auto parsed = parse_proxy_url(url)) proxy = std::move(*parsed);
        result = co_await dial(socket, "dc2.telegram.test", 443, proxy);
        if (!result.ok()) co_return;
        std::error_code ec;
        const std::string ping = "ping";
        co_await asio::async_write(socket, asio::buffer(ping), asio::redirect_error(asio::use_awaitable, ec));
        std::array<char, 4> buf{};
        co_await asio::async_read(socket, asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
        if (!ec) *echoed = std::string(buf.begin(), buf.end());
      },
      asio::detached);
  io.run_for(std::chrono::seconds(10));
  return result;
}

}  // namespace

TEST_CASE("dialer: through loopback SOCKS5 and HTTP CONNECT proxies", "[dialer]") {
  std::string target, echoed;
  auto r = dial_through(true, "alice:s3cret@", &target, &echoed);
  INFO(r.message());
  CHECK(r.ok());
  CHECK(target == "dc2.telegram.test:443");
  CHECK(echoed == "ping");

  target.clear();
  echoed.clear();
  r = dial_through(true, "alice:wrong@", &target, &echoed);
  CHECK(r.message() == "SOCKS5: username/password rejected");

  target.clear();
  echoed.clear();
  r = dial_through(false, "", &target, &echoed);
  CHECK(r.ok());
  CHECK(target == "dc2.telegram.test:443");
  CHECK(echoed == "ping");
}

TEST_CASE("dialer: direct connection and a refused one", "[dialer]") {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto s = co_await acceptor.async_accept(asio::use_awaitable);
        co_await echo_once(std::move(s));
      },
      asio::detached);
  mtjson::Result<Dialed> direct = mtjson::Result<Dialed>::error("dial did not finish"), refused = direct;
  tcp::socket a(io), b(io);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        direct = co_await dial(a, "127.0.0.1", port);
        // A port nobody listens on: take one and close it.
        tcp::acceptor tmp(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        const auto dead = tmp.local_endpoint().port();
        tmp.close();
        refused = co_await dial(b, "127.0.0.1", dead);
        a.close();
        acceptor.close();
      },
      asio::detached);
  io.run_for(std::chrono::seconds(10));
  CHECK(direct.ok());
  CHECK(refused.message().rfind("connect 127.0.0.1:", 0) == 0);
}
