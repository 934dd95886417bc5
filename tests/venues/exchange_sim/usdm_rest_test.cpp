#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "venues/binance/codec.hpp"
#include "venues/binance/orders.hpp"

using namespace xsim_test;

namespace {

const venue_id venue{"xsim-usdm"};

book_snapshot depth(harness& h, const std::string& symbol) {
  auto r = h.call("GET", "/fapi/v1/depth", "symbol=" + symbol + "&limit=1000");
  REQUIRE(r.status == 200);
  auto snap = binance::parse_depth_snapshot(r.body, venue, symbol_id{symbol}, h.now);
  REQUIRE(snap);
  return *snap;
}

binance::order_update order_of(const rest_reply& r) {
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto o = binance::parse_order(r.body, binance::market::usdm);
  REQUIRE(o);
  return *o;
}

binance::rest_error error_of(const rest_reply& r) {
  INFO(r.body);
  auto e = binance::parse_rest_error(r.body);
  REQUIRE(e);
  return *e;
}

binance::account_update account_of(harness& h, const std::string& path,
                                   const std::string& query = {}) {
  auto r = h.signed_call("GET", path, query);
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto a = binance::parse_account(r.body, binance::market::usdm);
  REQUIRE(a);
  return *a;
}

notional wallet_of(const harness& h, const std::string& key) {
  auto b = h.core.balances(key);
  REQUIRE(b.size() == 1);
  CHECK(b[0].asset == "USDT");
  return b[0].free;
}

} // namespace

TEST_CASE("USD-M exchangeInfo lists perpetuals with MIN_NOTIONAL notional and symbol precision") {
  harness h{binance::market::usdm};
  auto r = h.call("GET", "/fapi/v1/exchangeInfo");
  REQUIRE(r.status == 200);
  CHECK(r.header("X-MBX-USED-WEIGHT-1M") == std::optional<std::string_view>{"1"});
  auto specs = binance::parse_exchange_info(r.body, binance::market::usdm, venue,
                                            *rate::parse("0.0002"),
                                            *rate::parse("0.0004"));
  REQUIRE(specs);
  REQUIRE(specs->size() == 2);
  CHECK((*specs)[0].perpetual);
  CHECK((*specs)[0].tick == px("0.1"));
  CHECK((*specs)[0].lot == qty("0.001"));
  CHECK((*specs)[0].min_notional == money("5"));
  auto doc = parse(r.body);
  CHECK(std::string{doc["symbols"][0]["contractType"].GetString()} == "PERPETUAL");
  CHECK(doc["symbols"][0]["pricePrecision"].GetInt() == 1);
  CHECK(doc["symbols"][0]["quantityPrecision"].GetInt() == 3);
  CHECK(std::string{doc["symbols"][0]["filters"][0]["tickSize"].GetString()} == "0.1");
}

TEST_CASE("USD-M depth carries E and T and refuses an invalid limit with -4021") {
  harness h{binance::market::usdm};
  auto r = h.call("GET", "/fapi/v1/depth", "symbol=BTCUSDT&limit=5");
  REQUIRE(r.status == 200);
  CHECK(r.header("X-MBX-USED-WEIGHT-1M") == std::optional<std::string_view>{"2"});
  auto doc = parse(r.body);
  CHECK(doc["E"].GetInt64() == wall0);
  CHECK(doc["T"].GetInt64() == wall0);
  CHECK(doc["bids"].Size() == 5);
  std::string p0 = doc["bids"][0][0].GetString();
  CHECK(p0.size() - p0.find('.') == 2); // one decimal, as the tick
  auto bad = h.call("GET", "/fapi/v1/depth", "symbol=BTCUSDT&limit=7");
  CHECK(bad.status == 400);
  CHECK(error_of(bad).code == -4021);
  CHECK(error_of(bad).msg == "'7' is not valid depth limit.");
}

TEST_CASE("USD-M premiumIndex gives the sim mid as mark and index with the funding rate") {
  harness h{binance::market::usdm};
  auto r = h.call("GET", "/fapi/v1/premiumIndex", "symbol=BTCUSDT");
  REQUIRE(r.status == 200);
  auto doc = parse(r.body);
  auto mid = h.core.market("BTCUSDT")->mid();
  CHECK(px(doc["markPrice"].GetString()) == mid);
  CHECK(px(doc["indexPrice"].GetString()) == mid);
  CHECK(std::string{doc["lastFundingRate"].GetString()} == "0.00010000");
  CHECK(doc["nextFundingTime"].GetInt64() == 1'700'006'400'000);
  CHECK(doc["time"].GetInt64() == wall0);
  auto all = parse(h.call("GET", "/fapi/v1/premiumIndex").body);
  REQUIRE(all.IsArray());
  CHECK(all.Size() == 2);
}

TEST_CASE("a USD-M round trip books the position, then realized PnL and fees into the wallet") {
  harness h{binance::market::usdm};
  auto snap = depth(h, "BTCUSDT");
  auto ask = snap.asks.front();
  REQUIRE(ask.qty >= qty("0.01"));
  auto buy = order_of(h.signed_call("POST", "/fapi/v1/order",
                                    "symbol=BTCUSDT&side=BUY&type=MARKET"
                                    "&quantity=0.010&newOrderRespType=RESULT"
                                    "&newClientOrderId=open-1"));
  CHECK(buy.state == binance::order_state::filled);
  CHECK(buy.cum_qty == qty("0.01"));
  CHECK(buy.client_id == "open-1");
  auto fee1 = value_raw(ask.px.raw(), qty("0.01").raw()) * 40'000 / 100'000'000;
  CHECK(wallet_of(h, alice_key).raw() == money("100000").raw() - fee1);
  // positionRisk shows the long at the ask.
  auto risk = account_of(h, "/fapi/v2/positionRisk", "symbol=BTCUSDT");
  REQUIRE(risk.positions.size() == 1);
  CHECK(risk.positions[0].symbol == symbol_id{"BTCUSDT"});
  CHECK(risk.positions[0].amount == qty("0.01"));
  CHECK(risk.positions[0].entry_price == ask.px);
  auto mid = h.core.market("BTCUSDT")->mid();
  CHECK(risk.positions[0].unrealized_pnl.raw()
        == value_raw(mid.raw() - ask.px.raw(), qty("0.01").raw()));
  // Let the market move, then close at the best bid.
  for (int i = 0; i < 50; ++i)
    h.step();
  auto bid = depth(h, "BTCUSDT").bids.front();
  REQUIRE(bid.qty >= qty("0.01"));
  auto sell = order_of(h.signed_call("POST", "/fapi/v1/order",
                                     "symbol=BTCUSDT&side=SELL&type=MARKET"
                                     "&quantity=0.01&reduceOnly=true"
                                     "&newOrderRespType=RESULT"));
  CHECK(sell.state == binance::order_state::filled);
  CHECK(sell.reduce_only);
  auto fee2 = value_raw(bid.px.raw(), qty("0.01").raw()) * 40'000 / 100'000'000;
  auto realized = value_raw(bid.px.raw() - ask.px.raw(), qty("0.01").raw());
  auto expected = money("100000").raw() + realized - fee1 - fee2;
  CHECK(wallet_of(h, alice_key).raw() == expected);
  auto pos = h.core.position(alice_key, "BTCUSDT");
  REQUIRE(pos);
  CHECK(pos->amount.is_zero());
  CHECK(pos->entry_price.is_zero());
  CHECK(pos->realized_pnl.raw() == realized);
  CHECK(pos->fees.raw() == fee1 + fee2);
  // GET /fapi/v2/account agrees: wallet in "assets", the flat position.
  auto acct = account_of(h, "/fapi/v2/account");
  REQUIRE(acct.balances.size() == 1);
  CHECK(acct.balances[0].asset == "USDT");
  CHECK(acct.balances[0].free.raw() == expected);
  bool seen = false;
  for (const auto& p : acct.positions)
    if (p.symbol == symbol_id{"BTCUSDT"}) {
      seen = true;
      CHECK(p.amount.is_zero());
    }
  CHECK(seen);
  auto raw = parse(h.signed_call("GET", "/fapi/v2/account", "").body);
  CHECK(money(raw["availableBalance"].GetString()).raw() == expected);
}

TEST_CASE("a USD-M ACK answer reports the order as accepted, RESULT as done") {
  harness h{binance::market::usdm};
  auto ack = order_of(h.signed_call("POST", "/fapi/v1/order",
                                    "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01"));
  CHECK(ack.state == binance::order_state::new_order);
  CHECK(ack.cum_qty.is_zero());
  auto q = order_of(h.signed_call("GET", "/fapi/v1/order",
                                  "symbol=BTCUSDT&orderId=" + std::to_string(ack.order_id)));
  CHECK(q.state == binance::order_state::filled);
  CHECK(q.cum_qty == qty("0.01"));
  auto doc = parse(h.signed_call("GET", "/fapi/v1/order",
                                 "symbol=BTCUSDT&orderId=" + std::to_string(ack.order_id))
                     .body);
  CHECK(doc.HasMember("time"));
  CHECK(std::string{doc["positionSide"].GetString()} == "BOTH");
  CHECK(std::string{doc["origQty"].GetString()} == "0.010");
}

TEST_CASE("USD-M filter failures use the futures codes") {
  harness h{binance::market::usdm};
  auto order = [&](const std::string& q) {
    return h.signed_call("POST", "/fapi/v1/order",
                         "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&" + q);
  };
  CHECK(error_of(order("quantity=0.01&price=60000.15")).code == -1111);
  CHECK(error_of(order("quantity=0.01&price=60000.15")).msg
        == "Precision is over the maximum defined for this asset.");
  auto c = make_config(binance::market::usdm);
  c.symbols[0].spec.tick = px("0.5");
  harness coarse{std::move(c)};
  auto t = coarse.signed_call("POST", "/fapi/v1/order",
                              "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                              "&quantity=0.01&price=60000.2");
  CHECK(error_of(t).code == -4014);
  CHECK(error_of(t).msg == "Price not increased by tick size.");
  CHECK(error_of(order("quantity=0.0105&price=60000")).code == -1111);
  CHECK(error_of(order("quantity=0&price=60000")).code == -4003);
  auto small = order("quantity=0.001&price=1000");
  CHECK(error_of(small).code == -4164);
  CHECK(error_of(small).msg
        == "Order's notional must be no smaller than 5 (unless you choose reduce only).");
  CHECK(error_of(order("quantity=0.01&price=60000&reduceOnly=maybe")).code == -1130);
  CHECK(error_of(order("quantity=0.01&price=60000&newOrderRespType=FULL")).code == -1136);
  CHECK(h.core.open_orders(alice_key).empty());
}

TEST_CASE("USD-M duplicate client ids are -4116 and unknown orders -2011 / -2013") {
  harness h{binance::market::usdm};
  auto place = [&] {
    return h.signed_call("POST", "/fapi/v1/order",
                         "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC"
                         "&quantity=0.01&price=70000&newClientOrderId=ag-42");
  };
  auto first = order_of(place());
  CHECK(first.client_id == "ag-42");
  auto dup = place();
  CHECK(dup.status == 400);
  CHECK(error_of(dup).code == -4116);
  CHECK(error_of(dup).msg == "clientOrderId is duplicated.");
  auto cancel = order_of(h.signed_call("DELETE", "/fapi/v1/order",
                                       "symbol=BTCUSDT&origClientOrderId=ag-42"));
  CHECK(cancel.state == binance::order_state::canceled);
  CHECK(cancel.client_id == "ag-42");
  CHECK(error_of(h.signed_call("DELETE", "/fapi/v1/order",
                               "symbol=BTCUSDT&origClientOrderId=ag-42")).code == -2011);
  CHECK(error_of(h.signed_call("GET", "/fapi/v1/order",
                               "symbol=BTCUSDT&orderId=999")).code == -2013);
  CHECK(order_of(place()).order_id != first.order_id);
}

TEST_CASE("USD-M GTX that would take is rejected with -5022 and FOK that cannot fill with -5021") {
  harness h{binance::market::usdm};
  auto snap = depth(h, "BTCUSDT");
  auto gtx = h.signed_call("POST", "/fapi/v1/order",
                           "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTX"
                           "&quantity=0.01&price=" + snap.asks.front().px.to_string());
  CHECK(gtx.status == 400);
  CHECK(error_of(gtx).code == -5022);
  CHECK(error_of(gtx).msg
        == "Due to the order could not be executed as maker, the Post Only order "
           "will be rejected. The order will not be recorded in the order history");
  auto rests = order_of(h.signed_call("POST", "/fapi/v1/order",
                                      "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTX"
                                      "&quantity=0.01&price="
                                        + snap.bids.front().px.to_string()));
  CHECK(rests.state == binance::order_state::new_order);
  CHECK(rests.tif == "GTX");
  auto best = snap.asks.front();
  auto fok = h.signed_call("POST", "/fapi/v1/order",
                           "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=FOK&quantity="
                             + (best.qty + qty("0.001")).to_string()
                             + "&price=" + best.px.to_string());
  CHECK(error_of(fok).code == -5021);
  CHECK(h.core.position(alice_key, "BTCUSDT")->amount.is_zero());
}

TEST_CASE("USD-M reduce-only that would not reduce is -2022 and thin margin is -2019") {
  harness h{binance::market::usdm};
  auto ro = h.signed_call("POST", "/fapi/v1/order",
                          "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.01"
                          "&reduceOnly=true");
  CHECK(error_of(ro).code == -2022);
  CHECK(error_of(ro).msg == "ReduceOnly Order is rejected.");
  // Bob has 50 USDT: 0.01 BTC at 60000 needs 600 / 20 = 30, 0.02 needs 60.
  auto ok = h.signed_call("POST", "/fapi/v1/order",
                          "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                          "&quantity=0.01&price=60000",
                          bob_key, bob_secret);
  CHECK(ok.status == 200);
  // 30 of 50 is now held by the open order: another 0.01 needs 30 more.
  auto thin = h.signed_call("POST", "/fapi/v1/order",
                            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                            "&quantity=0.01&price=60000",
                            bob_key, bob_secret);
  CHECK(thin.status == 400);
  CHECK(error_of(thin).code == -2019);
  CHECK(error_of(thin).msg == "Margin is insufficient.");
  auto acct = parse(h.signed_call("GET", "/fapi/v2/account", "", bob_key, bob_secret).body);
  CHECK(std::string{acct["totalOpenOrderInitialMargin"].GetString()} == "30.00000000");
  CHECK(std::string{acct["availableBalance"].GetString()} == "20.00000000");
}

TEST_CASE("USD-M openOrders and allOpenOrders list and cancel per symbol") {
  harness h{binance::market::usdm};
  for (const char* p : {"60000", "60000.5"})
    REQUIRE(h.signed_call("POST", "/fapi/v1/order",
                          std::string{"symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                                      "&quantity=0.01&price="} + p).status == 200);
  REQUIRE(h.signed_call("POST", "/fapi/v1/order",
                        "symbol=ETHUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                        "&quantity=0.1&price=2000").status == 200);
  auto open = binance::parse_open_orders(
    h.signed_call("GET", "/fapi/v1/openOrders", "symbol=BTCUSDT").body,
    binance::market::usdm);
  REQUIRE(open);
  CHECK(open->size() == 2);
  auto all = h.signed_call("GET", "/fapi/v1/openOrders", "");
  CHECK(all.header("X-MBX-USED-WEIGHT-1M") == std::optional<std::string_view>{"41"});
  CHECK(parse(all.body).Size() == 3);
  auto r = h.signed_call("DELETE", "/fapi/v1/allOpenOrders", "symbol=BTCUSDT");
  REQUIRE(r.status == 200);
  auto doc = parse(r.body);
  CHECK(doc["code"].GetInt() == 200);
  CHECK(std::string{doc["msg"].GetString()}
        == "The operation of cancel all open order is done.");
  auto left = h.core.open_orders(alice_key);
  REQUIRE(left.size() == 1);
  CHECK(left[0].symbol == "ETHUSDT");
}

TEST_CASE("the USD-M listen key lives, is extended, expires with an event and is replaced") {
  harness h{binance::market::usdm};
  auto post = [&] { return h.call("POST", "/fapi/v1/listenKey", {}, alice_key); };
  auto r = post();
  REQUIRE(r.status == 200);
  std::string key = parse(r.body)["listenKey"].GetString();
  CHECK(key.size() == 64);
  CHECK(h.core.listen_key_valid(key, h.now));
  CHECK(h.core.listen_key(alice_key) == std::optional<std::string>{key});
  // Without an API key: -2014.
  CHECK(error_of(h.call("POST", "/fapi/v1/listenKey")).code == -2014);
  // POST again returns the same key; PUT extends it.
  h.advance(30'000);
  CHECK(parse(post().body)["listenKey"].GetString() == key);
  h.advance(50'000); // 80 s after creation, 50 s after the extension (TTL 60 s)
  CHECK(h.core.listen_key_valid(key, h.now));
  auto put = h.call("PUT", "/fapi/v1/listenKey", {}, alice_key);
  REQUIRE(put.status == 200);
  CHECK(parse(put.body)["listenKey"].GetString() == key);
  // User events flow to the key's channel.
  REQUIRE(h.signed_call("POST", "/fapi/v1/order",
                        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                        "&quantity=0.01&price=60000&newClientOrderId=lk-1").status == 200);
  auto events = on_channel(h.core.drain(), "listen-key:" + key);
  REQUIRE(events.size() == 1);
  auto ev = binance::parse_user_event(events[0], binance::market::usdm);
  REQUIRE(ev);
  auto& upd = std::get<binance::order_update>(*ev);
  CHECK(upd.client_id == "lk-1");
  CHECK(upd.exec == binance::exec_type::new_order);
  // 60 s without a keepalive: the next step expires it.
  h.advance(59'900);
  auto out = h.step();
  auto expired = on_channel(out, "listen-key:" + key);
  REQUIRE(expired.size() == 1);
  auto ex = binance::parse_user_event(expired[0], binance::market::usdm);
  REQUIRE(ex);
  CHECK(std::get<binance::listen_key_expired>(*ex).listen_key == key);
  CHECK(h.core.expired_listen_keys() == std::vector<std::string>{key});
  CHECK(h.core.expired_listen_keys().empty());
  CHECK_FALSE(h.core.listen_key_valid(key, h.now));
  CHECK(error_of(h.call("PUT", "/fapi/v1/listenKey", {}, alice_key)).code == -1125);
  // No events for an expired key.
  REQUIRE(h.signed_call("DELETE", "/fapi/v1/order",
                        "symbol=BTCUSDT&origClientOrderId=lk-1").status == 200);
  CHECK(h.core.drain().empty());
  // A new key, then DELETE closes it.
  std::string key2 = parse(post().body)["listenKey"].GetString();
  CHECK(key2 != key);
  CHECK(h.call("DELETE", "/fapi/v1/listenKey", {}, alice_key).body == "{}");
  CHECK(h.core.expired_listen_keys() == std::vector<std::string>{key2});
  CHECK_FALSE(h.core.listen_key_valid(key2, h.now));
}

TEST_CASE("USD-M fills send ORDER_TRADE_UPDATE then ACCOUNT_UPDATE with wallet and position") {
  harness h{binance::market::usdm};
  std::string key = parse(h.call("POST", "/fapi/v1/listenKey", {}, alice_key).body)["listenKey"]
                      .GetString();
  auto ask = depth(h, "BTCUSDT").asks.front();
  REQUIRE(h.signed_call("POST", "/fapi/v1/order",
                        "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.02"
                        "&newClientOrderId=m-2").status == 200);
  auto events = on_channel(h.core.drain(), "listen-key:" + key);
  REQUIRE(events.size() >= 3);
  std::vector<binance::order_update> orders;
  std::vector<binance::account_update> accounts;
  for (const auto& e : events) {
    auto ev = binance::parse_user_event(e, binance::market::usdm);
    REQUIRE(ev);
    if (auto* o = std::get_if<binance::order_update>(&*ev))
      orders.push_back(*o);
    else if (auto* a = std::get_if<binance::account_update>(&*ev))
      accounts.push_back(*a);
  }
  REQUIRE(orders.size() >= 2);
  CHECK(orders.front().exec == binance::exec_type::new_order);
  CHECK(orders.back().state == binance::order_state::filled);
  CHECK(orders.back().cum_qty == qty("0.02"));
  REQUIRE(orders[1].exec == binance::exec_type::trade);
  CHECK(orders[1].last_px == ask.px);
  CHECK(orders[1].fee_asset == "USDT");
  REQUIRE(accounts.size() == 1); // one per account and batch
  REQUIRE(accounts[0].positions.size() == 1);
  CHECK(accounts[0].positions[0].amount == qty("0.02"));
  REQUIRE(accounts[0].balances.size() == 1);
  CHECK(accounts[0].balances[0].free == wallet_of(h, alice_key));
}
