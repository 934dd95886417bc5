#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>

#include "actors/strategy/mean_reversion.hpp"
#include "tests/actors/strategy/strategy_test_support.hpp"

// The maker watchdog of the mean-reversion core: reprices of a resting
// post-only entry, its client-id family, and giving it up.

using namespace agora;
using namespace agora::strategy_test;

namespace {

constexpr nanos ms = ns_per_s / 1000;
/// 2023-11-14 12:00:00 UTC (not off-hours).
constexpr nanos noon = 1'699'920'000 * ns_per_s + 12 * 60 * minute;

/// A strategy that enters on the close of its fifth bar.
struct harness {
  explicit harness(mean_reversion_params p = test_params())
    : mr(p, test_spec(), cid_base) {
  }

  /// Views one bar apart at `mids`; the last one closes the bar before it
  /// and returns what it did. Closes c1..c4 then c5 = last-but-one mid.
  strategy_actions bars(std::initializer_list<const char*> mids,
                        double rho = 0.2) {
    strategy_actions a;
    for (const char* m : mids) {
      a = mr.on_book(make_view(m, rho, t));
      t += minute;
    }
    return a;
  }

  /// Closes 100, 101, 100, 101, 97: z = -2.8/sqrt(2.7) = -1.70 < -1.25 with
  /// rho > 0, so the view at `entered` buys 1.031 post-only at the best bid
  /// 96.99 (100 / 96.99 = 1.03103, floored to the lot) as cid(1).
  void enter_long() {
    auto a = bars({"100", "101", "100", "101", "97", "97"});
    entered = t - minute;
    REQUIRE(a.orders.size() == 1);
    REQUIRE(a.orders[0].cid == client_order_id{cid(1)});
    REQUIRE(a.orders[0].px == px("96.99"));
    REQUIRE(a.orders[0].qty == qty("1.031"));
    REQUIRE(a.orders[0].tif == time_in_force::post_only);
  }

  /// The same closes 3.01 higher: the entry buys 1 at exactly 100.00.
  void enter_long_at_100() {
    auto a = bars({"103.01", "104.01", "103.01", "104.01", "100.01", "100.01"});
    entered = t - minute;
    REQUIRE(a.orders.size() == 1);
    REQUIRE(a.orders[0].px == px("100"));
    REQUIRE(a.orders[0].qty == qty("1"));
  }

  /// A view `offset` after the entry (same bar: no bar closes).
  strategy_actions view(const char* mid, nanos offset) {
    return mr.on_book(make_view(mid, 0.2, entered + offset));
  }

  mean_reversion mr;
  nanos t = noon;
  nanos entered = 0;
};

void check_reprice_signal(const strategy_actions& a, nanos at) {
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "reprice");
  CHECK(a.signals[0].acted);
  CHECK(a.signals[0].why.empty());
  CHECK(a.signals[0].time == at);
}

} // namespace

TEST_CASE("family_of reads the family out of a client order id") {
  CHECK(mean_reversion::family_of(client_order_id{cid(1)}, cid_base) == 1);
  CHECK(mean_reversion::family_of(client_order_id{cid(1, 255)}, cid_base) == 1);
  CHECK(mean_reversion::family_of(client_order_id{cid(3, 7)}, cid_base) == 3);
  CHECK(mean_reversion::family_of(client_order_id{1000 + 3 * 256 + 7}, 1000) == 3);
  CHECK(mean_reversion::family_of(client_order_id{cid(2)}, cid_base) == 2);
  CHECK(mean_reversion::family_of(client_order_id{cid_base + 255}, cid_base) == 0);
  CHECK(mean_reversion::family_of(client_order_id{cid_base}, cid_base) == 0);
  CHECK(mean_reversion::family_of(client_order_id{7}, cid_base) == 0);
  // With a real base (low 24 bits clear) 65535 families fit below bit 24.
  const uint64_t base = uint64_t{5} << 24;
  CHECK(mean_reversion::family_of(client_order_id{base + (uint64_t{65535} << 8) + 255},
                                  base) == 65535);
}

TEST_CASE("strategy reprices a resting buy when the best bid rises above it by more than the threshold") {
  harness h;
  h.enter_long();
  h.mr.on_accepted(make_accepted(cid(1), h.entered + 100 * ms));
  // Best bid 97.08: 0.09 above 96.99, not more than 0.1% of it (0.09699).
  CHECK(h.view("97.09", 2 * ns_per_s).empty());
  // Best bid 97.09: 0.10 above: cancel for a reprice, nothing placed yet.
  auto a = h.view("97.1", 3 * ns_per_s);
  CHECK(a.orders.empty());
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].cid == client_order_id{cid(1)});
  CHECK(a.cancels[0].purpose == "reprice");
  check_reprice_signal(a, h.entered + 3 * ns_per_s);
  CHECK(h.mr.state_name() == "entering");
  CHECK(h.mr.entry_reprices() == 1);
  // Views while the cancel is out change nothing.
  CHECK(h.view("97.2", 3 * ns_per_s + 50 * ms).empty());
  // Confirmed: member 1 at the last view's best bid (97.19), resized at that
  // price: 100 / 97.19 = 1.02891 -> 1.028.
  a = h.mr.on_canceled(make_canceled(cid(1), h.entered + 3 * ns_per_s + 100 * ms));
  REQUIRE(a.orders.size() == 1);
  const auto& o = a.orders[0];
  CHECK(o.cid == client_order_id{cid(1, 1)});
  CHECK(o.sd == side::buy);
  CHECK(o.type == order_type::limit);
  CHECK(o.tif == time_in_force::post_only);
  CHECK(o.px == px("97.19"));
  CHECK(o.qty == qty("1.028"));
  CHECK_FALSE(o.reduce_only);
  CHECK(o.purpose == "entry_long");
  CHECK(a.signals.empty());
  CHECK(h.mr.has_working_order());
  // Its fill completes the intent.
  h.mr.on_fill(make_fill(cid(1, 1), side::buy, "97.19", "1.028", "1.028", "0",
                         h.entered + 4 * ns_per_s));
  CHECK(h.mr.position() == qty("1.028"));
  CHECK(h.mr.entry_price() == px("97.19"));
  CHECK(h.mr.state_name() == "long");
  CHECK(h.mr.entry_reprices() == 0);
}

TEST_CASE("strategy does not reprice on a move of exactly the threshold") {
  harness h;
  h.enter_long_at_100();
  h.mr.on_accepted(make_accepted(cid(1), h.entered + 1));
  // Best bid 100.10: 0.10 = exactly 0.1% of 100.00: stays.
  CHECK(h.view("100.11", 2 * ns_per_s).empty());
  CHECK(h.view("100.11", 5 * ns_per_s).empty());
  // Best bid 100.11: more than 0.1%.
  auto a = h.view("100.12", 6 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].purpose == "reprice");
  // A new best bid below ours is not "away" for a buy.
  harness low;
  low.enter_long_at_100();
  low.mr.on_accepted(make_accepted(cid(1), low.entered + 1));
  CHECK(low.view("99.5", 3 * ns_per_s).empty());
}

TEST_CASE("strategy reprices a resting sell when the best ask falls below it by more than the threshold and never sizes up") {
  auto p = test_params();
  p.allow_short = true;
  harness h{p};
  // Closes 100, 99, 100, 99, 103, rho < 0: sell 0.97 at the best ask 103.01.
  auto a = h.bars({"100", "99", "100", "99", "103", "103"}, -0.3);
  h.entered = h.t - minute;
  REQUIRE(a.orders.size() == 1);
  REQUIRE(a.orders[0].px == px("103.01"));
  REQUIRE(a.orders[0].qty == qty("0.97"));
  h.mr.on_accepted(make_accepted(cid(1), h.entered + 1));
  // Best ask 102.91: 0.10 below, not more than 0.10301.
  CHECK(h.view("102.9", 2 * ns_per_s).empty());
  // A higher ask is not away for a sell.
  CHECK(h.view("104", 3 * ns_per_s).empty());
  // Best ask 102.90: 0.11 below.
  a = h.view("102.89", 4 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].purpose == "reprice");
  a = h.mr.on_canceled(make_canceled(cid(1), h.entered + 5 * ns_per_s));
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].cid == client_order_id{cid(1, 1)});
  CHECK(a.orders[0].sd == side::sell);
  CHECK(a.orders[0].tif == time_in_force::post_only);
  CHECK(a.orders[0].px == px("102.9"));
  // 100 / 102.90 = 0.97181 -> 0.971, but the intent only shrinks: 0.97.
  CHECK(a.orders[0].qty == qty("0.97"));
  CHECK(a.orders[0].purpose == "entry_short");
}

TEST_CASE("strategy reprices at most once per minimum interval") {
  harness h;
  h.enter_long();
  h.mr.on_accepted(make_accepted(cid(1), h.entered + 100 * ms));
  // Moved away 1 s after the first placement: too soon.
  CHECK(h.view("97.1", 1 * ns_per_s).empty());
  CHECK(h.view("97.1", 2 * ns_per_s - 1).empty());
  auto a = h.view("97.1", 2 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);
  a = h.mr.on_canceled(make_canceled(cid(1), h.entered + 2100 * ms));
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].px == px("97.09"));
  CHECK(a.orders[0].qty == qty("1.029")); // 100 / 97.09 = 1.02997
  h.mr.on_accepted(make_accepted(cid(1, 1), h.entered + 2200 * ms));
  // The bid moves away again (97.19 > 97.09 + 0.09709) 1 s later: waits.
  CHECK(h.view("97.2", 3 * ns_per_s).empty());
  CHECK(h.view("97.2", 3900 * ms).empty());
  // 2 s after the last reprice.
  a = h.view("97.2", 4 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].cid == client_order_id{cid(1, 1)});
  check_reprice_signal(a, h.entered + 4 * ns_per_s);
  CHECK(h.mr.entry_reprices() == 2);
  a = h.mr.on_canceled(make_canceled(cid(1, 1), h.entered + 4100 * ms));
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].cid == client_order_id{cid(1, 2)});
  CHECK(a.orders[0].px == px("97.19"));
  CHECK(a.orders[0].qty == qty("1.028"));
}

TEST_CASE("strategy does not reprice an entry the venue has not acknowledged") {
  harness h;
  h.enter_long();
  CHECK(h.view("97.5", 3 * ns_per_s).empty());
  h.mr.on_accepted(make_accepted(cid(1), h.entered + 3500 * ms));
  auto a = h.view("97.5", 4 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].purpose == "reprice");
}

TEST_CASE("strategy re-places the remaining quantity after a partial fill of the first member") {
  harness h;
  h.enter_long();
  h.mr.on_accepted(make_accepted(cid(1), h.entered + 100 * ms));
  auto a = h.mr.on_fill(make_fill(cid(1), side::buy, "96.99", "0.4", "0.4",
                                  "0.631", h.entered + 1 * ns_per_s));
  CHECK(a.empty());
  CHECK(h.mr.position() == qty("0.4"));
  CHECK(h.mr.state_name() == "entering");
  a = h.view("97.1", 2 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);
  a = h.mr.on_canceled(make_canceled(cid(1), h.entered + 2100 * ms, "0.4"));
  REQUIRE(a.orders.size() == 1);
  // Intent resized at 97.09 to 1.029; minus the 0.4 filled: 0.629.
  CHECK(a.orders[0].cid == client_order_id{cid(1, 1)});
  CHECK(a.orders[0].px == px("97.09"));
  CHECK(a.orders[0].qty == qty("0.629"));
  h.mr.on_accepted(make_accepted(cid(1, 1), h.entered + 2200 * ms));
  h.mr.on_fill(make_fill(cid(1, 1), side::buy, "97.09", "0.629", "0.629", "0",
                         h.entered + 3 * ns_per_s));
  CHECK(h.mr.position() == qty("1.029"));
  // (96.99 x 0.4 + 97.09 x 0.629) / 1.029 = 97.051127308..., truncated.
  CHECK(h.mr.entry_price() == px("97.0511273"));
  CHECK(h.mr.state_name() == "long");
  CHECK_FALSE(h.mr.has_working_order());
  // Complete: further moves place nothing.
  CHECK(h.view("97.5", 6 * ns_per_s).empty());
}

TEST_CASE("strategy counts a fill of the old member that arrives after the reprice cancel") {
  harness h;
  h.enter_long();
  h.mr.on_accepted(make_accepted(cid(1), h.entered + 100 * ms));
  auto a = h.view("97.1", 2 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);
  const nanos t = h.entered + 2 * ns_per_s;

  SECTION("before the cancel is confirmed: the replacement shrinks") {
    a = h.mr.on_fill(make_fill(cid(1), side::buy, "96.99", "0.5", "0.5",
                               "0.531", t + 50 * ms));
    CHECK(a.empty());
    CHECK(h.mr.position() == qty("0.5"));
    a = h.mr.on_canceled(make_canceled(cid(1), t + 100 * ms, "0.5"));
    REQUIRE(a.orders.size() == 1);
    CHECK(a.orders[0].qty == qty("0.529")); // 1.029 - 0.5
  }
  SECTION("the confirmation counts a fill not in yet: the replacement shrinks") {
    a = h.mr.on_canceled(make_canceled(cid(1), t + 100 * ms, "0.5"));
    REQUIRE(a.orders.size() == 1);
    CHECK(a.orders[0].qty == qty("0.529"));
    CHECK(h.mr.position().is_zero());
    h.mr.on_accepted(make_accepted(cid(1, 1), t + 150 * ms));
    a = h.mr.on_fill(make_fill(cid(1), side::buy, "96.99", "0.5", "0.5",
                               "0.531", t + 200 * ms));
    CHECK(a.empty()); // expected: the resting replacement fits
    CHECK(h.mr.position() == qty("0.5"));
    h.mr.on_fill(make_fill(cid(1, 1), side::buy, "97.09", "0.529", "0.529",
                           "0", t + 300 * ms));
    CHECK(h.mr.position() == qty("1.029"));
    CHECK(h.mr.state_name() == "long");
  }
  SECTION("after the replacement rests: it is cancelled and placed again smaller") {
    a = h.mr.on_canceled(make_canceled(cid(1), t + 100 * ms));
    REQUIRE(a.orders.size() == 1);
    CHECK(a.orders[0].qty == qty("1.029"));
    h.mr.on_accepted(make_accepted(cid(1, 1), t + 150 * ms));
    a = h.mr.on_fill(make_fill(cid(1), side::buy, "96.99", "0.5", "0.5",
                               "0.531", t + 200 * ms));
    CHECK(h.mr.position() == qty("0.5"));
    CHECK(a.orders.empty());
    REQUIRE(a.cancels.size() == 1);
    CHECK(a.cancels[0].cid == client_order_id{cid(1, 1)});
    CHECK(a.cancels[0].purpose == "entry_resize");
    CHECK(a.signals.empty());
    a = h.mr.on_canceled(make_canceled(cid(1, 1), t + 300 * ms));
    REQUIRE(a.orders.size() == 1);
    CHECK(a.orders[0].cid == client_order_id{cid(1, 2)});
    CHECK(a.orders[0].px == px("97.09"));
    CHECK(a.orders[0].qty == qty("0.529"));
    CHECK(h.mr.entry_reprices() == 1); // a resize is not a reprice
  }
  SECTION("after the replacement rests: a late fill completing the intent cancels it") {
    a = h.mr.on_canceled(make_canceled(cid(1), t + 100 * ms));
    REQUIRE(a.orders.size() == 1);
    h.mr.on_accepted(make_accepted(cid(1, 1), t + 150 * ms));
    a = h.mr.on_fill(make_fill(cid(1), side::buy, "96.99", "1.031", "1.031",
                               "0", t + 200 * ms));
    CHECK(h.mr.position() == qty("1.031"));
    REQUIRE(a.cancels.size() == 1);
    CHECK(a.cancels[0].cid == client_order_id{cid(1, 1)});
    CHECK(a.cancels[0].purpose == "entry_complete");
    CHECK(h.mr.state_name() == "entering");
    a = h.mr.on_canceled(make_canceled(cid(1, 1), t + 300 * ms));
    CHECK(a.empty());
    CHECK(h.mr.state_name() == "long");
    CHECK_FALSE(h.mr.has_working_order());
  }
}

TEST_CASE("strategy gives up an entry at the maker lifetime counted from its first placement") {
  harness h;
  h.enter_long();
  h.mr.on_accepted(make_accepted(cid(1), h.entered + 100 * ms));
  auto a = h.view("97.1", 2 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);
  a = h.mr.on_canceled(make_canceled(cid(1), h.entered + 2100 * ms));
  REQUIRE(a.orders.size() == 1);
  h.mr.on_accepted(make_accepted(cid(1, 1), h.entered + 2200 * ms));
  h.mr.on_fill(make_fill(cid(1, 1), side::buy, "97.09", "0.2", "0.2", "0.829",
                         h.entered + 10 * ns_per_s));
  CHECK(h.mr.on_timer(h.entered + 30 * ns_per_s - 1).empty());
  a = h.mr.on_timer(h.entered + 30 * ns_per_s);
  CHECK(a.orders.empty());
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].cid == client_order_id{cid(1, 1)});
  CHECK(a.cancels[0].purpose == "entry_give_up");
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "entry_give_up");
  CHECK_FALSE(a.signals[0].acted);
  CHECK(a.signals[0].why == "lifetime");
  a = h.mr.on_canceled(make_canceled(cid(1, 1), h.entered + 31 * ns_per_s, "0.2"));
  CHECK(a.empty());
  // The partial entry is the position.
  CHECK(h.mr.position() == qty("0.2"));
  CHECK(h.mr.state_name() == "long");
  CHECK(h.view("98", 32 * ns_per_s).empty());
}

TEST_CASE("strategy gives up an entry that needs more than the maximum reprices") {
  harness h;
  h.enter_long();
  h.mr.on_accepted(make_accepted(cid(1), h.entered + 100 * ms));
  // Five reprices 2 s apart, each 0.20 higher.
  const char* mids[] = {"97.2", "97.4", "97.6", "97.8", "98"};
  const char* bids[] = {"97.19", "97.39", "97.59", "97.79", "97.99"};
  const char* sizes[] = {"1.028", "1.026", "1.024", "1.022", "1.02"};
  for (uint64_t i = 0; i < 5; ++i) {
    INFO("reprice " << i + 1);
    const nanos at = h.entered + static_cast<nanos>(2 * (i + 1)) * ns_per_s;
    auto a = h.mr.on_book(make_view(mids[i], 0.2, at));
    REQUIRE(a.cancels.size() == 1);
    CHECK(a.cancels[0].cid == client_order_id{cid(1, i)});
    CHECK(a.cancels[0].purpose == "reprice");
    check_reprice_signal(a, at);
    a = h.mr.on_canceled(make_canceled(cid(1, i), at + 100 * ms));
    REQUIRE(a.orders.size() == 1);
    CHECK(a.orders[0].cid == client_order_id{cid(1, i + 1)});
    CHECK(a.orders[0].px == px(bids[i]));
    CHECK(a.orders[0].qty == qty(sizes[i]));
    h.mr.on_accepted(make_accepted(cid(1, i + 1), at + 200 * ms));
    CHECK(h.mr.entry_reprices() == i + 1);
  }
  // A sixth one would be needed: give up instead.
  auto a = h.view("98.2", 12 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].cid == client_order_id{cid(1, 5)});
  CHECK(a.cancels[0].purpose == "entry_give_up");
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "entry_give_up");
  CHECK_FALSE(a.signals[0].acted);
  CHECK(a.signals[0].why == "reprice_limit");
  a = h.mr.on_canceled(make_canceled(cid(1, 5), h.entered + 12100 * ms));
  CHECK(a.empty());
  CHECK(h.mr.state_name() == "flat");
}

TEST_CASE("strategy places a post-only entry that would have crossed again on the next view") {
  harness h;
  h.enter_long();
  const nanos t = h.entered;
  strategy_actions a;
  SECTION("rejected as post_only_would_cross") {
    a = h.mr.on_rejected(make_rejected(cid(1), reject_reason::post_only_would_cross,
                                       t + 10 * ms));
  }
  SECTION("expired by a venue that expires instead of rejecting") {
    h.mr.on_accepted(make_accepted(cid(1), t + 5 * ms));
    a = h.mr.on_canceled(make_canceled(cid(1), t + 10 * ms, "0",
                                       cancel_reason::expired));
  }
  CHECK(a.orders.empty());
  CHECK(a.cancels.empty());
  check_reprice_signal(a, t + 10 * ms);
  CHECK(h.mr.entry_reprices() == 1);
  CHECK(h.mr.state_name() == "entering");
  CHECK_FALSE(h.mr.has_working_order());
  // The timer has no prices: it waits for a view.
  CHECK(h.mr.on_timer(t + 20 * ms).empty());
  // The next view (no minimum interval: nothing rests): best bid 97.04,
  // 100 / 97.04 = 1.03050 -> 1.030.
  a = h.view("97.05", 500 * ms);
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].cid == client_order_id{cid(1, 1)});
  CHECK(a.orders[0].tif == time_in_force::post_only);
  CHECK(a.orders[0].px == px("97.04"));
  CHECK(a.orders[0].qty == qty("1.03"));
  CHECK(a.orders[0].purpose == "entry_long");
  CHECK(a.signals.empty());
  CHECK(h.mr.has_working_order());
}

TEST_CASE("strategy gives up when crossing post-onlies exhaust the reprices") {
  auto p = test_params();
  p.max_reprices = 1;
  harness h{p};
  h.enter_long();
  auto a = h.mr.on_rejected(make_rejected(cid(1), reject_reason::post_only_would_cross,
                                          h.entered + 10 * ms));
  check_reprice_signal(a, h.entered + 10 * ms);
  a = h.view("97.05", 500 * ms);
  REQUIRE(a.orders.size() == 1);
  a = h.mr.on_rejected(make_rejected(cid(1, 1), reject_reason::post_only_would_cross,
                                     h.entered + 510 * ms));
  CHECK(a.orders.empty());
  CHECK(a.cancels.empty());
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "entry_give_up");
  CHECK(a.signals[0].why == "reprice_limit");
  CHECK(h.mr.state_name() == "flat");
  CHECK(h.view("97.05", 1 * ns_per_s).empty());
}

TEST_CASE("strategy halted during an entry family cancels it and stops repricing") {
  harness h;
  h.enter_long();
  h.mr.on_accepted(make_accepted(cid(1), h.entered + 100 * ms));
  auto a = h.view("97.1", 2 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);

  SECTION("halt while the reprice cancel is out: nothing is placed again") {
    a = h.mr.set_trading_state(trading_state::halted, h.entered + 2050 * ms);
    CHECK(a.empty()); // the cancel is already out
    a = h.mr.on_canceled(make_canceled(cid(1), h.entered + 2100 * ms));
    CHECK(a.empty());
    CHECK(h.mr.state_name() == "flat");
    CHECK(h.mr.set_trading_state(trading_state::active, h.entered + 3 * ns_per_s)
            .empty());
    CHECK(h.view("97.5", 5 * ns_per_s).empty());
  }
  SECTION("halt while the replacement rests: it is cancelled") {
    a = h.mr.on_canceled(make_canceled(cid(1), h.entered + 2100 * ms));
    REQUIRE(a.orders.size() == 1);
    h.mr.on_accepted(make_accepted(cid(1, 1), h.entered + 2200 * ms));
    a = h.mr.set_trading_state(trading_state::halted, h.entered + 3 * ns_per_s);
    CHECK(a.orders.empty());
    REQUIRE(a.cancels.size() == 1);
    CHECK(a.cancels[0].cid == client_order_id{cid(1, 1)});
    CHECK(a.cancels[0].purpose == "trading_halted");
    // The market runs away: no reprice while halted.
    CHECK(h.view("97.5", 5 * ns_per_s).empty());
    CHECK(h.mr.on_timer(h.entered + 20 * ns_per_s).empty());
    a = h.mr.on_canceled(make_canceled(cid(1, 1), h.entered + 21 * ns_per_s));
    CHECK(a.empty());
    CHECK(h.mr.state_name() == "flat");
  }
  SECTION("reducing while a crossed entry waits to be placed again") {
    a = h.mr.on_canceled(make_canceled(cid(1), h.entered + 2100 * ms));
    REQUIRE(a.orders.size() == 1);
    a = h.mr.on_rejected(make_rejected(cid(1, 1), reject_reason::post_only_would_cross,
                                       h.entered + 2200 * ms));
    CHECK(a.signals.size() == 1);
    a = h.mr.set_trading_state(trading_state::reducing, h.entered + 2300 * ms);
    CHECK(a.empty()); // nothing rests
    CHECK(h.mr.state_name() == "flat");
    CHECK(h.view("97.1", 3 * ns_per_s).empty());
  }
}

TEST_CASE("strategy places a confirmed reprice on the next fresh view when the book went stale") {
  harness h;
  h.enter_long();
  h.mr.on_accepted(make_accepted(cid(1), h.entered + 100 * ms));
  auto a = h.view("97.1", 2 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);
  h.mr.on_stale();
  a = h.mr.on_canceled(make_canceled(cid(1), h.entered + 2100 * ms));
  CHECK(a.empty());
  CHECK(h.mr.state_name() == "entering");
  a = h.view("97.3", 2500 * ms);
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].cid == client_order_id{cid(1, 1)});
  CHECK(a.orders[0].px == px("97.29"));
  CHECK(a.orders[0].qty == qty("1.027")); // 100 / 97.29 = 1.02785
  CHECK(h.mr.entry_reprices() == 1);
}

TEST_CASE("strategy exit ends an entry family: a stop cancels the replacement and nothing is placed again") {
  harness h;
  h.enter_long();
  h.mr.on_accepted(make_accepted(cid(1), h.entered + 100 * ms));
  h.mr.on_fill(make_fill(cid(1), side::buy, "96.99", "0.4", "0.4", "0.631",
                         h.entered + 1 * ns_per_s));
  auto a = h.view("97.1", 2 * ns_per_s);
  REQUIRE(a.cancels.size() == 1);
  a = h.mr.on_canceled(make_canceled(cid(1), h.entered + 2100 * ms, "0.4"));
  REQUIRE(a.orders.size() == 1);
  h.mr.on_accepted(make_accepted(cid(1, 1), h.entered + 2200 * ms));
  // Mid 95.9: (96.99 - 95.9) / 96.99 = 1.12% against the 0.4 held: stop.
  a = h.view("95.9", 3 * ns_per_s);
  CHECK(a.orders.empty());
  REQUIRE(a.cancels.size() == 1);
  CHECK(a.cancels[0].cid == client_order_id{cid(1, 1)});
  CHECK(a.cancels[0].purpose == "stop_loss");
  CHECK(h.mr.state_name() == "exiting");
  h.mr.on_canceled(make_canceled(cid(1, 1), h.entered + 3100 * ms));
  a = h.view("95.8", 4 * ns_per_s);
  REQUIRE(a.orders.size() == 1);
  // The exit is family 2: cid_base + 512.
  CHECK(a.orders[0].cid == client_order_id{cid(2)});
  CHECK(a.orders[0].tif == time_in_force::ioc);
  CHECK(a.orders[0].qty == qty("0.4"));
  CHECK(a.orders[0].purpose == "stop_loss");
}

TEST_CASE("strategy allowed no reprices gives up a crossing entry at once and is flat again") {
  auto p = test_params();
  p.max_reprices = 0;
  harness h{p};
  h.enter_long();
  auto a = h.mr.on_rejected(make_rejected(cid(1), reject_reason::post_only_would_cross,
                                          h.entered + 10 * ms));
  CHECK(a.orders.empty());
  CHECK(a.cancels.empty());
  REQUIRE(a.signals.size() == 1);
  CHECK(a.signals[0].name == "entry_give_up");
  CHECK(a.signals[0].why == "reprice_limit");
  CHECK(h.mr.state_name() == "flat");
  CHECK(h.mr.entry_reprices() == 0);
  CHECK(h.view("90", 500 * ms).empty());
  // The bar closes at 90 (window 101, 100, 101, 97, 90): a new entry, family 2.
  a = h.mr.on_book(make_view("90", 0.2, h.t));
  REQUIRE(a.orders.size() == 1);
  CHECK(a.orders[0].cid == client_order_id{cid(2)});
  CHECK(a.orders[0].px == px("89.99"));
}
