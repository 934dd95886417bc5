#include <catch2/catch.hpp>

#include "actors/gateway/order_rules.hpp"

using namespace agora;

namespace {

price px(const char* s) {
  return price::parse(s).value();
}

quantity qty(const char* s) {
  return quantity::parse(s).value();
}

instrument_spec btc_spec() {
  instrument_spec spec;
  spec.venue = venue_id{"sim"};
  spec.symbol = symbol_id{"BTCUSDT"};
  spec.tick = px("0.01");
  spec.lot = qty("0.001");
  spec.min_notional = notional::from_units(5);
  return spec;
}

submit_order limit(side sd, const char* p, const char* q) {
  submit_order o;
  o.cid = client_order_id{1};
  o.venue = venue_id{"sim"};
  o.symbol = symbol_id{"BTCUSDT"};
  o.sd = sd;
  o.type = order_type::limit;
  o.px = px(p);
  o.qty = qty(q);
  return o;
}

submit_order market(side sd, const char* q) {
  auto o = limit(sd, "0", q);
  o.type = order_type::market;
  return o;
}

} // namespace

TEST_CASE("a limit buy price is floored to the tick") {
  auto r = apply_instrument_rules(limit(side::buy, "100.017", "1"), btc_spec());
  REQUIRE(r.ok);
  CHECK(r.px == px("100.01"));
  CHECK(r.qty == qty("1"));
  r = apply_instrument_rules(limit(side::buy, "100.01", "1"), btc_spec());
  REQUIRE(r.ok);
  CHECK(r.px == px("100.01"));
}

TEST_CASE("a limit sell price is ceiled to the tick") {
  auto r = apply_instrument_rules(limit(side::sell, "100.011", "1"),
                                  btc_spec());
  REQUIRE(r.ok);
  CHECK(r.px == px("100.02"));
  r = apply_instrument_rules(limit(side::sell, "100.01", "1"), btc_spec());
  REQUIRE(r.ok);
  CHECK(r.px == px("100.01"));
}

TEST_CASE("quantity is floored to the lot and never rounded up") {
  auto r = apply_instrument_rules(limit(side::buy, "100", "1.2349"),
                                  btc_spec());
  REQUIRE(r.ok);
  CHECK(r.qty == qty("1.234"));
  r = apply_instrument_rules(limit(side::sell, "100", "0.19999999"),
                             btc_spec());
  REQUIRE(r.ok);
  CHECK(r.qty == qty("0.199"));
  r = apply_instrument_rules(limit(side::buy, "100", "0.999"), btc_spec());
  REQUIRE(r.ok);
  CHECK(r.qty == qty("0.999"));
}

TEST_CASE("a quantity that floors to zero is rejected as invalid") {
  auto r = apply_instrument_rules(limit(side::buy, "10000", "0.0009"),
                                  btc_spec());
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::invalid_quantity);
  CHECK(r.detail == "quantity 0.0009 floors to 0 at lot 0.001");
}

TEST_CASE("a zero or negative quantity is rejected as invalid") {
  auto r = apply_instrument_rules(limit(side::buy, "100", "0"), btc_spec());
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::invalid_quantity);
  CHECK(r.detail == "quantity 0 <= 0");
  r = apply_instrument_rules(limit(side::sell, "100", "-1"), btc_spec());
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::invalid_quantity);
  CHECK(r.detail == "quantity -1 <= 0");
}

TEST_CASE("a non-positive limit price is rejected, also after flooring") {
  auto r = apply_instrument_rules(limit(side::buy, "0", "1"), btc_spec());
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::invalid_price);
  CHECK(r.detail == "price 0 <= 0");
  r = apply_instrument_rules(limit(side::sell, "-5", "1"), btc_spec());
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::invalid_price);
  r = apply_instrument_rules(limit(side::buy, "0.005", "10000"), btc_spec());
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::invalid_price);
  CHECK(r.detail == "price 0.005 floors to 0 at tick 0.01");
}

TEST_CASE("minimum notional: exactly equal passes, one tick below fails") {
  auto r = apply_instrument_rules(limit(side::buy, "2.5", "2"), btc_spec());
  REQUIRE(r.ok);
  CHECK(r.px == px("2.5"));
  CHECK(r.qty == qty("2"));
  r = apply_instrument_rules(limit(side::buy, "2.49", "2"), btc_spec());
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::below_min_notional);
  CHECK(r.detail == "notional 4.98 < min 5");
  r = apply_instrument_rules(limit(side::buy, "4.99", "1"), btc_spec());
  CHECK_FALSE(r.ok);
  CHECK(r.detail == "notional 4.99 < min 5");
}

TEST_CASE("minimum notional: one raw unit below the minimum fails") {
  auto spec = btc_spec();
  spec.tick = price::from_raw(1);
  spec.lot = quantity::from_units(1);
  auto r = apply_instrument_rules(limit(side::buy, "5", "1"), spec);
  CHECK(r.ok);
  r = apply_instrument_rules(limit(side::buy, "4.99999999", "1"), spec);
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::below_min_notional);
  CHECK(r.detail == "notional 4.99999999 < min 5");
}

TEST_CASE("minimum notional is checked on the rounded price and quantity") {
  // Buy 5.009 floors to 5.00; quantity 0.9999 floors to 0.999: 4.995 < 5.
  auto r = apply_instrument_rules(limit(side::buy, "5.009", "0.9999"),
                                  btc_spec());
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::below_min_notional);
  CHECK(r.detail == "notional 4.995 < min 5");
  // Sell 4.991 ceils to 5.00: 5 x 1 passes.
  r = apply_instrument_rules(limit(side::sell, "4.991", "1"), btc_spec());
  REQUIRE(r.ok);
  CHECK(r.px == px("5"));
}

TEST_CASE("a market order is priced at the reference for minimum notional") {
  auto r = apply_instrument_rules(market(side::buy, "0.001"), btc_spec(),
                                  px("1000"));
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::below_min_notional);
  CHECK(r.detail == "notional 1 < min 5");
  r = apply_instrument_rules(market(side::sell, "0.0019"), btc_spec(),
                             px("5000"));
  REQUIRE(r.ok);
  CHECK(r.qty == qty("0.001"));
}

TEST_CASE("a market order without a reference skips the minimum notional") {
  auto r = apply_instrument_rules(market(side::buy, "0.0019"), btc_spec());
  REQUIRE(r.ok);
  CHECK(r.qty == qty("0.001"));
  CHECK(r.px == price{}); // passed through; venues ignore it
  r = apply_instrument_rules(market(side::buy, "0.0005"), btc_spec());
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::invalid_quantity);
}

TEST_CASE("an instrument without a positive tick or lot refuses orders") {
  auto spec = btc_spec();
  spec.lot = quantity{};
  auto r = apply_instrument_rules(limit(side::buy, "100", "1"), spec);
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::invalid_quantity);
  spec = btc_spec();
  spec.tick = price{};
  r = apply_instrument_rules(limit(side::buy, "100", "1"), spec);
  CHECK_FALSE(r.ok);
  CHECK(r.reason == reject_reason::invalid_price);
}
