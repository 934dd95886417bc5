#include <catch2/catch.hpp>

#include "actors/risk/position_book.hpp"

using namespace agora;

namespace {

price px(const char* s) {
  return price::parse(s).value();
}

quantity qty(const char* s) {
  return quantity::parse(s).value();
}

notional cash(const char* s) {
  return notional::parse(s).value();
}

const venue_id sim{"sim"};
const symbol_id btc{"BTCUSDT"};
const symbol_id eth{"ETHUSDT"};

order_filled fill(side sd, const char* p, const char* q, const char* fee = "0",
                  const symbol_id& sym = btc, const venue_id& v = sim) {
  order_filled f;
  f.cid = client_order_id{1};
  f.venue = v;
  f.symbol = sym;
  f.sd = sd;
  f.fill_px = px(p);
  f.fill_qty = qty(q);
  f.fee = cash(fee);
  return f;
}

} // namespace

TEST_CASE("buy then sell realizes the price difference net of both fees") {
  position_book b;
  // Buy 0.5 @ 100 (fee 0.05), sell 0.5 @ 110 (fee 0.055):
  // (110 - 100) x 0.5 = 5, minus 0.105 of fees = 4.895.
  b.apply_fill(fill(side::buy, "100", "0.5", "0.05"));
  CHECK(b.realized_pnl() == cash("-0.05"));
  b.apply_fill(fill(side::sell, "110", "0.5", "0.055"));
  auto* p = b.find(sim, btc);
  REQUIRE(p != nullptr);
  CHECK(p->qty == quantity{});
  CHECK(p->avg_price == price{});
  CHECK(p->realized_pnl == cash("4.895"));
  CHECK(p->fees == cash("0.105"));
  CHECK(p->unrealized_pnl == notional{});
  CHECK(b.realized_pnl() == cash("4.895"));
  CHECK(b.fees() == cash("0.105"));
  CHECK(b.fills() == 2);
}

TEST_CASE("adding to a position averages the entry by quantity") {
  position_book b;
  // 1 @ 100 and 3 @ 104: (100 + 312) / 4 = 103.
  b.apply_fill(fill(side::buy, "100", "1"));
  b.apply_fill(fill(side::buy, "104", "3"));
  CHECK(b.position(sim, btc) == qty("4"));
  CHECK(b.find(sim, btc)->avg_price == px("103"));
  // 1 @ 100 and 2 @ 100.01: 300.02 / 3 = 100.00666666 (truncated).
  position_book c;
  c.apply_fill(fill(side::sell, "100", "1"));
  c.apply_fill(fill(side::sell, "100.01", "2"));
  CHECK(c.position(sim, btc) == qty("-3"));
  CHECK(c.find(sim, btc)->avg_price == px("100.00666666"));
}

TEST_CASE("partial closes keep the average entry of what remains") {
  position_book b;
  b.apply_fill(fill(side::buy, "100", "1"));
  b.apply_fill(fill(side::buy, "104", "3")); // 4 @ 103
  b.apply_fill(fill(side::sell, "105", "1", "0.1"));
  auto* p = b.find(sim, btc);
  CHECK(p->qty == qty("3"));
  CHECK(p->avg_price == px("103"));
  CHECK(p->realized_pnl == cash("1.9")); // (105 - 103) x 1 - 0.1
  b.apply_fill(fill(side::sell, "101", "2"));
  CHECK(p->qty == qty("1"));
  CHECK(p->avg_price == px("103"));
  CHECK(p->realized_pnl == cash("-2.1")); // 1.9 + (101 - 103) x 2
}

TEST_CASE("a fill through zero closes the long and opens a short") {
  position_book b;
  b.apply_fill(fill(side::buy, "100", "2", "0.2"));
  // Sell 5 @ 90: closes 2 at (90 - 100) x 2 = -20, opens 3 short @ 90.
  b.apply_fill(fill(side::sell, "90", "5", "0.45"));
  auto* p = b.find(sim, btc);
  CHECK(p->qty == qty("-3"));
  CHECK(p->avg_price == px("90"));
  CHECK(p->realized_pnl == cash("-20.65")); // -20 - 0.2 - 0.45
  CHECK(p->mark == px("90"));
  CHECK(p->unrealized_pnl == notional{});
  // The short gains when the price falls: (85 - 90) x -3 = 15.
  b.mark(sim, btc, px("85"));
  CHECK(p->unrealized_pnl == cash("15"));
  // Buy 4 @ 80: closes 3 at (80 - 90) x -3 = +30, opens 1 long @ 80.
  b.apply_fill(fill(side::buy, "80", "4"));
  CHECK(p->qty == qty("1"));
  CHECK(p->avg_price == px("80"));
  CHECK(p->realized_pnl == cash("9.35"));
}

TEST_CASE("unrealized PnL follows the mark and the last fill") {
  position_book b;
  b.apply_fill(fill(side::buy, "65000.1", "0.002"));
  CHECK(b.unrealized_pnl() == notional{});
  b.mark(sim, btc, px("65100.35"));
  // (65100.35 - 65000.1) x 0.002 = 0.2005
  CHECK(b.unrealized_pnl() == cash("0.2005"));
  CHECK(b.find(sim, btc)->mark == px("65100.35"));
  b.mark(sim, btc, px("64000"));
  CHECK(b.unrealized_pnl() == cash("-2.0002"));
  // A fill moves the mark to its price.
  b.apply_fill(fill(side::buy, "64500", "0.002"));
  // avg (65000.1 + 64500) / 2 = 64750.05; (64500 - 64750.05) x 0.004
  CHECK(b.find(sim, btc)->avg_price == px("64750.05"));
  CHECK(b.unrealized_pnl() == cash("-1.0002"));
  // Marks for symbols without a position are ignored.
  b.mark(sim, eth, px("3000"));
  CHECK(b.find(sim, eth) == nullptr);
}

TEST_CASE("gross exposure sums absolute positions at their marks") {
  position_book b;
  b.apply_fill(fill(side::buy, "100", "2"));           // long 2
  b.apply_fill(fill(side::sell, "3000", "0.5", "0", eth)); // short 0.5
  b.apply_fill(fill(side::sell, "50", "10", "0", btc, venue_id{"alt"}));
  CHECK(b.gross_exposure() == cash("2200")); // 200 + 1500 + 500
  b.mark(sim, eth, px("3100"));
  CHECK(b.gross_exposure() == cash("2250"));
  CHECK(b.unrealized_pnl() == cash("-50"));
  CHECK(b.position(sim, eth) == qty("-0.5"));
  CHECK(b.position(sim, symbol_id{"XRPUSDT"}) == quantity{});
  auto all = b.all();
  REQUIRE(all.size() == 3);
  CHECK(all[0].venue == venue_id{"alt"});
  CHECK(all[1].symbol == btc);
  CHECK(all[2].symbol == eth);
}

TEST_CASE("a maker rebate adds to realized PnL") {
  position_book b;
  b.apply_fill(fill(side::buy, "100", "1", "-0.01"));
  CHECK(b.realized_pnl() == cash("0.01"));
  CHECK(b.fees() == cash("-0.01"));
}

TEST_CASE("a fill with no quantity changes nothing") {
  position_book b;
  b.apply_fill(fill(side::buy, "100", "0", "1"));
  CHECK(b.fills() == 0);
  CHECK(b.all().empty());
}
