#include <catch2/catch.hpp>

#include <vector>

#include "venues/sim/paper_matcher.hpp"

using namespace agora;
using namespace agora::sim;

namespace {

constexpr nanos t0 = 1'700'000'000 * ns_per_s;
const symbol_id eth{"ETHUSDT"};

price px(const char* s) { return *price::parse(s); }
quantity qty(const char* s) { return *quantity::parse(s); }
notional cash(const char* s) { return *notional::parse(s); }

instrument_spec eth_spec() {
  instrument_spec s;
  s.venue = venue_id{"binance-spot"};
  s.symbol = eth;
  s.tick = px("0.01");
  s.lot = qty("0.001");
  s.min_notional = cash("5");
  s.maker_fee = *rate::parse("0.0002");
  s.taker_fee = *rate::parse("0.0004");
  return s;
}

book_level lv(const char* p, const char* q) { return book_level{px(p), qty(q)}; }

/// bids 100.00 x 1, 99.99 x 2 / asks 100.01 x 1.5, 100.02 x 2.
book_view view(uint64_t id, std::vector<book_level> bids, std::vector<book_level> asks) {
  book_view v;
  v.venue = venue_id{"binance-spot"};
  v.symbol = eth;
  v.update_id = id;
  v.bids = std::move(bids);
  v.asks = std::move(asks);
  return v;
}

book_view base_view(uint64_t id = 1) {
  return view(id, {lv("100.00", "1"), lv("99.99", "2")}, {lv("100.01", "1.5"), lv("100.02", "2")});
}

paper_matcher fresh_matcher() {
  paper_matcher m{eth_spec(), 500};
  m.on_book(base_view(), t0);
  return m;
}

sim_order order(uint64_t cid, side sd, order_type type, time_in_force tif, const char* p,
                const char* q) {
  return sim_order{client_order_id{cid}, sd, type, tif, p ? px(p) : price{}, qty(q)};
}

sim_order market(uint64_t cid, side sd, const char* q) {
  return order(cid, sd, order_type::market, time_in_force::ioc, nullptr, q);
}

sim_order limit(uint64_t cid, side sd, const char* p, const char* q,
                time_in_force tif = time_in_force::gtc) {
  return order(cid, sd, order_type::limit, tif, p, q);
}

trade_tick trade(side aggressor, const char* p, const char* q) {
  trade_tick t;
  t.symbol = eth;
  t.px = px(p);
  t.qty = qty(q);
  t.aggressor = aggressor;
  return t;
}

std::vector<exec_report> fills_of(const std::vector<exec_report>& r) {
  std::vector<exec_report> out;
  for (auto& e : r)
    if (e.what == exec_report::kind::fill)
      out.push_back(e);
  return out;
}

} // namespace

TEST_CASE("paper market order walks the venue's asks at each level's price with the taker fee") {
  auto m = fresh_matcher();
  auto r = m.submit(market(1, side::buy, "2"), t0);
  REQUIRE(r.size() == 3);
  CHECK(r[0].what == exec_report::kind::accepted);
  CHECK(r[1].px == px("100.01"));
  CHECK(r[1].qty == qty("1.5"));
  CHECK(r[1].fee == cash("0.060006")); // 1.5 x 100.01 x 0.0004
  CHECK(r[1].liq == liquidity::taker);
  CHECK(r[1].tid == trade_id{500});
  CHECK(r[2].px == px("100.02"));
  CHECK(r[2].qty == qty("0.5"));
  CHECK(r[2].fee == cash("0.020004"));
  CHECK(r[2].cum_qty == qty("2"));
  CHECK(r[2].leaves_qty.is_zero());
  CHECK(r[2].tid == trade_id{501});
}

TEST_CASE("paper liquidity taken stays taken until the venue shows a new quantity at that price") {
  auto m = fresh_matcher();
  m.submit(market(1, side::buy, "2"), t0);
  // Same view: 100.01 is used up, 100.02 has 1.5 left.
  auto second = fills_of(m.submit(market(2, side::buy, "1.2"), t0));
  REQUIRE(second.size() == 1);
  CHECK(second[0].px == px("100.02"));
  CHECK(second[0].qty == qty("1.2"));
  // The venue refreshes 100.01 (3 now) and keeps 100.02 at 2: 0.3 left there.
  m.on_book(view(2, {lv("100.00", "1")}, {lv("100.01", "3"), lv("100.02", "2")}), t0);
  auto third = fills_of(m.submit(market(3, side::buy, "3.5"), t0));
  REQUIRE(third.size() == 2);
  CHECK(third[0].px == px("100.01"));
  CHECK(third[0].qty == qty("3"));
  CHECK(third[1].px == px("100.02"));
  CHECK(third[1].qty == qty("0.3"));
}

TEST_CASE("paper market order beyond the shown depth fills what is shown and cancels the rest") {
  auto m = fresh_matcher();
  auto r = m.submit(market(1, side::sell, "4"), t0);
  REQUIRE(r.size() == 4);
  CHECK(r[1].px == px("100.00"));
  CHECK(r[2].px == px("99.99"));
  CHECK(r[3].what == exec_report::kind::canceled);
  CHECK(r[3].why == cancel_reason::ioc_remainder);
  CHECK(r[3].cum_qty == qty("3"));
}

TEST_CASE("paper IOC limit takes up to its price and cancels the remainder") {
  auto m = fresh_matcher();
  auto r = m.submit(limit(1, side::buy, "100.01", "2", time_in_force::ioc), t0);
  REQUIRE(r.size() == 3);
  CHECK(r[1].qty == qty("1.5"));
  CHECK(r[1].px == px("100.01"));
  CHECK(r[2].what == exec_report::kind::canceled);
  CHECK(r[2].why == cancel_reason::ioc_remainder);
  CHECK(m.open_orders().empty());
}

TEST_CASE("paper post-only order that would cross is rejected") {
  auto m = fresh_matcher();
  auto r = m.submit(limit(1, side::buy, "100.01", "1", time_in_force::post_only), t0);
  REQUIRE(r.size() == 1);
  CHECK(r[0].what == exec_report::kind::rejected);
  CHECK(r[0].reason == reject_reason::post_only_would_cross);
}

TEST_CASE("paper crossing GTC limit takes what it reaches and rests the remainder") {
  auto m = fresh_matcher();
  auto r = m.submit(limit(1, side::buy, "100.01", "2"), t0);
  REQUIRE(fills_of(r).size() == 1);
  auto open = m.open_orders();
  REQUIRE(open.size() == 1);
  CHECK(open[0].qty == qty("0.5"));
  CHECK(m.queue_ahead(client_order_id{1}) == quantity{}); // a new level of ours
}

TEST_CASE("paper resting order waits behind the shown queue and fills from trades at its price") {
  auto m = fresh_matcher();
  m.submit(limit(1, side::buy, "100.00", "1", time_in_force::post_only), t0);
  CHECK(m.queue_ahead(client_order_id{1}) == qty("1"));
  CHECK(m.on_trade(trade(side::sell, "100.00", "0.4"), t0).empty());
  CHECK(m.queue_ahead(client_order_id{1}) == qty("0.6"));
  auto f = m.on_trade(trade(side::sell, "100.00", "1"), t0);
  REQUIRE(f.size() == 1);
  CHECK(f[0].qty == qty("0.4"));
  CHECK(f[0].px == px("100.00"));
  CHECK(f[0].liq == liquidity::maker);
  CHECK(f[0].fee == cash("0.008")); // 0.4 x 100 x 0.0002
  CHECK(f[0].leaves_qty == qty("0.6"));
  // A buy aggressor does not touch our bid.
  CHECK(m.on_trade(trade(side::buy, "100.00", "5"), t0).empty());
  // A sell printed below our price traded through us: the rest fills.
  auto rest = m.on_trade(trade(side::sell, "99.99", "0.001"), t0);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].qty == qty("0.6"));
  CHECK(rest[0].px == px("100.00"));
  CHECK(rest[0].leaves_qty.is_zero());
  CHECK(m.open_orders().empty());
}

TEST_CASE("paper queue estimate shrinks to the quantity the venue shows at the price") {
  auto m = fresh_matcher();
  m.submit(limit(1, side::buy, "100.00", "1"), t0);
  m.on_book(view(2, {lv("100.00", "0.3"), lv("99.99", "2")}, {lv("100.01", "1.5")}), t0);
  CHECK(m.queue_ahead(client_order_id{1}) == qty("0.3"));
  m.on_book(view(3, {lv("100.00", "0.8"), lv("99.99", "2")}, {lv("100.01", "1.5")}), t0);
  CHECK(m.queue_ahead(client_order_id{1}) == qty("0.3")); // arrivals queue behind us
}

TEST_CASE("paper resting order fills when the other side reaches its price") {
  auto m = fresh_matcher();
  m.submit(limit(1, side::buy, "99.98", "0.5"), t0);
  CHECK(m.on_book(view(2, {lv("99.97", "1")}, {lv("99.99", "1")}), t0).empty());
  auto f = m.on_book(view(3, {lv("99.96", "1")}, {lv("99.98", "1")}), t0);
  REQUIRE(f.size() == 1);
  CHECK(f[0].px == px("99.98"));
  CHECK(f[0].qty == qty("0.5"));
  CHECK(f[0].liq == liquidity::maker);
}

TEST_CASE("paper orders are refused without a fresh book") {
  paper_matcher m{eth_spec(), 1};
  auto r = m.submit(market(1, side::buy, "1"), t0);
  REQUIRE(r.size() == 1);
  CHECK(r[0].reason == reject_reason::venue_unavailable);
  m.on_book(base_view(), t0);
  m.submit(limit(2, side::buy, "99.00", "1"), t0);
  m.on_stale();
  CHECK(m.submit(market(3, side::buy, "1"), t0)[0].reason == reject_reason::venue_unavailable);
  CHECK(m.open_orders().size() == 1); // resting orders wait
}

TEST_CASE("paper orders are checked against lot, tick and min notional") {
  auto m = fresh_matcher();
  CHECK(m.submit(limit(1, side::buy, "100.001", "1"), t0)[0].reason
        == reject_reason::invalid_price);
  CHECK(m.submit(limit(2, side::buy, "100.00", "0.0005"), t0)[0].reason
        == reject_reason::invalid_quantity);
  CHECK(m.submit(limit(3, side::buy, "100.00", "0.01"), t0)[0].reason
        == reject_reason::below_min_notional);
  m.submit(limit(4, side::buy, "99.00", "1"), t0);
  CHECK(m.submit(limit(4, side::buy, "99.00", "1"), t0)[0].reason
        == reject_reason::duplicate_client_id);
  CHECK(m.cancel(client_order_id{9}, t0)[0].reason == reject_reason::unknown_order);
  auto c = m.cancel(client_order_id{4}, t0);
  REQUIRE(c.size() == 1);
  CHECK(c[0].why == cancel_reason::requested);
}

TEST_CASE("paper taker order cancels our own resting orders it meets") {
  auto m = fresh_matcher();
  m.submit(limit(1, side::sell, "100.02", "1"), t0); // rests at the second ask
  m.submit(limit(2, side::sell, "100.50", "1"), t0); // beyond the walk
  auto r = m.submit(market(3, side::buy, "2"), t0);
  // 1.5 at 100.01, then the walk reaches 100.02 where our sell rests.
  REQUIRE(r.size() == 4);
  CHECK(r[1].px == px("100.01"));
  CHECK(r[2].what == exec_report::kind::canceled);
  CHECK(r[2].cid == client_order_id{1});
  CHECK(r[2].why == cancel_reason::self_trade);
  CHECK(r[3].px == px("100.02"));
  auto open = m.open_orders();
  REQUIRE(open.size() == 1);
  CHECK(open[0].cid == client_order_id{2});
}
