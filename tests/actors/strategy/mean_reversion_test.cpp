#include <catch2/catch.hpp>

#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "actors/strategy/mean_reversion.hpp"
#include "tests/actors/strategy/strategy_test_support.hpp"

using namespace agora;
using namespace agora::strategy_test;

namespace {

constexpr nanos hour = 60 * minute;
/// 2023-11-14 00:00:00 UTC.
constexpr nanos day0 = 1'699'920'000 * ns_per_s;

/// Drives a strategy with one book view per bar interval.
struct harness {
  explicit harness(mean_reversion_params p = test_params(),
                   nanos start = day0 + 12 * hour)
    : mr(p, test_spec(), cid_base), t(start) {
  }

  /// A view at the current bar's start, then moves to the next bar.
  strategy_actions step(const char* mid, double rho = 0.2) {
    auto a = mr.on_book(make_view(mid, rho, t));
    t += minute;
    return a;
  }

  /// A view `offset` into the previous step's bar (does not move time).
  strategy_actions within(const char* mid, nanos offset, double rho = 0.2) {
    return mr.on_book(make_view(mid, rho, t - minute + offset));
  }

  /// Five views whose bars close at 100, 101, 100, 101 and leave 97 open.
  void falling_setup(double rho = 0.2) {
    for (const char* m : {"100", "101", "100", "101", "97"}) {
      auto a = step(m, rho);
      REQUIRE(a.empty());
    }
  }

  /// Five views whose bars close at 100, 99, 100, 99 and leave 103 open.
  void rising_setup(double rho = -0.3) {
    for (const char* m : {"100", "99", "100", "99", "103"}) {
      auto a = step(m, rho);
      REQUIRE(a.empty());
    }
  }

  /// Falling setup, then the view that closes the 97 bar and enters long
  /// with a post-only buy of 1.031 at 96.99 (cid(1), i.e. 1256). Returns
  /// its time.
  nanos enter_long() {
    falling_setup();
    const nanos at = t;
    auto a = step("97");
    REQUIRE(a.orders.size() == 1);
    REQUIRE(a.orders[0].cid == client_order_id{cid(1)});
    return at;
  }

  /// Enters long and fills the whole entry one second later; returns the
  /// fill time.
  nanos be_long() {
    const nanos at = enter_long() + ns_per_s;
    mr.on_accepted(make_accepted(cid(1), at));
    mr.on_fill(make_fill(cid(1), side::buy, "96.99", "1.031", "1.031",
                         "0", at));
    REQUIRE(mr.state_name() == "long");
    return at;
  }

  mean_reversion mr;
  nanos t;
};

/// z of the 97 close over 100, 101, 100, 101, 97: mean 99.8, ss 10.8,
/// var 2.7.
const double z_falling = -2.8 / std::sqrt(2.7);

} // namespace

TEST_CASE("strategy gives no signal before the window holds W bars") {
  harness h;
  const char* mids[] = {"100", "101", "100", "101", "97"};
  for (size_t i = 0; i < 5; ++i) {
    auto a = h.step(mids[i]);
    CHECK(a.empty());
    CHECK(h.mr.bars_seen() == i); // a view closes the previous view's bar
    CHECK_FALSE(h.mr.last_z().has_value());
  }
  // A view within the open bar closes nothing.
  CHECK(h.within("90", 30 * ns_per_s).empty());
  CHECK(h.mr.bars_seen() == 4);
  CHECK(h.mr.state_name() == "flat");
}

TEST_CASE("strategy enters long with a post-only buy at the best bid when z is below -1.25 and rho is positive") {
  harness h;
  h.falling_setup();
  // A second view inside the open bar closes nothing.
  auto a = h.within("97", 30 * ns_per_s);
  CHECK(a.empty());
  a = h.step("97", 0.35);
  REQUIRE(h.mr.bars_seen() == 5);
  REQUIRE(h.mr.last_z().has_value());
  CHECK(*h.mr.last_z() == Approx(z_falling).epsilon(1e-12));
  REQUIRE(a.orders.size() == 1);
  const auto& o = a.orders[0];
  CHECK(o.cid == client_order_id{cid(1)});
  CHECK(o.sd == side::buy);
  CHECK(o.type == order_type::limit);
  CHECK(o.tif == time_in_force::post_only);
  CHECK(o.px == px("96.99"));
  CHECK(o.qty == qty("1.031")); // 100 / 96.99 = 1.03103..., floored to 0.001
  CHECK_FALSE(o.reduce_only);
  CHECK(o.purpose == "entry_long");
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "entry_long");
  CHECK(a.signals[0].acted);
  CHECK(a.signals[0].why.empty());
  CHECK(a.signals[0].z == Approx(z_falling).epsilon(1e-12));
  CHECK(a.signals[0].rho == 0.35);
  CHECK(a.signals[0].time == h.t - minute);
  CHECK(a.cancels.empty());
  CHECK(h.mr.state_name() == "entering");
  CHECK(h.mr.has_working_order());
  CHECK(h.mr.position().is_zero());
}

TEST_CASE("strategy does not enter long when rho is not positive") {
  for (double rho : {0.0, -0.3}) {
    INFO("rho " << rho);
    harness h;
    h.falling_setup();
    auto a = h.step("97", rho);
    CHECK(h.mr.last_z().has_value());
    CHECK(a.empty());
    CHECK(h.mr.state_name() == "flat");
  }
}

TEST_CASE("strategy enters short only when shorting is allowed") {
  const double z_rising = 2.8 / std::sqrt(2.7);
  SECTION("short disabled: the signal is recorded, not acted on") {
    harness h;
    h.rising_setup();
    auto a = h.step("103", -0.3);
    CHECK(a.orders.empty());
    REQUIRE(a.signals.size() == 1);
    CHECK(a.signals[0].name == "entry_short");
    CHECK_FALSE(a.signals[0].acted);
    CHECK(a.signals[0].why == "short_disabled");
    CHECK(a.signals[0].z == Approx(z_rising).epsilon(1e-12));
    CHECK_FALSE(h.mr.has_working_order());
  }
  SECTION("short allowed: post-only sell at the best ask") {
    auto p = test_params();
    p.allow_short = true;
    harness h{p};
    h.rising_setup();
    auto a = h.step("103", -0.3);
    REQUIRE(a.orders.size() == 1);
    CHECK(a.orders[0].sd == side::sell);
    CHECK(a.orders[0].tif == time_in_force::post_only);
    CHECK(a.orders[0].px == px("103.01"));
    CHECK(a.orders[0].qty == qty("0.97")); // 100 / 103.01 = 0.97077...
    CHECK(a.orders[0].purpose == "entry_short");
    REQUIRE(a.signals.size() == 1);
    CHECK(a.signals[0].acted);
  }
  SECTION("short allowed but rho positive: nothing") {
    auto p = test_params();
    p.allow_short = true;
    harness h{p};
    h.rising_setup();
    CHECK(h.step("103", 0.3).empty());
  }
}

TEST_CASE("strategy exits a long with an IOC sell at the best bid once z rises above -0.5") {
  harness h;
  h.be_long();
  CHECK(h.mr.entry_price() == px("96.99"));
  // Closes 97: window 101,100,101,97,97 -> z = -2.2/sqrt(4.2) = -1.07: hold.
  auto a = h.step("100");
  CHECK(a.empty());
  CHECK(*h.mr.last_z() == Approx(-2.2 / std::sqrt(4.2)).epsilon(1e-12));
  // Closes 100: window 100,101,97,97,100 -> mean 99, var 3.5, z = 1/sqrt(3.5).
  a = h.step("100.5");
  CHECK(*h.mr.last_z() == Approx(1 / std::sqrt(3.5)).epsilon(1e-12));
  REQUIRE(a.orders.size() == 1);
  const auto& o = a.orders[0];
  CHECK(o.cid == client_order_id{cid(2)});
  CHECK(o.sd == side::sell);
  CHECK(o.tif == time_in_force::ioc);
  CHECK(o.px == px("100.49"));
  CHECK(o.qty == qty("1.031"));
  CHECK(o.reduce_only);
  CHECK(o.purpose == "exit_signal");
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "exit_signal");
  CHECK(a.signals[0].acted);
  CHECK(h.mr.state_name() == "exiting");
  h.mr.on_fill(make_fill(cid(2), side::sell, "100.49", "1.031", "1.031",
                         "0", h.t));
  CHECK(h.mr.position().is_zero());
  CHECK(h.mr.entry_price().is_zero());
  CHECK(h.mr.state_name() == "flat");
  CHECK_FALSE(h.mr.has_working_order());
}

TEST_CASE("strategy exits a short with an IOC buy at the best ask once z falls below +0.5") {
  auto p = test_params();
  p.allow_short = true;
  harness h{p};
  h.rising_setup();
  auto a = h.step("103", -0.3);
  REQUIRE(a.orders.size() == 1);
  h.mr.on_fill(make_fill(cid(1), side::sell, "103.01", "0.97", "0.97",
                         "0", h.t - minute + ns_per_s));
  CHECK(h.mr.position() == -qty("0.97"));
  CHECK(h.mr.state_name() == "short");
  CHECK(h.step("100").empty()); // z = 2.2/sqrt(4.2)
  a = h.step("100.5");          // z = -1/sqrt(3.5)
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].sd == side::buy);
  CHECK(a.orders[0].tif == time_in_force::ioc);
  CHECK(a.orders[0].px == px("100.51"));
  CHECK(a.orders[0].qty == qty("0.97"));
  CHECK(a.orders[0].reduce_only);
}

TEST_CASE("strategy stops out at a 1% adverse move regardless of z") {
  harness h;
  const nanos filled = h.be_long();
  // (96.99 - 96.10) / 96.99 = 0.92%: hold.
  CHECK(h.mr.on_book(make_view("96.1", 0.2, filled + 5 * ns_per_s)).empty());
  // (96.99 - 96.00) / 96.99 = 1.02%: stop.
  auto a = h.mr.on_book(make_view("96", 0.2, filled + 10 * ns_per_s));
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].sd == side::sell);
  CHECK(a.orders[0].tif == time_in_force::ioc);
  CHECK(a.orders[0].px == px("95.99"));
  CHECK(a.orders[0].qty == qty("1.031"));
  CHECK(a.orders[0].reduce_only);
  CHECK(a.orders[0].purpose == "stop_loss");
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "stop_loss");
  CHECK(a.signals[0].acted);
  // Further views do not send a second exit while one is working.
  CHECK(h.mr.on_book(make_view("95", 0.2, filled + 11 * ns_per_s)).empty());
}

TEST_CASE("strategy time-stops a position after 30 minutes") {
  harness h;
  const nanos filled = h.be_long();
  // The flushed bars are all 97: no z, so no exit signal.
  CHECK(h.mr.on_timer(filled + 30 * minute - 1).empty());
  CHECK_FALSE(h.mr.last_z().has_value());
  auto a = h.mr.on_timer(filled + 30 * minute);
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].sd == side::sell);
  CHECK(a.orders[0].tif == time_in_force::ioc);
  CHECK(a.orders[0].px == px("96.99")); // the last fresh view's best bid
  CHECK(a.orders[0].qty == qty("1.031"));
  CHECK(a.orders[0].purpose == "time_stop");
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "time_stop");
  CHECK(a.signals[0].acted);
}

TEST_CASE("strategy time-stops a position opened off-hours after 60 minutes") {
  harness h{test_params(), day0 + 23 * hour};
  const nanos filled = h.be_long();
  CHECK(h.mr.on_timer(filled + 30 * minute).empty());
  CHECK(h.mr.on_timer(filled + 60 * minute - 1).empty());
  auto a = h.mr.on_timer(filled + 60 * minute);
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].purpose == "time_stop");
}

TEST_CASE("strategy gives up a resting entry at the maker lifetime") {
  harness h;
  const nanos sent = h.enter_long();
  h.mr.on_accepted(make_accepted(cid(1), sent + 1));
  CHECK(h.mr.on_timer(sent + 29 * ns_per_s).empty());
  auto a = h.mr.on_timer(sent + 30 * ns_per_s);
  CHECK(a.orders.empty());
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].cid == client_order_id{cid(1)});
  CHECK(a.cancels[0].purpose == "entry_give_up");
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "entry_give_up");
  CHECK_FALSE(a.signals[0].acted);
  CHECK(a.signals[0].why == "lifetime");
  CHECK(a.signals[0].time == sent + 30 * ns_per_s);
  CHECK(h.mr.on_timer(sent + 31 * ns_per_s).empty()); // no second cancel yet
  CHECK(h.mr.state_name() == "entering");
  a = h.mr.on_canceled(make_canceled(cid(1), sent + 32 * ns_per_s));
  CHECK(a.empty());
  CHECK(h.mr.state_name() == "flat");
  CHECK_FALSE(h.mr.has_working_order());
  // The market moving away no longer places anything.
  CHECK(h.mr.on_book(make_view("97.5", 0.2, sent + 33 * ns_per_s)).empty());
}

TEST_CASE("strategy counts fills of an entry that was being cancelled") {
  harness h;
  const nanos sent = h.enter_long();
  auto a = h.mr.on_timer(sent + 30 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);
  h.mr.on_fill(make_fill(cid(1), side::buy, "96.99", "0.3", "0.3",
                         "0.731", sent + 31 * ns_per_s));
  h.mr.on_canceled(make_canceled(cid(1), sent + 32 * ns_per_s));
  CHECK(h.mr.position() == qty("0.3"));
  CHECK(h.mr.entry_price() == px("96.99"));
  CHECK(h.mr.state_name() == "long");
}

TEST_CASE("strategy accumulates partial fills and the position is their sum") {
  harness h;
  const nanos sent = h.enter_long();
  h.mr.on_fill(make_fill(cid(1), side::buy, "96.99", "0.4", "0.4",
                         "0.631", sent + ns_per_s));
  CHECK(h.mr.position() == qty("0.4"));
  CHECK(h.mr.state_name() == "entering");
  // A duplicate delivery of the same execution changes nothing.
  h.mr.on_fill(make_fill(cid(1), side::buy, "96.99", "0.4", "0.4",
                         "0.631", sent + ns_per_s));
  CHECK(h.mr.position() == qty("0.4"));
  h.mr.on_fill(make_fill(cid(1), side::buy, "96.99", "0.631", "1.031",
                         "0", sent + 2 * ns_per_s));
  CHECK(h.mr.position() == qty("1.031"));
  CHECK(h.mr.entry_price() == px("96.99"));
  CHECK(h.mr.state_name() == "long");
  CHECK_FALSE(h.mr.has_working_order());

  // The exit IOC fills 0.6 and the rest is cancelled: 0.431 remains.
  CHECK(h.step("100").empty());
  auto a = h.step("100.5");
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].qty == qty("1.031"));
  h.mr.on_fill(make_fill(cid(2), side::sell, "100.49", "0.6", "0.6",
                         "0.431", h.t - minute + 1));
  h.mr.on_canceled(
    make_canceled(cid(2), h.t - minute + 2, "0", cancel_reason::ioc_remainder));
  CHECK(h.mr.position() == qty("0.431"));
  CHECK(h.mr.entry_price() == px("96.99"));
  CHECK(h.mr.state_name() == "exiting");
  // The next view retries the exit for the residual, without a new signal.
  a = h.within("100.2", 5 * ns_per_s);
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].cid == client_order_id{cid(2, 1)});
  CHECK(a.orders[0].sd == side::sell);
  CHECK(a.orders[0].tif == time_in_force::ioc);
  CHECK(a.orders[0].px == px("100.19"));
  CHECK(a.orders[0].qty == qty("0.431"));
  CHECK(a.orders[0].reduce_only);
  CHECK(a.orders[0].purpose == "exit_signal");
  CHECK(a.signals.empty());
  h.mr.on_fill(make_fill(cid(2, 1), side::sell, "100.19", "0.431", "0.431",
                         "0", h.t - minute + 6 * ns_per_s));
  CHECK(h.mr.position().is_zero());
  CHECK(h.mr.state_name() == "flat");
}

TEST_CASE("strategy averages the entry price over fills at different prices") {
  harness h;
  const nanos sent = h.enter_long();
  h.mr.on_fill(make_fill(cid(1), side::buy, "96.99", "0.5", "0.5",
                         "0.531", sent + 1));
  h.mr.on_fill(make_fill(cid(1), side::buy, "96.97", "0.5", "1",
                         "0.031", sent + 2));
  // (96.99 * 0.5 + 96.97 * 0.5) / 1 = 96.98
  CHECK(h.mr.position() == qty("1"));
  CHECK(h.mr.entry_price() == px("96.98"));
}

TEST_CASE("strategy treats a residual below one lot as flat") {
  harness h;
  h.be_long();
  CHECK(h.step("100").empty());
  auto a = h.step("100.5");
  REQUIRE(a.orders.size() == 1);
  h.mr.on_fill(make_fill(cid(2), side::sell, "100.49", "1.0305",
                         "1.0305", "0", h.t - minute + 1));
  CHECK(h.mr.position() == qty("0.0005"));
  CHECK(h.mr.state_name() == "flat");
  CHECK(h.within("100.2", 5 * ns_per_s).empty());
}

TEST_CASE("strategy sends no orders when halted and cancels the working entry") {
  SECTION("halt while an entry rests") {
    harness h;
    const nanos sent = h.enter_long();
    auto a = h.mr.set_trading_state(trading_state::halted, sent + ns_per_s);
    CHECK(a.orders.empty());
    REQUIRE(a.cancels.size() == 1);
    CHECK(a.cancels[0].cid == client_order_id{cid(1)});
    CHECK(a.cancels[0].purpose == "trading_halted");
    CHECK(h.mr.trading() == trading_state::halted);
  }
  SECTION("entry signals while halted are recorded, not acted on") {
    harness h;
    CHECK(h.mr.set_trading_state(trading_state::halted, h.t).empty());
    h.falling_setup();
    auto a = h.step("97");
    CHECK(a.orders.empty());
    CHECK(a.cancels.empty());
    REQUIRE(a.signals.size() == 1);
    CHECK(a.signals[0].name == "entry_long");
    CHECK_FALSE(a.signals[0].acted);
    CHECK(a.signals[0].why == "trading_halted");
  }
  SECTION("a stop while halted waits for resume") {
    harness h;
    const nanos filled = h.be_long();
    h.mr.set_trading_state(trading_state::halted, filled + 1);
    auto a = h.mr.on_book(make_view("96", 0.2, filled + 10 * ns_per_s));
    CHECK(a.orders.empty());
    REQUIRE(a.signals.size() == 1);
    CHECK(a.signals[0].name == "stop_loss");
    CHECK_FALSE(a.signals[0].acted);
    CHECK(a.signals[0].why == "trading_halted");
    CHECK(h.mr.state_name() == "exiting");
    CHECK(h.mr.on_book(make_view("96", 0.2, filled + 11 * ns_per_s)).empty());
    CHECK(h.mr.set_trading_state(trading_state::active, filled + 12 * ns_per_s)
            .empty());
    a = h.mr.on_book(make_view("96.01", 0.2, filled + 13 * ns_per_s));
    REQUIRE(a.orders.size() == 1);
    CHECK(a.orders[0].purpose == "stop_loss");
    CHECK(a.orders[0].px == px("96"));
    CHECK(a.signals.empty());
  }
}

TEST_CASE("strategy only exits when reducing") {
  SECTION("entries are blocked and a resting entry is cancelled") {
    harness h;
    const nanos sent = h.enter_long();
    auto a = h.mr.set_trading_state(trading_state::reducing, sent + 1);
    REQUIRE(a.cancels.size() == 1);
    CHECK(a.cancels[0].purpose == "trading_reducing");
    h.mr.on_canceled(make_canceled(cid(1), sent + 2));
    // The next bar closes at 90: window 101,100,101,97,90 -> entry signal.
    h.within("90", 30 * ns_per_s);
    a = h.step("90");
    CHECK(a.orders.empty());
    REQUIRE(a.signals.size() == 1);
    CHECK(a.signals[0].name == "entry_long");
    CHECK(a.signals[0].why == "trading_reducing");
  }
  SECTION("exits go out") {
    harness h;
    h.be_long();
    CHECK(h.mr.set_trading_state(trading_state::reducing, h.t).empty());
    CHECK(h.step("100").empty());
    auto a = h.step("100.5");
    REQUIRE(a.orders.size() == 1);
    CHECK(a.orders[0].purpose == "exit_signal");
    CHECK(a.orders[0].reduce_only);
  }
}

TEST_CASE("strategy acts on no signal from a stale book until the next view") {
  harness h;
  h.falling_setup();
  h.mr.on_stale();
  // The timer closes the 97 bar: the entry signal is recorded as blocked.
  auto a = h.mr.on_timer(h.t);
  CHECK(h.mr.bars_seen() == 5);
  CHECK(a.orders.empty());
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "entry_long");
  CHECK_FALSE(a.signals[0].acted);
  CHECK(a.signals[0].why == "stale_book");
  // A fresh view inside the next bar closes nothing: still no signal.
  CHECK(h.mr.on_book(make_view("95", 0.2, h.t + 10 * ns_per_s)).empty());
  h.t += minute;
  // The next bar close (95): window 101,100,101,97,95 -> z = -3.8/sqrt(7.2).
  a = h.step("95");
  CHECK(*h.mr.last_z() == Approx(-3.8 / std::sqrt(7.2)).epsilon(1e-12));
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].px == px("94.99"));
  CHECK(a.orders[0].qty == qty("1.052")); // 100 / 94.99 = 1.05274...
  CHECK(a.signals[0].acted);
}

TEST_CASE("strategy records but does not keep a z-score exit from a stale book") {
  harness h;
  h.be_long();
  CHECK(h.step("100").empty()); // closes 97: z = -2.2/sqrt(4.2)
  h.mr.on_stale();
  // The timer closes the 100 bar: z = 1/sqrt(3.5), an exit signal, blocked.
  auto a = h.mr.on_timer(h.t);
  CHECK(a.orders.empty());
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "exit_signal");
  CHECK_FALSE(a.signals[0].acted);
  CHECK(a.signals[0].why == "stale_book");
  CHECK(h.mr.state_name() == "long");
  // A fresh view inside the next bar: nothing pending, nothing sent.
  CHECK(h.mr.on_book(make_view("100.5", 0.2, h.t + 5 * ns_per_s)).empty());
  h.t += minute;
  // The next bar close (100.5) decides again: z = 1.4/sqrt(3.8) -> exit.
  a = h.step("100.5");
  CHECK(*h.mr.last_z() == Approx(1.4 / std::sqrt(3.8)).epsilon(1e-12));
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].purpose == "exit_signal");
  CHECK(a.orders[0].px == px("100.49"));
}

TEST_CASE("strategy prices a stop from a stale book only after a fresh view") {
  harness h;
  const nanos filled = h.be_long();
  h.mr.on_stale();
  auto a = h.mr.on_timer(filled + 30 * minute);
  CHECK(a.orders.empty());
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "time_stop");
  CHECK(a.signals[0].why == "stale_book");
  CHECK(h.mr.on_timer(filled + 30 * minute + ns_per_s).empty());
  a = h.mr.on_book(make_view("97.5", 0.2, filled + 30 * minute + 2 * ns_per_s));
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].purpose == "time_stop");
  CHECK(a.orders[0].px == px("97.49"));
}

TEST_CASE("strategy returns to flat after a refused entry and waits for the next signal") {
  harness h;
  const nanos sent = h.enter_long();
  auto a = h.mr.on_rejected(make_rejected(cid(1), reject_reason::position_cap,
                                          sent + 1));
  CHECK(a.empty());
  CHECK(h.mr.state_name() == "flat");
  CHECK_FALSE(h.mr.has_working_order());
  CHECK(h.mr.position().is_zero());
  // Same bar: no new signal, nothing placed again.
  CHECK(h.within("95", 10 * ns_per_s).empty());
  // The next bar closes at 95 -> a new entry signal, a new family.
  a = h.step("95");
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].cid == client_order_id{cid(2)});
  CHECK(a.orders[0].px == px("94.99"));
}

TEST_CASE("strategy cancels a partly filled entry before a stop exit") {
  harness h;
  const nanos sent = h.enter_long();
  h.mr.on_fill(make_fill(cid(1), side::buy, "96.99", "0.4", "0.4",
                         "0.631", sent + 1));
  auto a = h.mr.on_book(make_view("95.9", 0.2, sent + 5 * ns_per_s));
  CHECK(a.orders.empty());
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].cid == client_order_id{cid(1)});
  CHECK(a.cancels[0].purpose == "stop_loss");
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "stop_loss");
  CHECK(h.mr.state_name() == "exiting");
  CHECK(h.mr.on_book(make_view("95.9", 0.2, sent + 6 * ns_per_s)).empty());
  h.mr.on_canceled(make_canceled(cid(1), sent + 7 * ns_per_s));
  a = h.mr.on_book(make_view("95.8", 0.2, sent + 8 * ns_per_s));
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].cid == client_order_id{cid(2)});
  CHECK(a.orders[0].px == px("95.79"));
  CHECK(a.orders[0].qty == qty("0.4"));
  CHECK(a.orders[0].purpose == "stop_loss");
}

TEST_CASE("strategy backs off before re-sending a rejected exit") {
  harness h;
  const nanos filled = h.be_long();
  auto a = h.mr.on_book(make_view("96", 0.2, filled + 10 * ns_per_s));
  REQUIRE(a.orders.size() == 1);
  h.mr.on_rejected(make_rejected(cid(2), reject_reason::rate_limited,
                                 filled + 10 * ns_per_s));
  CHECK(h.mr.on_book(make_view("96", 0.2, filled + 10 * ns_per_s + 1)).empty());
  a = h.mr.on_book(make_view("96", 0.2, filled + 11 * ns_per_s));
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].cid == client_order_id{cid(2, 1)});
  CHECK(a.orders[0].purpose == "stop_loss");
}

TEST_CASE("strategy skips an entry below the minimum notional") {
  auto p = test_params();
  p.order_notional = notional::from_units(1); // 0.01 x 96.99 = 0.97 < 5
  harness h{p};
  h.falling_setup();
  auto a = h.step("97");
  CHECK(a.orders.empty());
  REQUIRE(a.signals.size() == 1);
  CHECK_FALSE(a.signals[0].acted);
  CHECK(a.signals[0].why == "below_min_notional");
  CHECK(h.mr.state_name() == "flat");
}

TEST_CASE("strategy warm-up preloads closes and live bars continue after them") {
  harness h;
  std::vector<bar> history;
  const char* closes[] = {"100", "101", "100", "101", "97"};
  for (size_t i = 0; i < 5; ++i) {
    bar b;
    b.open_time = h.t + static_cast<nanos>(i) * minute;
    b.interval = minute;
    b.open = b.high = b.low = b.close = px(closes[i]);
    history.push_back(b);
  }
  h.mr.warm_up(history);
  CHECK(h.mr.bars_seen() == 5);
  REQUIRE(h.mr.last_z().has_value());
  CHECK(*h.mr.last_z() == Approx(z_falling).epsilon(1e-12));
  // Re-feeding the same history changes nothing.
  h.mr.warm_up(history);
  CHECK(h.mr.bars_seen() == 5);
  // A view two bars later: one flat bar (97) fills the gap.
  auto a = h.mr.on_book(make_view("97", 0.2, h.t + 6 * minute + ns_per_s));
  CHECK(h.mr.bars_seen() == 6);
  CHECK(*h.mr.last_z() == Approx(-2.2 / std::sqrt(4.2)).epsilon(1e-12));
  CHECK(a.empty());
}

TEST_CASE("strategy ignores fills for client ids it never issued") {
  harness h;
  h.mr.on_fill(make_fill(cid(1), side::buy, "100", "1", "1", "0", h.t));
  h.mr.on_fill(make_fill(7, side::buy, "100", "1", "1", "0", h.t));
  CHECK(h.mr.position().is_zero());
}
