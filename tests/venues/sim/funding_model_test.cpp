#include <catch2/catch.hpp>

#include "venues/sim/funding_model.hpp"

// Binance's funding formula with hand-computed values. Times are UTC:
// 1'700'006'400 s is 2023-11-15 00:00:00, so its 8 h boundaries are
// 00:00 (..06'400), 08:00 (..35'200) and 16:00 (..64'000).

using namespace agora;
using namespace agora::sim;

namespace {

constexpr nanos h = 3600 * ns_per_s;
constexpr nanos midnight = 1'700'006'400 * ns_per_s; // 2023-11-15 00:00 UTC

price px(const char* s) {
  return *price::parse(s);
}

rate rt(const char* s) {
  return *rate::parse(s);
}

} // namespace

TEST_CASE("the premium is (mark - index) / index truncated toward zero") {
  CHECK(funding_model::premium(px("65065"), px("65000")) == rt("0.001"));
  CHECK(funding_model::premium(px("64935"), px("65000")) == rt("-0.001"));
  CHECK(funding_model::premium(px("65000"), px("65000")) == rt("0"));
  // 2/3 = 0.6666666666.. and -4/7 = -0.5714285714..
  CHECK(funding_model::premium(px("5"), px("3")) == rt("0.66666666"));
  CHECK(funding_model::premium(px("3"), px("7")) == rt("-0.57142857"));
  // No index, no premium.
  CHECK(funding_model::premium(px("65000"), px("0")) == rt("0"));
}

TEST_CASE("the funding rate is the interest while the premium is within 0.05% of it") {
  funding_params p;
  CHECK(funding_model::funding_rate(rt("0.00012"), p) == rt("0.0001"));
  CHECK(funding_model::funding_rate(rt("-0.0003"), p) == rt("0.0001"));
  CHECK(funding_model::funding_rate(rt("0.0006"), p) == rt("0.0001"));
  CHECK(funding_model::funding_rate(rt("-0.0004"), p) == rt("0.0001"));
}

TEST_CASE("the interest term is clamped to 0.05% both ways") {
  funding_params p;
  // 0.001 + clamp(0.0001 - 0.001 = -0.0009) = 0.001 - 0.0005
  CHECK(funding_model::funding_rate(rt("0.001"), p) == rt("0.0005"));
  // -0.001 + clamp(0.0001 + 0.001 = 0.0011) = -0.001 + 0.0005
  CHECK(funding_model::funding_rate(rt("-0.001"), p) == rt("-0.0005"));
  // 0.002 (20 bps basis) pays 0.0015
  CHECK(funding_model::funding_rate(rt("0.002"), p) == rt("0.0015"));
}

TEST_CASE("the funding rate is capped at 0.75% both ways") {
  funding_params p;
  CHECK(funding_model::funding_rate(rt("0.01"), p) == rt("0.0075"));
  CHECK(funding_model::funding_rate(rt("-0.01"), p) == rt("-0.0075"));
  // Just inside the cap: 0.008 - 0.0005 = 0.0075 exactly.
  CHECK(funding_model::funding_rate(rt("0.008"), p) == rt("0.0075"));
  CHECK(funding_model::funding_rate(rt("0.00799999"), p) == rt("0.00749999"));
  // Saturated premiums do not overflow.
  CHECK(funding_model::funding_rate(rate::max(), p) == rt("0.0075"));
  CHECK(funding_model::funding_rate(-rate::max(), p) == rt("-0.0075"));
}

TEST_CASE("the next funding time is the next 8 h boundary on the UTC clock") {
  constexpr nanos i = 8 * h;
  // 2023-11-14 22:13:20 UTC -> 2023-11-15 00:00 UTC.
  CHECK(funding_model::next_funding_time(1'700'000'000 * ns_per_s, i) == midnight);
  // At a boundary, the next one.
  CHECK(funding_model::next_funding_time(midnight, i) == midnight + 8 * h);
  CHECK(funding_model::next_funding_time(midnight + 8 * h, i) == midnight + 16 * h);
  CHECK(funding_model::next_funding_time(midnight + 16 * h, i) == midnight + 24 * h);
  // Just before one.
  CHECK(funding_model::next_funding_time(midnight + 8 * h - 1, i) == midnight + 8 * h);
  CHECK(funding_model::next_funding_time(midnight + 16 * h - 1, i) == midnight + 16 * h);
  CHECK(funding_model::next_funding_time(midnight - 1, i) == midnight);
  // 07:59:59.999 on the same day -> 08:00; 15:00 -> 16:00; 23:00 -> 00:00.
  CHECK(funding_model::next_funding_time(midnight + 8 * h - ns_per_ms, i) == midnight + 8 * h);
  CHECK(funding_model::next_funding_time(midnight + 15 * h, i) == midnight + 16 * h);
  CHECK(funding_model::next_funding_time(midnight + 23 * h, i) == midnight + 24 * h);
  // Before the epoch the grid still holds (floor, not truncation).
  CHECK(funding_model::next_funding_time(-1, i) == 0);
  CHECK(funding_model::next_funding_time(-i, i) == 0);
  CHECK(funding_model::next_funding_time(-i - 1, i) == -i);
}

TEST_CASE("the average premium weights later samples more, as binance does") {
  funding_model m;
  const auto index = px("10000");
  // Samples 5 s apart: premiums 0.001, 0.002, -0.0003.
  auto t = midnight + 1 * h;
  auto e1 = m.update(px("10010"), index, t);
  CHECK(e1.premium == rt("0.001"));
  CHECK(e1.average_premium == rt("0.001"));
  CHECK(e1.funding_rate == rt("0.0005"));
  CHECK(e1.mark == px("10010"));
  CHECK(e1.index == index);
  CHECK(e1.next_funding_time == midnight + 8 * h);
  auto e2 = m.update(px("10020"), index, t + 5 * ns_per_s);
  // (1 x 0.001 + 2 x 0.002) / 3 = 0.005 / 3 = 0.00166666..
  CHECK(e2.average_premium == rt("0.00166666"));
  CHECK(e2.funding_rate == rt("0.00116666"));
  auto e3 = m.update(px("9997"), index, t + 10 * ns_per_s);
  CHECK(e3.premium == rt("-0.0003"));
  // (0.001 + 0.004 - 0.0009) / 6 = 0.0041 / 6 = 0.00068333..
  CHECK(e3.average_premium == rt("0.00068333"));
  // 0.0001 - 0.00068333 = -0.00058333 -> clamped to -0.0005.
  CHECK(e3.funding_rate == rt("0.00018333"));
  CHECK(m.samples() == 3);
  CHECK(m.average_premium() == rt("0.00068333"));
}

TEST_CASE("updates within one 5 s slot take one premium sample") {
  funding_model m;
  const auto index = px("10000");
  auto t = midnight + 2 * h; // a slot boundary
  m.update(px("10010"), index, t);
  auto e = m.update(px("10050"), index, t + 4 * ns_per_s);
  // The estimate reports this update's prices and premium...
  CHECK(e.mark == px("10050"));
  CHECK(e.premium == rt("0.005"));
  // ...but the average holds the slot's one sample.
  CHECK(m.samples() == 1);
  CHECK(e.average_premium == rt("0.001"));
  CHECK(e.funding_rate == rt("0.0005"));
  // The next slot samples again: (0.001 + 2 x 0.005) / 3 = 0.00366666..
  auto e2 = m.update(px("10050"), index, t + 5 * ns_per_s);
  CHECK(m.samples() == 2);
  CHECK(e2.average_premium == rt("0.00366666"));
  CHECK(e2.funding_rate == rt("0.00316666"));
}

TEST_CASE("a funding time starts a new interval with no samples") {
  funding_model m;
  const auto index = px("10000");
  m.update(px("10100"), index, midnight + 8 * h - 10 * ns_per_s); // 0.01
  auto before = m.update(px("10100"), index, midnight + 8 * h - 5 * ns_per_s);
  CHECK(m.samples() == 2);
  CHECK(before.funding_rate == rt("0.0075")); // capped
  CHECK(before.next_funding_time == midnight + 8 * h);
  // 08:00:00 exactly: funding happened; the next is 16:00.
  auto after = m.update(px("9990"), index, midnight + 8 * h);
  CHECK(m.samples() == 1);
  CHECK(after.average_premium == rt("-0.001"));
  CHECK(after.funding_rate == rt("-0.0005"));
  CHECK(after.next_funding_time == midnight + 16 * h);
}

TEST_CASE("funding parameters change the interval, interest and cap") {
  funding_params p;
  p.interval = 4 * h;
  p.interest = rt("0");
  p.cap = rt("0.002");
  funding_model m{p};
  auto e = m.update(px("10030"), px("10000"), midnight + 1 * h); // 0.003
  // 0.003 + clamp(0 - 0.003) = 0.0025 -> capped at 0.002.
  CHECK(e.funding_rate == rt("0.002"));
  CHECK(e.next_funding_time == midnight + 4 * h);
  CHECK(funding_model::funding_rate(rt("0.0002"), p) == rt("0"));
  // Non-positive intervals fall back to Binance's.
  funding_params bad;
  bad.interval = 0;
  bad.sample_interval = -1;
  funding_model d{bad};
  CHECK(d.params().interval == 8 * h);
  CHECK(d.params().sample_interval == 5 * ns_per_s);
}
