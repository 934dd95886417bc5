#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actors/strategy/basis_arb.hpp"

using namespace agora;

// Numbers used throughout (worked by hand):
// - both instruments: tick 0.01, lot 0.001, min notional 5, taker 4 bp,
//   maker 2 bp -> fees 4 + 4 + 2 + 2 = 12 bp; buffer 3 bp; so
//   net = gross - 15 bp. Entry needs net > 10 (gross > 25), exit net < 1.
// - entry walk: 1000 quote over spot asks at 100.00 -> 10 BTC.
// - perp bid 100.30: gross 30 bp, net 15 -> open.
//   perp bid 100.20: gross 20 bp, net 5 -> between exit and entry.
// - limits at 5 bp: spot buy 100.00 + 0.05 = 100.05; perp sell 100.30 -
//   0.05015 = 100.24985 -> floor 100.24.

namespace {

constexpr nanos t0 = 1'700'000'000 * ns_per_s;
constexpr nanos ms = ns_per_ms;
constexpr nanos sec = ns_per_s;

price px(const char* text) {
  return *price::parse(text);
}

quantity qty(const char* text) {
  return *quantity::parse(text);
}

instrument_spec spot_spec() {
  instrument_spec s;
  s.venue = venue_id{"sim"};
  s.symbol = symbol_id{"BTCUSDT"};
  s.tick = px("0.01");
  s.lot = qty("0.001");
  s.min_notional = notional::from_units(5);
  s.maker_fee = *rate::parse("0.0002");
  s.taker_fee = *rate::parse("0.0004");
  return s;
}

instrument_spec perp_spec() {
  auto s = spot_spec();
  s.symbol = symbol_id{"BTCUSDT-PERP"};
  s.perpetual = true;
  return s;
}

/// A view with one level a side (`size` each).
book_view view(const instrument_spec& spec, const char* bid, const char* ask,
               nanos t, const char* size = "20") {
  book_view v;
  v.venue = spec.venue;
  v.symbol = spec.symbol;
  v.bids = {{px(bid), qty(size)}};
  v.asks = {{px(ask), qty(size)}};
  v.venue_time = t;
  v.local_time = t;
  return v;
}

/// The coordinator's answer: each leg filled completely (or not at all).
two_leg_result result_for(const two_leg_request& r, two_leg_outcome o,
                          nanos finished, bool fill_spot = true,
                          bool fill_perp = true) {
  two_leg_result res;
  res.trade = r.trade;
  res.purpose = r.purpose;
  res.outcome = o;
  for (size_t i = 0; i < r.legs.size(); ++i) {
    const auto& l = r.legs[i];
    leg_report rep;
    rep.venue = l.venue;
    rep.symbol = l.symbol;
    rep.sd = l.sd;
    rep.px = l.px;
    rep.qty = l.qty;
    const bool fill = i == 0 ? fill_spot : fill_perp;
    rep.filled = fill ? l.qty : quantity{};
    rep.avg_px = fill ? l.px : price{};
    rep.status = fill ? order_status::filled : order_status::rejected;
    res.legs.push_back(rep);
  }
  res.finished = finished;
  return res;
}

order_filled fill(const instrument_spec& spec, side sd, const char* q) {
  order_filled f;
  f.venue = spec.venue;
  f.symbol = spec.symbol;
  f.sd = sd;
  f.fill_px = px("100");
  f.fill_qty = qty(q);
  return f;
}

struct harness {
  explicit harness(basis_params p = basis_params{}) : b(p, spot_spec(), perp_spec()) {}

  basis_actions spot(const char* bid, const char* ask, nanos t,
                     const char* size = "20") {
    return b.on_spot_book(view(spot_spec(), bid, ask, t, size));
  }

  basis_actions perp(const char* bid, const char* ask, nanos t,
                     const char* size = "20") {
    return b.on_perp_book(view(perp_spec(), bid, ask, t, size));
  }

  /// Books with a 30 bp basis at `t`; returns the open request.
  two_leg_request open_at(nanos t) {
    REQUIRE(spot("99.99", "100.00", t).empty());
    auto a = perp("100.30", "100.31", t);
    REQUIRE(a.trade);
    REQUIRE(b.state_name() == "opening");
    return *a.trade;
  }

  /// Opens and fills both legs: long 10 spot, short 10 perp.
  void be_open(nanos t) {
    auto r = open_at(t);
    REQUIRE(b.on_trade_result(result_for(r, two_leg_outcome::filled, t + 100 * ms)).empty());
    REQUIRE(b.state_name() == "open");
  }

  /// Perp asks at 100.10 against spot bids at 99.99: gross 11.0011 bp,
  /// net -3.9989 < 1 -> close. Returns the close request.
  two_leg_request close_at(nanos t) {
    spot("99.99", "100.00", t);
    auto a = perp("100.09", "100.10", t);
    REQUIRE(a.trade);
    REQUIRE(b.state_name() == "closing");
    return *a.trade;
  }

  basis_arb b;
};

} // namespace

TEST_CASE("basis opens with two IOC legs when the net yield is above the entry threshold") {
  harness h;
  CHECK(h.spot("99.99", "100.00", t0).empty()); // the perp has no view yet
  CHECK(h.b.evaluations() == 0);
  auto a = h.perp("100.30", "100.31", t0 + 10 * ms);
  CHECK(h.b.evaluations() == 1);
  REQUIRE(a.trade);
  const auto& r = *a.trade;
  CHECK(r.trade == 1);
  CHECK(r.purpose == "open");
  CHECK(r.strategy.empty());
  CHECK(r.deadline == 5 * sec);
  REQUIRE(r.legs.size() == 2);
  CHECK(r.legs[0].venue == venue_id{"sim"});
  CHECK(r.legs[0].symbol == symbol_id{"BTCUSDT"});
  CHECK(r.legs[0].sd == side::buy);
  CHECK(r.legs[0].tif == time_in_force::ioc);
  CHECK(r.legs[0].px == px("100.05"));
  CHECK(r.legs[0].qty == qty("10"));
  CHECK_FALSE(r.legs[0].reduce_only);
  CHECK(r.legs[1].symbol == symbol_id{"BTCUSDT-PERP"});
  CHECK(r.legs[1].sd == side::sell);
  CHECK(r.legs[1].tif == time_in_force::ioc);
  CHECK(r.legs[1].px == px("100.24"));
  CHECK(r.legs[1].qty == qty("10"));
  CHECK_FALSE(r.legs[1].reduce_only);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "open");
  CHECK(a.signals[0].acted);
  CHECK(a.signals[0].why.empty());
  CHECK(a.signals[0].time == t0 + 10 * ms);
  CHECK(a.signals[0].gross_bps == Approx(30.0).margin(1e-6));
  CHECK(a.signals[0].net_bps == Approx(15.0).margin(1e-6));
  CHECK(h.b.state_name() == "opening");
  REQUIRE(h.b.last_yield());
  CHECK(h.b.last_yield()->fees_bps == Approx(12.0).margin(1e-9));
  CHECK(h.b.last_yield()->net_bps == Approx(15.0).margin(1e-6));
}

TEST_CASE("basis does not open between the exit and entry thresholds and closes only below exit") {
  harness h;
  h.spot("99.99", "100.00", t0);
  auto a = h.perp("100.20", "100.21", t0); // net 5: no entry
  CHECK(a.empty());
  CHECK(h.b.state_name() == "closed");
  REQUIRE(h.b.last_yield());
  CHECK(h.b.last_yield()->net_bps == Approx(5.0).margin(1e-6));

  h.be_open(t0 + sec);
  CHECK(h.b.spot_position() == qty("10"));
  CHECK(h.b.perp_position() == qty("-10"));
  // Closing side: spot bids 99.99, perp asks 100.20: gross 0.21 / 99.99 =
  // 21.0021 bp, net 6.0021 -- between the thresholds: hold.
  a = h.perp("100.19", "100.20", t0 + 1500 * ms);
  CHECK(a.empty());
  CHECK(h.b.state_name() == "open");
  REQUIRE(h.b.last_yield());
  CHECK(h.b.last_yield()->gross_bps == Approx(0.21 / 99.99 * 1e4).margin(1e-6));

  // Perp asks 100.10: net -3.9989 < 1: close both legs.
  a = h.perp("100.09", "100.10", t0 + 2 * sec);
  REQUIRE(a.trade);
  const auto& r = *a.trade;
  CHECK(r.trade == 2);
  CHECK(r.purpose == "close");
  REQUIRE(r.legs.size() == 2);
  CHECK(r.legs[0].sd == side::sell);
  CHECK(r.legs[0].qty == qty("10"));
  CHECK(r.legs[0].px == px("99.94"));   // 99.99 - 0.049995 = 99.940005, floored
  CHECK_FALSE(r.legs[0].reduce_only);
  CHECK(r.legs[1].sd == side::buy);
  CHECK(r.legs[1].qty == qty("10"));
  CHECK(r.legs[1].px == px("100.16"));  // 100.10 + 0.05005 = 100.15005, ceiled
  CHECK(r.legs[1].reduce_only);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "close");
  CHECK(a.signals[0].acted);
  CHECK(a.signals[0].net_bps == Approx(0.11 / 99.99 * 1e4 - 15.0).margin(1e-6));
  CHECK(h.b.state_name() == "closing");
}

TEST_CASE("basis waits out the cooldown after a round trip, reporting the blocked entry once") {
  harness h;
  h.be_open(t0);
  auto close = h.close_at(t0 + sec);
  const nanos done = t0 + 2 * sec;
  CHECK(h.b.on_trade_result(result_for(close, two_leg_outcome::filled, done)).empty());
  CHECK(h.b.state_name() == "cooldown");
  CHECK(h.b.spot_position() == qty("0"));
  CHECK(h.b.perp_position() == qty("0"));

  h.spot("99.99", "100.00", done + 30 * sec);
  auto a = h.perp("100.30", "100.31", done + 30 * sec);
  CHECK_FALSE(a.trade);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "open");
  CHECK_FALSE(a.signals[0].acted);
  CHECK(a.signals[0].why == "cooldown");
  CHECK(a.signals[0].net_bps == Approx(15.0).margin(1e-6));
  // Still blocked by the same reason: nothing new to report.
  CHECK(h.perp("100.30", "100.31", done + 40 * sec).empty());
  CHECK(h.spot("99.99", "100.00", done + 59 * sec).empty());

  a = h.perp("100.30", "100.31", done + 60 * sec);
  REQUIRE(a.trade);
  CHECK(a.trade->trade == 3);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].acted);
  CHECK(h.b.state_name() == "opening");
}

TEST_CASE("basis timer ends a cooldown after an open that did not fill and acts on the last views") {
  harness h;
  auto r = h.open_at(t0);
  const nanos done = t0 + sec;
  CHECK(h.b.on_trade_result(result_for(r, two_leg_outcome::none, done, false, false)).empty());
  CHECK(h.b.state_name() == "cooldown");
  CHECK(h.b.spot_position() == qty("0"));

  auto a = h.perp("100.30", "100.31", done); // 1 s after the spot view: not skewed
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].why == "cooldown");
  CHECK(h.b.on_timer(done + 59 * sec).empty());
  CHECK(h.b.state_name() == "cooldown");
  a = h.b.on_timer(done + 60 * sec);
  REQUIRE(a.trade);
  CHECK(a.trade->trade == 2);
  CHECK(a.trade->purpose == "open");
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].acted);
  CHECK(a.signals[0].time == done + 60 * sec);
}

TEST_CASE("basis reports insufficient depth instead of trading a book too thin for the notional") {
  harness h;
  h.spot("99.99", "100.00", t0, "5"); // 5 x 100 = 500 quote < 1000
  auto a = h.perp("100.30", "100.31", t0);
  CHECK_FALSE(a.trade);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "open");
  CHECK(a.signals[0].why == "insufficient_depth");
  // Priced on the 5 BTC there are: still 30 bp gross, 15 net.
  CHECK(a.signals[0].net_bps == Approx(15.0).margin(1e-6));
  CHECK_FALSE(h.b.last_yield());
  CHECK(h.perp("100.30", "100.31", t0 + ms).empty()); // reported once
  // Thin and below the threshold: nothing to report.
  CHECK(h.perp("100.20", "100.21", t0 + 2 * ms).empty());
  // Deep enough again: acts.
  a = h.spot("99.99", "100.00", t0 + 3 * ms);
  CHECK(a.empty());
  a = h.perp("100.30", "100.31", t0 + 4 * ms);
  CHECK(a.trade);
  CHECK(h.b.state_name() == "opening");
}

TEST_CASE("basis does not trade on a stale book until a fresh view arrives") {
  harness h;
  h.spot("99.99", "100.00", t0);
  h.b.on_spot_stale();
  auto a = h.perp("100.30", "100.31", t0 + ms);
  CHECK(a.empty());
  CHECK(h.b.evaluations() == 0);
  CHECK(h.b.state_name() == "closed");
  a = h.spot("99.99", "100.00", t0 + 2 * ms);
  CHECK(a.trade);
  CHECK(h.b.evaluations() == 1);
}

TEST_CASE("basis records a blocked crossing as stale_book once when a leg goes stale") {
  harness h;
  auto r = h.open_at(t0);
  h.b.on_trade_result(result_for(r, two_leg_outcome::none, t0 + sec, false, false));
  auto a = h.perp("100.30", "100.31", t0 + 2 * sec);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].why == "cooldown");
  h.b.on_perp_stale();
  a = h.spot("99.99", "100.00", t0 + 3 * sec);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "open");
  CHECK(a.signals[0].why == "stale_book");
  CHECK(a.signals[0].net_bps == Approx(15.0).margin(1e-6));
  CHECK(h.spot("99.99", "100.00", t0 + 4 * sec).empty());
  // Fresh again, still cooling down.
  a = h.perp("100.30", "100.31", t0 + 4 * sec);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].why == "cooldown");
}

TEST_CASE("basis does not trade on quotes further apart in time than the maximum skew") {
  harness h;
  h.spot("99.99", "100.00", t0);
  auto a = h.perp("100.30", "100.31", t0 + 2 * sec); // 2 s > 1 s apart
  CHECK_FALSE(a.trade);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].why == "quote_skew");
  a = h.spot("99.99", "100.00", t0 + 2 * sec);
  REQUIRE(a.trade);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].acted);
}

TEST_CASE("basis refuses legs below the minimum notional") {
  auto perp = perp_spec();
  perp.min_notional = notional::from_units(2000); // 100.24 x 10 = 1002.4
  basis_arb b(basis_params{}, spot_spec(), perp);
  b.on_spot_book(view(spot_spec(), "99.99", "100.00", t0));
  auto a = b.on_perp_book(view(perp, "100.30", "100.31", t0));
  CHECK_FALSE(a.trade);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].why == "below_min_notional");
  CHECK(b.state_name() == "closed");
}

TEST_CASE("basis reports the crossing made while its trade works only when it crosses again") {
  harness h;
  h.open_at(t0);
  CHECK(h.perp("100.30", "100.31", t0 + ms).empty());
  CHECK(h.perp("100.20", "100.21", t0 + 2 * ms).empty());
  auto a = h.perp("100.30", "100.31", t0 + 3 * ms);
  CHECK_FALSE(a.trade);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].why == "trade_working");
}

TEST_CASE("basis positions follow the fills of each trade outcome") {
  SECTION("an open that filled holds both legs") {
    harness h;
    h.be_open(t0);
    CHECK(h.b.spot_position() == qty("10"));
    CHECK(h.b.perp_position() == qty("-10"));
  }
  SECTION("a close that did not fill stays open and retries after the backoff") {
    harness h;
    h.be_open(t0);
    auto close = h.close_at(t0 + sec);
    const nanos done = t0 + 2 * sec;
    h.b.on_trade_result(result_for(close, two_leg_outcome::none, done, false, false));
    CHECK(h.b.state_name() == "open");
    CHECK(h.b.spot_position() == qty("10"));
    CHECK(h.b.perp_position() == qty("-10"));
    auto a = h.spot("99.99", "100.00", done + sec);
    CHECK_FALSE(a.trade);
    REQUIRE(a.signals.size() == 1);
    CHECK(a.signals[0].name == "close");
    CHECK(a.signals[0].why == "retry_backoff");
    CHECK(h.perp("100.09", "100.10", done + sec).empty());
    CHECK(h.perp("100.09", "100.10", done + 4 * sec).empty());
    a = h.spot("99.99", "100.00", done + 5 * sec); // backoff over
    REQUIRE(a.trade);
    CHECK(a.trade->purpose == "close");
    CHECK(a.trade->trade == 3);
  }
  SECTION("a close filled as hedged partials stays open and retries the rest after the backoff") {
    harness h;
    h.be_open(t0);
    auto close = h.close_at(t0 + sec);
    auto res = result_for(close, two_leg_outcome::filled, t0 + 2 * sec);
    res.legs[0].filled = qty("4");
    res.legs[1].filled = qty("4");
    h.b.on_trade_result(res);
    CHECK(h.b.state_name() == "open");
    CHECK(h.b.spot_position() == qty("6"));
    CHECK(h.b.perp_position() == qty("-6"));
    auto a = h.spot("99.99", "100.00", t0 + 3 * sec);
    REQUIRE(a.signals.size() == 1);
    CHECK(a.signals[0].why == "retry_backoff");
    h.perp("100.09", "100.10", t0 + 7 * sec);
    a = h.spot("99.99", "100.00", t0 + 7 * sec);
    REQUIRE(a.trade);
    CHECK(a.trade->legs[0].qty == qty("6"));
    CHECK(a.trade->legs[1].qty == qty("6"));
  }
  SECTION("an open filled on one leg only without leg risk reported halts as unhedged") {
    harness h;
    auto r = h.open_at(t0);
    h.b.on_trade_result(result_for(r, two_leg_outcome::filled, t0 + sec, true, false));
    CHECK(h.b.state_name() == "halted");
    CHECK(h.b.halt_reason() == "unhedged after trade");
  }
  SECTION("leg risk that was unwound halts with flat positions") {
    harness h;
    auto r = h.open_at(t0);
    auto res = result_for(r, two_leg_outcome::unwound, t0 + sec, true, false);
    leg_report unwind = res.legs[0];
    unwind.sd = side::sell;
    res.unwinds.push_back(unwind);
    h.b.on_trade_result(res);
    CHECK(h.b.state_name() == "halted");
    CHECK(h.b.halt_reason() == "leg_risk: unwound");
    CHECK(h.b.spot_position() == qty("0"));
    CHECK(h.b.perp_position() == qty("0"));
  }
  SECTION("an unwind that failed halts with the exposure left") {
    harness h;
    auto r = h.open_at(t0);
    auto res = result_for(r, two_leg_outcome::unwind_failed, t0 + sec, true, false);
    leg_report unwind = res.legs[0];
    unwind.sd = side::sell;
    unwind.filled = qty("4");
    res.unwinds.push_back(unwind);
    h.b.on_trade_result(res);
    CHECK(h.b.state_name() == "halted");
    CHECK(h.b.halt_reason() == "leg_risk: unwind_failed");
    CHECK(h.b.spot_position() == qty("6"));
    CHECK(h.b.perp_position() == qty("0"));
  }
  SECTION("a result for another trade is ignored") {
    harness h;
    auto r = h.open_at(t0);
    auto res = result_for(r, two_leg_outcome::filled, t0 + sec);
    res.trade = 7;
    CHECK(h.b.on_trade_result(res).empty());
    CHECK(h.b.state_name() == "opening");
    CHECK(h.b.spot_position() == qty("0"));
  }
}

TEST_CASE("basis stays halted after leg risk even when trading is set active again") {
  harness h;
  auto r = h.open_at(t0);
  h.b.on_trade_result(result_for(r, two_leg_outcome::unwound, t0 + sec, false, false));
  REQUIRE(h.b.state_name() == "halted");
  auto a = h.b.set_trading_state(trading_state::active, t0 + 2 * sec);
  CHECK(h.b.state_name() == "halted");
  CHECK(h.b.trading() == trading_state::active);
  REQUIRE(a.signals.size() == 1); // re-evaluated: the crossing is blocked
  CHECK(a.signals[0].why == "halted_leg_risk");
  CHECK_FALSE(a.trade);
  CHECK(h.perp("100.30", "100.31", t0 + 3 * sec).empty());
  CHECK(h.b.on_timer(t0 + 3600 * sec).empty());
  CHECK(h.b.state_name() == "halted");
}

TEST_CASE("basis opens nothing while trading is halted or reducing but closes while reducing") {
  harness h;
  h.b.set_trading_state(trading_state::halted, t0);
  h.spot("99.99", "100.00", t0);
  auto a = h.perp("100.30", "100.31", t0);
  CHECK_FALSE(a.trade);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].why == "trading_halted");
  a = h.b.set_trading_state(trading_state::reducing, t0 + ms);
  CHECK_FALSE(a.trade);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].why == "trading_reducing");
  a = h.b.set_trading_state(trading_state::active, t0 + 2 * ms);
  REQUIRE(a.trade);
  h.b.on_trade_result(result_for(*a.trade, two_leg_outcome::filled, t0 + sec));
  REQUIRE(h.b.state_name() == "open");

  h.b.set_trading_state(trading_state::halted, t0 + 2 * sec);
  h.spot("99.99", "100.00", t0 + 2 * sec);
  a = h.perp("100.09", "100.10", t0 + 2 * sec);
  CHECK_FALSE(a.trade);
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "close");
  CHECK(a.signals[0].why == "trading_halted");
  a = h.b.set_trading_state(trading_state::reducing, t0 + 3 * sec);
  REQUIRE(a.trade);
  CHECK(a.trade->purpose == "close");
}

TEST_CASE("basis counts funding due within the horizon in the expected yield") {
  funding_update f;
  f.venue = venue_id{"sim"};
  f.symbol = symbol_id{"BTCUSDT-PERP"};
  f.funding_rate = *rate::parse("0.0006"); // 6 bp to a short perp
  SECTION("due within the horizon: 5 + 6 = 11 bp net opens") {
    harness h;
    f.next_funding_time = t0 + 3600 * sec;
    h.b.on_funding(f);
    h.spot("99.99", "100.00", t0);
    auto a = h.perp("100.20", "100.21", t0);
    REQUIRE(a.trade);
    REQUIRE(a.signals.size() == 1);
    CHECK(a.signals[0].funding_bps == Approx(6.0).margin(1e-9));
    CHECK(a.signals[0].net_bps == Approx(11.0).margin(1e-6));
  }
  SECTION("beyond the horizon it does not count") {
    harness h;
    f.next_funding_time = t0 + 9 * 3600 * sec;
    h.b.on_funding(f);
    h.spot("99.99", "100.00", t0);
    CHECK(h.perp("100.20", "100.21", t0).empty());
    CHECK(h.b.last_yield()->funding_bps == 0.0);
  }
  SECTION("with include_funding off it does not count") {
    basis_params p;
    p.include_funding = false;
    harness h(p);
    f.next_funding_time = t0 + 3600 * sec;
    h.b.on_funding(f);
    h.spot("99.99", "100.00", t0);
    CHECK(h.perp("100.20", "100.21", t0).empty());
  }
  SECTION("another symbol's funding is ignored") {
    harness h;
    f.symbol = symbol_id{"ETHUSDT-PERP"};
    f.next_funding_time = t0 + 3600 * sec;
    h.b.on_funding(f);
    h.spot("99.99", "100.00", t0);
    CHECK(h.perp("100.20", "100.21", t0).empty());
  }
}

TEST_CASE("basis restores its position from journaled fills") {
  SECTION("hedged legs restore an open position that can close") {
    harness h;
    h.b.restore_position({fill(spot_spec(), side::buy, "4"), fill(spot_spec(), side::buy, "6"),
                          fill(perp_spec(), side::sell, "10")});
    CHECK(h.b.state_name() == "open");
    CHECK(h.b.spot_position() == qty("10"));
    CHECK(h.b.perp_position() == qty("-10"));
    auto r = h.close_at(t0);
    CHECK(r.trade == 1);
    CHECK(r.legs[0].qty == qty("10"));
  }
  SECTION("legs that went back to flat restore closed") {
    harness h;
    h.b.restore_position({fill(spot_spec(), side::buy, "10"), fill(perp_spec(), side::sell, "10"),
                          fill(spot_spec(), side::sell, "10"), fill(perp_spec(), side::buy, "10")});
    CHECK(h.b.state_name() == "closed");
    CHECK(h.b.spot_position() == qty("0"));
  }
  SECTION("a residual below one lot counts as flat") {
    harness h;
    h.b.restore_position({fill(spot_spec(), side::buy, "0.0005")});
    CHECK(h.b.state_name() == "closed");
  }
  SECTION("unhedged legs restore halted") {
    harness h;
    h.b.restore_position({fill(spot_spec(), side::buy, "10"), fill(perp_spec(), side::sell, "5")});
    CHECK(h.b.state_name() == "halted");
    CHECK(h.b.halt_reason() == "unhedged at start");
    h.spot("99.99", "100.00", t0);
    auto a = h.perp("100.09", "100.10", t0);
    CHECK_FALSE(a.trade);
  }
}

TEST_CASE("basis trades the reverse direction only when allowed") {
  // Spot bids 100.30 above perp asks 100.00: 30 bp the other way.
  SECTION("off by default") {
    harness h;
    h.spot("100.30", "100.31", t0);
    CHECK(h.perp("99.99", "100.00", t0).empty());
    CHECK(h.b.state_name() == "closed");
  }
  SECTION("allowed: spot sell and perp buy, then the mirrored close") {
    basis_params p;
    p.allow_reverse = true;
    harness h(p);
    h.spot("100.30", "100.31", t0);
    auto a = h.perp("99.99", "100.00", t0);
    REQUIRE(a.trade);
    // 1000 / 100.30 = 9.97008.. -> 9.970 at lot 0.001.
    const auto& r = *a.trade;
    CHECK(r.purpose == "open");
    CHECK(r.legs[0].sd == side::sell);
    CHECK(r.legs[0].qty == qty("9.97"));
    CHECK(r.legs[0].px == px("100.24")); // 100.30 - 0.05015, floored
    CHECK_FALSE(r.legs[0].reduce_only);
    CHECK(r.legs[1].sd == side::buy);
    CHECK(r.legs[1].qty == qty("9.97"));
    CHECK(r.legs[1].px == px("100.05")); // 100.00 + 0.05, ceiled
    CHECK_FALSE(r.legs[1].reduce_only);
    REQUIRE(a.signals.size() == 1);
    CHECK(a.signals[0].name == "open_reverse");
    CHECK(a.signals[0].net_bps == Approx(15.0).margin(1e-6));
    h.b.on_trade_result(result_for(r, two_leg_outcome::filled, t0 + sec));
    CHECK(h.b.state_name() == "open");
    CHECK(h.b.spot_position() == qty("-9.97"));
    CHECK(h.b.perp_position() == qty("9.97"));
    // Closing side: spot asks 100.11 vs perp bids 100.00: 11 bp, net -4.
    h.spot("100.10", "100.11", t0 + 2 * sec);
    a = h.perp("100.00", "100.01", t0 + 2 * sec);
    REQUIRE(a.trade);
    CHECK(a.trade->purpose == "close");
    CHECK(a.trade->legs[0].sd == side::buy);
    CHECK(a.trade->legs[0].px == px("100.17")); // 100.11 + 0.050055, ceiled
    CHECK(a.trade->legs[1].sd == side::sell);
    CHECK(a.trade->legs[1].px == px("99.95"));  // 100.00 - 0.05
    CHECK(a.trade->legs[1].reduce_only);
  }
}

TEST_CASE("basis trades in multiples of both lots") {
  SECTION("the coarser lot when the finer divides it, else a common multiple") {
    auto perp = perp_spec();
    perp.lot = qty("0.0025");
    basis_arb b(basis_params{}, spot_spec(), perp);
    CHECK(b.trade_lot() == qty("0.005"));
    // 1000 / 100.03 = 9.9970.. -> 9.995 at lot 0.005.
    b.on_spot_book(view(spot_spec(), "100.02", "100.03", t0));
    auto a = b.on_perp_book(view(perp, "100.40", "100.41", t0));
    REQUIRE(a.trade);
    CHECK(a.trade->legs[0].qty == qty("9.995"));
    CHECK(a.trade->legs[1].qty == qty("9.995"));
    perp.lot = qty("0.01");
    CHECK(basis_arb(basis_params{}, spot_spec(), perp).trade_lot() == qty("0.01"));
  }
  SECTION("no usable lot refuses once with lot_mismatch") {
    auto perp = perp_spec();
    perp.lot = quantity{};
    basis_arb b(basis_params{}, spot_spec(), perp);
    CHECK(b.trade_lot() == quantity{});
    b.on_spot_book(view(spot_spec(), "99.99", "100.00", t0));
    auto a = b.on_perp_book(view(perp, "100.30", "100.31", t0));
    CHECK_FALSE(a.trade);
    REQUIRE(a.signals.size() == 1);
    CHECK(a.signals[0].why == "lot_mismatch");
    CHECK(b.on_perp_book(view(perp, "100.30", "100.31", t0)).empty());
  }
}
