#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "actors/strategy/two_leg.hpp"

using namespace agora;

namespace {

constexpr nanos t0 = 1'700'000'000 * ns_per_s;
constexpr nanos ms = ns_per_ms;
constexpr uint64_t cid_base = 7000;
constexpr uint64_t leg1 = cid_base + 1; ///< Client id of the first leg (spot buy).
constexpr uint64_t leg2 = cid_base + 2; ///< Client id of the second leg (perp sell).

const venue_id sim{"sim"};
const symbol_id spot{"BTCUSDT"};
const symbol_id perp{"BTCUSDT-PERP"};

price px(const char* text) {
  return *price::parse(text);
}

quantity qty(const char* text) {
  return *quantity::parse(text);
}

notional cash(const char* text) {
  return *notional::parse(text);
}

instrument_spec make_spec(const symbol_id& symbol, bool perpetual) {
  instrument_spec s;
  s.venue = sim;
  s.symbol = symbol;
  s.tick = px("0.1");
  s.lot = qty("0.001");
  s.min_notional = notional::from_units(5);
  s.maker_fee = *rate::parse("0.0002");
  s.taker_fee = *rate::parse("0.0004");
  s.perpetual = perpetual;
  return s;
}

/// Buy 0.015 BTCUSDT spot at 65000, sell 0.015 BTCUSDT-PERP at 65050, both
/// `tif`, 2 s to fill.
two_leg_request make_request(time_in_force tif = time_in_force::ioc) {
  two_leg_request r;
  r.trade = 42;
  r.strategy = "basis:BTCUSDT";
  r.purpose = "open";
  r.legs.push_back(leg_order{sim, spot, side::buy, tif, px("65000"), qty("0.015"), false});
  r.legs.push_back(leg_order{sim, perp, side::sell, tif, px("65050"), qty("0.015"), false});
  r.deadline = 2 * ns_per_s;
  r.local_time = t0;
  return r;
}

two_leg make_trade(time_in_force tif = time_in_force::ioc,
                   two_leg_params p = {}) {
  return two_leg{make_request(tif),
                 {make_spec(spot, false), make_spec(perp, true)}, cid_base, p};
}

order_accepted accepted(uint64_t cid, nanos t) {
  order_accepted e;
  e.cid = client_order_id{cid};
  e.oid = order_id{cid + 100};
  e.venue = sim;
  e.local_time = t;
  return e;
}

order_filled filled(uint64_t cid, const char* fill_px, const char* fill_qty,
                    const char* cum, const char* leaves, const char* fee,
                    nanos t) {
  order_filled e;
  e.cid = client_order_id{cid};
  e.oid = order_id{cid + 100};
  e.venue = sim;
  e.fill_px = px(fill_px);
  e.fill_qty = qty(fill_qty);
  e.cum_qty = qty(cum);
  e.leaves_qty = qty(leaves);
  e.fee = cash(fee);
  e.local_time = t;
  return e;
}

order_canceled canceled(uint64_t cid, const char* cum, cancel_reason why,
                        nanos t) {
  order_canceled e;
  e.cid = client_order_id{cid};
  e.oid = order_id{cid + 100};
  e.venue = sim;
  e.cum_qty = qty(cum);
  e.reason = why;
  e.local_time = t;
  return e;
}

order_rejected rejected(uint64_t cid, reject_reason why, std::string detail,
                        nanos t) {
  order_rejected e;
  e.cid = client_order_id{cid};
  e.venue = sim;
  e.reason = why;
  e.detail = std::move(detail);
  e.local_time = t;
  return e;
}

/// Starts `tl` and fills its first leg (spot buy 0.015 at 65000, fee 0.39).
void start_and_fill_first(two_leg& tl) {
  auto a = tl.start(t0);
  REQUIRE(a.orders.size() == 2);
  CHECK(tl.on_accepted(accepted(leg1, t0 + 1 * ms)).empty());
  CHECK(tl.on_filled(filled(leg1, "65000", "0.015", "0.015", "0", "0.39",
                            t0 + 2 * ms))
          .empty());
}

/// Checks `o` is an emergency market IOC unwind.
void check_unwind(const submit_order& o, uint64_t cid, const symbol_id& symbol,
                  side sd, const char* q, price ref, bool reduce_only,
                  nanos t) {
  CHECK(o.cid == client_order_id{cid});
  CHECK(o.venue == sim);
  CHECK(o.symbol == symbol);
  CHECK(o.sd == sd);
  CHECK(o.type == order_type::market);
  CHECK(o.tif == time_in_force::ioc);
  CHECK(o.qty == qty(q));
  CHECK(o.px == ref);
  CHECK(o.reduce_only == reduce_only);
  CHECK(o.emergency);
  CHECK(o.strategy == "basis:BTCUSDT");
  CHECK(o.local_time == t);
}

} // namespace

TEST_CASE("both legs leave together as limit orders with the legs' fields") {
  auto tl = make_trade(time_in_force::post_only);
  auto a = tl.start(t0);
  REQUIRE(a.orders.size() == 2);
  CHECK(a.cancels.empty());
  CHECK_FALSE(a.finished);
  CHECK_FALSE(a.leg_risk);
  auto& o1 = a.orders[0];
  CHECK(o1.cid == client_order_id{leg1});
  CHECK(o1.venue == sim);
  CHECK(o1.symbol == spot);
  CHECK(o1.sd == side::buy);
  CHECK(o1.type == order_type::limit);
  CHECK(o1.tif == time_in_force::post_only);
  CHECK(o1.px == px("65000"));
  CHECK(o1.qty == qty("0.015"));
  CHECK_FALSE(o1.reduce_only);
  CHECK_FALSE(o1.emergency);
  CHECK(o1.strategy == "basis:BTCUSDT");
  CHECK(o1.local_time == t0);
  auto& o2 = a.orders[1];
  CHECK(o2.cid == client_order_id{leg2});
  CHECK(o2.symbol == perp);
  CHECK(o2.sd == side::sell);
  CHECK(o2.px == px("65050"));
  CHECK(tl.deadline_at() == t0 + 2 * ns_per_s);
  CHECK(tl.ours(client_order_id{leg1}));
  CHECK(tl.ours(client_order_id{leg2}));
  CHECK_FALSE(tl.ours(client_order_id{cid_base + 3}));
  CHECK_FALSE(tl.done());
  // Starting twice sends nothing more.
  CHECK(tl.start(t0 + 1).empty());
  CHECK(tl.start(t0 + 1).orders.empty());
}

TEST_CASE("both legs filling completely ends hedged with nothing to unwind") {
  auto tl = make_trade();
  start_and_fill_first(tl);
  CHECK(tl.on_accepted(accepted(leg2, t0 + 1 * ms)).empty());
  auto a = tl.on_filled(filled(leg2, "65050", "0.015", "0.015", "0", "0.39",
                               t0 + 3 * ms));
  CHECK(a.orders.empty());
  CHECK(a.cancels.empty());
  CHECK_FALSE(a.leg_risk);
  REQUIRE(a.finished);
  auto& r = *a.finished;
  CHECK(r.outcome == two_leg_outcome::filled);
  CHECK(r.trade == 42);
  CHECK(r.strategy == "basis:BTCUSDT");
  CHECK(r.purpose == "open");
  CHECK(r.started == t0);
  CHECK(r.legs_sent == t0);
  CHECK(r.finished == t0 + 3 * ms);
  REQUIRE(r.legs.size() == 2);
  CHECK(r.legs[0].cid == client_order_id{leg1});
  CHECK(r.legs[0].filled == qty("0.015"));
  CHECK(r.legs[0].avg_px == px("65000"));
  CHECK(r.legs[0].fees == cash("0.39"));
  CHECK(r.legs[0].status == order_status::filled);
  CHECK(r.legs[1].filled == qty("0.015"));
  CHECK(r.legs[1].avg_px == px("65050"));
  CHECK(r.legs[1].status == order_status::filled);
  CHECK(r.unwinds.empty());
  CHECK(r.detail
        == "leg 1 BTCUSDT buy 0.015/0.015 filled at 65000; leg 2 BTCUSDT-PERP "
           "sell 0.015/0.015 filled at 65050 -> hedged");
  CHECK(a.detail == r.detail);
  CHECK(tl.done());
  CHECK(tl.exposure().is_zero());
  // Nothing happens after the end.
  CHECK(tl.on_timer(t0 + 5 * ns_per_s, std::nullopt, std::nullopt).empty());
  CHECK(tl.on_deadline(t0 + 2 * ns_per_s).empty());
}

TEST_CASE("neither leg filling ends with nothing to unwind") {
  auto tl = make_trade();
  tl.start(t0);
  // The first IOC leg ends empty while the second is still on its way: the
  // second is cancelled at once.
  auto a = tl.on_canceled(canceled(leg1, "0", cancel_reason::ioc_remainder, t0 + 2 * ms));
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].cid == client_order_id{leg2});
  CHECK(a.cancels[0].venue == sim);
  CHECK(a.cancels[0].symbol == perp);
  CHECK(a.cancels[0].strategy == "basis:BTCUSDT");
  CHECK(a.cancels[0].local_time == t0 + 2 * ms);
  CHECK_FALSE(a.finished);
  CHECK_FALSE(a.leg_risk);
  auto b = tl.on_canceled(canceled(leg2, "0", cancel_reason::ioc_remainder, t0 + 3 * ms));
  CHECK(b.orders.empty());
  CHECK(b.cancels.empty());
  CHECK_FALSE(b.leg_risk);
  REQUIRE(b.finished);
  CHECK(b.finished->outcome == two_leg_outcome::none);
  CHECK(b.finished->legs[0].status == order_status::canceled);
  CHECK(b.finished->legs[1].status == order_status::canceled);
  CHECK(b.finished->detail
        == "leg 1 BTCUSDT buy 0/0.015 canceled (ioc_remainder); leg 2 "
           "BTCUSDT-PERP sell 0/0.015 canceled (ioc_remainder) -> nothing filled");
}

TEST_CASE("both legs filling the same part is a hedged partial, not leg risk") {
  auto tl = make_trade();
  tl.start(t0);
  tl.on_filled(filled(leg1, "65000", "0.01", "0.01", "0.005", "0.26", t0 + 1 * ms));
  tl.on_filled(filled(leg2, "65050", "0.01", "0.01", "0.005", "0.26", t0 + 1 * ms));
  auto a = tl.on_canceled(canceled(leg1, "0.01", cancel_reason::ioc_remainder, t0 + 2 * ms));
  // The first leg failed (partly filled) while the second works: cancel it.
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].cid == client_order_id{leg2});
  auto b = tl.on_canceled(canceled(leg2, "0.01", cancel_reason::ioc_remainder, t0 + 3 * ms));
  CHECK(b.orders.empty());
  CHECK_FALSE(b.leg_risk);
  REQUIRE(b.finished);
  CHECK(b.finished->outcome == two_leg_outcome::filled);
  CHECK(b.finished->legs[0].filled == qty("0.01"));
  CHECK(b.finished->legs[1].filled == qty("0.01"));
  CHECK(b.finished->detail
        == "leg 1 BTCUSDT buy 0.01/0.015 canceled at 65000 (ioc_remainder); "
           "leg 2 BTCUSDT-PERP sell 0.01/0.015 canceled at 65050 "
           "(ioc_remainder) -> hedged (partial fills)");
}

TEST_CASE("second leg rejected after the first filled unwinds the first with a market sell") {
  auto tl = make_trade();
  tl.set_reference(0, px("65010"));
  start_and_fill_first(tl);
  auto a = tl.on_rejected(rejected(leg2, reject_reason::post_only_would_cross,
                                   "price 65050 would cross", t0 + 4 * ms));
  // The first leg is already terminal: nothing to cancel.
  CHECK(a.cancels.empty());
  CHECK(a.leg_risk);
  CHECK_FALSE(a.finished);
  CHECK(a.detail
        == "leg risk: leg 1 BTCUSDT buy 0.015/0.015 filled at 65000; leg 2 "
           "BTCUSDT-PERP sell 0/0.015 rejected (POST_ONLY_WOULD_CROSS: price "
           "65050 would cross); exposure +0.015 -> unwinding sell 0.015 "
           "BTCUSDT at market");
  REQUIRE(a.orders.size() == 1);
  check_unwind(a.orders[0], cid_base + 3, spot, side::sell, "0.015",
               px("65010"), false, t0 + 4 * ms);
  CHECK(tl.ours(client_order_id{cid_base + 3}));
  auto mid = tl.snapshot(t0 + 5 * ms);
  CHECK(mid.outcome == two_leg_outcome::none);
  CHECK(mid.finished == t0 + 5 * ms);
  REQUIRE(mid.unwinds.size() == 1);
  CHECK(mid.unwinds[0].status == order_status::pending_new);
  CHECK(tl.on_accepted(accepted(cid_base + 3, t0 + 5 * ms)).empty());
  auto b = tl.on_filled(filled(cid_base + 3, "65009.9", "0.015", "0.015", "0",
                               "0.39", t0 + 6 * ms));
  CHECK_FALSE(b.leg_risk);
  CHECK(b.orders.empty());
  REQUIRE(b.finished);
  auto& r = *b.finished;
  CHECK(r.outcome == two_leg_outcome::unwound);
  CHECK(r.finished == t0 + 6 * ms);
  REQUIRE(r.unwinds.size() == 1);
  CHECK(r.unwinds[0].cid == client_order_id{cid_base + 3});
  CHECK(r.unwinds[0].sd == side::sell);
  CHECK(r.unwinds[0].filled == qty("0.015"));
  CHECK(r.unwinds[0].avg_px == px("65009.9"));
  CHECK(r.unwinds[0].status == order_status::filled);
  CHECK(r.legs[1].status == order_status::rejected);
  CHECK(r.legs[1].detail == "POST_ONLY_WOULD_CROSS: price 65050 would cross");
  CHECK(r.detail
        == "leg 1 BTCUSDT buy 0.015/0.015 filled at 65000; leg 2 BTCUSDT-PERP "
           "sell 0/0.015 rejected (POST_ONLY_WOULD_CROSS: price 65050 would "
           "cross) -> unwound sell 0.015");
  CHECK(b.detail == r.detail);
  CHECK(tl.exposure().is_zero());
  CHECK(tl.done());
}

TEST_CASE("second leg expiring after the first filled is leg risk") {
  auto tl = make_trade(time_in_force::gtc);
  start_and_fill_first(tl);
  tl.on_accepted(accepted(leg2, t0 + 1 * ms));
  auto a = tl.on_canceled(canceled(leg2, "0", cancel_reason::expired, t0 + 4 * ms));
  CHECK(a.leg_risk);
  REQUIRE(a.orders.size() == 1);
  // No reference price known: the market unwind still leaves, unpriced.
  check_unwind(a.orders[0], cid_base + 3, spot, side::sell, "0.015", price{},
               false, t0 + 4 * ms);
  auto snap = tl.snapshot(t0 + 4 * ms);
  CHECK(snap.legs[1].status == order_status::expired);
  CHECK(snap.legs[1].detail == "expired");
  auto b = tl.on_filled(filled(cid_base + 3, "64990", "0.015", "0.015", "0",
                               "0.38", t0 + 5 * ms));
  REQUIRE(b.finished);
  CHECK(b.finished->outcome == two_leg_outcome::unwound);
}

TEST_CASE("second leg partially filled at the deadline is cancelled and the difference unwound") {
  auto tl = make_trade(time_in_force::gtc);
  tl.set_reference(0, px("65002"));
  start_and_fill_first(tl);
  tl.on_accepted(accepted(leg2, t0 + 1 * ms));
  auto p = tl.on_filled(filled(leg2, "65050", "0.005", "0.005", "0.01", "0.13",
                               t0 + 500 * ms));
  // A partial fill before the deadline: keep waiting.
  CHECK(p.empty());
  CHECK(tl.on_timer(t0 + 1 * ns_per_s, std::nullopt, std::nullopt).empty());
  auto d = tl.on_deadline(t0 + 2 * ns_per_s);
  REQUIRE(d.cancels.size() == 1);
  CHECK(d.cancels[0].cid == client_order_id{leg2});
  CHECK(d.cancels[0].local_time == t0 + 2 * ns_per_s);
  CHECK(d.orders.empty());
  CHECK_FALSE(d.leg_risk);
  // A second deadline call does not cancel again.
  CHECK(tl.on_deadline(t0 + 2 * ns_per_s + 1).cancels.empty());
  auto c = tl.on_canceled(canceled(leg2, "0.005", cancel_reason::requested,
                                   t0 + 2 * ns_per_s + 2 * ms));
  CHECK(c.leg_risk);
  REQUIRE(c.orders.size() == 1);
  check_unwind(c.orders[0], cid_base + 3, spot, side::sell, "0.01",
               px("65002"), false, t0 + 2 * ns_per_s + 2 * ms);
  CHECK(tl.exposure() == qty("0.01"));
  auto f = tl.on_filled(filled(cid_base + 3, "65001", "0.01", "0.01", "0",
                               "0.26", t0 + 2 * ns_per_s + 3 * ms));
  REQUIRE(f.finished);
  CHECK(f.finished->outcome == two_leg_outcome::unwound);
  CHECK(f.finished->detail
        == "leg 1 BTCUSDT buy 0.015/0.015 filled at 65000; leg 2 BTCUSDT-PERP "
           "sell 0.005/0.015 canceled at 65050 (requested) -> unwound sell 0.01");
}

TEST_CASE("first leg rejected while the second works cancels the second at once") {
  auto tl = make_trade(time_in_force::gtc);
  tl.start(t0);
  tl.on_accepted(accepted(leg2, t0 + 1 * ms));
  auto a = tl.on_rejected(rejected(leg1, reject_reason::max_order_notional,
                                   "975 > 500", t0 + 1 * ms));
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].cid == client_order_id{leg2});
  CHECK(a.cancels[0].symbol == perp);
  CHECK(a.orders.empty());
  CHECK_FALSE(a.leg_risk);
  CHECK_FALSE(a.finished);
  // The deadline does not cancel it a second time.
  CHECK(tl.on_deadline(t0 + 2 * ns_per_s).cancels.empty());
  auto b = tl.on_canceled(canceled(leg2, "0", cancel_reason::requested, t0 + 3 * ms));
  REQUIRE(b.finished);
  CHECK(b.finished->outcome == two_leg_outcome::none);
  CHECK(b.finished->detail
        == "leg 1 BTCUSDT buy 0/0.015 rejected (MAX_ORDER_NOTIONAL: 975 > 500); "
           "leg 2 BTCUSDT-PERP sell 0/0.015 canceled (requested) -> nothing filled");
}

TEST_CASE("a refused cancel of a leg that filled meanwhile is harmless and its fill counts") {
  auto tl = make_trade(time_in_force::gtc);
  tl.start(t0);
  tl.on_accepted(accepted(leg2, t0 + 1 * ms));
  auto a = tl.on_rejected(rejected(leg1, reject_reason::rate_limited, "",
                                   t0 + 1 * ms));
  REQUIRE(a.cancels.size() == 1);
  // The second leg filled before our cancel reached the venue.
  auto f = tl.on_filled(filled(leg2, "65050", "0.015", "0.015", "0", "0.39",
                               t0 + 2 * ms));
  CHECK(f.leg_risk);
  REQUIRE(f.orders.size() == 1);
  // The perpetual leg is unwound: a buy, reduce-only.
  check_unwind(f.orders[0], cid_base + 3, perp, side::buy, "0.015", price{},
               true, t0 + 2 * ms);
  auto r = tl.on_rejected(rejected(leg2, reject_reason::unknown_order,
                                   "cancel: unknown order", t0 + 3 * ms));
  CHECK(r.empty());
  CHECK(tl.snapshot(t0 + 3 * ms).legs[1].status == order_status::filled);
}

TEST_CASE("a cancel refused while the leg still works is sent again later") {
  two_leg_params p;
  p.unwind_retry = 500 * ms;
  auto tl = make_trade(time_in_force::gtc, p);
  tl.start(t0);
  tl.on_accepted(accepted(leg1, t0 + 1 * ms));
  tl.on_accepted(accepted(leg2, t0 + 1 * ms));
  auto d = tl.on_deadline(t0 + 2 * ns_per_s);
  REQUIRE(d.cancels.size() == 2);
  // The venue refuses the first cancel, although the leg still rests.
  CHECK(tl.on_rejected(rejected(leg1, reject_reason::rate_limited, "too many",
                                t0 + 2 * ns_per_s))
          .empty());
  CHECK(tl.snapshot(t0).legs[0].status == order_status::accepted);
  CHECK(tl.on_timer(t0 + 2 * ns_per_s + 400 * ms, std::nullopt, std::nullopt)
          .empty());
  auto t = tl.on_timer(t0 + 2 * ns_per_s + 500 * ms, std::nullopt, std::nullopt);
  REQUIRE(t.cancels.size() == 1);
  CHECK(t.cancels[0].cid == client_order_id{leg1});
  CHECK(tl.on_timer(t0 + 3 * ns_per_s, std::nullopt, std::nullopt).empty());
  tl.on_canceled(canceled(leg2, "0", cancel_reason::requested, t0 + 3 * ns_per_s));
  auto e = tl.on_canceled(canceled(leg1, "0", cancel_reason::requested,
                                   t0 + 3 * ns_per_s));
  REQUIRE(e.finished);
  CHECK(e.finished->outcome == two_leg_outcome::none);
}

TEST_CASE("an unwind rejected twice then filled ends unwound after two retries") {
  auto tl = make_trade();
  start_and_fill_first(tl);
  auto a = tl.on_rejected(rejected(leg2, reject_reason::venue_rejected, "",
                                   t0 + 4 * ms));
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].cid == client_order_id{cid_base + 3});
  auto r1 = tl.on_rejected(rejected(cid_base + 3, reject_reason::rate_limited,
                                    "slow down", t0 + 10 * ms));
  CHECK(r1.empty());
  // The retry is due unwind_retry (500 ms) after the rejection; the timer
  // also refreshes the reference price of the unwound leg.
  CHECK(tl.on_timer(t0 + 509 * ms, px("64000"), px("64100")).empty());
  auto t1 = tl.on_timer(t0 + 510 * ms, px("64990"), std::nullopt);
  REQUIRE(t1.orders.size() == 1);
  check_unwind(t1.orders[0], cid_base + 4, spot, side::sell, "0.015",
               px("64990"), false, t0 + 510 * ms);
  CHECK(tl.on_rejected(rejected(cid_base + 4, reject_reason::rate_limited,
                                "slow down", t0 + 520 * ms))
          .empty());
  auto t2 = tl.on_timer(t0 + 1020 * ms, std::nullopt, std::nullopt);
  REQUIRE(t2.orders.size() == 1);
  check_unwind(t2.orders[0], cid_base + 5, spot, side::sell, "0.015",
               px("64990"), false, t0 + 1020 * ms);
  auto f = tl.on_filled(filled(cid_base + 5, "64980", "0.015", "0.015", "0",
                               "0.38", t0 + 1030 * ms));
  REQUIRE(f.finished);
  auto& r = *f.finished;
  CHECK(r.outcome == two_leg_outcome::unwound);
  REQUIRE(r.unwinds.size() == 3);
  CHECK(r.unwinds[0].status == order_status::rejected);
  CHECK(r.unwinds[0].detail == "RATE_LIMITED: slow down");
  CHECK(r.unwinds[1].status == order_status::rejected);
  CHECK(r.unwinds[2].status == order_status::filled);
  CHECK(r.detail
        == "leg 1 BTCUSDT buy 0.015/0.015 filled at 65000; leg 2 BTCUSDT-PERP "
           "sell 0/0.015 rejected (VENUE_REJECTED) -> unwound sell 0.015 in 3 "
           "attempts");
}

TEST_CASE("a partly filled unwind is retried for the remainder") {
  auto tl = make_trade();
  start_and_fill_first(tl);
  tl.on_canceled(canceled(leg2, "0", cancel_reason::ioc_remainder, t0 + 4 * ms));
  tl.on_filled(filled(cid_base + 3, "64990", "0.011", "0.011", "0.004", "0.28",
                      t0 + 5 * ms));
  auto c = tl.on_canceled(canceled(cid_base + 3, "0.011",
                                   cancel_reason::ioc_remainder, t0 + 5 * ms));
  CHECK(c.empty());
  CHECK(tl.exposure() == qty("0.004"));
  auto t = tl.on_timer(t0 + 505 * ms, std::nullopt, std::nullopt);
  REQUIRE(t.orders.size() == 1);
  check_unwind(t.orders[0], cid_base + 4, spot, side::sell, "0.004", price{},
               false, t0 + 505 * ms);
  auto f = tl.on_filled(filled(cid_base + 4, "64980", "0.004", "0.004", "0",
                               "0.1", t0 + 506 * ms));
  REQUIRE(f.finished);
  CHECK(f.finished->outcome == two_leg_outcome::unwound);
  CHECK(f.finished->detail
        == "leg 1 BTCUSDT buy 0.015/0.015 filled at 65000; leg 2 BTCUSDT-PERP "
           "sell 0/0.015 canceled (ioc_remainder) -> unwound sell 0.015 in 2 "
           "attempts");
}

TEST_CASE("an unwind that never fills ends unwind_failed after the maximum attempts") {
  two_leg_params p;
  p.unwind_retry = 200 * ms;
  p.max_unwind_attempts = 3;
  auto tl = make_trade(time_in_force::ioc, p);
  start_and_fill_first(tl);
  auto a = tl.on_rejected(rejected(leg2, reject_reason::venue_rejected, "",
                                   t0 + 4 * ms));
  REQUIRE(a.orders.size() == 1);
  std::optional<two_leg_result> end;
  nanos now = t0 + 4 * ms;
  for (uint64_t k = 0; k < 3; ++k) {
    auto cid = cid_base + 3 + k;
    now += 1 * ms;
    auto c = tl.on_canceled(canceled(cid, "0", cancel_reason::ioc_remainder, now));
    CHECK(c.orders.empty());
    if (k < 2) {
      CHECK_FALSE(c.finished);
      now += 200 * ms;
      auto t = tl.on_timer(now, std::nullopt, std::nullopt);
      REQUIRE(t.orders.size() == 1);
      CHECK(t.orders[0].cid == client_order_id{cid + 1});
      CHECK(t.orders[0].qty == qty("0.015"));
    } else {
      CHECK_FALSE(c.leg_risk);
      end = c.finished;
    }
  }
  REQUIRE(end);
  CHECK(end->outcome == two_leg_outcome::unwind_failed);
  CHECK(end->unwinds.size() == 3);
  CHECK(end->finished == now);
  CHECK(end->detail
        == "leg 1 BTCUSDT buy 0.015/0.015 filled at 65000; leg 2 BTCUSDT-PERP "
           "sell 0/0.015 rejected (VENUE_REJECTED) -> unwind failed after 3 "
           "attempts: sold 0 of 0.015, exposure +0.015 remains");
  CHECK(tl.done());
  CHECK(tl.on_timer(now + ns_per_s, std::nullopt, std::nullopt).empty());
}

TEST_CASE("duplicate and stale fills are applied once and never beyond the quantity") {
  auto tl = make_trade(time_in_force::gtc);
  tl.start(t0);
  tl.on_accepted(accepted(leg1, t0 + 1 * ms));
  CHECK(tl.on_filled(filled(leg1, "65000", "0.005", "0.005", "0.01", "0.13",
                            t0 + 2 * ms))
          .empty());
  // The same fill again, then a stale one: ignored.
  CHECK(tl.on_filled(filled(leg1, "65000", "0.005", "0.005", "0.01", "0.13",
                            t0 + 3 * ms))
          .empty());
  tl.on_filled(filled(leg1, "64990", "0.005", "0.01", "0.005", "0.13", t0 + 4 * ms));
  tl.on_filled(filled(leg1, "60000", "0.005", "0.005", "0.01", "0.12", t0 + 5 * ms));
  auto s = tl.snapshot(t0 + 5 * ms);
  CHECK(s.legs[0].filled == qty("0.01"));
  CHECK(s.legs[0].avg_px == px("64995"));
  CHECK(s.legs[0].fees == cash("0.26"));
  CHECK(s.legs[0].status == order_status::partially_filled);
  // A fill claiming more than ordered is clipped to the order's quantity.
  tl.on_filled(filled(leg1, "65000", "0.01", "0.02", "0", "0.26", t0 + 6 * ms));
  s = tl.snapshot(t0 + 6 * ms);
  CHECK(s.legs[0].filled == qty("0.015"));
  // 0.005 x 65000 + 0.005 x 64990 + 0.005 x 65000 = 974.95 over 0.015.
  CHECK(s.legs[0].avg_px == px("64996.66666666"));
  CHECK(s.legs[0].status == order_status::filled);
  CHECK(tl.exposure() == qty("0.015"));
}

TEST_CASE("a fill still in flight when a leg is cancelled is counted before exposure") {
  auto tl = make_trade(time_in_force::gtc);
  start_and_fill_first(tl);
  tl.on_accepted(accepted(leg2, t0 + 1 * ms));
  tl.on_deadline(t0 + 2 * ns_per_s);
  // The venue says 0.015 filled, though no fill has reached us yet: hedged.
  auto c = tl.on_canceled(canceled(leg2, "0.015", cancel_reason::requested,
                                   t0 + 2 * ns_per_s + 1 * ms));
  CHECK_FALSE(c.leg_risk);
  REQUIRE(c.finished);
  CHECK(c.finished->outcome == two_leg_outcome::filled);
  CHECK(c.finished->legs[1].filled == qty("0.015"));
  CHECK(c.finished->legs[1].status == order_status::filled);
}

TEST_CASE("a late fill of a cancelled leg changes its price but not the exposure") {
  auto tl = make_trade(time_in_force::gtc);
  start_and_fill_first(tl);
  tl.on_deadline(t0 + 2 * ns_per_s);
  auto c = tl.on_canceled(canceled(leg2, "0.01", cancel_reason::requested,
                                   t0 + 2 * ns_per_s));
  CHECK(c.leg_risk);
  REQUIRE(c.orders.size() == 1);
  CHECK(c.orders[0].qty == qty("0.005"));
  CHECK(tl.on_filled(filled(leg2, "65050", "0.01", "0.01", "0.005", "0.26",
                            t0 + 2 * ns_per_s + 1 * ms))
          .empty());
  auto s = tl.snapshot(t0);
  CHECK(s.legs[1].filled == qty("0.01"));
  CHECK(s.legs[1].avg_px == px("65050"));
  CHECK(s.legs[1].status == order_status::canceled);
  CHECK(tl.exposure() == qty("0.005"));
}

TEST_CASE("an unwind of a perpetual leg is reduce-only") {
  auto tl = make_trade();
  tl.set_reference(1, px("65060"));
  tl.start(t0);
  tl.on_canceled(canceled(leg1, "0", cancel_reason::ioc_remainder, t0 + 1 * ms));
  auto a = tl.on_filled(filled(leg2, "65050", "0.015", "0.015", "0", "0.39",
                               t0 + 2 * ms));
  CHECK(a.leg_risk);
  REQUIRE(a.orders.size() == 1);
  check_unwind(a.orders[0], cid_base + 3, perp, side::buy, "0.015",
               px("65060"), true, t0 + 2 * ms);
  CHECK(tl.exposure() == qty("-0.015"));
  auto f = tl.on_filled(filled(cid_base + 3, "65061", "0.015", "0.015", "0",
                               "0.39", t0 + 3 * ms));
  REQUIRE(f.finished);
  CHECK(f.finished->outcome == two_leg_outcome::unwound);
  CHECK(f.finished->detail
        == "leg 1 BTCUSDT buy 0/0.015 canceled (ioc_remainder); leg 2 "
           "BTCUSDT-PERP sell 0.015/0.015 filled at 65050 -> unwound buy 0.015");
}

TEST_CASE("leg risk is flagged once however many events follow") {
  auto tl = make_trade();
  start_and_fill_first(tl);
  auto a = tl.on_rejected(rejected(leg2, reject_reason::venue_rejected, "", t0 + 4 * ms));
  CHECK(a.leg_risk);
  auto r = tl.on_rejected(rejected(cid_base + 3, reject_reason::no_liquidity, "",
                                   t0 + 5 * ms));
  CHECK_FALSE(r.leg_risk);
  auto t = tl.on_timer(t0 + 505 * ms, std::nullopt, std::nullopt);
  CHECK_FALSE(t.leg_risk);
  CHECK(t.orders.size() == 1);
}

TEST_CASE("a request that is not two opposite legs finishes at once with nothing sent") {
  auto req = make_request();
  req.legs.pop_back();
  two_leg one{req, {make_spec(spot, false)}, cid_base};
  auto a = one.start(t0);
  CHECK(a.orders.empty());
  REQUIRE(a.finished);
  CHECK(a.finished->outcome == two_leg_outcome::none);
  CHECK(a.finished->legs_sent == 0);
  CHECK(a.finished->detail
        == "invalid request: a two-leg trade needs exactly two legs, got 1");
  CHECK(one.done());

  auto same = make_request();
  same.legs[1].sd = side::buy;
  two_leg both_buy{same, {make_spec(spot, false), make_spec(perp, true)}, cid_base};
  auto b = both_buy.start(t0);
  CHECK(b.orders.empty());
  REQUIRE(b.finished);
  CHECK(b.finished->detail
        == "invalid request: both legs buy: the legs of a hedge are of "
           "opposite sides");
}

TEST_CASE("events of other orders are ignored") {
  auto tl = make_trade();
  tl.start(t0);
  CHECK(tl.on_filled(filled(99, "65000", "0.015", "0.015", "0", "0.39", t0)).empty());
  CHECK(tl.on_rejected(rejected(99, reject_reason::venue_rejected, "", t0)).empty());
  CHECK(tl.on_canceled(canceled(99, "0", cancel_reason::requested, t0)).empty());
  CHECK(tl.exposure().is_zero());
  CHECK(tl.snapshot(t0).detail
        == "leg 1 BTCUSDT buy 0/0.015 pending_new; leg 2 BTCUSDT-PERP sell "
           "0/0.015 pending_new -> working");
}
