#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "venues/binance/codec.hpp"
#include "venues/binance/orders.hpp"

using namespace xsim_test;

namespace {

const venue_id venue{"xsim-spot"};

book_snapshot depth(harness& h, const std::string& symbol, int limit = 1000) {
  auto r = h.call("GET", h.api("depth"),
                  "symbol=" + symbol + "&limit=" + std::to_string(limit));
  REQUIRE(r.status == 200);
  auto snap = binance::parse_depth_snapshot(r.body, venue, symbol_id{symbol},
                                            h.now);
  REQUIRE(snap);
  return *snap;
}

binance::order_update order_of(const rest_reply& r) {
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto o = binance::parse_order(r.body, binance::market::spot);
  REQUIRE(o);
  return *o;
}

int error_code(const rest_reply& r) {
  auto e = binance::parse_rest_error(r.body);
  REQUIRE(e);
  return e->code;
}

std::string error_msg(const rest_reply& r) {
  auto e = binance::parse_rest_error(r.body);
  REQUIRE(e);
  return e->msg;
}

asset_balance balance_of(const harness& h, const std::string& key,
                         const std::string& asset) {
  for (const auto& b : h.core.balances(key))
    if (b.asset == asset)
      return b;
  return asset_balance{asset, {}, {}};
}

} // namespace

TEST_CASE("spot ping, time and exchangeInfo answer as Binance does") {
  harness h{binance::market::spot};
  auto ping = h.call("GET", "/api/v3/ping");
  CHECK(ping.status == 200);
  CHECK(ping.body == "{}");
  CHECK(ping.header("X-MBX-USED-WEIGHT-1M") == std::optional<std::string_view>{"1"});
  auto time = h.call("GET", "/api/v3/time");
  auto server_time = binance::parse_server_time(time.body);
  REQUIRE(server_time);
  CHECK(*server_time == wall0);
  auto info = h.call("GET", "/api/v3/exchangeInfo");
  REQUIRE(info.status == 200);
  CHECK(info.header("X-MBX-USED-WEIGHT-1M") == std::optional<std::string_view>{"22"});
  auto specs = binance::parse_exchange_info(info.body, binance::market::spot,
                                            venue, *rate::parse("0.0002"),
                                            *rate::parse("0.0004"));
  REQUIRE(specs);
  REQUIRE(specs->size() == 2);
  const auto& btc = (*specs)[0];
  CHECK(btc.symbol == symbol_id{"BTCUSDT"});
  CHECK(btc.tick == px("0.1"));
  CHECK(btc.lot == qty("0.001"));
  CHECK(btc.min_notional == money("5"));
  CHECK_FALSE(btc.perpetual);
  CHECK((*specs)[1].tick == px("0.01"));
  auto doc = parse(info.body);
  CHECK(std::string{doc["symbols"][0]["baseAsset"].GetString()} == "BTC");
  CHECK(std::string{doc["rateLimits"][0]["rateLimitType"].GetString()} == "REQUEST_WEIGHT");
  CHECK(doc["rateLimits"][0]["limit"].GetInt() == 6000);
  auto one = h.call("GET", "/api/v3/exchangeInfo", "symbol=ETHUSDT");
  CHECK(parse(one.body)["symbols"].Size() == 1);
}

TEST_CASE("spot depth answers the published book with 8-decimal strings and its update id") {
  harness h{binance::market::spot};
  auto r = h.call("GET", "/api/v3/depth", "symbol=BTCUSDT&limit=5");
  REQUIRE(r.status == 200);
  CHECK(r.header("X-MBX-USED-WEIGHT-1M") == std::optional<std::string_view>{"5"});
  auto doc = parse(r.body);
  CHECK(doc["lastUpdateId"].GetUint64() == 1);
  CHECK(doc["bids"].Size() == 5);
  CHECK(doc["asks"].Size() == 5);
  std::string bid0 = doc["bids"][0][0].GetString();
  CHECK(bid0.size() - bid0.find('.') == 9); // 8 decimals
  auto snap = depth(h, "BTCUSDT", 5000);
  auto pub = h.core.market("BTCUSDT")->snapshot(h.now);
  CHECK(snap.bids == pub.bids);
  CHECK(snap.asks == pub.asks);
  CHECK(snap.bids.front().px < snap.asks.front().px);
  auto big = h.call("GET", "/api/v3/depth", "symbol=BTCUSDT&limit=5000");
  CHECK(big.header("X-MBX-USED-WEIGHT-1M") == std::optional<std::string_view>{"505"});
  auto bad = h.call("GET", "/api/v3/depth", "symbol=NOPE");
  CHECK(bad.status == 400);
  CHECK(error_code(bad) == -1121);
  auto none = h.call("GET", "/api/v3/depth");
  CHECK(error_code(none) == -1102);
}

TEST_CASE("a spot limit buy rests, locks its quote plus fee reserve and cancels back") {
  harness h{binance::market::spot};
  auto snap = depth(h, "BTCUSDT");
  auto limit = snap.bids.front().px - px("1");
  auto r = h.signed_call("POST", "/api/v3/order",
                         "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                         "&quantity=0.010&price=" + limit.to_string()
                           + "&newClientOrderId=buy-1&newOrderRespType=RESULT");
  auto o = order_of(r);
  CHECK(o.client_id == "buy-1");
  CHECK(o.state == binance::order_state::new_order);
  CHECK(o.px == limit);
  CHECK(o.qty == qty("0.01"));
  CHECK(o.cum_qty.is_zero());
  CHECK(o.type == "LIMIT");
  CHECK(o.tif == "GTC");
  CHECK(r.header("X-MBX-ORDER-COUNT-10S") == std::optional<std::string_view>{"1"});
  CHECK(r.header("X-MBX-ORDER-COUNT-1D") == std::optional<std::string_view>{"1"});
  // Locked: 0.01 x limit plus 4 bp (the larger of the two fees).
  auto v = value_raw(limit.raw(), qty("0.01").raw());
  auto lock = v + v * 40'000 / 100'000'000;
  auto usdt = balance_of(h, alice_key, "USDT");
  CHECK(usdt.locked.raw() == lock);
  CHECK(usdt.free.raw() == money("100000").raw() - lock);
  // Query by client id and by order id; it is in openOrders.
  auto q = order_of(h.signed_call("GET", "/api/v3/order",
                                  "symbol=BTCUSDT&origClientOrderId=buy-1"));
  CHECK(q.order_id == o.order_id);
  CHECK(q.state == binance::order_state::new_order);
  auto q2 = order_of(h.signed_call("GET", "/api/v3/order",
                                   "symbol=BTCUSDT&orderId="
                                     + std::to_string(o.order_id)));
  CHECK(q2.client_id == "buy-1");
  auto open = binance::parse_open_orders(
    h.signed_call("GET", "/api/v3/openOrders", "symbol=BTCUSDT").body,
    binance::market::spot);
  REQUIRE(open);
  REQUIRE(open->size() == 1);
  CHECK((*open)[0].client_id == "buy-1");
  // Cancel: the answer names the order in origClientOrderId.
  auto c = h.signed_call("DELETE", "/api/v3/order",
                         "symbol=BTCUSDT&origClientOrderId=buy-1"
                         "&newClientOrderId=cxl-1");
  auto co = order_of(c);
  CHECK(co.state == binance::order_state::canceled);
  CHECK(co.orig_client_id == "buy-1");
  CHECK(co.client_id == "cxl-1");
  CHECK(balance_of(h, alice_key, "USDT")
        == asset_balance{"USDT", money("100000"), money("0")});
  CHECK(h.core.open_orders(alice_key).empty());
  // A second cancel and an unknown query fail as Binance does.
  auto again = h.signed_call("DELETE", "/api/v3/order",
                             "symbol=BTCUSDT&origClientOrderId=buy-1");
  CHECK(again.status == 400);
  CHECK(error_code(again) == -2011);
  CHECK(error_msg(again) == "Unknown order sent.");
  auto missing = h.signed_call("GET", "/api/v3/order",
                               "symbol=BTCUSDT&origClientOrderId=nope");
  CHECK(error_code(missing) == -2013);
  CHECK(error_msg(missing) == "Order does not exist.");
  auto neither = h.signed_call("GET", "/api/v3/order", "symbol=BTCUSDT");
  CHECK(error_code(neither) == -1102);
  // The canceled order can still be queried.
  auto done = order_of(h.signed_call("GET", "/api/v3/order",
                                     "symbol=BTCUSDT&origClientOrderId=buy-1"));
  CHECK(done.state == binance::order_state::canceled);
}

TEST_CASE("a spot market buy fills at the best ask and moves both balances by hand-computed amounts") {
  harness h{binance::market::spot};
  auto snap = depth(h, "BTCUSDT");
  auto ask = snap.asks.front();
  REQUIRE(ask.qty >= qty("0.01"));
  auto r = h.signed_call("POST", "/api/v3/order",
                         "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01"
                         "&newClientOrderId=mkt-1");
  auto o = order_of(r);
  CHECK(o.state == binance::order_state::filled);
  CHECK(o.cum_qty == qty("0.01"));
  auto v = value_raw(ask.px.raw(), qty("0.01").raw());
  auto fee = v * 40'000 / 100'000'000; // taker 4 bp, in USDT
  auto doc = parse(r.body); // FULL by default for MARKET
  REQUIRE(doc["fills"].Size() == 1);
  CHECK(px(doc["fills"][0]["price"].GetString()) == ask.px);
  CHECK(money(doc["fills"][0]["commission"].GetString()).raw() == fee);
  CHECK(std::string{doc["fills"][0]["commissionAsset"].GetString()} == "USDT");
  CHECK(money(doc["cummulativeQuoteQty"].GetString()).raw() == v);
  CHECK(std::string{doc["status"].GetString()} == "FILLED");
  CHECK(balance_of(h, alice_key, "USDT").free.raw()
        == money("100000").raw() - v - fee);
  CHECK(balance_of(h, alice_key, "USDT").locked.is_zero());
  CHECK(balance_of(h, alice_key, "BTC")
        == asset_balance{"BTC", money("2.01"), money("0")});
  // GET /api/v3/account agrees.
  auto acct = binance::parse_account(
    h.signed_call("GET", "/api/v3/account", "").body, binance::market::spot);
  REQUIRE(acct);
  bool seen_usdt = false;
  for (const auto& b : acct->balances)
    if (b.asset == "USDT") {
      seen_usdt = true;
      CHECK(b.free.raw() == money("100000").raw() - v - fee);
      CHECK(b.locked.is_zero());
    }
  CHECK(seen_usdt);
}

TEST_CASE("a spot limit sell rests locking base and a marketable IOC expires its remainder") {
  harness h{binance::market::spot};
  auto snap = depth(h, "BTCUSDT");
  auto above = snap.asks.front().px + px("5");
  auto r = h.signed_call("POST", "/api/v3/order",
                         "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC"
                         "&quantity=0.5&price=" + above.to_string()
                           + "&newOrderRespType=ACK");
  REQUIRE(r.status == 200);
  auto ack = parse(r.body);
  CHECK_FALSE(ack.HasMember("status")); // ACK: ids only
  CHECK(std::string{ack["clientOrderId"].GetString()}.rfind("xsim", 0) == 0);
  CHECK(balance_of(h, alice_key, "BTC")
        == asset_balance{"BTC", money("1.5"), money("0.5")});
  // IOC buy at the best ask for more than the level: fills the level, expires the rest.
  auto best = snap.asks.front();
  auto want = best.qty + qty("0.001");
  auto ioc = order_of(h.signed_call(
    "POST", "/api/v3/order",
    "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity="
      + want.to_string() + "&price=" + best.px.to_string()));
  CHECK(ioc.state == binance::order_state::expired);
  CHECK(ioc.cum_qty == best.qty);
  // No quote stays locked after the IOC is done; the sell's base stays locked.
  CHECK(balance_of(h, alice_key, "USDT").locked.is_zero());
  CHECK(balance_of(h, alice_key, "BTC").locked == money("0.5"));
}

TEST_CASE("spot FOK that cannot fill completely expires without trading") {
  harness h{binance::market::spot};
  auto snap = depth(h, "BTCUSDT");
  auto best = snap.asks.front();
  auto r = order_of(h.signed_call(
    "POST", "/api/v3/order",
    "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=FOK&quantity="
      + (best.qty + qty("0.001")).to_string() + "&price=" + best.px.to_string()));
  CHECK(r.state == binance::order_state::expired);
  CHECK(r.cum_qty.is_zero());
  CHECK(balance_of(h, alice_key, "USDT")
        == asset_balance{"USDT", money("100000"), money("0")});
  auto ok = order_of(h.signed_call(
    "POST", "/api/v3/order",
    "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=FOK&quantity="
      + best.qty.to_string() + "&price=" + best.px.to_string()));
  CHECK(ok.state == binance::order_state::filled);
}

TEST_CASE("spot filter failures answer -1013 with the filter's name") {
  harness h{binance::market::spot};
  auto order = [&](const std::string& q) {
    return h.signed_call("POST", "/api/v3/order",
                         "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&" + q);
  };
  auto tick = order("quantity=0.01&price=60000.05");
  CHECK(tick.status == 400);
  CHECK(error_code(tick) == -1013);
  CHECK(error_msg(tick) == "Filter failure: PRICE_FILTER");
  auto lot = order("quantity=0.0105&price=60000");
  CHECK(error_msg(lot) == "Filter failure: LOT_SIZE");
  auto zero = order("quantity=0&price=60000");
  CHECK(error_msg(zero) == "Filter failure: LOT_SIZE");
  auto small = order("quantity=0.001&price=1000"); // 1 USDT < 5
  CHECK(error_msg(small) == "Filter failure: NOTIONAL");
  auto garbage = order("quantity=abc&price=60000");
  CHECK(error_code(garbage) == -1100);
  auto no_price = order("quantity=0.01");
  CHECK(error_code(no_price) == -1102);
  CHECK(error_msg(no_price)
        == "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
  auto bad_side = h.signed_call("POST", "/api/v3/order",
                                "symbol=BTCUSDT&side=HOLD&type=LIMIT&timeInForce=GTC"
                                "&quantity=0.01&price=60000");
  CHECK(error_code(bad_side) == -1117);
  auto bad_type = h.signed_call("POST", "/api/v3/order",
                                "symbol=BTCUSDT&side=BUY&type=STOP_LOSS&quantity=0.01");
  CHECK(error_code(bad_type) == -1116);
  auto bad_tif = order("quantity=0.01&price=60000&timeInForce=GTX");
  CHECK(error_code(bad_tif) == -1101); // timeInForce sent twice
  auto gtx = h.signed_call("POST", "/api/v3/order",
                           "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTX"
                           "&quantity=0.01&price=60000");
  CHECK(error_code(gtx) == -1115);
  auto market_price = h.signed_call("POST", "/api/v3/order",
                                    "symbol=BTCUSDT&side=BUY&type=MARKET"
                                    "&quantity=0.01&price=60000");
  CHECK(error_code(market_price) == -1106);
  auto bad_cid = order("quantity=0.01&price=60000&newClientOrderId=has%20space");
  CHECK(error_code(bad_cid) == -1100);
  auto unknown = h.signed_call("POST", "/api/v3/order",
                               "symbol=DOGEUSDT&side=BUY&type=MARKET&quantity=1");
  CHECK(error_code(unknown) == -1121);
  CHECK(error_msg(unknown) == "Invalid symbol.");
  CHECK(h.core.open_orders(alice_key).empty());
}

TEST_CASE("a duplicate open client order id is refused until the first is done") {
  harness h{binance::market::spot};
  auto place = [&] {
    return h.signed_call("POST", "/api/v3/order",
                         "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                         "&quantity=0.01&price=60000&newClientOrderId=dup");
  };
  REQUIRE(place().status == 200);
  auto dup = place();
  CHECK(dup.status == 400);
  CHECK(error_code(dup) == -2010);
  CHECK(error_msg(dup) == "Duplicate order sent.");
  REQUIRE(h.signed_call("DELETE", "/api/v3/order",
                        "symbol=BTCUSDT&origClientOrderId=dup").status == 200);
  CHECK(place().status == 200);
  CHECK(h.core.open_orders(alice_key).size() == 1);
}

TEST_CASE("spot insufficient balance is -2010 and locks nothing") {
  harness h{binance::market::spot};
  auto r = h.signed_call("POST", "/api/v3/order",
                         "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                         "&quantity=0.01&price=60000",
                         bob_key, bob_secret);
  CHECK(r.status == 400);
  CHECK(error_code(r) == -2010);
  CHECK(error_msg(r) == "Account has insufficient balance for requested action.");
  auto sell = h.signed_call("POST", "/api/v3/order",
                            "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.01",
                            bob_key, bob_secret);
  CHECK(error_code(sell) == -2010);
  CHECK(h.core.balances(bob_key)
        == std::vector<asset_balance>{{"BTC", money("0"), money("0")},
                                      {"USDT", money("50"), money("0")}});
}

TEST_CASE("a spot LIMIT_MAKER that would take is rejected with -2010") {
  harness h{binance::market::spot};
  auto snap = depth(h, "BTCUSDT");
  auto r = h.signed_call("POST", "/api/v3/order",
                         "symbol=BTCUSDT&side=BUY&type=LIMIT_MAKER&quantity=0.01"
                         "&price=" + snap.asks.front().px.to_string());
  CHECK(r.status == 400);
  CHECK(error_code(r) == -2010);
  CHECK(error_msg(r) == "Order would immediately match and take.");
  CHECK(balance_of(h, alice_key, "USDT").locked.is_zero());
  auto ok = h.signed_call("POST", "/api/v3/order",
                          "symbol=BTCUSDT&side=BUY&type=LIMIT_MAKER&quantity=0.01"
                          "&price=" + snap.bids.front().px.to_string());
  REQUIRE(ok.status == 200);
  CHECK_FALSE(parse(ok.body).HasMember("status")); // LIMIT_MAKER defaults to ACK
  auto tif = h.signed_call("POST", "/api/v3/order",
                           "symbol=BTCUSDT&side=BUY&type=LIMIT_MAKER&quantity=0.01"
                           "&price=60000&timeInForce=GTC");
  CHECK(error_code(tif) == -1106);
}

TEST_CASE("spot DELETE openOrders cancels every open order of the symbol") {
  harness h{binance::market::spot};
  for (const char* p : {"60000", "60001", "60002"})
    REQUIRE(h.signed_call("POST", "/api/v3/order",
                          std::string{"symbol=BTCUSDT&side=BUY&type=LIMIT"
                                      "&timeInForce=GTC&quantity=0.01&price="}
                            + p).status == 200);
  REQUIRE(h.signed_call("POST", "/api/v3/order",
                        "symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                        "&quantity=0.1&price=2000").status == 200);
  auto all = binance::parse_open_orders(
    h.signed_call("GET", "/api/v3/openOrders", "").body, binance::market::spot);
  REQUIRE(all);
  CHECK(all->size() == 4);
  auto r = h.signed_call("DELETE", "/api/v3/openOrders", "symbol=BTCUSDT");
  REQUIRE(r.status == 200);
  auto doc = parse(r.body);
  REQUIRE(doc.IsArray());
  CHECK(doc.Size() == 3);
  CHECK(std::string{doc[0]["status"].GetString()} == "CANCELED");
  auto left = h.core.open_orders(alice_key);
  REQUIRE(left.size() == 1);
  CHECK(left[0].symbol == "ETHUSDT");
  auto v = value_raw(px("2000").raw(), qty("0.1").raw());
  CHECK(balance_of(h, alice_key, "USDT").locked.raw()
        == v + v * 40'000 / 100'000'000);
}

TEST_CASE("a resting spot buy filled by the market pays the maker fee on each fill") {
  harness h{binance::market::spot};
  auto snap = depth(h, "BTCUSDT");
  auto limit = snap.bids.front().px;
  REQUIRE(h.signed_call("POST", "/api/v3/order",
                        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                        "&quantity=0.2&price=" + limit.to_string()
                          + "&newClientOrderId=maker-1").status == 200);
  std::optional<order_state> st;
  for (int i = 0; i < 3000; ++i) {
    h.step();
    st = h.core.order(1);
    if (st && st->status == "FILLED")
      break;
  }
  REQUIRE(st);
  REQUIRE(st->status == "FILLED");
  // Every fill is at the limit price as maker (2 bp).
  auto v = value_raw(limit.raw(), qty("0.2").raw());
  CHECK(st->cum_quote.raw() == v);
  auto usdt = balance_of(h, alice_key, "USDT");
  CHECK(usdt.locked.is_zero());
  auto spent = money("100000").raw() - usdt.free.raw();
  // 0.1-tick prices times 0.001 lots and 2 bp fees are exact at 1e-8, so
  // the per-fill fees add up to the fee of the whole.
  CHECK(spent == v + v * 20'000 / 100'000'000);
  CHECK(balance_of(h, alice_key, "BTC").free == money("2.2"));
}
