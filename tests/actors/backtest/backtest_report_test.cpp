#include "actors/backtest/backtest_report.hpp"

#include <catch2/catch.hpp>

using namespace agora;
using namespace agora::backtest;

namespace {

const venue_id venue{"v"};
const symbol_id symbol{"ETHUSDT"};

order_filled fill(nanos t, side sd, const char* px, const char* qty, const char* fee) {
  order_filled f;
  f.venue = venue;
  f.symbol = symbol;
  f.sd = sd;
  f.fill_px = *price::parse(px);
  f.fill_qty = *quantity::parse(qty);
  f.fee = *notional::parse(fee);
  f.strategy = "mr";
  f.local_time = t * ns_per_s;
  return f;
}

mark at(nanos t, const char* mid) { return mark{t * ns_per_s, venue, symbol, *price::parse(mid)}; }

report_inputs two_trips() {
  report_inputs in;
  in.strategies = {"mr", "idle"};
  in.lots[{venue, symbol}] = *quantity::parse("0.001");
  in.fills = {fill(1, side::buy, "100", "1", "0.1"), fill(3, side::sell, "110", "1", "0.11"),
              fill(5, side::buy, "100", "2", "0.2"), fill(7, side::sell, "95", "2", "0.19")};
  in.marks = {at(2, "105"), at(4, "110"), at(6, "90"), at(8, "95")};
  in.start = 0;
  in.trading_from = 0;
  in.end = 10 * ns_per_s;
  in.equity = 10'000;
  in.return_interval = 2 * ns_per_s;
  journal::order_row o;
  o.view.strategy = "mr";
  o.view.status = order_status::filled;
  o.view.cum_qty = *quantity::parse("1");
  in.orders = {o, o, o, o};
  o.view.status = order_status::rejected;
  o.view.cum_qty = quantity{};
  in.orders.push_back(o);
  in.rejections = {{"mr", "POST_ONLY_WOULD_CROSS: would take"}};
  signal_record s;
  s.strategy = "mr";
  s.name = "entry_long";
  s.acted = true;
  in.signals = {s, s};
  s.acted = false;
  s.why = "rho_not_positive";
  in.signals.push_back(s);
  return in;
}

} // namespace

TEST_CASE("round trips, win rate, profit factor and expectancy from fills", "[report]") {
  auto in = two_trips();
  auto r = compute_report(in);
  REQUIRE(r.strategies.size() == 2);
  const auto& m = r.strategies[0];
  CHECK(m.name == "mr");
  CHECK(m.round_trips == 2);
  CHECK(m.wins == 1);
  REQUIRE(r.trips.size() == 2);
  CHECK(r.trips[0].pnl == Approx(10));
  CHECK(r.trips[0].fees == Approx(0.21));
  CHECK(r.trips[1].net() == Approx(-10.39));
  CHECK(m.gross_wins == Approx(9.79));
  CHECK(m.gross_losses == Approx(10.39));
  CHECK(m.realized == Approx(0));
  CHECK(m.fees == Approx(0.6));
  CHECK(m.unrealized == Approx(0));
  CHECK(m.turnover == Approx(600));
  CHECK(m.time_in_market == Approx(0.4));
  CHECK(m.max_drawdown == Approx(20.2));
  CHECK(m.max_drawdown_pct == Approx(100.0 * 20.2 / 10'009.79));
  CHECK(m.orders_sent == 5);
  CHECK(m.orders_filled == 4);
  CHECK(m.orders_fully_filled == 4);
  CHECK(m.rejected.at("POST_ONLY_WOULD_CROSS") == 1);
  CHECK(m.signals_acted == 2);
  CHECK(m.blocked.at("entry_long: rho_not_positive") == 1);
  CHECK(r.strategies[1].round_trips == 0);
  CHECK(r.total.fees == Approx(0.6));
}

TEST_CASE("the equity curve marks open positions to the book's mid", "[report]") {
  auto in = two_trips();
  auto r = compute_report(in);
  REQUIRE(r.equity.size() == 4);
  CHECK(r.equity[0].equity[0] == Approx(4.9));    // long 1 from 100, mid 105, fee 0.1
  CHECK(r.equity[1].equity[0] == Approx(9.79));   // flat after the first trip
  CHECK(r.equity[2].equity[0] == Approx(-10.41)); // long 2 from 100, mid 90
  CHECK(r.equity[2].position_notional[0] == Approx(180));
  CHECK(r.equity[3].equity.back() == Approx(-0.6)); // the total column
  // Returns every 2 s over the four samples: Sharpe and Sortino exist.
  CHECK(r.strategies[0].returns == 3);
  CHECK(r.strategies[0].sharpe.has_value());
  CHECK(r.strategies[0].sortino.has_value());
}

TEST_CASE("a position still open at the end is unrealized, not a round trip", "[report]") {
  auto in = two_trips();
  in.fills.resize(3); // the second trip never closes
  auto r = compute_report(in);
  CHECK(r.strategies[0].round_trips == 1);
  CHECK(r.strategies[0].unrealized == Approx(2 * (95 - 100)));
  CHECK(r.strategies[0].time_in_market == Approx((2.0 + 5.0) / 10.0));
}

TEST_CASE("report.json is the same text for the same inputs", "[report]") {
  auto in = two_trips();
  auto a = to_json(compute_report(in), in);
  auto b = to_json(compute_report(in), in);
  CHECK(a == b);
  CHECK(a.find("\"win_rate\": 0.5,") != std::string::npos);
  CHECK(a.find("\"fees\": 0.6,") != std::string::npos);
  CHECK(trades_csv(compute_report(in)).find("mr,1970-01-01T00:00:01.000Z,1970-01-01T00:00:03.000Z,2.000,2,")
        != std::string::npos);
}

TEST_CASE("funding charges the positions held at each funding time", "[report]") {
  auto in = two_trips();
  in.funding_data = true;
  // At 2 s the strategy is long 1 (pays 1 x 104 x 0.001 = 0.104); at 4 s it
  // is flat (nothing); at 6 s long 2 at a negative rate (receives 2 x 92 x
  // 0.0005 = 0.092). A funding time equal to a fill's time charges the
  // position after that fill: at 5 s the second trip has just opened.
  auto event = [](nanos t, const char* r, const char* m) {
    return funding_event{venue, symbol, t * ns_per_s, *rate::parse(r), *price::parse(m)};
  };
  in.funding = {event(2, "0.001", "104"), event(4, "0.001", "110"), event(5, "0.0001", "100"),
                event(6, "-0.0005", "92")};
  auto r = compute_report(in);
  const auto& m = r.strategies[0];
  CHECK(m.funding == Approx(-0.104 - 0.02 + 0.092));
  CHECK(m.funding_payments == 3);
  REQUIRE(r.trips.size() == 2);
  CHECK(r.trips[0].funding == Approx(-0.104));
  CHECK(r.trips[1].funding == Approx(-0.02 + 0.092));
  CHECK(r.trips[1].net() == Approx(-10.39 + 0.072));
  CHECK(r.strategies[1].funding == 0);
  CHECK(r.total.funding == Approx(m.funding));
  // The equity curve carries it: at 8 s (flat) equity = realized - fees + funding.
  CHECK(r.equity.back().equity[0] == Approx(-0.6 - 0.032));
  auto json = to_json(r, in);
  CHECK(json.find("\"funding\": -0.032,") != std::string::npos);
  CHECK(json.find("\"funding_payments\": 3,") != std::string::npos);
  // Without funding data the figure is null, not zero.
  in.funding_data = false;
  in.funding.clear();
  CHECK(to_json(compute_report(in), in).find("\"funding\": null,") != std::string::npos);
}
