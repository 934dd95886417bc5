#include <catch2/catch.hpp>

#include "actors/risk/risk_engine.hpp"

using namespace agora;

namespace {

price px(const char* s) {
  return price::parse(s).value();
}

quantity qty(const char* s) {
  return quantity::parse(s).value();
}

notional cash(const char* s) {
  return notional::parse(s).value();
}

const venue_id sim{"sim"};

submit_order order(uint64_t cid, const char* sym, side sd, const char* p,
                   const char* q) {
  submit_order o;
  o.cid = client_order_id{cid};
  o.venue = sim;
  o.symbol = symbol_id{sym};
  o.sd = sd;
  o.type = order_type::limit;
  o.px = px(p);
  o.qty = qty(q);
  return o;
}

submit_order market(uint64_t cid, const char* sym, side sd, const char* q) {
  auto o = order(cid, sym, sd, "0", q);
  o.type = order_type::market;
  return o;
}

order_filled fill(uint64_t cid, const char* sym, side sd, const char* p,
                  const char* q) {
  order_filled f;
  f.cid = client_order_id{cid};
  f.venue = sim;
  f.symbol = symbol_id{sym};
  f.sd = sd;
  f.fill_px = px(p);
  f.fill_qty = qty(q);
  return f;
}

} // namespace

TEST_CASE("max order notional allows exactly the limit, not a unit more") {
  risk_engine r{risk_limits{}};
  auto d = r.check(order(1, "BTCUSDT", side::buy, "100", "50"));
  CHECK(d.allowed);
  d = r.check(order(1, "BTCUSDT", side::buy, "100", "50.00000001"));
  CHECK_FALSE(d.allowed);
  CHECK(d.reason == reject_reason::max_order_notional);
  CHECK(d.detail == "order 5000.000001 > max 5000");
  d = r.check(order(1, "BTCUSDT", side::sell, "6000", "1"));
  CHECK(d.reason == reject_reason::max_order_notional);
  CHECK(d.detail == "order 6000 > max 5000");
}

TEST_CASE("the position cap trips only when the order increases the position") {
  risk_engine r{risk_limits{}};
  r.on_fill(fill(1, "BTCUSDT", side::buy, "100", "195")); // 19'500
  CHECK(r.check(order(2, "BTCUSDT", side::buy, "100", "5")).allowed);
  auto d = r.check(order(2, "BTCUSDT", side::buy, "100", "5.00000001"));
  CHECK_FALSE(d.allowed);
  CHECK(d.reason == reject_reason::position_cap);
  CHECK(d.detail == "position 20000.000001 > max 20000");
  // Priced at the order's price: 196 x 102.05 = 20'001.8.
  d = r.check(order(2, "BTCUSDT", side::buy, "102.05", "1"));
  CHECK(d.reason == reject_reason::position_cap);
  CHECK(d.detail == "position 20001.8 > max 20000");
  // Above the cap, reducing is still allowed.
  auto tight = r.limits();
  tight.max_position_notional = notional::from_units(1'000);
  r.set_limits(tight);
  CHECK(r.limits().max_position_notional == cash("1000"));
  CHECK(r.check(order(3, "BTCUSDT", side::sell, "100", "10")).allowed);
  CHECK(r.check(order(3, "BTCUSDT", side::buy, "100", "1")).reason
        == reject_reason::position_cap);
}

TEST_CASE("a flip that makes the position larger is held to the cap") {
  risk_limits limits;
  limits.max_order_notional = notional::from_units(100'000);
  risk_engine r{limits};
  r.on_fill(fill(1, "BTCUSDT", side::buy, "100", "100"));
  // Sell 300: long 100 -> short 200, |after| 200 x 100 = 20'000: allowed.
  CHECK(r.check(order(2, "BTCUSDT", side::sell, "100", "300")).allowed);
  // Sell 301: short 201 -> 20'100.
  auto d = r.check(order(2, "BTCUSDT", side::sell, "100", "301"));
  CHECK(d.reason == reject_reason::position_cap);
  CHECK(d.detail == "position 20100 > max 20000");
  // Sell 150: long 100 -> short 50, smaller: no cap check.
  CHECK(r.check(order(2, "BTCUSDT", side::sell, "100", "150")).allowed);
}

TEST_CASE("gross exposure counts positions at mark, open orders and the order") {
  risk_engine r{risk_limits{}};
  r.on_fill(fill(1, "BTCUSDT", side::buy, "100", "190"));  // 19'000
  r.on_fill(fill(2, "ETHUSDT", side::sell, "3000", "6"));  // 18'000
  r.on_sent(order(3, "SOLUSDT", side::buy, "100", "45"));  // 4'500 open
  r.on_sent(order(4, "XRPUSDT", side::sell, "0.5", "9000")); // 4'500 open
  CHECK(r.open_order_exposure() == cash("9000"));
  CHECK(r.positions().gross_exposure() == cash("37000"));
  // 37'000 + 9'000 + 4'000 = 50'000: allowed; one unit more is not.
  CHECK(r.check(order(5, "ADAUSDT", side::buy, "100", "40")).allowed);
  auto d = r.check(order(5, "ADAUSDT", side::buy, "100", "40.00000001"));
  CHECK_FALSE(d.allowed);
  CHECK(d.reason == reject_reason::gross_exposure);
  CHECK(d.detail == "gross 50000.000001 > max 50000");
  // Marks move exposure: ETH at 3100 is 18'600.
  r.mark(sim, symbol_id{"ETHUSDT"}, px("3100"));
  d = r.check(order(5, "ADAUSDT", side::buy, "100", "40"));
  CHECK(d.detail == "gross 50600 > max 50000");
  // Orders that reduce a position are not held to it.
  CHECK(r.check(order(6, "ETHUSDT", side::buy, "3100", "1")).allowed);
}

TEST_CASE("a halt denies everything, reducing orders too") {
  risk_engine r{risk_limits{}};
  r.on_fill(fill(1, "BTCUSDT", side::buy, "100", "1"));
  REQUIRE(r.set_state(trading_state::halted, "daily loss"));
  for (auto sd : {side::buy, side::sell}) {
    auto d = r.check(order(2, "BTCUSDT", sd, "100", "0.5"));
    CHECK_FALSE(d.allowed);
    CHECK(d.reason == reject_reason::trading_halted);
    CHECK(d.detail == "trading halted: daily loss");
  }
  // Halted comes before every other check.
  auto d = r.check(order(3, "BTCUSDT", side::buy, "0", "-1"));
  CHECK(d.reason == reject_reason::trading_halted);
  d = r.check(market(3, "ETHUSDT", side::buy, "1000"));
  CHECK(d.reason == reject_reason::trading_halted);
}

TEST_CASE("reducing allows only orders that strictly reduce the position") {
  risk_engine r{risk_limits{}};
  r.on_fill(fill(1, "BTCUSDT", side::buy, "100", "2"));
  r.on_fill(fill(2, "ETHUSDT", side::sell, "100", "3"));
  REQUIRE(r.set_state(trading_state::reducing, "drawdown"));
  CHECK(r.check(order(3, "BTCUSDT", side::sell, "100", "1")).allowed);
  CHECK(r.check(order(3, "BTCUSDT", side::sell, "100", "2")).allowed);
  CHECK(r.check(order(3, "ETHUSDT", side::buy, "100", "3")).allowed);
  auto d = r.check(order(3, "BTCUSDT", side::sell, "100", "2.00000001"));
  CHECK(d.reason == reject_reason::reduce_only); // would flip
  d = r.check(order(3, "BTCUSDT", side::buy, "100", "0.1"));
  CHECK(d.reason == reject_reason::reduce_only);
  CHECK(d.detail == "state reducing: buy 0.1 does not reduce position 2");
  d = r.check(order(3, "ETHUSDT", side::sell, "100", "1"));
  CHECK(d.reason == reject_reason::reduce_only);
  d = r.check(order(3, "SOLUSDT", side::buy, "100", "1")); // flat
  CHECK(d.reason == reject_reason::reduce_only);
  // REDUCING comes before the notional limit.
  d = r.check(order(3, "SOLUSDT", side::buy, "100000", "1"));
  CHECK(d.reason == reject_reason::reduce_only);
  // Reducing orders are still held to the order notional limit.
  d = r.check(order(3, "BTCUSDT", side::sell, "3000", "2"));
  CHECK(d.reason == reject_reason::max_order_notional);
  CHECK(d.detail == "order 6000 > max 5000");
}

TEST_CASE("a reduce-only order that would not reduce is denied") {
  risk_engine r{risk_limits{}};
  r.on_fill(fill(1, "BTCUSDT", side::buy, "100", "2"));
  auto o = order(2, "BTCUSDT", side::sell, "100", "1");
  o.reduce_only = true;
  CHECK(r.check(o).allowed);
  o.qty = qty("3");
  auto d = r.check(o);
  CHECK(d.reason == reject_reason::reduce_only);
  CHECK(d.detail == "reduce-only sell 3 does not reduce position 2");
  o.sd = side::buy;
  o.qty = qty("1");
  CHECK(r.check(o).reason == reject_reason::reduce_only);
  o.sd = side::sell;
  o.symbol = symbol_id{"ETHUSDT"};
  CHECK(r.check(o).reason == reject_reason::reduce_only);
}

TEST_CASE("a market order is priced at its reference") {
  risk_engine r{risk_limits{}};
  auto d = r.check(market(1, "BTCUSDT", side::buy, "1"), px("5000"));
  CHECK(d.allowed);
  d = r.check(market(1, "BTCUSDT", side::buy, "1"), px("5000.00000001"));
  CHECK(d.reason == reject_reason::max_order_notional);
  CHECK(d.detail == "order 5000.00000001 > max 5000");
  // Without a reference it cannot be priced: denied unless it reduces.
  d = r.check(market(1, "BTCUSDT", side::buy, "1"));
  CHECK(d.reason == reject_reason::invalid_price);
  r.on_fill(fill(2, "BTCUSDT", side::buy, "100", "1"));
  CHECK(r.check(market(3, "BTCUSDT", side::sell, "1")).allowed);
  CHECK(r.check(market(3, "BTCUSDT", side::sell, "1.5")).reason
        == reject_reason::invalid_price);
}

TEST_CASE("malformed orders are denied before the limits") {
  risk_engine r{risk_limits{}};
  auto d = r.check(order(1, "BTCUSDT", side::buy, "100", "0"));
  CHECK(d.reason == reject_reason::invalid_quantity);
  d = r.check(order(1, "BTCUSDT", side::buy, "0", "1"));
  CHECK(d.reason == reject_reason::invalid_price);
}

TEST_CASE("open-order exposure is counted when sent, released on fill and done") {
  risk_engine r{risk_limits{}};
  r.on_sent(order(1, "BTCUSDT", side::buy, "100", "10"));
  r.on_sent(market(2, "ETHUSDT", side::sell, "2"), px("3000"));
  CHECK(r.open_order_exposure() == cash("7000"));
  CHECK(r.open_orders() == 2);
  r.on_fill(fill(1, "BTCUSDT", side::buy, "99.5", "4"));
  CHECK(r.open_order_exposure() == cash("6600")); // 6 x 100 + 6'000
  CHECK(r.positions().position(sim, symbol_id{"BTCUSDT"}) == qty("4"));
  r.on_done(client_order_id{1});
  CHECK(r.open_order_exposure() == cash("6000"));
  r.on_done(client_order_id{1}); // again: nothing left
  CHECK(r.open_order_exposure() == cash("6000"));
  r.on_fill(fill(2, "ETHUSDT", side::sell, "3001", "2"));
  CHECK(r.open_order_exposure() == notional{});
  CHECK(r.open_orders() == 0);
  // A fill of an order risk never saw still moves the position.
  r.on_fill(fill(9, "ETHUSDT", side::buy, "3000", "1"));
  CHECK(r.positions().position(sim, symbol_id{"ETHUSDT"}) == qty("-1"));
  CHECK(r.open_order_exposure() == notional{});
  // Re-sending a cid replaces its exposure instead of adding to it.
  r.on_sent(order(5, "BTCUSDT", side::buy, "100", "1"));
  r.on_sent(order(5, "BTCUSDT", side::buy, "100", "2"));
  CHECK(r.open_order_exposure() == cash("200"));
}

TEST_CASE("the epoch increments on every state change and only then") {
  risk_engine r{risk_limits{}};
  CHECK(r.state() == trading_state::active);
  CHECK(r.epoch() == 0);
  CHECK(r.set_state(trading_state::reducing, "drawdown 2%"));
  CHECK(r.epoch() == 1);
  CHECK(r.state_reason() == "drawdown 2%");
  CHECK_FALSE(r.set_state(trading_state::reducing, "again"));
  CHECK(r.epoch() == 1);
  CHECK(r.state_reason() == "drawdown 2%");
  CHECK(r.set_state(trading_state::halted, "cli"));
  CHECK(r.set_state(trading_state::active, "resume by cli"));
  CHECK(r.epoch() == 3);
  CHECK(r.state() == trading_state::active);
  CHECK(r.check(order(1, "BTCUSDT", side::buy, "100", "1")).allowed);
}
