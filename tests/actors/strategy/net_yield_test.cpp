#include <catch2/catch.hpp>

#include <vector>

#include "actors/strategy/net_yield.hpp"

using namespace agora;

namespace {

price px(const char* text) {
  return *price::parse(text);
}

quantity qty(const char* text) {
  return *quantity::parse(text);
}

notional cash(const char* text) {
  return *notional::parse(text);
}

/// Asks: 0.5 at 100.00 (50 quote), 1.0 at 100.50 (100.5 quote).
std::vector<book_level> two_levels() {
  return {{px("100.00"), qty("0.5")}, {px("100.50"), qty("1.0")}};
}

} // namespace

TEST_CASE("walking a quantity across two levels gives the exact cost, vwap and worst price") {
  // 0.5 x 100.00 + 0.7 x 100.50 = 50 + 70.35 = 120.35; vwap 120.35 / 1.2.
  auto f = walk_quantity(two_levels(), qty("1.2"));
  REQUIRE(f.ok);
  CHECK(f.qty == qty("1.2"));
  CHECK(f.cost == cash("120.35"));
  CHECK(f.vwap == Approx(100.29166666666667).margin(1e-9));
  CHECK(f.worst == px("100.50"));

  // Exactly the first level: the second is not touched.
  f = walk_quantity(two_levels(), qty("0.5"));
  REQUIRE(f.ok);
  CHECK(f.cost == cash("50"));
  CHECK(f.vwap == Approx(100.0).margin(1e-12));
  CHECK(f.worst == px("100.00"));

  // A level with no quantity is skipped, not touched.
  std::vector<book_level> gappy{{px("99"), qty("0")}, {px("100"), qty("1")}};
  f = walk_quantity(gappy, qty("1"));
  REQUIRE(f.ok);
  CHECK(f.worst == px("100"));
  CHECK(f.cost == cash("100"));
}

TEST_CASE("walking more than the levels hold reports insufficient depth") {
  CHECK_FALSE(walk_quantity(two_levels(), qty("1.6")).ok); // 1.5 held
  CHECK(walk_quantity(two_levels(), qty("1.5")).ok);
  CHECK_FALSE(walk_quantity(two_levels(), qty("0")).ok);
  CHECK_FALSE(walk_quantity(two_levels(), qty("-1")).ok);
  CHECK_FALSE(walk_quantity({}, qty("0.001")).ok);
}

TEST_CASE("walking a notional floors the quantity to the lot and keeps the cost within the target") {
  // 100 quote: 50 buys 0.5 at 100.00; the other 50 buys 0.4975124.. at
  // 100.50; 0.9975124.. floors to 0.99 at lot 0.01; 0.5 x 100 + 0.49 x 100.5
  // = 50 + 49.245 = 99.245.
  auto f = walk_notional(two_levels(), cash("100"), qty("0.01"));
  REQUIRE(f.ok);
  CHECK(f.qty == qty("0.99"));
  CHECK(f.cost == cash("99.245"));
  CHECK(f.vwap == Approx(99.245 / 0.99).margin(1e-9));
  CHECK(f.worst == px("100.50"));

  // No lot: the 1e-8 grid. 50 / 100.5 = 0.49751243(78..) floors to
  // 0.49751243; cost 50 + 0.49751243 x 100.5 = 99.999999215 -> 99.99999921.
  f = walk_notional(two_levels(), cash("100"), quantity{});
  REQUIRE(f.ok);
  CHECK(f.qty == qty("0.99751243"));
  CHECK(f.cost == cash("99.99999921"));

  // Exactly the book's whole notional (50 + 100.5) is absorbed.
  f = walk_notional(two_levels(), cash("150.5"), qty("0.01"));
  REQUIRE(f.ok);
  CHECK(f.qty == qty("1.5"));

  // More than the book holds, nothing asked, or less than one lot: refused.
  CHECK_FALSE(walk_notional(two_levels(), cash("150.51"), qty("0.01")).ok);
  CHECK_FALSE(walk_notional(two_levels(), cash("0"), qty("0.01")).ok);
  CHECK_FALSE(walk_notional(two_levels(), cash("0.5"), qty("0.01")).ok); // 0.005 -> 0
}

TEST_CASE("net yield with the same fees on both legs equals PRODUCT's formula") {
  yield_inputs in;
  in.buy_vwap = 100.0;
  in.sell_vwap = 100.30;
  in.buy_taker_fee = in.sell_taker_fee = 0.0004; // 4 bp
  in.buy_maker_fee = in.sell_maker_fee = 0.0002; // 2 bp
  in.safety_buffer_bps = 3;
  const auto y = net_yield(in);
  // gross = 0.30 / 100 = 30 bp; PRODUCT: 30 - 2 x 4 - 2 x 2 - 3 = 15 bp.
  const double product = 30.0 - 2 * 4.0 - 2 * 2.0 - 3.0;
  CHECK(y.gross_bps == Approx(30.0).margin(1e-9));
  CHECK(y.fees_bps == Approx(12.0).margin(1e-9));
  CHECK(y.buffer_bps == 3.0);
  CHECK(y.funding_bps == 0.0);
  CHECK(y.net_bps == Approx(product).margin(1e-9));
  CHECK(y.net_bps == Approx(15.0).margin(1e-9));
}

TEST_CASE("net yield uses each leg's own fees and adds the expected funding") {
  yield_inputs in;
  in.buy_vwap = 100.0;
  in.sell_vwap = 100.30;
  in.buy_taker_fee = 0.001;  // spot 10 bp
  in.sell_taker_fee = 0.0004; // perp 4 bp
  in.buy_maker_fee = 0.001;
  in.sell_maker_fee = 0.0002;
  in.safety_buffer_bps = 3;
  in.funding_bps = 2;
  const auto y = net_yield(in);
  // fees 10 + 4 + 10 + 2 = 26; net 30 - 26 - 3 + 2 = 3.
  CHECK(y.fees_bps == Approx(26.0).margin(1e-9));
  CHECK(y.funding_bps == 2.0);
  CHECK(y.net_bps == Approx(3.0).margin(1e-9));
}

TEST_CASE("expected funding counts only a payment due within the horizon") {
  const nanos now = 1'700'000'000 * ns_per_s;
  const nanos hour = 3600 * ns_per_s;
  const nanos horizon = 8 * hour;
  const rate r = *rate::parse("0.0001"); // 1 bp
  CHECK(expected_funding_bps(r, now + hour, now, horizon) == Approx(1.0).margin(1e-12));
  CHECK(expected_funding_bps(r, now + horizon, now, horizon) == Approx(1.0).margin(1e-12));
  CHECK(expected_funding_bps(r, now + horizon + 1, now, horizon) == 0.0);
  CHECK(expected_funding_bps(r, now, now, horizon) == 0.0);           // due now: paid already
  CHECK(expected_funding_bps(r, now - hour, now, horizon) == 0.0);    // past
  CHECK(expected_funding_bps(r, 0, now, horizon) == 0.0);             // unknown
  CHECK(expected_funding_bps(*rate::parse("-0.00025"), now + hour, now, horizon)
        == Approx(-2.5).margin(1e-12));
}
