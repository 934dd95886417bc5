#include "actors/book/order_book.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <vector>

using namespace agora;

namespace {

price px(const char* text) {
  return *price::parse(text);
}

quantity qty(const char* text) {
  return *quantity::parse(text);
}

notional cash(const char* text) {
  return *notional::parse(text);
}

book_level lvl(const char* p, const char* q) {
  return {px(p), qty(q)};
}

/// bids 100.0 x 2, 99.5 x 1 / asks 101.0 x 3, 101.5 x 4 at id 100.
book_snapshot basic_snapshot() {
  book_snapshot s;
  s.venue = venue_id{"sim"};
  s.symbol = symbol_id{"BTCUSDT"};
  s.last_update_id = 100;
  s.bids = {lvl("100.0", "2"), lvl("99.5", "1")};
  s.asks = {lvl("101.0", "3"), lvl("101.5", "4")};
  s.venue_time = 1'000;
  s.local_time = 2'000;
  return s;
}

book_delta spot_delta(uint64_t first, uint64_t last) {
  book_delta d;
  d.first_update_id = first;
  d.last_update_id = last;
  return d;
}

book_delta futures_delta(uint64_t first, uint64_t last, uint64_t prev) {
  book_delta d;
  d.first_update_id = first;
  d.last_update_id = last;
  d.prev_last_update_id = prev;
  return d;
}

order_book loaded(const book_snapshot& s) {
  order_book b;
  b.load(s);
  return b;
}

/// A book with asks 100 x 1, 101 x 2, 102 x 5 and bids 99 x 1, 98 x 2.
order_book vwap_book() {
  book_snapshot s;
  s.last_update_id = 1;
  s.bids = {lvl("99", "1"), lvl("98", "2")};
  s.asks = {lvl("100", "1"), lvl("101", "2"), lvl("102", "5")};
  return loaded(s);
}

} // namespace

TEST_CASE("a loaded snapshot gives best bid, best ask, mid, spread and microprice") {
  auto b = loaded(basic_snapshot());
  CHECK(b.synced());
  CHECK(b.last_update_id() == 100);
  CHECK(b.last_venue_time() == 1'000);
  CHECK(b.bid_levels() == 2);
  CHECK(b.ask_levels() == 2);
  CHECK(*b.best_bid() == lvl("100.0", "2"));
  CHECK(*b.best_ask() == lvl("101.0", "3"));
  CHECK(*b.mid() == px("100.5"));
  CHECK(*b.spread() == px("1"));
  // (100 x 3 + 101 x 2) / (2 + 3) = 502 / 5.
  CHECK(*b.microprice() == Approx(100.4).epsilon(1e-12));
  CHECK_FALSE(b.crossed());
}

TEST_CASE("mid is truncated to 1e-8") {
  book_snapshot s;
  s.last_update_id = 1;
  s.bids = {lvl("100.00000001", "1")};
  s.asks = {lvl("100.00000004", "1")};
  auto b = loaded(s);
  // (10000000001 + 10000000004) / 2 = 10000000002.5 raw, truncated.
  CHECK(b.mid()->raw() == 10'000'000'002);
  CHECK(b.spread()->raw() == 3);
}

TEST_CASE("an empty book has no top, no mid and zero imbalance") {
  order_book b;
  CHECK_FALSE(b.synced());
  CHECK_FALSE(b.best_bid());
  CHECK_FALSE(b.best_ask());
  CHECK_FALSE(b.mid());
  CHECK_FALSE(b.spread());
  CHECK_FALSE(b.microprice());
  CHECK(b.imbalance(20) == 0.0);
  CHECK_FALSE(b.crossed());
}

TEST_CASE("a one-sided book has a best level but no mid") {
  book_snapshot s;
  s.last_update_id = 1;
  s.bids = {lvl("100", "1")};
  auto b = loaded(s);
  CHECK(*b.best_bid() == lvl("100", "1"));
  CHECK_FALSE(b.best_ask());
  CHECK_FALSE(b.mid());
  CHECK_FALSE(b.microprice());
  CHECK_FALSE(b.crossed());
}

TEST_CASE("snapshot levels with zero quantity are ignored and unsorted sides are sorted") {
  book_snapshot s;
  s.last_update_id = 7;
  s.bids = {lvl("99", "1"), lvl("100", "0"), lvl("101", "2"), lvl("99", "3")};
  s.asks = {lvl("103", "1"), lvl("102", "0"), lvl("102.5", "4")};
  auto b = loaded(s);
  std::vector<book_level> bids;
  std::vector<book_level> asks;
  b.top(10, bids, asks);
  // The later 99 entry wins.
  CHECK(bids == std::vector<book_level>{lvl("101", "2"), lvl("99", "3")});
  CHECK(asks == std::vector<book_level>{lvl("102.5", "4"), lvl("103", "1")});
}

TEST_CASE("loading a snapshot replaces the previous book entirely") {
  auto b = loaded(basic_snapshot());
  book_snapshot s;
  s.last_update_id = 500;
  s.bids = {lvl("50", "1")};
  s.asks = {lvl("51", "1")};
  b.load(s);
  CHECK(b.bid_levels() == 1);
  CHECK(b.ask_levels() == 1);
  CHECK(*b.best_bid() == lvl("50", "1"));
  CHECK(b.last_update_id() == 500);
}

TEST_CASE("a delta sets, inserts and removes levels") {
  auto b = loaded(basic_snapshot());
  auto d = spot_delta(101, 101);
  d.bids = {lvl("100.0", "5"), lvl("99.5", "0"), lvl("99.8", "1")};
  d.asks = {lvl("101.0", "0"), lvl("103", "0")};
  d.venue_time = 5'000;
  REQUIRE(b.apply(d) == apply_status::applied);
  std::vector<book_level> bids;
  std::vector<book_level> asks;
  b.top(10, bids, asks);
  // 100.0 is set to 5, not 2 + 5; removing the absent 103 is a no-op.
  CHECK(bids == std::vector<book_level>{lvl("100.0", "5"), lvl("99.8", "1")});
  CHECK(asks == std::vector<book_level>{lvl("101.5", "4")});
  CHECK(b.last_update_id() == 101);
  CHECK(b.last_venue_time() == 5'000);
  CHECK(b.synced());
}

TEST_CASE("a delta at or before the snapshot id is outdated and dropped") {
  auto b = loaded(basic_snapshot());
  auto d = spot_delta(95, 100);
  d.bids = {lvl("100.0", "0")};
  CHECK(b.apply(d) == apply_status::outdated);
  CHECK(b.synced());
  CHECK(b.last_update_id() == 100);
  CHECK(*b.best_bid() == lvl("100.0", "2"));
  // After the dropped one the book still takes the right first delta.
  CHECK(b.apply(spot_delta(101, 102)) == apply_status::applied);
  // A replay of an applied delta is outdated too.
  CHECK(b.apply(spot_delta(101, 102)) == apply_status::outdated);
  CHECK(b.synced());
}

TEST_CASE("the first spot delta after a snapshot may straddle lastUpdateId + 1") {
  auto b = loaded(basic_snapshot());
  auto d = spot_delta(98, 103);
  d.asks = {lvl("101.0", "7")};
  CHECK(b.apply(d) == apply_status::applied);
  CHECK(*b.best_ask() == lvl("101.0", "7"));
  CHECK(b.last_update_id() == 103);
  CHECK(b.apply(spot_delta(104, 104)) == apply_status::applied);
}

TEST_CASE("the first spot delta after a snapshot is a gap if it starts past lastUpdateId + 1") {
  auto b = loaded(basic_snapshot());
  auto d = spot_delta(102, 105);
  d.asks = {lvl("101.0", "7")};
  CHECK(b.apply(d) == apply_status::gap);
  CHECK_FALSE(b.synced());
  CHECK(*b.best_ask() == lvl("101.0", "3"));
  CHECK(b.last_update_id() == 100);
}

TEST_CASE("a futures pu chain is accepted and a pu mismatch is a gap") {
  auto b = loaded(basic_snapshot());
  // First: U <= 100 <= u.
  CHECK(b.apply(futures_delta(95, 110, 90)) == apply_status::applied);
  // Then each pu equals the previous u; U need not be u + 1.
  CHECK(b.apply(futures_delta(113, 120, 110)) == apply_status::applied);
  CHECK(b.apply(futures_delta(121, 125, 120)) == apply_status::applied);
  CHECK(b.last_update_id() == 125);
  auto d = futures_delta(126, 130, 124);
  d.bids = {lvl("100.0", "9")};
  CHECK(b.apply(d) == apply_status::gap);
  CHECK_FALSE(b.synced());
  CHECK(*b.best_bid() == lvl("100.0", "2"));
}

TEST_CASE("the first futures delta after a snapshot is a gap if it starts past lastUpdateId") {
  auto b = loaded(basic_snapshot());
  CHECK(b.apply(futures_delta(101, 110, 99)) == apply_status::gap);
  CHECK_FALSE(b.synced());
}

TEST_CASE("a first futures delta whose pu is the snapshot id continues the snapshot") {
  auto b = loaded(basic_snapshot());
  CHECK(b.apply(futures_delta(103, 110, 100)) == apply_status::applied);
  CHECK(b.last_update_id() == 110);
}

TEST_CASE("a skipped update id is a gap that leaves the content as is") {
  auto b = loaded(basic_snapshot());
  REQUIRE(b.apply(spot_delta(101, 101)) == apply_status::applied);
  auto d = spot_delta(103, 104);
  d.bids = {lvl("100.0", "0")};
  CHECK(b.apply(d) == apply_status::gap);
  CHECK_FALSE(b.synced());
  CHECK(*b.best_bid() == lvl("100.0", "2"));
  CHECK(b.last_update_id() == 101);
}

TEST_CASE("book ignores deltas after a gap until the next snapshot") {
  auto b = loaded(basic_snapshot());
  REQUIRE(b.apply(spot_delta(101, 101)) == apply_status::applied);
  REQUIRE(b.apply(spot_delta(103, 103)) == apply_status::gap);
  auto d = spot_delta(102, 102);
  d.bids = {lvl("100.0", "0")};
  CHECK(b.apply(d) == apply_status::not_synced);
  CHECK(b.apply(spot_delta(104, 104)) == apply_status::not_synced);
  CHECK(*b.best_bid() == lvl("100.0", "2"));
  // Resync from a fresh snapshot.
  auto s = basic_snapshot();
  s.last_update_id = 200;
  b.load(s);
  CHECK(b.synced());
  CHECK(b.apply(spot_delta(201, 202)) == apply_status::applied);
}

TEST_CASE("a book without a snapshot ignores deltas") {
  order_book b;
  CHECK(b.apply(spot_delta(1, 1)) == apply_status::not_synced);
  CHECK(b.bid_levels() == 0);
}

TEST_CASE("a delta that crosses the book is applied and marks it not synced") {
  auto b = loaded(basic_snapshot());
  auto d = spot_delta(101, 101);
  d.bids = {lvl("101.0", "1")};
  CHECK(b.apply(d) == apply_status::crossed);
  CHECK(b.crossed());
  CHECK_FALSE(b.synced());
  CHECK(*b.best_bid() == lvl("101.0", "1"));
  CHECK(*b.spread() == px("0"));
  CHECK(b.apply(spot_delta(102, 102)) == apply_status::not_synced);
}

TEST_CASE("clear empties the book and marks it not synced") {
  auto b = loaded(basic_snapshot());
  b.clear();
  CHECK_FALSE(b.synced());
  CHECK(b.bid_levels() == 0);
  CHECK(b.ask_levels() == 0);
  CHECK(b.last_update_id() == 0);
  CHECK(b.last_venue_time() == 0);
  CHECK(b.apply(spot_delta(1, 1)) == apply_status::not_synced);
}

TEST_CASE("imbalance over the top N levels is computed from both sides") {
  book_snapshot s;
  s.last_update_id = 1;
  s.bids = {lvl("100", "3"), lvl("99", "1"), lvl("98", "10")};
  s.asks = {lvl("101", "1"), lvl("102", "1"), lvl("103", "10")};
  auto b = loaded(s);
  CHECK(b.imbalance(2) == (4.0 - 2.0) / (6.0 + 1e-8));
  CHECK(b.imbalance(1) == (3.0 - 1.0) / (4.0 + 1e-8));
  CHECK(b.imbalance(3) == (14.0 - 12.0) / (26.0 + 1e-8));
  CHECK(b.imbalance(0) == 0.0);
}

TEST_CASE("imbalance over more levels than the book has uses every level") {
  book_snapshot s;
  s.last_update_id = 1;
  s.bids = {lvl("100", "3"), lvl("99", "1")};
  s.asks = {lvl("101", "5")};
  auto b = loaded(s);
  CHECK(b.imbalance(20) == (4.0 - 5.0) / (9.0 + 1e-8));
}

TEST_CASE("VWAP for a buy walks the asks across three levels") {
  auto b = vwap_book();
  // 100 x 1 + 101 x 2 + 102 x 1 = 404 over 4.
  auto r = b.vwap(side::buy, cash("404"));
  CHECK(r.sufficient);
  CHECK(r.qty == qty("4"));
  CHECK(r.cost == cash("404"));
  CHECK(r.avg_px == px("101"));
}

TEST_CASE("VWAP takes only the needed part of the last level, rounded up to 1e-8") {
  auto b = vwap_book();
  // 302 from the first two levels; 98 more at 102 needs ceil(98 / 102) =
  // 0.96078432, costing 98.00000064.
  auto r = b.vwap(side::buy, cash("400"));
  CHECK(r.sufficient);
  CHECK(r.qty == qty("3.96078432"));
  CHECK(r.cost == cash("400.00000064"));
  CHECK(r.avg_px == px("100.99009901"));
}

TEST_CASE("VWAP for a sell walks the bids") {
  auto b = vwap_book();
  auto r = b.vwap(side::sell, cash("295"));
  CHECK(r.sufficient);
  CHECK(r.qty == qty("3"));
  CHECK(r.cost == cash("295"));
  CHECK(r.avg_px == px("98.33333333"));
}

TEST_CASE("VWAP on a book too thin for the target reports insufficient depth") {
  auto b = vwap_book();
  auto r = b.vwap(side::buy, cash("10000"));
  CHECK_FALSE(r.sufficient);
  // What was there: 100 + 202 + 510 over 8.
  CHECK(r.qty == qty("8"));
  CHECK(r.cost == cash("812"));
  CHECK(r.avg_px == px("101.5"));
  order_book empty;
  auto e = empty.vwap(side::buy, cash("1"));
  CHECK_FALSE(e.sufficient);
  CHECK(e.qty.is_zero());
  CHECK(e.avg_px.is_zero());
  CHECK_FALSE(b.vwap(side::buy, cash("0")).sufficient);
}

TEST_CASE("VWAP by quantity walks until the quantity is reached") {
  auto b = vwap_book();
  // 100 x 1 + 101 x 1.5 = 251.5 over 2.5.
  auto r = b.vwap_qty(side::buy, qty("2.5"));
  CHECK(r.sufficient);
  CHECK(r.qty == qty("2.5"));
  CHECK(r.cost == cash("251.5"));
  CHECK(r.avg_px == px("100.6"));
  auto s = b.vwap_qty(side::sell, qty("2"));
  CHECK(s.sufficient);
  CHECK(s.cost == cash("197"));
  CHECK(s.avg_px == px("98.5"));
  auto thin = b.vwap_qty(side::sell, qty("3.5"));
  CHECK_FALSE(thin.sufficient);
  CHECK(thin.qty == qty("3"));
  CHECK(thin.cost == cash("295"));
}

TEST_CASE("top returns up to n levels per side, best first, clearing the outputs") {
  auto b = vwap_book();
  std::vector<book_level> bids{lvl("1", "1"), lvl("2", "2"), lvl("3", "3")};
  std::vector<book_level> asks{lvl("1", "1")};
  b.top(2, bids, asks);
  CHECK(bids == std::vector<book_level>{lvl("99", "1"), lvl("98", "2")});
  CHECK(asks == std::vector<book_level>{lvl("100", "1"), lvl("101", "2")});
  b.top(0, bids, asks);
  CHECK(bids.empty());
  CHECK(asks.empty());
  b.top(100, bids, asks);
  CHECK(bids.size() == 2);
  CHECK(asks.size() == 3);
  CHECK(asks.back() == lvl("102", "5"));
}

TEST_CASE("apply_status has stable names") {
  CHECK(std::string(to_string(apply_status::applied)) == "applied");
  CHECK(std::string(to_string(apply_status::outdated)) == "outdated");
  CHECK(std::string(to_string(apply_status::gap)) == "gap");
  CHECK(std::string(to_string(apply_status::crossed)) == "crossed");
  CHECK(std::string(to_string(apply_status::not_synced)) == "not_synced");
}

namespace {

/// Price of a tick of 0.1.
price tick_px(int64_t tick) {
  return price::from_raw(tick * 10'000'000);
}

using side_model = std::map<int64_t, int64_t>; // tick -> raw quantity

/// Random removal target: an existing tick of `m` (or `fallback` if empty).
int64_t existing_tick(const side_model& m, std::mt19937_64& rng, int64_t fallback) {
  if (m.empty())
    return fallback;
  std::uniform_int_distribution<size_t> pick(0, m.size() - 1);
  auto it = m.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(pick(rng)));
  return it->first;
}

} // namespace

TEST_CASE("book matches a map model and is never crossed over 10000 random in-sequence deltas") {
  constexpr int64_t mid = 10'000;
  constexpr int64_t width = 60;
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<int64_t> tick_dist(mid - width, mid + width);
  std::uniform_int_distribution<int64_t> qty_dist(1, 1000); // lots of 0.001
  std::uniform_int_distribution<int> changes_dist(1, 10);
  std::uniform_int_distribution<int> pct(0, 99);
  std::uniform_int_distribution<uint64_t> span(0, 3);

  side_model bids;
  side_model asks;
  book_snapshot s;
  s.last_update_id = 1'000;
  for (int64_t i = 1; i <= 20; ++i) {
    bids[mid - i] = i * 100'000;
    asks[mid + i] = i * 100'000;
  }
  for (auto it = bids.rbegin(); it != bids.rend(); ++it)
    s.bids.push_back({tick_px(it->first), quantity::from_raw(it->second)});
  for (const auto& [t, q] : asks)
    s.asks.push_back({tick_px(t), quantity::from_raw(q)});
  order_book b;
  b.load(s);

  uint64_t last = s.last_update_id;
  std::vector<book_level> got_bids;
  std::vector<book_level> got_asks;
  std::vector<book_level> want_bids;
  std::vector<book_level> want_asks;
  size_t max_levels = 0;
  int removals = 0;
  for (int n = 0; n < 10'000; ++n) {
    book_delta d;
    d.first_update_id = last + 1;
    d.last_update_id = d.first_update_id + span(rng);
    if (pct(rng) < 50)
      d.prev_last_update_id = last; // futures style, chained by pu
    const int k = changes_dist(rng);
    for (int c = 0; c < k; ++c) {
      const bool bid = pct(rng) < 50;
      auto& mine = bid ? bids : asks;
      const auto& other = bid ? asks : bids;
      const bool remove = pct(rng) < 30;
      int64_t t = remove && pct(rng) < 70 ? existing_tick(mine, rng, mid)
                                          : tick_dist(rng);
      int64_t q = remove ? 0 : qty_dist(rng) * 100'000;
      // Keep bids below asks: a set that would cross becomes a removal.
      if (q > 0 && !other.empty()) {
        const int64_t opp = bid ? other.begin()->first : other.rbegin()->first;
        if (bid ? t >= opp : t <= opp)
          q = 0;
      }
      if (q == 0) {
        mine.erase(t);
        ++removals;
      } else {
        mine[t] = q;
      }
      (bid ? d.bids : d.asks).push_back({tick_px(t), quantity::from_raw(q)});
    }
    last = d.last_update_id;

    REQUIRE(b.apply(d) == apply_status::applied);
    REQUIRE(b.synced());
    REQUIRE_FALSE(b.crossed());
    REQUIRE(b.last_update_id() == last);

    b.top(std::numeric_limits<size_t>::max(), got_bids, got_asks);
    want_bids.clear();
    want_asks.clear();
    for (auto it = bids.rbegin(); it != bids.rend(); ++it)
      want_bids.push_back({tick_px(it->first), quantity::from_raw(it->second)});
    for (const auto& [t, q] : asks)
      want_asks.push_back({tick_px(t), quantity::from_raw(q)});
    REQUIRE(got_bids == want_bids);
    REQUIRE(got_asks == want_asks);
    REQUIRE(b.bid_levels() == bids.size());
    REQUIRE(b.ask_levels() == asks.size());
    for (size_t i = 1; i < got_bids.size(); ++i)
      REQUIRE(got_bids[i - 1].px > got_bids[i].px);
    for (size_t i = 1; i < got_asks.size(); ++i)
      REQUIRE(got_asks[i - 1].px < got_asks[i].px);
    max_levels = std::max({max_levels, bids.size(), asks.size()});
  }
  // The walk really exercised a deep, changing book.
  CHECK(max_levels > 40);
  CHECK(removals > 5'000);
}
