#include <catch2/catch.hpp>

#include "venues/binance/clock_sync.hpp"

using namespace agora;
using namespace agora::binance;

namespace {

constexpr nanos t0 = 1'700'000'000 * ns_per_s;

} // namespace

TEST_CASE("before any sample the clock is the local clock") {
  clock_sync c;
  CHECK_FALSE(c.has_sample());
  CHECK(c.offset() == 0);
  CHECK(c.now_ms(t0 + 1'999'999) == 1'700'000'000'001);
}

TEST_CASE("the offset is server time minus the round trip midpoint") {
  clock_sync c;
  // Sent at t0, answered 20 ms later; the server said t0 + 260 ms.
  c.on_sample(t0, t0 + 20 * ns_per_ms, 1'700'000'000'260);
  REQUIRE(c.has_sample());
  CHECK(c.offset() == 250 * ns_per_ms);
  CHECK(c.now_ms(t0 + ns_per_s) == 1'700'000'001'250);
}

TEST_CASE("the sample with the smallest round trip wins") {
  clock_sync c;
  c.on_sample(t0, t0 + 40 * ns_per_ms, 1'700'000'000'120); // rtt 40, off 100
  c.on_sample(t0, t0 + 10 * ns_per_ms, 1'700'000'000'035); // rtt 10, off 30
  c.on_sample(t0, t0 + 30 * ns_per_ms, 1'700'000'000'515); // rtt 30, off 500
  CHECK(c.offset() == 30 * ns_per_ms);
  // Equal round trips: the newest wins.
  c.on_sample(t0, t0 + 10 * ns_per_ms, 1'700'000'000'045); // rtt 10, off 40
  CHECK(c.offset() == 40 * ns_per_ms);
}

TEST_CASE("only the last eight samples are kept") {
  clock_sync c;
  c.on_sample(t0, t0 + 1 * ns_per_ms, 1'700'000'000'000); // best, off -0.5 ms
  CHECK(c.offset() == -500'000);
  for (int i = 0; i < 7; ++i)
    c.on_sample(t0, t0 + 50 * ns_per_ms, 1'700'000'000'125); // off 100 ms
  CHECK(c.offset() == -500'000); // the best is still among the last 8
  c.on_sample(t0, t0 + 50 * ns_per_ms, 1'700'000'000'125);  // pushes it out
  CHECK(c.offset() == 100 * ns_per_ms);
}

TEST_CASE("impossible samples are ignored") {
  clock_sync c;
  c.on_sample(t0, t0 - 1, 1'700'000'000'000);
  c.on_sample(t0, t0 + 1, -5);
  CHECK_FALSE(c.has_sample());
}

TEST_CASE("a negative offset rounds server time down") {
  clock_sync c;
  c.on_sample(t0, t0, 1'699'999'999'000); // server 1 s behind
  CHECK(c.offset() == -ns_per_s);
  CHECK(c.now_ms(t0 + 1) == 1'699'999'999'000);
  CHECK(c.now_ms(t0 - 1) == 1'699'999'998'999);
}
