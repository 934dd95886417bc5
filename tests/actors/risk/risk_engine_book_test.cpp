#include <catch2/catch.hpp>

#include "actors/risk/risk_engine.hpp"

// The risk book's additions to the engine: scoped states, group caps, the
// flip guard, emergency orders and macro windows.

using namespace agora;

namespace {

price px(const char* s) {
  return price::parse(s).value();
}

quantity qty(const char* s) {
  return quantity::parse(s).value();
}

const venue_id sim{"sim"};
const venue_id bnb{"binance"};

submit_order order(uint64_t cid, const char* sym, side sd, const char* p,
                   const char* q, const venue_id& v = sim) {
  submit_order o;
  o.cid = client_order_id{cid};
  o.venue = v;
  o.symbol = symbol_id{sym};
  o.sd = sd;
  o.type = order_type::limit;
  o.px = px(p);
  o.qty = qty(q);
  o.strategy = "mr";
  return o;
}

order_filled fill(uint64_t cid, const char* sym, side sd, const char* p,
                  const char* q, const venue_id& v = sim) {
  order_filled f;
  f.cid = client_order_id{cid};
  f.venue = v;
  f.symbol = symbol_id{sym};
  f.sd = sd;
  f.fill_px = px(p);
  f.fill_qty = qty(q);
  return f;
}

risk_limits grouped() {
  risk_limits l;
  l.symbol_groups = {{"BTCUSDT", "majors"},
                     {"ETHUSDT", "majors"},
                     {"SOLUSDT", "majors"},
                     {"DOGEUSDT", "memes"}};
  l.max_open_positions_per_group = {{"majors", 2}};
  return l;
}

constexpr nanos t0 = 1'800'000'000 * ns_per_s;

} // namespace

TEST_CASE("a halt at a narrower scope denies only the orders in that scope") {
  risk_engine r{risk_limits{}};
  REQUIRE(
      r.set_scope_state(trading_scopes::symbol_scope(sim, symbol_id{"BTCUSDT"}),
                        trading_state::halted, "bad prints", "cli", t0));
  CHECK(r.epoch() == 1);
  auto d = r.check(order(1, "BTCUSDT", side::buy, "100", "1"));
  CHECK(d.reason == reject_reason::trading_halted);
  CHECK(d.detail == "trading halted at symbol:sim/BTCUSDT: bad prints");
  CHECK(r.check(order(2, "ETHUSDT", side::buy, "100", "1")).allowed);
  CHECK(r.check(order(3, "BTCUSDT", side::buy, "100", "1", bnb)).allowed);
  CHECK(r.state() == trading_state::active);
}

TEST_CASE(
    "a REDUCING strategy scope allows only reducing orders of that strategy") {
  risk_engine r{risk_limits{}};
  r.on_fill(fill(1, "BTCUSDT", side::buy, "100", "2"));
  REQUIRE(r.set_scope_state(trading_scopes::strategy_scope("mr"),
                            trading_state::reducing, "review", "cli", t0));
  auto d = r.check(order(2, "BTCUSDT", side::buy, "100", "1"));
  CHECK(d.reason == reject_reason::reduce_only);
  CHECK(d.detail
        == "state reducing at strategy:mr: buy 1 does not reduce position 2");
  CHECK(r.check(order(3, "BTCUSDT", side::sell, "100", "2")).allowed);
  auto other = order(4, "BTCUSDT", side::buy, "100", "1");
  other.strategy = "basis";
  CHECK(other.strategy != "mr");
  CHECK(r.check(other).allowed);
}

TEST_CASE("an emergency order that strictly reduces passes a global halt") {
  risk_engine r{risk_limits{}};
  r.on_fill(fill(1, "BTCUSDT", side::buy, "100", "2"));
  REQUIRE(r.set_state(trading_state::halted, "operator", "cli", t0));
  auto unwind = order(2, "BTCUSDT", side::sell, "100", "2");
  CHECK(r.check(unwind).reason == reject_reason::trading_halted);
  unwind.emergency = true;
  CHECK(r.check(unwind).allowed);
  // An emergency order that would flip or add is refused like any other.
  auto flip = order(3, "BTCUSDT", side::sell, "100", "2.00000001");
  flip.emergency = true;
  CHECK(r.check(flip).reason == reject_reason::trading_halted);
  auto add = order(4, "BTCUSDT", side::buy, "100", "0.1");
  add.emergency = true;
  CHECK(r.check(add).reason == reject_reason::trading_halted);
}

TEST_CASE("an emergency unwind also passes REDUCING and a macro window") {
  risk_engine r{risk_limits{}};
  r.on_fill(fill(1, "BTCUSDT", side::sell, "100", "1"));
  REQUIRE(r.set_state(trading_state::reducing, "macro window", "macro", t0));
  r.set_macro_window("US CPI");
  auto unwind = order(2, "BTCUSDT", side::buy, "100", "1");
  unwind.emergency = true;
  CHECK(r.check(unwind).allowed);
}

TEST_CASE("a macro window denies entries and allows exits") {
  risk_engine r{risk_limits{}};
  r.on_fill(fill(1, "BTCUSDT", side::buy, "100", "1"));
  r.set_macro_window("US CPI");
  auto d = r.check(order(2, "ETHUSDT", side::buy, "100", "1"));
  CHECK(d.reason == reject_reason::macro_window);
  CHECK(d.detail
        == "macro window: US CPI: no new entries (buy 1 on position 0)");
  CHECK(r.check(order(3, "BTCUSDT", side::buy, "100", "0.5")).reason
        == reject_reason::macro_window);
  CHECK(r.check(order(4, "BTCUSDT", side::sell, "100", "1")).allowed);
  CHECK(r.check(order(5, "BTCUSDT", side::sell, "100", "1.5")).reason
        == reject_reason::macro_window);
  r.clear_macro_window();
  CHECK(r.check(order(6, "ETHUSDT", side::buy, "100", "1")).allowed);
}

TEST_CASE(
    "a group at its cap refuses a new position but not adding to an open one") {
  risk_engine r{grouped()};
  r.on_fill(fill(1, "BTCUSDT", side::buy, "100", "1"));
  CHECK(r.group_open_positions("majors") == 1);
  CHECK(r.check(order(2, "ETHUSDT", side::buy, "100", "1")).allowed);
  r.on_fill(fill(2, "ETHUSDT", side::sell, "100", "1", bnb));
  CHECK(r.group_open_positions("majors") == 2);
  auto d = r.check(order(3, "SOLUSDT", side::buy, "10", "1"));
  CHECK(d.reason == reject_reason::group_cap);
  CHECK(d.detail == "group majors holds 2 open position(s), max 2");
  // Adding to an open position, or another group, or an ungrouped symbol.
  CHECK(r.check(order(4, "BTCUSDT", side::buy, "100", "1")).allowed);
  CHECK(r.check(order(5, "DOGEUSDT", side::buy, "1", "1")).allowed);
  CHECK(r.check(order(6, "ADAUSDT", side::buy, "1", "1")).allowed);
  // Closing one frees a slot.
  r.on_fill(fill(7, "BTCUSDT", side::sell, "100", "1"));
  CHECK(r.check(order(8, "SOLUSDT", side::buy, "10", "1")).allowed);
}

TEST_CASE("opening orders in flight count against the group cap") {
  risk_engine r{grouped()};
  r.on_sent(order(1, "BTCUSDT", side::buy, "100", "1"));
  r.on_sent(order(2, "ETHUSDT", side::buy, "100", "1"));
  CHECK(r.group_open_positions("majors") == 2);
  CHECK(r.check(order(3, "SOLUSDT", side::buy, "10", "1")).reason
        == reject_reason::group_cap);
  // A second entry on a symbol already in flight is not a new position.
  CHECK(r.check(order(4, "BTCUSDT", side::buy, "100", "1")).allowed);
  r.on_done(client_order_id{2});
  CHECK(r.check(order(5, "SOLUSDT", side::buy, "10", "1")).allowed);
}

TEST_CASE("the flip guard denies a reduction when the venue is flat and "
          "proposes the correction") {
  risk_engine r{risk_limits{}};
  r.on_fill(fill(1, "BTCUSDT", side::buy, "100", "0.5"));
  r.venue_position(sim, symbol_id{"BTCUSDT"}, quantity{}, t0);
  auto d = r.check(order(2, "BTCUSDT", side::sell, "100", "0.5"), std::nullopt,
                   t0 + 10 * ns_per_s);
  CHECK(d.reason == reject_reason::position_mismatch);
  CHECK(d.detail
        == "venue holds 0, our record 0.5: sell 0.5 would open a position on "
           "the venue");
  REQUIRE(d.correction);
  CHECK(d.correction->venue == sim);
  CHECK(d.correction->symbol == symbol_id{"BTCUSDT"});
  CHECK(d.correction->ours == qty("0.5"));
  CHECK(d.correction->venue_qty == quantity{});
  // An emergency unwind is guarded too.
  auto e = order(3, "BTCUSDT", side::sell, "100", "0.5");
  e.emergency = true;
  CHECK(r.check(e, std::nullopt, t0).reason
        == reject_reason::position_mismatch);
  // Entries are not the guard's business.
  CHECK(r.check(order(4, "BTCUSDT", side::buy, "100", "0.1"), std::nullopt, t0)
            .allowed);
  // Once corrected, the venue and we agree: flat.
  r.adjust(sim, symbol_id{"BTCUSDT"},
           d.correction->venue_qty - d.correction->ours);
  CHECK(r.positions().position(sim, symbol_id{"BTCUSDT"}).is_zero());
}

TEST_CASE("the flip guard trusts only a fresh venue position of the other sign "
          "or flat") {
  risk_engine r{risk_limits{}};
  r.on_fill(fill(1, "BTCUSDT", side::buy, "100", "0.5"));
  r.venue_position(sim, symbol_id{"BTCUSDT"}, qty("-0.2"), t0);
  auto sell = order(2, "BTCUSDT", side::sell, "100", "0.5");
  CHECK(r.check(sell, std::nullopt, t0 + 60 * ns_per_s).reason
        == reject_reason::position_mismatch);
  // Older than 60 s: not trusted.
  CHECK(r.check(sell, std::nullopt, t0 + 60 * ns_per_s + 1).allowed);
  // Same sign (even a different size): not a flip.
  r.venue_position(sim, symbol_id{"BTCUSDT"}, qty("0.3"), t0);
  CHECK(r.check(sell, std::nullopt, t0).allowed);
}
