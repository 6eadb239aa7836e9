#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "crypto/random.h"
#include "test_util.h"

using namespace mtjson::crypto;
using namespace mtjson::crypto::test;

TEST_CASE("fresh_random_bytes fills the whole buffer with fresh bytes", "[random]") {
  Bytes a(64, 0), b(64, 0);
  fresh_random_bytes(a);
  default_random().fill(b);
  CHECK(a != Bytes(64, 0));
  CHECK(a != b);
  Bytes empty;
  fresh_random_bytes(empty);  // no-op, no crash
}

TEST_CASE("buffered_random_bytes gives distinct output on every call", "[random]") {
  std::vector<Bytes> seen;
  for (int i = 0; i < 2000; ++i) {  // crosses several 4 KiB refills
    Bytes b(16, 0);
    buffered_random_bytes(b);
    seen.push_back(b);
  }
  std::sort(seen.begin(), seen.end());
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
  CHECK(random_u64() != random_u64());
  Bytes empty;
  buffered_random_bytes(empty);  // no-op, no crash
}

TEST_CASE("buffered_random_bytes serves large requests in full", "[random]") {
  // Larger than the buffer, not a multiple of it, and starting mid-buffer.
  Bytes one(3);
  buffered_random_bytes(one);
  Bytes big(3 * 4096 + 1000, 0);
  buffered_random_bytes(big);
  // Every 1 KiB stretch has non-zero bytes and no two stretches are equal.
  std::vector<Bytes> parts;
  for (std::size_t at = 0; at + 1024 <= big.size(); at += 1024) {
    Bytes part(big.begin() + at, big.begin() + at + 1024);
    CHECK(std::count(part.begin(), part.end(), 0) < 32);
    parts.push_back(part);
  }
  std::sort(parts.begin(), parts.end());
  CHECK(std::adjacent_find(parts.begin(), parts.end()) == parts.end());
}

TEST_CASE("buffered_random_bytes reseeds in a forked child", "[random]") {
  Bytes warm(8);
  buffered_random_bytes(warm);  // the parent's generator holds buffered keystream now
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    Bytes child(32);
    buffered_random_bytes(child);
    ssize_t n = write(fds[1], child.data(), child.size());
    _exit(n == 32 ? 0 : 1);
  }
  close(fds[1]);
  Bytes parent(32), child(32);
  buffered_random_bytes(parent);
  ssize_t n = read(fds[0], child.data(), child.size());
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(n == 32);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(child != parent);
}

TEST_CASE("buffered_random_bytes keeps one generator per thread", "[random]") {
  std::vector<Bytes> a(500, Bytes(16)), b(500, Bytes(16));
  std::thread t1([&] { for (auto& x : a) buffered_random_bytes(x); });
  std::thread t2([&] { for (auto& x : b) buffered_random_bytes(x); });
  t1.join();
  t2.join();
  std::vector<Bytes> all = a;
  all.insert(all.end(), b.begin(), b.end());
  std::sort(all.begin(), all.end());
  CHECK(std::adjacent_find(all.begin(), all.end()) == all.end());
}

TEST_CASE("SecureRandom draws key material fresh and the rest buffered", "[random]") {
  SecureRandom r;
  Bytes k(32), p(32);
  r.fill_key_material(k);
  r.fill(p);
  CHECK(k != p);
  CHECK(k != Bytes(32, 0));
}

TEST_CASE("ReplayRandom replays its bytes in order, then a counter, and says so", "[random]") {
  ReplayRandom r(Bytes{1, 2, 3});
  r.push(Bytes{4});
  Bytes out(2);
  r.fill(out);
  CHECK(out == Bytes{1, 2});
  CHECK(r.remaining() == 2);
  CHECK_FALSE(r.exhausted());
  Bytes more(4);
  r.fill(more);
  CHECK(more == Bytes{3, 4, 0, 1});
  CHECK(r.exhausted());
  CHECK(r.remaining() == 0);
}

TEST_CASE("random_u64 reads a source's bytes little-endian", "[random]") {
  ReplayRandom r(Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(random_u64(r) == 0x0807060504030201ull);
  Bytes rest(1);
  r.fill_key_material(rest);  // ReplayRandom: one stream for both kinds
  CHECK(rest == Bytes{9});
}
