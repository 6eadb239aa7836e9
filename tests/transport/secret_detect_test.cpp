// MTProxy secret parsing, server-side detection and the fake-TLS hello structure.
#include <catch2/catch.hpp>

#include "base/bytes.h"
#include "crypto/sha.h"
#include "test_util.h"
#include "transport/detect.h"
#include "transport/fake_tls.h"
#include "transport/mtproxy_secret.h"

using namespace mtjson;
using namespace mtjson::transport;
using namespace mtjson::transport::test;

TEST_CASE("secret: hex and base64url forms", "[secret]") {
  auto p = parse_proxy_secret("0123456789ABCDEF0123456789abcdef");
  REQUIRE(p);
  CHECK(p->kind == ProxySecret::Kind::plain);
  CHECK(hex(p->key) == "0123456789ABCDEF0123456789ABCDEF");
  CHECK_FALSE(p->required_mode());

  p = parse_proxy_secret("dd99999999999999999999999999999999");  // the spec's example
  REQUIRE(p);
  CHECK(p->kind == ProxySecret::Kind::padded);
  CHECK(hex(p->key) == "99999999999999999999999999999999");
  CHECK(p->required_mode() == Mode::padded_intermediate);
  CHECK(p->to_hex() == "dd99999999999999999999999999999999");

  p = parse_proxy_secret("ee0123456789abcdef0123456789abcdef6578616d706c652e636f6d");
  REQUIRE(p);
  CHECK(p->kind == ProxySecret::Kind::fake_tls);
  CHECK(p->domain == "example.com");
  CHECK(p->to_hex() == "ee0123456789abcdef0123456789abcdef6578616d706c652e636f6d");

  // The same ee secret in base64url (as in tg://proxy links), with and without padding.
  p = parse_proxy_secret("7gEjRWeJq83vASNFZ4mrze9leGFtcGxlLmNvbQ");
  REQUIRE(p);
  CHECK(p->kind == ProxySecret::Kind::fake_tls);
  CHECK(p->domain == "example.com");
  CHECK(hex(p->key) == "0123456789ABCDEF0123456789ABCDEF");
  p = parse_proxy_secret("3ZmZmZmZmZmZmZmZmZmZmZk=");
  REQUIRE(p);  // 17 bytes starting 0xdd
  CHECK(p->kind == ProxySecret::Kind::padded);

  // Another 17th byte also means padded intermediate (spec: "clients should default to the
  // padded intermediate transport whenever an additional byte in the secret is encountered").
  p = parse_proxy_secret("ab99999999999999999999999999999999");
  REQUIRE(p);
  CHECK(p->kind == ProxySecret::Kind::padded);
}

TEST_CASE("secret: rejections", "[secret][errors]") {
  CHECK(parse_proxy_secret("").message() == "MTProxy secret: empty");
  CHECK(parse_proxy_secret("zz!").message() == "MTProxy secret: neither hex nor base64url");
  CHECK(parse_proxy_secret("0123").message() == "MTProxy secret: 2 bytes (expected 16, 17 or ee+16+domain)");
  CHECK(parse_proxy_secret("ee0123456789abcdef0123456789abcdef").message() ==
        "MTProxy secret: fake-TLS (ee) secret without a domain");
  CHECK(parse_proxy_secret("ee0123456789abcdef0123456789abcdef6578202f").message() ==
        "MTProxy secret: fake-TLS domain has an invalid character at byte 19");
  CHECK(parse_proxy_secret("ee0123456789abcdef0123456789abcdef" + std::string(2 * 183, '6')).message() ==
        "MTProxy secret: fake-TLS domain longer than 182 bytes");
}

TEST_CASE("detect: first bytes", "[detect]") {
  DetectOptions o;
  o.allow_fake_tls = true;
  auto det = [&](const char* h) { return detect_transport(unhex(h), o); };
  using S = Detection::Status;
  using O = Detection::Outer;
  CHECK(det("").status == S::need_more);
  auto d = det("EF");
  CHECK((d.status == S::detected && d.outer == O::plain && d.mode == Mode::abridged && d.tag_size == 1));
  CHECK(det("EEEEEE").status == S::need_more);
  d = det("EEEEEEEE");
  CHECK((d.status == S::detected && d.mode == Mode::intermediate && d.tag_size == 4));
  d = det("DDDDDDDD");
  CHECK((d.status == S::detected && d.mode == Mode::padded_intermediate && d.tag_size == 4));
  d = det("16030102");
  CHECK((d.status == S::detected && d.outer == O::fake_tls));
  d = det("8400000000000000");  // case1 full: length 132, seqno 0
  CHECK((d.status == S::detected && d.mode == Mode::full && d.tag_size == 0));
  CHECK(det("84000000").status == S::need_more);
  d = det("50A922C4D46C0D01");  // case3 init
  CHECK((d.status == S::detected && d.outer == O::obfuscated2));

  d = det("504F5354");
  CHECK(d.status == S::rejected);
  CHECK(d.reason == "detect: HTTP transport is not supported");
  d = det("0500000000000000");
  CHECK(d.status == S::rejected);
  CHECK(d.reason == "detect: full transport with implausible length 5");
  o.allow_fake_tls = false;
  CHECK(det("16030102").reason == "detect: TLS ClientHello but no fake-TLS secret is configured");
  o.allow_plain = false;
  CHECK(det("EF").reason == "detect: unobfuscated abridged is not accepted here");
  o.allow_obfuscated = false;
  CHECK(det("50A922C4D46C0D01").reason == "detect: unknown transport (obfuscated2 is not accepted here)");
}

TEST_CASE("fake TLS: the ClientHello random is HMAC xor timestamp", "[fake_tls]") {
  const auto s = *parse_proxy_secret("ee0123456789abcdef0123456789abcdef6578616d706c652e636f6d");
  SeededRandom rng(21);
  const std::uint32_t now = 1707425104;
  auto hello = make_fake_tls_client_hello(s.key, s.domain, now, rng);
  REQUIRE(hello.size() == 517);
  CHECK(load_be16(std::span(hello).subspan(3)) == 512);  // record length
  CHECK(hello[5] == 0x01);                               // ClientHello
  CHECK(hello[43] == 0x20);                              // 32-byte session id

  auto zeroed = hello;
  std::fill_n(zeroed.begin() + 11, 32, 0);
  auto mac = crypto::hmac_sha256(s.key, zeroed);
  for (int i = 0; i < 32; ++i) mac[i] ^= hello[11 + i];
  CHECK(std::all_of(mac.begin(), mac.begin() + 28, [](auto b) { return b == 0; }));
  CHECK(load_le32(std::span(mac).subspan(28)) == now);

  const ProxySecret secrets[] = {s};
  auto checked = check_fake_tls_client_hello(hello, secrets, now + 5, 120);
  REQUIRE(checked.check.status == FakeTlsCheck::Status::ok);
  CHECK(checked.check.consumed == 517);
  CHECK(checked.timestamp == now);
  CHECK(std::equal(checked.client_random.begin(), checked.client_random.end(), hello.begin() + 11));

  // Partial input asks for more; a flipped bit anywhere breaks the HMAC.
  CHECK(check_fake_tls_client_hello(std::span(hello).first(300), secrets, now, 120).check.status ==
        FakeTlsCheck::Status::need_more);
  hello[200] ^= 0x40;
  auto bad = check_fake_tls_client_hello(hello, secrets, now, 120);
  CHECK(bad.check.status == FakeTlsCheck::Status::error);
  CHECK(bad.check.reason == "fake TLS: ClientHello HMAC matches no secret");

  // The server answer verifies against the client random and not against another one.
  auto answer = make_fake_tls_server_hello(checked, s.key, rng);
  auto ok = check_fake_tls_server_hello(answer, checked.client_random, s.key);
  CHECK(ok.status == FakeTlsCheck::Status::ok);
  CHECK(ok.consumed == answer.size());
  auto other_random = checked.client_random;
  other_random[0] ^= 1;
  CHECK(check_fake_tls_server_hello(answer, other_random, s.key).status == FakeTlsCheck::Status::error);
}
