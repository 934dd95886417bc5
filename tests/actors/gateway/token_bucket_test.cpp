#include <catch2/catch.hpp>

#include <limits>

#include "actors/gateway/token_bucket.hpp"

using namespace agora;

namespace {

constexpr nanos t0 = 1'700'000'000 * ns_per_s;

} // namespace

TEST_CASE("token bucket allows a burst of its capacity, then refuses") {
  token_bucket b{3, 0.5, t0};
  CHECK(b.available(t0) == 3.0);
  CHECK(b.time_until(t0) == 0);
  CHECK(b.try_take(t0));
  CHECK(b.try_take(t0));
  CHECK(b.try_take(t0));
  CHECK_FALSE(b.try_take(t0));
  CHECK(b.available(t0) == 0.0);
}

TEST_CASE("token bucket refills after exactly the needed time") {
  // 30 orders a minute: 0.5 a second, one token every 2 s.
  token_bucket b{30, 0.5, t0};
  for (int i = 0; i < 30; ++i)
    REQUIRE(b.try_take(t0));
  CHECK(b.time_until(t0) == 2 * ns_per_s);
  CHECK(b.time_until(t0, 2) == 4 * ns_per_s);
  CHECK_FALSE(b.try_take(t0 + 2 * ns_per_s - 1));
  CHECK(b.try_take(t0 + 2 * ns_per_s));
  CHECK_FALSE(b.try_take(t0 + 2 * ns_per_s));
  CHECK(b.time_until(t0 + 3 * ns_per_s) == ns_per_s);
}

TEST_CASE("token bucket: waiting time_until suffices, one ns less does not") {
  // 3 a second: one token every 333'333'333.33 ns, never a whole number.
  token_bucket b{2, 3.0, 0};
  REQUIRE(b.try_take(0, 2));
  nanos now = 0;
  for (int i = 0; i < 999; ++i) {
    auto wait = b.time_until(now);
    REQUIRE(wait > 0);
    REQUIRE_FALSE(b.try_take(now + wait - 1));
    now += wait;
    REQUIRE(b.try_take(now));
  }
  // 999 tokens at 3 a second: exactly 333 s; the rounding never accumulates.
  CHECK(now == 333 * ns_per_s);
}

TEST_CASE("token bucket loses what it refills beyond a full bucket") {
  // Capacity 1: waiting whole nanoseconds overshoots by 2e-9 token, which
  // spills over the full bucket.
  token_bucket b{1, 3.0, 0};
  REQUIRE(b.try_take(0));
  CHECK(b.time_until(0) == 333'333'334);
  REQUIRE(b.try_take(333'333'334));
  CHECK(b.available(333'333'334) == 0.0);
  CHECK(b.available(10 * ns_per_s) == 1.0);
}

TEST_CASE("token bucket never refills beyond its capacity") {
  token_bucket b{5, 10, t0};
  REQUIRE(b.try_take(t0, 5));
  CHECK(b.available(t0 + 3600 * ns_per_s) == 5.0);
  CHECK(b.try_take(t0 + 3600 * ns_per_s, 5));
  CHECK_FALSE(b.try_take(t0 + 3600 * ns_per_s));
  CHECK(b.time_until(t0, 6) == std::numeric_limits<nanos>::max());
}

TEST_CASE("token bucket gains nothing when time goes backwards") {
  token_bucket b{2, 1, t0};
  REQUIRE(b.try_take(t0 + 10 * ns_per_s, 2));
  // Earlier instants see no more than the latest one.
  CHECK(b.available(t0) == 0.0);
  CHECK_FALSE(b.try_take(t0));
  CHECK_FALSE(b.try_take(t0 + 5 * ns_per_s));
  // Waiting is measured from the latest instant seen.
  CHECK(b.time_until(t0 + 9 * ns_per_s) == 2 * ns_per_s);
  CHECK_FALSE(b.try_take(t0 + 11 * ns_per_s - 1));
  CHECK(b.try_take(t0 + 11 * ns_per_s));
  CHECK(b.available(std::numeric_limits<nanos>::min()) == 0.0);
  CHECK_FALSE(b.try_take(std::numeric_limits<nanos>::min()));
}

TEST_CASE("token bucket without refill never recovers") {
  token_bucket b{1, 0, t0};
  REQUIRE(b.try_take(t0));
  CHECK_FALSE(b.try_take(t0 + 3600 * ns_per_s));
  CHECK(b.time_until(t0) == std::numeric_limits<nanos>::max());
}
