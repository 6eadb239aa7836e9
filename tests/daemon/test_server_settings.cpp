// ServerSettings (src/daemon/account/server_settings.h): the `server` object, applied over
// defaults, written back, and turned into addresses and link configurations.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "daemon/account/server_settings.h"
#include "daemon_test_util.h"

using mtjson::daemon::test::read_source_file;

using namespace mtjson;
using namespace mtjson::daemon;
using nlohmann::json;

namespace {

const std::string kSecret = "0123456789abcdef0123456789abcdef";

std::string apply_error(ServerSettings s, const json& j) {
  const json before = s.to_json();
  const Status st = s.apply(j);
  if (st) return "(accepted)";
  CHECK(s.to_json() == before);  // untouched on error
  return st.message();
}

}  // namespace

TEST_CASE("server settings: defaults are production DC 2", "[daemon][server_settings]") {
  ServerSettings s;
  const json j = s.to_json();
  CHECK(j == json{{"dc", 2}, {"test", false}, {"transport", "intermediate"}, {"obfuscated", false},
                  {"host", "149.154.167.51"}, {"port", 443}});
  auto a = s.address(2);
  REQUIRE(a);
  CHECK(a->host == "149.154.167.51");
  CHECK(a->port == 443);
  CHECK(!a->proxy);
  for (int dc = 1; dc <= 5; ++dc) CHECK(s.address(dc));
  CHECK(!s.address(6));
  CHECK(!s.address(0));
}

TEST_CASE("server settings: every key applies and to_json gives it back", "[daemon][server_settings]") {
  const std::string pem = read_source_file("tests/vectors/rsa_pad_selfmade_public.pem");
  ServerSettings s;
  const json in = {{"dc", 3},           {"test", true},      {"host", "10.1.2.3"}, {"port", 4430},
                   {"rsa", pem},        {"transport", "abridged"}, {"obfuscated", true},
                   {"proxy", "socks5://127.0.0.1:1080"}};
  const Status st = s.apply(in);
  REQUIRE(st);
  CHECK(st.message().empty());
  CHECK(s.dc == 3);
  CHECK(s.test);
  CHECK(s.host == "10.1.2.3");
  CHECK(s.port == 4430);
  CHECK(s.rsa_pem == pem);
  CHECK(s.mode == transport::Mode::abridged);
  CHECK(s.obfuscated);
  CHECK(s.proxy == "socks5://127.0.0.1:1080");
  CHECK(s.to_json() == in);

  // Round trip: the written object applied to fresh settings describes the same server.
  ServerSettings t;
  REQUIRE(t.apply(s.to_json()));
  CHECK(t.to_json() == s.to_json());

  for (auto [text, mode] : {std::pair{"abridged", transport::Mode::abridged},
                            std::pair{"intermediate", transport::Mode::intermediate},
                            std::pair{"padded", transport::Mode::padded_intermediate},
                            std::pair{"full", transport::Mode::full}}) {
    ServerSettings m;
    REQUIRE(m.apply({{"transport", text}}));
    CHECK(m.mode == mode);
    CHECK(m.to_json()["transport"] == text);
  }
  // An empty object changes nothing; proxy null / "" clears the proxy.
  ServerSettings before = s;
  REQUIRE(s.apply(json::object()));
  CHECK(s.to_json() == before.to_json());
  REQUIRE(s.apply({{"proxy", nullptr}}));
  CHECK(s.proxy.empty());
  CHECK(!s.to_json().contains("proxy"));
  REQUIRE(s.apply({{"proxy", "http://proxy.example:3128"}}));
  REQUIRE(s.apply({{"proxy", ""}}));
  CHECK(s.proxy.empty());
}

TEST_CASE("server settings: every bad key or value is named", "[daemon][server_settings]") {
  ServerSettings s;
  CHECK(apply_error(s, json::array()) == "server: expected an object");
  CHECK(apply_error(s, "x") == "server: expected an object");
  CHECK(apply_error(s, {{"hots", "x"}}) == "server: unknown key 'hots'");
  CHECK(apply_error(s, {{"host", ""}}) == "server.host: expected a non-empty string");
  CHECK(apply_error(s, {{"host", 5}}) == "server.host: expected a non-empty string");
  for (json port : {json(0), json(65536), json(-1), json("443"), json(44.5)})
    CHECK(apply_error(s, {{"port", port}}) == "server.port: expected an integer 1..65535");
  for (json dc : {json(0), json(1001), json("2"), json(true)})
    CHECK(apply_error(s, {{"dc", dc}}) == "server.dc: expected a DC id (1..1000)");
  CHECK(apply_error(s, {{"test", 1}}) == "server.test: expected true or false");
  CHECK(apply_error(s, {{"obfuscated", "yes"}}) == "server.obfuscated: expected true or false");
  CHECK(apply_error(s, {{"rsa", 5}}) == "server.rsa: expected PEM text");
  CHECK(apply_error(s, {{"rsa", "not a key"}}).rfind("server.rsa: ", 0) == 0);
  CHECK(apply_error(s, {{"transport", 1}}) == "server.transport: expected abridged|intermediate|padded|full");
  CHECK(apply_error(s, {{"transport", "tcp"}}) == "server.transport: 'tcp' is not abridged|intermediate|padded|full");
  CHECK(apply_error(s, {{"proxy", 5}}) == "server.proxy: expected a string");
  CHECK(apply_error(s, {{"proxy", "socks5://"}}).rfind("server.proxy: ", 0) == 0);
  CHECK(apply_error(s, {{"proxy", "nonsense"}}) ==
        "server.proxy: expected socks5://host:port, http://host:port or host:port:secret");
  CHECK(apply_error(s, {{"proxy", "host:" + kSecret}}) ==
        "server.proxy: expected socks5://host:port, http://host:port or host:port:secret");
  CHECK(apply_error(s, {{"proxy", "host:http:" + kSecret}}) == "server.proxy: bad MTProxy port 'http'");
  CHECK(apply_error(s, {{"proxy", "host:70000:" + kSecret}}) == "server.proxy: bad MTProxy port '70000'");
  CHECK(apply_error(s, {{"proxy", "host::" + kSecret}}) == "server.proxy: bad MTProxy port ''");
  CHECK(apply_error(s, {{"proxy", "host:443:zz"}}).rfind("server.proxy: MTProxy secret: ", 0) == 0);
  // A bad key after good ones: nothing is applied.
  CHECK(apply_error(s, {{"dc", 4}, {"port", 0}}) == "server.port: expected an integer 1..65535");
}

TEST_CASE("server settings: switching test/production forgets custom addresses", "[daemon][server_settings]") {
  ServerSettings s;
  REQUIRE(s.apply({{"host", "127.0.0.1"}, {"port", 4431}}));
  s.dc_addresses = {{1, {"127.0.0.1", 4431}}, {2, {"127.0.0.1", 4432}}};

  SECTION("test alone: Telegram's test DCs") {
    REQUIRE(s.apply({{"test", true}}));
    CHECK(s.host.empty());
    CHECK(s.dc_addresses.empty());
    auto a = s.address(2);
    REQUIRE(a);
    CHECK(a->host == "149.154.167.40");
    CHECK(a->port == 443);
    CHECK(!s.address(4));  // the test network has three DCs
    CHECK(s.to_json()["host"] == "149.154.167.40");
  }
  SECTION("test with a host: the custom server stays") {
    REQUIRE(s.apply({{"test", true}, {"host", "127.0.0.1"}, {"port", 4431}}));
    CHECK(s.host == "127.0.0.1");
    CHECK(s.dc_addresses.size() == 2);
  }
  SECTION("the same value is no switch") {
    REQUIRE(s.apply({{"test", false}}));
    CHECK(s.host == "127.0.0.1");
    CHECK(s.dc_addresses.size() == 2);
  }
}

TEST_CASE("server settings: MTProxy host:port:secret", "[daemon][server_settings]") {
  SECTION("plain secret: every DC through the proxy, obfuscated") {
    ServerSettings s;
    REQUIRE(s.apply({{"proxy", "proxy.example:8443:" + kSecret}}));
    for (int dc : {1, 2, 4}) {
      auto a = s.address(dc);
      REQUIRE(a);
      CHECK(a->host == "proxy.example");
      CHECK(a->port == 8443);
      CHECK(!a->proxy);
    }
    auto c = s.link_config(4);
    REQUIRE(c);
    REQUIRE(c->transport.secret);
    CHECK(c->transport.secret->kind == transport::ProxySecret::Kind::plain);
    CHECK(c->transport.obfuscated);
    CHECK(c->transport.mode == transport::Mode::intermediate);
    CHECK(c->transport.dc_id == std::int16_t{4});  // the proxy forwards by this
  }
  SECTION("dd secret: padded intermediate, test DC ids +10000") {
    ServerSettings s;
    REQUIRE(s.apply({{"test", true}, {"proxy", "[2001:db8::1]:443:dd" + kSecret}}));
    auto a = s.address(2);
    REQUIRE(a);
    CHECK(a->host == "[2001:db8::1]");  // the last two colons split; the host keeps the rest
    CHECK(a->port == 443);
    auto c = s.link_config(2);
    REQUIRE(c);
    CHECK(c->transport.mode == transport::Mode::padded_intermediate);
    CHECK(c->transport.dc_id == std::int16_t{10002});
    CHECK(c->test_dc);
  }
  SECTION("ee secret (fake TLS)") {
    ServerSettings s;
    REQUIRE(s.apply({{"proxy", "1.2.3.4:443:ee" + kSecret + "676f6f676c652e636f6d"}}));  // google.com
    auto c = s.link_config(2);
    REQUIRE(c);
    REQUIRE(c->transport.secret);
    CHECK(c->transport.secret->kind == transport::ProxySecret::Kind::fake_tls);
    CHECK(c->transport.secret->domain == "google.com");
  }
}

TEST_CASE("server settings: SOCKS5 / HTTP proxies keep the DC addresses", "[daemon][server_settings]") {
  ServerSettings s;
  REQUIRE(s.apply({{"proxy", "socks5://user:pass@127.0.0.1:1080"}}));
  auto a = s.address(4);
  REQUIRE(a);
  CHECK(a->host == "149.154.167.91");
  REQUIRE(a->proxy);
  CHECK(a->proxy->kind == transport::ProxyUrl::Kind::socks5);
  CHECK(a->proxy->port == 1080);
  auto c = s.link_config(4);
  REQUIRE(c);
  CHECK(!c->transport.secret);
  CHECK(!c->transport.obfuscated);
  CHECK(!c->transport.dc_id);
}

TEST_CASE("server settings: address(dc) with a custom server and known DC addresses", "[daemon][server_settings]") {
  ServerSettings s;
  REQUIRE(s.apply({{"host", "127.0.0.1"}, {"port", 4431}, {"dc", 1}}));
  auto home = s.address(1);
  REQUIRE(home);
  CHECK(home->host == "127.0.0.1");
  CHECK(home->port == 4431);
  CHECK(!s.address(2));  // only one address is known: ask help.getConfig

  s.dc_addresses = {{1, {"127.0.0.1", 4431}}, {2, {"127.0.0.1", 4432}}, {3, {"127.0.0.2", 4433}}};
  auto two = s.address(2);
  REQUIRE(two);
  CHECK(two->port == 4432);
  CHECK(s.address(3)->host == "127.0.0.2");
  CHECK(!s.address(4));
  // dc_addresses win over host/port, even for the home DC.
  s.dc_addresses[1] = {"127.0.0.9", 5000};
  CHECK(s.address(1)->host == "127.0.0.9");
  s.dc_addresses[1] = {"127.0.0.1", 4431};

  SECTION("a restored session of another home DC: the address of a known DC is the same server") {
    REQUIRE(s.apply({{"host", "127.0.0.1"}, {"port", 4432}, {"dc", 2}}));
    CHECK(s.dc == 2);
    CHECK(s.dc_addresses.size() == 3);
    CHECK(s.address(1)->port == 4431);
    CHECK(s.address(3)->port == 4433);
  }
  SECTION("the same host and port again: nothing changes") {
    REQUIRE(s.apply({{"host", "127.0.0.1"}, {"port", 4431}}));
    CHECK(s.dc_addresses.size() == 3);
  }
  SECTION("a known address under the wrong DC id is another server") {
    REQUIRE(s.apply({{"port", 4432}}));  // dc stays 1, but 4432 is DC 2's
    CHECK(s.dc_addresses.empty());
    CHECK(!s.address(2));
  }
  SECTION("another host: its own DC list, unknown yet") {
    REQUIRE(s.apply({{"host", "10.0.0.1"}}));
    CHECK(s.dc_addresses.empty());
    CHECK(s.address(1)->host == "10.0.0.1");
    CHECK(s.address(1)->port == 4431);
    CHECK(!s.address(2));
  }
  SECTION("a new DC id alone is not an endpoint change") {
    REQUIRE(s.apply({{"dc", 2}}));
    CHECK(s.dc_addresses.size() == 3);
  }
}

TEST_CASE("server settings: seen_from(dc) and apply() are inverse", "[daemon][server_settings]") {
  ServerSettings s;
  REQUIRE(s.apply({{"host", "127.0.0.1"}, {"port", 4431}, {"dc", 1}}));
  s.dc_addresses = {{1, {"127.0.0.1", 4431}}, {2, {"127.0.0.1", 4432}}, {3, {"127.0.0.2", 4433}}};
  CHECK(s.known_address(3) == std::make_pair(std::string("127.0.0.2"), std::uint16_t{4433}));
  CHECK_FALSE(s.known_address(4));

  SECTION("a custom server: host:port becomes the DC's own address") {
    ServerSettings three = s.seen_from(3);
    CHECK(three.dc == 3);
    CHECK(three.host == "127.0.0.2");
    CHECK(three.port == 4433);
    CHECK(three.dc_addresses == s.dc_addresses);
    // Applied back to the settings it came from, it is the same server: the DC list stays.
    ServerSettings back = s;
    REQUIRE(back.apply(three.to_json()));
    CHECK(back.dc == 3);
    CHECK(back.dc_addresses == s.dc_addresses);
    CHECK(back.address(1)->port == 4431);
  }
  SECTION("a DC without a known address keeps host:port") {
    ServerSettings four = s.seen_from(4);
    CHECK(four.dc == 4);
    CHECK(four.host == "127.0.0.1");
    CHECK(four.port == 4431);
  }
  SECTION("through an MTProxy every DC has the proxy's address: host:port stays") {
    REQUIRE(s.apply({{"proxy", "127.0.0.1:8888:" + kSecret}}));
    CHECK(s.via_mtproxy());
    ServerSettings two = s.seen_from(2);
    CHECK(two.dc == 2);
    CHECK(two.host == "127.0.0.1");
    CHECK(two.port == 4431);
  }
  SECTION("Telegram's own DCs: no host, so the built-in address of the DC is written") {
    ServerSettings prod;
    prod.dc_addresses = {{4, {"10.1.1.1", 443}}};  // from help.getConfig
    ServerSettings four = prod.seen_from(4);
    CHECK(four.host.empty());
    CHECK(four.to_json()["host"] == *builtin_dc_host(4, false));
  }
}

TEST_CASE("server settings: link_config", "[daemon][server_settings]") {
  ServerSettings s;
  auto prod = s.link_config(2);
  REQUIRE(prod);
  CHECK(prod->dc_id == 2);
  CHECK(!prod->test_dc);
  CHECK(prod->server_keys.size() == 1);
  CHECK(prod->server_keys.find(crypto::kProductionKeyFingerprint));
  CHECK(!prod->transport.dc_id);

  // obfuscated2 wraps abridged/intermediate/padded only.
  CHECK(apply_error(s, {{"obfuscated", true}, {"transport", "full"}}) ==
        "server: the full transport has no obfuscated form (use abridged, intermediate or padded)");
  const Status applied = s.apply({{"test", true}, {"obfuscated", true}, {"transport", "abridged"},
                                  {"rsa", read_source_file("tests/vectors/rsa_pad_selfmade_public.pem")}});
  INFO(applied.message());
  REQUIRE(applied);
  auto t = s.link_config(3);
  REQUIRE(t);
  CHECK(t->test_dc);
  CHECK(t->transport.obfuscated);
  CHECK(t->transport.mode == transport::Mode::abridged);
  CHECK(t->transport.dc_id == std::int16_t{10003});
  CHECK(t->server_keys.size() == 2);
  CHECK(t->server_keys.find(crypto::kTestKeyFingerprint));
}
