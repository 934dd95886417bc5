#include <catch2/catch.hpp>

#include <optional>
#include <vector>

#include "venues/sim/order_faults.hpp"

using namespace agora;
using namespace agora::sim;

namespace {

constexpr nanos t0 = 1'700'000'000 * ns_per_s;
const symbol_id btc{"BTCUSDT"};
const symbol_id eth{"ETHUSDT"};

price px(const char* s) {
  return *price::parse(s);
}

quantity qty(const char* s) {
  return *quantity::parse(s);
}

instrument_spec btc_spec() {
  instrument_spec s;
  s.venue = venue_id{"sim"};
  s.symbol = btc;
  s.tick = px("0.1");
  s.lot = qty("0.001");
  s.min_notional = *notional::parse("5");
  s.maker_fee = *rate::parse("0.0002");
  s.taker_fee = *rate::parse("0.0004");
  return s;
}

sim_order limit(uint64_t cid, side sd, const char* p, const char* q,
                time_in_force tif = time_in_force::gtc) {
  return sim_order{client_order_id{cid}, sd, order_type::limit, tif, px(p), qty(q)};
}

} // namespace

TEST_CASE("order fault kinds parse from their names and nothing else") {
  CHECK(parse_order_fault("reject-next") == order_fault_kind::reject);
  CHECK(parse_order_fault("expire-next") == order_fault_kind::expire);
  CHECK(parse_order_fault("partial-next") == order_fault_kind::partial);
  CHECK_FALSE(parse_order_fault("stall"));
  CHECK_FALSE(parse_order_fault("reject"));
  CHECK_FALSE(parse_order_fault(""));
  CHECK(to_string(order_fault_kind::partial) == "partial-next");
}

TEST_CASE("armed order faults are one shot, first armed first, by symbol") {
  order_faults f;
  CHECK_FALSE(f.take(btc));
  f.arm(order_fault_kind::expire, eth);
  f.arm(order_fault_kind::reject, symbol_id{});
  f.arm(order_fault_kind::partial, btc);
  CHECK(f.armed() == 3);
  // BTCUSDT skips the ETHUSDT fault and takes the any-symbol one.
  CHECK(f.take(btc) == order_fault_kind::reject);
  CHECK(f.take(btc) == order_fault_kind::partial);
  CHECK_FALSE(f.take(btc));
  CHECK(f.take(eth) == order_fault_kind::expire);
  CHECK_FALSE(f.take(eth));
  CHECK(f.armed() == 0);
}

TEST_CASE("an injected reject refuses the order as the venue") {
  order_faults f;
  auto r = f.play(order_fault_kind::reject, limit(5, side::buy, "65000", "0.01"),
                  btc_spec(), std::nullopt, t0);
  REQUIRE(r.size() == 1);
  CHECK(r[0].what == exec_report::kind::rejected);
  CHECK(r[0].cid == client_order_id{5});
  CHECK(r[0].reason == reject_reason::venue_rejected);
  CHECK(r[0].detail == "injected reject");
  CHECK(r[0].venue_time == t0);
}

TEST_CASE("an injected expiry accepts the order and expires it without a fill") {
  order_faults f;
  auto r = f.play(order_fault_kind::expire,
                  limit(6, side::sell, "64000", "0.02", time_in_force::ioc),
                  btc_spec(), px("65000"), t0);
  REQUIRE(r.size() == 2);
  CHECK(r[0].what == exec_report::kind::accepted);
  CHECK(r[0].oid == order_id{order_faults::first_id});
  CHECK(r[0].px == px("64000"));
  CHECK(r[0].qty == qty("0.02"));
  CHECK(r[0].leaves_qty == qty("0.02"));
  CHECK(r[1].what == exec_report::kind::canceled);
  CHECK(r[1].oid == order_id{order_faults::first_id});
  CHECK(r[1].why == cancel_reason::expired);
  CHECK(r[1].cum_qty.is_zero());
  CHECK(r[1].qty == qty("0.02"));
}

TEST_CASE("an injected partial fill takes half the quantity floored to the lot at the limit price") {
  order_faults f;
  auto r = f.play(order_fault_kind::partial, limit(7, side::buy, "64000", "0.015"),
                  btc_spec(), px("65000.5"), t0);
  REQUIRE(r.size() == 3);
  CHECK(r[0].what == exec_report::kind::accepted);
  auto& fill = r[1];
  CHECK(fill.what == exec_report::kind::fill);
  CHECK(fill.cid == client_order_id{7});
  CHECK(fill.oid == order_id{order_faults::first_id});
  CHECK(fill.tid == trade_id{order_faults::first_id});
  CHECK(fill.px == px("64000"));
  CHECK(fill.qty == qty("0.007"));
  CHECK(fill.cum_qty == qty("0.007"));
  CHECK(fill.leaves_qty == qty("0.008"));
  // 64000 x 0.007 = 448 at the 4 bps taker fee.
  CHECK(fill.fee == *notional::parse("0.1792"));
  CHECK(fill.liq == liquidity::taker);
  CHECK(r[2].what == exec_report::kind::canceled);
  CHECK(r[2].why == cancel_reason::expired);
  CHECK(r[2].cum_qty == qty("0.007"));
  // Ids keep counting for the next injected order.
  auto again = f.play(order_fault_kind::partial, limit(8, side::sell, "66000", "0.002"),
                      btc_spec(), std::nullopt, t0);
  REQUIRE(again.size() == 3);
  CHECK(again[1].oid == order_id{order_faults::first_id + 1});
  CHECK(again[1].tid == trade_id{order_faults::first_id + 1});
  // Two lots: exactly one fills.
  CHECK(again[1].qty == qty("0.001"));
  CHECK(again[2].cum_qty == qty("0.001"));
}

TEST_CASE("an injected partial fill of one lot fills nothing and expires") {
  order_faults f;
  auto r = f.play(order_fault_kind::partial, limit(9, side::buy, "64000", "0.001"),
                  btc_spec(), std::nullopt, t0);
  REQUIRE(r.size() == 2);
  CHECK(r[0].what == exec_report::kind::accepted);
  CHECK(r[1].what == exec_report::kind::canceled);
  CHECK(r[1].why == cancel_reason::expired);
  CHECK(r[1].cum_qty.is_zero());
}

TEST_CASE("an injected partial fill of a market order trades at the touch") {
  order_faults f;
  sim_order o{client_order_id{10}, side::sell, order_type::market,
              time_in_force::ioc, price{}, qty("0.01")};
  auto r = f.play(order_fault_kind::partial, o, btc_spec(), px("64999.9"), t0);
  REQUIRE(r.size() == 3);
  CHECK(r[0].px == price{});
  CHECK(r[1].px == px("64999.9"));
  CHECK(r[1].qty == qty("0.005"));
  CHECK(r[2].px == price{});
  // No touch: nothing to take, as the venue says.
  auto none = f.play(order_fault_kind::partial, o, btc_spec(), std::nullopt, t0);
  REQUIRE(none.size() == 1);
  CHECK(none[0].what == exec_report::kind::rejected);
  CHECK(none[0].reason == reject_reason::no_liquidity);
}

TEST_CASE("an order the venue would refuse is refused under an expiry fault too") {
  order_faults f;
  auto spec = btc_spec();
  auto off_lot = f.play(order_fault_kind::expire, limit(11, side::buy, "64000", "0.0015"),
                        spec, std::nullopt, t0);
  REQUIRE(off_lot.size() == 1);
  CHECK(off_lot[0].reason == reject_reason::invalid_quantity);
  auto off_tick = f.play(order_fault_kind::expire, limit(12, side::buy, "64000.05", "0.01"),
                         spec, std::nullopt, t0);
  REQUIRE(off_tick.size() == 1);
  CHECK(off_tick[0].reason == reject_reason::invalid_price);
  auto small = f.play(order_fault_kind::partial, limit(13, side::buy, "1000", "0.001"),
                      spec, std::nullopt, t0);
  REQUIRE(small.size() == 1);
  CHECK(small[0].reason == reject_reason::below_min_notional);
  CHECK(small[0].detail == "notional 1 is below the minimum 5");
}
