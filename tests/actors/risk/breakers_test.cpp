#include <catch2/catch.hpp>

#include "actors/risk/breakers.hpp"
#include "actors/risk/macro_calendar.hpp"

using namespace agora;

namespace {

notional cash(const char* s) {
  return notional::parse(s).value();
}

nanos at(const char* iso) {
  return parse_iso8601(iso).value();
}

const venue_id sim{"sim"};

position_view pos(const char* sym, const char* qty, const char* realized,
                  const char* fees) {
  position_view p;
  p.venue = sim;
  p.symbol = symbol_id{sym};
  p.qty = quantity::parse(qty).value();
  p.realized_pnl = cash(realized);
  p.fees = cash(fees);
  return p;
}

} // namespace

TEST_CASE("the drawdown breaker trips once equity is more than 2% of the day "
          "start below the peak") {
  breakers b{breaker_settings{}};
  CHECK(b.update(at("2026-11-23T10:00:00Z"), cash("0"), cash("0")).empty());
  CHECK(b.day_start_equity() == cash("10000"));
  CHECK(b.update(at("2026-11-23T10:01:00Z"), cash("0"), cash("150")).empty());
  CHECK(b.peak_equity() == cash("10150"));
  // Exactly 200 below the peak: the limit allows it.
  CHECK(b.update(at("2026-11-23T10:02:00Z"), cash("-50"), cash("0")).empty());
  auto trips
      = b.update(at("2026-11-23T10:03:00Z"), cash("-50"), cash("-0.00000001"));
  REQUIRE(trips.size() == 1);
  CHECK(trips[0].which == "daily_drawdown");
  CHECK(trips[0].detail
        == "drawdown 200.00000001 from peak 10150 > limit 200 (1 x 2% of day "
           "start equity 10000), equity 9949.99999999");
  CHECK(trips[0].at == at("2026-11-23T10:03:00Z"));
  CHECK(b.trips_today("daily_drawdown") == 1);
  CHECK(b.trips_today("daily_loss") == 0);
}

TEST_CASE("the daily loss breaker trips past 2% of the day start equity and "
          "re-arms one limit further") {
  breakers b{breaker_settings{}};
  CHECK(b.update(at("2026-11-23T10:00:00Z"), cash("0"), cash("0")).empty());
  CHECK(
      b.update(at("2026-11-23T11:00:00Z"), cash("-150"), cash("-50")).empty());
  auto trips = b.update(at("2026-11-23T11:01:00Z"), cash("-150"), cash("-60"));
  // Loss 210 > 200; from the peak of 10000 that is also a 210 drawdown.
  REQUIRE(trips.size() == 2);
  CHECK(trips[0].which == "daily_loss");
  CHECK(trips[0].detail
        == "loss 210 > limit 200 (1 x 2% of day start equity 10000), equity "
           "9790");
  CHECK(trips[1].which == "daily_drawdown");
  // The same loss does not trip again.
  CHECK(
      b.update(at("2026-11-23T11:02:00Z"), cash("-150"), cash("-60")).empty());
  CHECK(
      b.update(at("2026-11-23T11:03:00Z"), cash("-200"), cash("-200")).empty());
  // Another full limit further (loss > 400) trips both again.
  trips = b.update(at("2026-11-23T11:04:00Z"), cash("-200"),
                   cash("-200.00000001"));
  REQUIRE(trips.size() == 2);
  CHECK(trips[0].which == "daily_loss");
  CHECK(trips[0].detail
        == "loss 400.00000001 > limit 400 (2 x 2% of day start equity 10000), "
           "equity 9599.99999999");
  CHECK(b.trips_today("daily_loss") == 2);
}

TEST_CASE("a new UTC day starts from the equity at midnight and re-arms the "
          "breakers") {
  breakers b{breaker_settings{}};
  CHECK(b.update(at("2026-11-23T10:00:00Z"), cash("0"), cash("0")).empty());
  CHECK(
      b.update(at("2026-11-23T23:59:59Z"), cash("-200"), cash("-210.00000001"))
          .size()
      == 2);
  // The first update after midnight: day start = the last equity,
  // 9589.99999999.
  CHECK(
      b.update(at("2026-11-24T00:00:01Z"), cash("-200"), cash("-210.00000001"))
          .empty());
  CHECK(b.day_start_equity() == cash("9589.99999999"));
  CHECK(b.trips_today("daily_loss") == 0);
  // Limit: 9589.99999999 x 0.02 = 191.7999999998, truncated to 191.79999999.
  CHECK(b.update(at("2026-11-24T01:00:00Z"), cash("-200"), cash("-401.8"))
            .empty());
  auto trips = b.update(at("2026-11-24T01:00:01Z"), cash("-200"),
                        cash("-401.80000001"));
  REQUIRE_FALSE(trips.empty());
  CHECK(trips[0].which == "daily_loss");
  CHECK(trips[0].detail.rfind("loss 191.8 > limit 191.79999999", 0) == 0);
}

TEST_CASE("configured equity and limits scale the thresholds") {
  breaker_settings s;
  s.equity = cash("50000");
  s.daily_loss_limit = 0.01;
  s.daily_drawdown_limit = 0.05;
  breakers b{s};
  CHECK(b.update(at("2026-11-23T10:00:00Z"), cash("0"), cash("0")).empty());
  CHECK(b.update(at("2026-11-23T10:00:01Z"), cash("-500"), cash("0")).empty());
  auto trips = b.update(at("2026-11-23T10:00:02Z"), cash("-500.01"), cash("0"));
  REQUIRE(trips.size() == 1);
  CHECK(trips[0].which == "daily_loss");
  CHECK(trips[0].detail
        == "loss 500.01 > limit 500 (1 x 1% of day start equity 50000), equity "
           "49499.99");
}

TEST_CASE("the daily summary counts fills, fees, round trips and wins") {
  breakers b{breaker_settings{}};
  auto t = at("2026-11-23T09:00:00Z");
  // BTC: open long, close with a profit.
  b.on_fill(t, position_view{}, pos("BTCUSDT", "1", "-0.1", "0.1"));
  b.on_fill(t + 1, pos("BTCUSDT", "1", "-0.1", "0.1"),
            pos("BTCUSDT", "0", "9.8", "0.2"));
  // ETH: open short, flip long at a loss (closes a losing trip), close with
  // a profit (a winning trip).
  b.on_fill(t + 2, position_view{}, pos("ETHUSDT", "-2", "-0.2", "0.2"));
  b.on_fill(t + 3, pos("ETHUSDT", "-2", "-0.2", "0.2"),
            pos("ETHUSDT", "1", "-10.4", "0.4"));
  b.on_fill(t + 4, pos("ETHUSDT", "1", "-10.4", "0.4"),
            pos("ETHUSDT", "0", "-5.5", "0.5"));
  CHECK(b.update(t + 5, cash("4.3"), cash("0")).empty());
  // No day has closed yet: the summary is the day so far.
  auto s = b.summary(t + 6);
  CHECK(s.partial);
  CHECK(s.day_start == at("2026-11-23T00:00:00Z"));
  CHECK(s.taken == t + 6);
  CHECK(s.fills == 5);
  CHECK(s.fees == cash("0.7"));
  CHECK(s.round_trips == 3);
  CHECK(s.wins == 2);
  CHECK(s.realized_pnl == cash("4.3"));
  CHECK(s.unrealized_pnl == cash("0"));
  CHECK(s.equity == cash("10004.3"));
  CHECK(s.peak_equity == cash("10004.3"));
  // The next day starts from zero, realized counted from its start.
  b.on_fill(at("2026-11-24T08:00:00Z"), pos("BTCUSDT", "0", "9.8", "0.2"),
            pos("BTCUSDT", "1", "9.7", "0.3"));
  CHECK(b.update(at("2026-11-24T08:00:01Z"), cash("4.2"), cash("1")).empty());
  s = b.day_so_far(at("2026-11-24T08:00:02Z"));
  CHECK(s.partial);
  CHECK(s.day_start == at("2026-11-24T00:00:00Z"));
  CHECK(s.fills == 1);
  CHECK(s.fees == cash("0.1"));
  CHECK(s.round_trips == 0);
  CHECK(s.realized_pnl == cash("-0.1"));
  CHECK(s.unrealized_pnl == cash("1"));
  CHECK(s.equity == cash("10005.2"));
  // The summary is now the closed 23rd.
  s = b.summary(at("2026-11-24T08:00:02Z"));
  CHECK_FALSE(s.partial);
  CHECK(s.day_start == at("2026-11-23T00:00:00Z"));
  CHECK(s.taken == at("2026-11-24T08:00:02Z"));
  CHECK(s.fills == 5);
  CHECK(s.round_trips == 3);
  CHECK(s.realized_pnl == cash("4.3"));
}

TEST_CASE("after midnight the summary reports the closed day: fills before "
          "midnight counted, fills after not") {
  breakers b{breaker_settings{}};
  CHECK(b.update(at("2026-11-23T09:00:00Z"), cash("0"), cash("0")).empty());
  // ETH: a winning round trip; BTC: opened a nanosecond before midnight.
  b.on_fill(at("2026-11-23T10:00:00Z"), position_view{},
            pos("ETHUSDT", "1", "-0.1", "0.1"));
  b.on_fill(at("2026-11-23T11:00:00Z"), pos("ETHUSDT", "1", "-0.1", "0.1"),
            pos("ETHUSDT", "0", "19.8", "0.2"));
  auto last = at("2026-11-23T23:59:59.999999999Z");
  b.on_fill(last, position_view{}, pos("BTCUSDT", "1", "-0.1", "0.1"));
  CHECK(b.update(last, cash("19.7"), cash("5")).empty());
  CHECK_FALSE(b.last_closed());

  // Asked at midnight before any update rolled the day: the day just ended.
  auto midnight = at("2026-11-24T00:00:00Z");
  auto s = b.summary(midnight);
  CHECK_FALSE(s.partial);
  CHECK(s.day_start == at("2026-11-23T00:00:00Z"));
  CHECK(s.taken == midnight);
  CHECK(s.fills == 3);
  CHECK(s.fees == cash("0.3"));
  CHECK(s.round_trips == 1);
  CHECK(s.wins == 1);
  CHECK(s.realized_pnl == cash("19.7"));
  CHECK(s.unrealized_pnl == cash("5"));
  CHECK(s.equity == cash("10024.7"));
  CHECK(s.peak_equity == cash("10024.7"));

  // BTC closed at a loss at midnight: that fill belongs to the 24th.
  b.on_fill(midnight, pos("BTCUSDT", "1", "-0.1", "0.1"),
            pos("BTCUSDT", "0", "-3.2", "0.2"));
  CHECK(b.update(midnight + ns_per_s, cash("16.6"), cash("0")).empty());
  REQUIRE(b.last_closed());
  CHECK(b.last_closed()->taken == midnight);
  auto later = at("2026-11-24T00:05:00Z");
  auto closed = b.summary(later);
  CHECK_FALSE(closed.partial);
  CHECK(closed.day_start == at("2026-11-23T00:00:00Z"));
  CHECK(closed.taken == later);
  CHECK(closed.fills == 3);
  CHECK(closed.fees == cash("0.3"));
  CHECK(closed.round_trips == 1);
  CHECK(closed.wins == 1);
  CHECK(closed.realized_pnl == cash("19.7"));
  CHECK(closed.unrealized_pnl == cash("5"));
  CHECK(closed.equity == cash("10024.7"));
  CHECK(closed.peak_equity == cash("10024.7"));

  auto today = b.day_so_far(later);
  CHECK(today.partial);
  CHECK(today.day_start == midnight);
  CHECK(today.fills == 1);
  CHECK(today.fees == cash("0.1"));
  CHECK(today.round_trips == 1);
  CHECK(today.wins == 0);
  CHECK(today.realized_pnl == cash("-3.1"));
  CHECK(today.equity == cash("10016.6"));
  CHECK(today.peak_equity == cash("10024.7"));
}

TEST_CASE("before any day has closed the summary is the day so far, marked "
          "partial") {
  breakers b{breaker_settings{}};
  auto t = at("2026-11-23T14:05:09Z");
  // Nothing fed yet.
  auto s = b.summary(t);
  CHECK(s.partial);
  CHECK(s.day_start == at("2026-11-23T00:00:00Z"));
  CHECK(s.taken == t);
  CHECK(s.fills == 0);
  CHECK(s.equity == cash("10000"));
  CHECK(s.peak_equity == cash("10000"));
  b.on_fill(t, position_view{}, pos("BTCUSDT", "-1", "-0.1", "0.1"));
  CHECK(b.update(t + 1, cash("-0.1"), cash("-2")).empty());
  s = b.summary(t + 2);
  CHECK(s.partial);
  CHECK(s.day_start == at("2026-11-23T00:00:00Z"));
  CHECK(s.taken == t + 2);
  CHECK(s.fills == 1);
  CHECK(s.fees == cash("0.1"));
  CHECK(s.round_trips == 0);
  CHECK(s.realized_pnl == cash("-0.1"));
  CHECK(s.unrealized_pnl == cash("-2"));
  CHECK(s.equity == cash("9997.9"));
  CHECK(s.peak_equity == cash("10000"));
}

TEST_CASE("a day without any update closes with no fills and the equity it "
          "started with") {
  breakers b{breaker_settings{}};
  b.on_fill(at("2026-11-22T12:00:00Z"), position_view{},
            pos("BTCUSDT", "1", "-0.1", "0.1"));
  b.on_fill(at("2026-11-22T12:01:00Z"), pos("BTCUSDT", "1", "-0.1", "0.1"),
            pos("BTCUSDT", "0", "-50", "0.2"));
  CHECK(b.update(at("2026-11-22T12:01:00Z"), cash("-50"), cash("0")).empty());
  // Nothing at all on the 23rd; asked on the 24th before any update.
  auto s = b.summary(at("2026-11-24T00:00:00Z"));
  CHECK_FALSE(s.partial);
  CHECK(s.day_start == at("2026-11-23T00:00:00Z"));
  CHECK(s.fills == 0);
  CHECK(s.fees == cash("0"));
  CHECK(s.round_trips == 0);
  CHECK(s.realized_pnl == cash("0"));
  CHECK(s.equity == cash("9950"));
  CHECK(s.peak_equity == cash("9950"));
  // The rollover keeps the same quiet 23rd, not the 22nd.
  CHECK(b.update(at("2026-11-24T00:00:01Z"), cash("-50"), cash("0")).empty());
  REQUIRE(b.last_closed());
  CHECK(b.last_closed()->day_start == at("2026-11-23T00:00:00Z"));
  CHECK(b.last_closed()->fills == 0);
  s = b.summary(at("2026-11-24T06:00:00Z"));
  CHECK(s.day_start == at("2026-11-23T00:00:00Z"));
  CHECK(s.equity == cash("9950"));
}

TEST_CASE("days are UTC days") {
  CHECK(breakers::day_of(at("2026-11-23T23:59:59.999999999Z"))
        == at("2026-11-23T00:00:00Z"));
  CHECK(breakers::day_of(at("2026-11-24T00:00:00Z"))
        == at("2026-11-24T00:00:00Z"));
  CHECK(breakers::day_of(-1) == -86'400 * ns_per_s);
}
