#include <catch2/catch.hpp>

#include <map>

#include "fixture.hpp"
#include "venues/binance/codec.hpp"
#include "venues/binance/orders.hpp"

using namespace xsim_test;

namespace {

/// A local L2 book rebuilt from a snapshot and diffs, as a client keeps it.
struct local_book {
  std::map<int64_t, int64_t, std::greater<>> bids;
  std::map<int64_t, int64_t> asks;

  explicit local_book(const book_snapshot& s) {
    for (const auto& l : s.bids)
      bids[l.px.raw()] = l.qty.raw();
    for (const auto& l : s.asks)
      asks[l.px.raw()] = l.qty.raw();
  }

  void apply(const book_delta& d) {
    for (const auto& l : d.bids) {
      if (l.qty.is_zero())
        bids.erase(l.px.raw());
      else
        bids[l.px.raw()] = l.qty.raw();
    }
    for (const auto& l : d.asks) {
      if (l.qty.is_zero())
        asks.erase(l.px.raw());
      else
        asks[l.px.raw()] = l.qty.raw();
    }
  }

  bool same_as(const book_snapshot& s) const {
    if (s.bids.size() != bids.size() || s.asks.size() != asks.size())
      return false;
    auto b = bids.begin();
    for (const auto& l : s.bids)
      if (b->first != l.px.raw() || (b++)->second != l.qty.raw())
        return false;
    auto a = asks.begin();
    for (const auto& l : s.asks)
      if (a->first != l.px.raw() || (a++)->second != l.qty.raw())
        return false;
    return true;
  }
};

book_snapshot rest_depth(harness& h, const venue_id& venue) {
  auto r = h.call("GET", h.api("depth"), "symbol=BTCUSDT&limit=1000");
  REQUIRE(r.status == 200);
  auto s = binance::parse_depth_snapshot(r.body, venue, symbol_id{"BTCUSDT"}, h.now);
  REQUIRE(s);
  return *s;
}

/// Steps `n` times, checks the diff chain of BTCUSDT against `last` and the
/// local book, and the bookTicker against the book's top.
struct stream_check {
  harness& h;
  venue_id venue;
  local_book book;
  uint64_t last;
  size_t diffs = 0;
  size_t tickers = 0;
  size_t trades = 0;
  uint64_t last_trade = 0;

  void run(int steps) {
    auto m = h.core.kind();
    for (int i = 0; i < steps; ++i) {
      auto out = h.step();
      auto fast = on_channel(out, "btcusdt@depth@100ms");
      CHECK(fast == on_channel(out, "btcusdt@depth"));
      for (const auto& text : fast) {
        auto ev = binance::parse_stream(text, m, venue, h.now);
        REQUIRE(ev);
        const auto& d = std::get<book_delta>(*ev);
        CHECK(d.symbol == symbol_id{"BTCUSDT"});
        CHECK(d.first_update_id == last + 1);
        if (m == binance::market::usdm)
          CHECK(d.prev_last_update_id == last);
        else
          CHECK(d.prev_last_update_id == 0);
        CHECK(d.last_update_id >= d.first_update_id);
        last = d.last_update_id;
        book.apply(d);
        ++diffs;
      }
      for (const auto& text : on_channel(out, "btcusdt@bookTicker")) {
        // Clients of combined streams get the wrapper; both parse the same.
        auto ev = binance::parse_stream(wrap_combined("btcusdt@bookTicker", text),
                                        m, venue, h.now);
        REQUIRE(ev);
        const auto& t = std::get<book_ticker>(*ev);
        CHECK(t.update_id == last);
        CHECK(t.bid.px.raw() == book.bids.begin()->first);
        CHECK(t.bid.qty.raw() == book.bids.begin()->second);
        CHECK(t.ask.px.raw() == book.asks.begin()->first);
        CHECK(t.ask.qty.raw() == book.asks.begin()->second);
        ++tickers;
      }
      for (const auto& text : on_channel(out, "btcusdt@aggTrade")) {
        auto ev = binance::parse_stream(text, m, venue, h.now);
        REQUIRE(ev);
        const auto& t = std::get<trade_tick>(*ev);
        CHECK(t.id.value > last_trade);
        last_trade = t.id.value;
        CHECK(t.qty.is_positive());
        ++trades;
      }
    }
  }
};

} // namespace

TEST_CASE("spot depth diffs chain U = previous u + 1 from the snapshot and rebuild the book") {
  harness h{binance::market::spot};
  venue_id venue{"xsim-spot"};
  auto snap = rest_depth(h, venue);
  CHECK(snap.last_update_id == 1);
  stream_check c{h, venue, local_book{snap}, snap.last_update_id};
  // Our own resting orders are part of the published book.
  auto bid = snap.bids.front().px;
  REQUIRE(h.signed_call("POST", "/api/v3/order",
                        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                        "&quantity=0.05&price=" + (bid - px("0.5")).to_string())
            .status == 200);
  c.run(300);
  CHECK(c.diffs >= 250);
  CHECK(c.tickers > 0);
  CHECK(c.trades > 50);
  auto end = rest_depth(h, venue);
  CHECK(end.last_update_id == c.last);
  CHECK(c.book.same_as(end));
  // A snapshot taken mid-stream continues with the next diff.
  stream_check more{h, venue, local_book{end}, end.last_update_id};
  more.run(50);
  CHECK(more.book.same_as(rest_depth(h, venue)));
}

TEST_CASE("USD-M depth diffs chain pu = previous u and rebuild the book") {
  harness h{binance::market::usdm};
  venue_id venue{"xsim-usdm"};
  auto snap = rest_depth(h, venue);
  stream_check c{h, venue, local_book{snap}, snap.last_update_id};
  c.run(300);
  CHECK(c.diffs >= 250);
  CHECK(c.tickers > 0);
  auto end = rest_depth(h, venue);
  CHECK(end.last_update_id == c.last);
  CHECK(c.book.same_as(end));
}

TEST_CASE("the core names its market streams in lower case") {
  harness spot{binance::market::spot};
  CHECK(spot.core.is_market_stream("btcusdt@depth@100ms"));
  CHECK(spot.core.is_market_stream("ethusdt@aggTrade"));
  CHECK(spot.core.is_market_stream("btcusdt@bookTicker"));
  CHECK(spot.core.is_market_stream("btcusdt@depth"));
  CHECK_FALSE(spot.core.is_market_stream("BTCUSDT@depth"));
  CHECK_FALSE(spot.core.is_market_stream("btcusdt@markPrice"));
  CHECK_FALSE(spot.core.is_market_stream("dogeusdt@depth"));
  CHECK_FALSE(spot.core.is_market_stream("btcusdt"));
  CHECK(spot.core.market_streams().size() == 8);
  harness usdm{binance::market::usdm};
  CHECK(usdm.core.is_market_stream("btcusdt@markPrice"));
  CHECK(usdm.core.is_market_stream("btcusdt@markPrice@1s"));
  CHECK(usdm.core.market_streams().size() == 12);
}

TEST_CASE("USD-M mark price goes out once per wall second and every third second on @markPrice") {
  harness h{binance::market::usdm};
  venue_id venue{"xsim-usdm"};
  size_t fast = 0;
  size_t slow = 0;
  size_t expected_slow = 0;
  int64_t last_second = -1;
  for (int i = 0; i < 30; ++i) {
    auto out = h.step();
    auto second = h.wall / 1000;
    if (second != last_second) {
      last_second = second;
      if (second % 3 == 0)
        ++expected_slow;
    }
    for (const auto& text : on_channel(out, "btcusdt@markPrice@1s")) {
      auto ev = binance::parse_stream(text, binance::market::usdm, venue, h.now);
      REQUIRE(ev);
      const auto& f = std::get<funding_update>(*ev);
      CHECK(f.mark == h.core.market("BTCUSDT")->mid());
      CHECK(f.funding_rate == *rate::parse("0.0001"));
      CHECK(f.next_funding_time == 1'700'006'400'000 * ns_per_ms);
      ++fast;
    }
    slow += on_channel(out, "btcusdt@markPrice").size();
  }
  // Steps at 40.1 s .. 43.0 s: seconds 40, 41, 42 and 43.
  CHECK(fast == 4);
  CHECK(slow == expected_slow);
  harness spot{binance::market::spot};
  for (const auto& o : spot.step())
    CHECK(o.channel.find("markPrice") == std::string::npos);
}

TEST_CASE("a resting USD-M order filled by the market reports maker fills on the listen key") {
  harness h{binance::market::usdm};
  std::string key = parse(h.call("POST", "/fapi/v1/listenKey", {}, alice_key).body)["listenKey"]
                      .GetString();
  auto snap = rest_depth(h, venue_id{"xsim-usdm"});
  auto limit = snap.asks.front().px;
  REQUIRE(h.signed_call("POST", "/fapi/v1/order",
                        "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTX"
                        "&quantity=0.1&price=" + limit.to_string()
                          + "&newClientOrderId=rest-1").status == 200);
  h.core.drain();
  quantity filled;
  notional fees;
  bool done = false;
  for (int i = 0; i < 3000 && !done; ++i) {
    auto out = h.step();
    for (const auto& text : on_channel(out, "listen-key:" + key)) {
      auto ev = binance::parse_user_event(text, binance::market::usdm);
      REQUIRE(ev);
      auto* o = std::get_if<binance::order_update>(&*ev);
      if (o == nullptr || o->exec != binance::exec_type::trade)
        continue;
      CHECK(o->client_id == "rest-1");
      CHECK(o->maker);
      CHECK(o->last_px == limit);
      filled += o->last_qty;
      fees += o->fee;
      CHECK(o->cum_qty == filled);
      done = o->state == binance::order_state::filled;
    }
  }
  REQUIRE(done);
  CHECK(filled == qty("0.1"));
  // Maker 2 bp of 0.1 x limit, exact at these precisions.
  CHECK(fees.raw() == value_raw(limit.raw(), qty("0.1").raw()) * 20'000 / 100'000'000);
  auto pos = h.core.position(alice_key, "BTCUSDT");
  REQUIRE(pos);
  CHECK(pos->amount == qty("-0.1"));
  CHECK(pos->entry_price == limit);
  CHECK(h.core.balances(alice_key)[0].free.raw() == money("100000").raw() - fees.raw());
}
