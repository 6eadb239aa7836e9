#include <catch2/catch.hpp>

#include "crypto/random.h"
#include "test_util.h"

using namespace mtjson::crypto;
using namespace mtjson::crypto::test;

TEST_CASE("secure_random fills the whole buffer with fresh bytes", "[random]") {
  Bytes a(64, 0), b(64, 0);
  secure_random(a);
  default_random().fill(b);
  CHECK(a != Bytes(64, 0));
  CHECK(a != b);
  Bytes empty;
  secure_random(empty);  // no-op, no crash
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
