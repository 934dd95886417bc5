#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "venues/binance/codec.hpp"
#include "venues/binance/orders.hpp"
#include "venues/exchange_sim/json_out.hpp"
#include "venues/exchange_sim/order_store.hpp"
#include "venues/exchange_sim/trade_history.hpp"

// Order and trade history: GET /api/v3/allOrders, /api/v3/myTrades,
// /fapi/v1/allOrders and /fapi/v1/userTrades against the user stream.

using namespace xsim_test;

namespace {

book_snapshot depth(harness& h, const std::string& symbol = "BTCUSDT") {
  auto r = h.call("GET", h.api("depth"), "symbol=" + symbol + "&limit=1000");
  REQUIRE(r.status == 200);
  auto snap = binance::parse_depth_snapshot(r.body, venue_id{"xsim"}, symbol_id{symbol},
                                            h.now);
  REQUIRE(snap);
  return *snap;
}

binance::market market_of(const harness& h) {
  return h.spot() ? binance::market::spot : binance::market::usdm;
}

/// Places an order; returns its order id.
uint64_t place(harness& h, const std::string& query) {
  auto r = h.signed_call("POST", h.api("order"), query);
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto o = binance::parse_order(r.body, market_of(h));
  REQUIRE(o);
  return o->order_id;
}

/// A signed GET of a history path; the answer must be a 200 JSON array.
rapidjson::Document list(harness& h, const std::string& path, const std::string& query,
                         const std::string& key = alice_key,
                         const std::string& secret = alice_secret) {
  auto r = h.signed_call("GET", path, query, key, secret);
  INFO(path << "?" << query << " -> " << r.body);
  REQUIRE(r.status == 200);
  auto doc = parse(r.body);
  REQUIRE(doc.IsArray());
  return doc;
}

/// The order ids of an allOrders answer, in order.
std::vector<uint64_t> order_ids(const rapidjson::Document& d) {
  std::vector<uint64_t> ids;
  for (const auto& o : d.GetArray())
    ids.push_back(o["orderId"].GetUint64());
  return ids;
}

/// The trade ids of a myTrades / userTrades answer, in order.
std::vector<uint64_t> trade_ids(const rapidjson::Document& d) {
  std::vector<uint64_t> ids;
  for (const auto& t : d.GetArray())
    ids.push_back(t["id"].GetUint64());
  return ids;
}

binance::rest_error error_of(const rest_reply& r) {
  INFO(r.body);
  auto e = binance::parse_rest_error(r.body);
  REQUIRE(e);
  return *e;
}

/// The TRADE order updates among user stream frames of `channel`.
std::vector<binance::order_update> fills_on(const std::vector<outbound>& out,
                                            const std::string& channel,
                                            binance::market m) {
  std::vector<binance::order_update> fills;
  for (const auto& text : on_channel(out, channel)) {
    auto ev = binance::parse_user_event(text, m);
    REQUIRE(ev);
    if (auto* o = std::get_if<binance::order_update>(&*ev);
        o != nullptr && o->exec == binance::exec_type::trade)
      fills.push_back(*o);
  }
  return fills;
}

/// Subscribes Alice's spot user data on WebSocket API connection 7.
void subscribe_alice(harness& h) {
  auto sig = binance::hmac_sha256_hex(alice_secret, "apiKey=" + alice_key
                                                      + "&timestamp=" + std::to_string(h.wall));
  auto out = h.core.handle_ws_api(
    7,
    R"({"id":1,"method":"userDataStream.subscribe.signature","params":{"apiKey":")"
      + alice_key + R"(","timestamp":)" + std::to_string(h.wall) + R"(,"signature":")" + sig
      + R"("}})",
    h.now, h.wall);
  REQUIRE(out.size() == 1);
  REQUIRE(parse(out[0].text)["status"].GetInt() == 200);
}

std::string str(const rapidjson::Value& v, const char* key) {
  return v[key].GetString();
}

std::string weight(const rest_reply& r) {
  return std::string{r.header("X-MBX-USED-WEIGHT-1M").value_or("")};
}

} // namespace

TEST_CASE("spot allOrders and myTrades list every order and each fill once, with the stream's trade ids") {
  harness h{binance::market::spot};
  subscribe_alice(h);
  auto book = depth(h);
  REQUIRE(book.asks.size() >= 2);
  auto a0 = book.asks[0];
  auto a1 = book.asks[1];
  auto b0 = book.bids[0];
  // 1: an IOC buy that takes the whole best ask and 0.001 of the next level.
  auto take = a0.qty + qty("0.001");
  auto id1 = place(h, "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=IOC&quantity="
                        + take.to_string() + "&price=" + a1.px.to_string()
                        + "&newClientOrderId=ioc-take");
  int64_t t1 = h.wall;
  auto fills = fills_on(h.core.drain(), "ws-api:7", binance::market::spot);
  REQUIRE(fills.size() == 2);
  CHECK(fills[0].last_px == a0.px);
  CHECK(fills[0].last_qty == a0.qty);
  CHECK(fills[1].last_px == a1.px);
  CHECK(fills[1].last_qty == qty("0.001"));
  // 2: a buy resting below the bid; 3: one canceled; 4: an IOC sell that
  // cannot fill and expires. One second between them.
  h.advance(1000);
  auto id2 = place(h, "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01"
                      "&price=" + (b0.px - px("100")).to_string() + "&newClientOrderId=rest-1");
  int64_t t2 = h.wall;
  h.advance(1000);
  auto id3 = place(h, "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01"
                      "&price=" + (b0.px - px("200")).to_string() + "&newClientOrderId=cxl-1");
  int64_t t3 = h.wall;
  REQUIRE(h.signed_call("DELETE", "/api/v3/order", "symbol=BTCUSDT&orderId="
                                                     + std::to_string(id3)).status == 200);
  h.advance(1000);
  auto id4 = place(h, "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=IOC&quantity=0.001"
                      "&price=" + (a0.px + px("1000")).to_string() + "&newClientOrderId=ioc-miss");
  REQUIRE(fills_on(h.core.drain(), "ws-api:7", binance::market::spot).empty());

  SECTION("allOrders has every order in every status, oldest first") {
    auto before = h.core.used_weight(h.wall);
    auto r = h.signed_call("GET", "/api/v3/allOrders", "symbol=BTCUSDT");
    REQUIRE(r.status == 200);
    CHECK(weight(r) == std::to_string(before + 20));
    auto orders = binance::parse_open_orders(r.body, binance::market::spot);
    REQUIRE(orders);
    REQUIRE(orders->size() == 4);
    const auto& o = *orders;
    CHECK(o[0].order_id == id1);
    CHECK(o[0].client_id == "ioc-take");
    CHECK(o[0].state == binance::order_state::filled);
    CHECK(o[0].cum_qty == take);
    CHECK(o[1].order_id == id2);
    CHECK(o[1].state == binance::order_state::new_order);
    CHECK(o[1].cum_qty.is_zero());
    CHECK(o[2].order_id == id3);
    CHECK(o[2].client_id == "cxl-1");
    CHECK(o[2].state == binance::order_state::canceled);
    CHECK(o[3].order_id == id4);
    CHECK(o[3].state == binance::order_state::expired);
    CHECK(o[3].cum_qty.is_zero());
    auto doc = parse(r.body);
    CHECK(str(doc[0], "status") == "FILLED");
    CHECK(str(doc[0], "executedQty") == format_decimals(take.raw(), 8));
    CHECK(str(doc[0], "cummulativeQuoteQty")
          == format_decimals(value_raw(a0.px.raw(), a0.qty.raw())
                               + value_raw(a1.px.raw(), qty("0.001").raw()),
                             8));
    CHECK(doc[0]["orderListId"].GetInt() == -1);
    CHECK(doc[0]["time"].GetInt64() == t1);
    CHECK(str(doc[1], "status") == "NEW");
    CHECK(str(doc[2], "status") == "CANCELED");
    CHECK(str(doc[3], "status") == "EXPIRED");
    CHECK(str(doc[3], "executedQty") == "0.00000000");
  }

  SECTION("myTrades lists each fill once with the stream's trade id, price, quantity and fee") {
    auto before = h.core.used_weight(h.wall);
    auto r = h.signed_call("GET", "/api/v3/myTrades", "symbol=BTCUSDT");
    REQUIRE(r.status == 200);
    CHECK(weight(r) == std::to_string(before + 20));
    auto doc = parse(r.body);
    REQUIRE(doc.IsArray());
    REQUIRE(doc.Size() == 2);
    for (rapidjson::SizeType i = 0; i < 2; ++i) {
      const auto& t = doc[i];
      const auto& f = fills[i];
      CHECK(str(t, "symbol") == "BTCUSDT");
      CHECK(t["id"].GetUint64() == f.trade_id);
      CHECK(t["orderId"].GetUint64() == id1);
      CHECK(t["orderListId"].GetInt() == -1);
      CHECK(str(t, "price") == format_decimals(f.last_px.raw(), 8));
      CHECK(str(t, "qty") == format_decimals(f.last_qty.raw(), 8));
      CHECK(str(t, "quoteQty")
            == format_decimals(value_raw(f.last_px.raw(), f.last_qty.raw()), 8));
      CHECK(str(t, "commission") == format_decimals(f.fee.raw(), 8));
      CHECK(str(t, "commissionAsset") == "USDT");
      CHECK(t["time"].GetInt64() == t1);
      CHECK(t["isBuyer"].GetBool());
      CHECK_FALSE(t["isMaker"].GetBool());
      CHECK(t["isBestMatch"].GetBool());
    }
    // Taker fee 4 bp of the value, truncated.
    CHECK(fills[0].fee.raw() == value_raw(a0.px.raw(), a0.qty.raw()) * 40'000 / 100'000'000);
    CHECK(fills[0].trade_id < fills[1].trade_id);
    CHECK(h.core.trades(alice_key, "BTCUSDT").size() == 2);
  }

  SECTION("allOrders orderId, startTime, endTime and limit select as documented") {
    CHECK(order_ids(list(h, "/api/v3/allOrders", "symbol=BTCUSDT&orderId=" + std::to_string(id2)))
          == std::vector<uint64_t>{id2, id3, id4});
    // Without orderId: the most recent.
    CHECK(order_ids(list(h, "/api/v3/allOrders", "symbol=BTCUSDT&limit=2"))
          == std::vector<uint64_t>{id3, id4});
    CHECK(order_ids(list(h, "/api/v3/allOrders",
                         "symbol=BTCUSDT&limit=1&orderId=" + std::to_string(id1)))
          == std::vector<uint64_t>{id1});
    CHECK(order_ids(list(h, "/api/v3/allOrders", "symbol=BTCUSDT&startTime=" + std::to_string(t2)))
          == std::vector<uint64_t>{id2, id3, id4});
    CHECK(order_ids(list(h, "/api/v3/allOrders",
                         "symbol=BTCUSDT&startTime=" + std::to_string(t2)
                           + "&endTime=" + std::to_string(t3)))
          == std::vector<uint64_t>{id2, id3});
    CHECK(order_ids(list(h, "/api/v3/allOrders", "symbol=BTCUSDT&endTime=" + std::to_string(t1)))
          == std::vector<uint64_t>{id1});
    CHECK(list(h, "/api/v3/allOrders", "symbol=BTCUSDT&orderId=" + std::to_string(id4 + 1))
            .Size() == 0);
    // Another symbol, another account: nothing.
    CHECK(list(h, "/api/v3/allOrders", "symbol=ETHUSDT").Size() == 0);
    CHECK(list(h, "/api/v3/allOrders", "symbol=BTCUSDT", bob_key, bob_secret).Size() == 0);
  }

  SECTION("myTrades orderId, fromId and limit select as documented") {
    auto t_first = fills[0].trade_id;
    auto t_second = fills[1].trade_id;
    CHECK(trade_ids(list(h, "/api/v3/myTrades", "symbol=BTCUSDT&fromId=" + std::to_string(t_second)))
          == std::vector<uint64_t>{t_second});
    CHECK(trade_ids(list(h, "/api/v3/myTrades", "symbol=BTCUSDT&fromId=" + std::to_string(t_first)
                                                   + "&limit=1"))
          == std::vector<uint64_t>{t_first});
    CHECK(list(h, "/api/v3/myTrades", "symbol=BTCUSDT&fromId=" + std::to_string(t_second + 1))
            .Size() == 0);
    CHECK(trade_ids(list(h, "/api/v3/myTrades", "symbol=BTCUSDT&limit=1"))
          == std::vector<uint64_t>{t_second});
    auto before = h.core.used_weight(h.wall);
    auto by_order = h.signed_call("GET", "/api/v3/myTrades",
                                  "symbol=BTCUSDT&orderId=" + std::to_string(id1));
    CHECK(weight(by_order) == std::to_string(before + 5));
    CHECK(trade_ids(parse(by_order.body)) == std::vector<uint64_t>{t_first, t_second});
    CHECK(trade_ids(list(h, "/api/v3/myTrades", "symbol=BTCUSDT&orderId=" + std::to_string(id1)
                                                   + "&fromId=" + std::to_string(t_second)))
          == std::vector<uint64_t>{t_second});
    CHECK(list(h, "/api/v3/myTrades", "symbol=BTCUSDT&orderId=" + std::to_string(id2)).Size() == 0);
    CHECK(trade_ids(list(h, "/api/v3/myTrades", "symbol=BTCUSDT&startTime=" + std::to_string(t1)
                                                   + "&endTime=" + std::to_string(t1)))
          == std::vector<uint64_t>{t_first, t_second});
    CHECK(list(h, "/api/v3/myTrades", "symbol=BTCUSDT&startTime=" + std::to_string(t1 + 1)).Size()
          == 0);
    CHECK(list(h, "/api/v3/myTrades", "symbol=BTCUSDT", bob_key, bob_secret).Size() == 0);
  }

  SECTION("bad history calls answer Binance's errors") {
    for (const char* path : {"/api/v3/allOrders", "/api/v3/myTrades"}) {
      auto none = h.signed_call("GET", path, "orderId=1");
      CHECK(none.status == 400);
      CHECK(error_of(none).code == -1102);
      CHECK(error_of(none).msg
            == "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
      CHECK(error_of(h.signed_call("GET", path, "symbol=NOPE")).code == -1121);
      CHECK(error_of(h.signed_call("GET", path, "symbol=BTCUSDT&limit=0")).code == -1100);
      CHECK(error_of(h.signed_call("GET", path, "symbol=BTCUSDT&orderId=x")).code == -1100);
      auto unsigned_call = h.call("GET", path, "symbol=BTCUSDT", alice_key);
      CHECK(error_of(unsigned_call).code == -1102); // timestamp
    }
    auto combo = h.signed_call("GET", "/api/v3/myTrades",
                               "symbol=BTCUSDT&fromId=1&startTime=" + std::to_string(t1));
    CHECK(combo.status == 400);
    CHECK(error_of(combo).code == -1128);
    CHECK(error_of(combo).msg == "Combination of optional parameters invalid.");
    auto span = h.signed_call("GET", "/api/v3/myTrades",
                              "symbol=BTCUSDT&startTime=0&endTime=" + std::to_string(t1));
    CHECK(error_of(span).code == -1127);
    CHECK(error_of(span).msg == "More than 24 hours between startTime and endTime.");
    // A limit above 1000 is served as 1000.
    CHECK(list(h, "/api/v3/allOrders", "symbol=BTCUSDT&limit=5000").Size() == 4);
  }
}

TEST_CASE("spot history keeps a resting order's later maker fill with the stream's trade id") {
  harness h{binance::market::spot};
  subscribe_alice(h);
  // A sell one tick above the best bid rests (the spread is 1 to 3 ticks);
  // the market's trades and moves fill it as maker within some steps.
  auto b0 = depth(h).bids[0];
  auto id = place(h, "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.001"
                     "&price=" + (b0.px + px("0.1")).to_string() + "&newClientOrderId=maker-1");
  h.core.drain();
  std::vector<binance::order_update> fills;
  for (int i = 0; i < 3000 && fills.empty(); ++i)
    fills = fills_on(h.step(), "ws-api:7", binance::market::spot);
  REQUIRE(fills.size() == 1);
  CHECK(fills[0].order_id == id);
  CHECK(fills[0].maker);
  auto doc = list(h, "/api/v3/myTrades", "symbol=BTCUSDT");
  REQUIRE(doc.Size() == 1);
  CHECK(doc[0]["id"].GetUint64() == fills[0].trade_id);
  CHECK(doc[0]["orderId"].GetUint64() == id);
  CHECK_FALSE(doc[0]["isBuyer"].GetBool());
  CHECK(doc[0]["isMaker"].GetBool());
  auto orders = list(h, "/api/v3/allOrders", "symbol=BTCUSDT");
  REQUIRE(orders.Size() == 1);
  CHECK(str(orders[0], "status") == "FILLED");
}

TEST_CASE("USD-M allOrders and userTrades list orders and fills with realized PnL and the stream's trade ids") {
  harness h{binance::market::usdm};
  std::string key = parse(h.call("POST", "/fapi/v1/listenKey", {}, alice_key).body)["listenKey"]
                      .GetString();
  auto channel = "listen-key:" + key;
  auto book = depth(h);
  auto a0 = book.asks[0];
  auto b0 = book.bids[0];
  REQUIRE(a0.qty >= qty("0.02"));
  REQUIRE(b0.qty >= qty("0.01"));
  // Open 0.02 long at the best ask, close half at the best bid a second later.
  auto id1 = place(h, "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.02&newClientOrderId=open-1");
  int64_t t1 = h.wall;
  auto open_fills = fills_on(h.core.drain(), channel, binance::market::usdm);
  h.advance(1000);
  auto id2 = place(h, "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.01&newClientOrderId=close-1");
  int64_t t2 = h.wall;
  auto close_fills = fills_on(h.core.drain(), channel, binance::market::usdm);
  REQUIRE(open_fills.size() == 1);
  REQUIRE(close_fills.size() == 1);
  CHECK(open_fills[0].last_px == a0.px);
  CHECK(close_fills[0].last_px == b0.px);
  // A canceled buy and an IOC sell that expires unfilled.
  h.advance(1000);
  auto id3 = place(h, "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01"
                      "&price=" + (b0.px - px("500")).to_string() + "&newClientOrderId=cxl-1");
  REQUIRE(h.signed_call("DELETE", "/fapi/v1/order",
                        "symbol=BTCUSDT&origClientOrderId=cxl-1").status == 200);
  auto id4 = place(h, "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=IOC&quantity=0.01"
                      "&price=" + (a0.px + px("500")).to_string() + "&newClientOrderId=ioc-miss");
  h.core.drain();

  SECTION("allOrders answers every order with its status, weight 5") {
    auto before = h.core.used_weight(h.wall);
    auto r = h.signed_call("GET", "/fapi/v1/allOrders", "symbol=BTCUSDT");
    REQUIRE(r.status == 200);
    CHECK(weight(r) == std::to_string(before + 5));
    auto orders = binance::parse_open_orders(r.body, binance::market::usdm);
    REQUIRE(orders);
    REQUIRE(orders->size() == 4);
    const auto& o = *orders;
    CHECK(o[0].order_id == id1);
    CHECK(o[0].state == binance::order_state::filled);
    CHECK(o[0].cum_qty == qty("0.02"));
    CHECK(o[1].order_id == id2);
    CHECK(o[1].client_id == "close-1");
    CHECK(o[1].state == binance::order_state::filled);
    CHECK(o[1].cum_qty == qty("0.01"));
    CHECK(o[2].order_id == id3);
    CHECK(o[2].state == binance::order_state::canceled);
    CHECK(o[3].order_id == id4);
    CHECK(o[3].state == binance::order_state::expired);
    auto doc = parse(r.body);
    CHECK(str(doc[0], "executedQty") == "0.020");
    CHECK(str(doc[0], "positionSide") == "BOTH");
    CHECK(doc[0]["time"].GetInt64() == t1);
    CHECK(str(doc[3], "executedQty") == "0.000");
    CHECK(order_ids(list(h, "/fapi/v1/allOrders", "symbol=BTCUSDT&orderId=" + std::to_string(id3)))
          == std::vector<uint64_t>{id3, id4});
    CHECK(order_ids(list(h, "/fapi/v1/allOrders", "symbol=BTCUSDT&limit=1"))
          == std::vector<uint64_t>{id4});
  }

  SECTION("userTrades answers each fill once with side, realized PnL and commission") {
    auto before = h.core.used_weight(h.wall);
    auto r = h.signed_call("GET", "/fapi/v1/userTrades", "symbol=BTCUSDT");
    REQUIRE(r.status == 200);
    CHECK(weight(r) == std::to_string(before + 5));
    auto doc = parse(r.body);
    REQUIRE(doc.IsArray());
    REQUIRE(doc.Size() == 2);
    const auto& open = doc[0];
    CHECK(open["id"].GetUint64() == open_fills[0].trade_id);
    CHECK(open["orderId"].GetUint64() == id1);
    CHECK(open["buyer"].GetBool());
    CHECK_FALSE(open["maker"].GetBool());
    CHECK(str(open, "side") == "BUY");
    CHECK(str(open, "positionSide") == "BOTH");
    CHECK(str(open, "symbol") == "BTCUSDT");
    CHECK(*price::parse(str(open, "price")) == a0.px);
    CHECK(str(open, "qty") == "0.020");
    CHECK(str(open, "quoteQty") == format_decimals(value_raw(a0.px.raw(), qty("0.02").raw()), 8));
    CHECK(str(open, "realizedPnl") == "0.00000000");
    CHECK(str(open, "commission") == format_decimals(open_fills[0].fee.raw(), 8));
    CHECK(str(open, "commissionAsset") == "USDT");
    CHECK(open["time"].GetInt64() == t1);
    const auto& close = doc[1];
    CHECK(close["id"].GetUint64() == close_fills[0].trade_id);
    CHECK(close["orderId"].GetUint64() == id2);
    CHECK_FALSE(close["buyer"].GetBool());
    CHECK(str(close, "side") == "SELL");
    CHECK(str(close, "qty") == "0.010");
    // Closing 0.01 bought at the ask and sold at the bid loses the spread.
    CHECK(str(close, "realizedPnl")
          == format_decimals(value_raw((b0.px - a0.px).raw(), qty("0.01").raw()), 8));
    CHECK(close["time"].GetInt64() == t2);
    CHECK(trade_ids(list(h, "/fapi/v1/userTrades", "symbol=BTCUSDT&fromId="
                                                    + std::to_string(close_fills[0].trade_id)))
          == std::vector<uint64_t>{close_fills[0].trade_id});
    CHECK(trade_ids(list(h, "/fapi/v1/userTrades", "symbol=BTCUSDT&orderId=" + std::to_string(id1)))
          == std::vector<uint64_t>{open_fills[0].trade_id});
    CHECK(list(h, "/fapi/v1/userTrades", "symbol=BTCUSDT&orderId=" + std::to_string(id3)).Size()
          == 0);
  }

  SECTION("USD-M history covers the last 7 days unless a window is given") {
    h.advance(8LL * 24 * 3600 * 1000);
    CHECK(list(h, "/fapi/v1/userTrades", "symbol=BTCUSDT").Size() == 0);
    CHECK(list(h, "/fapi/v1/allOrders", "symbol=BTCUSDT").Size() == 0);
    CHECK(list(h, "/fapi/v1/userTrades", "symbol=BTCUSDT&startTime=" + std::to_string(t1)).Size()
          == 2);
    CHECK(order_ids(list(h, "/fapi/v1/allOrders", "symbol=BTCUSDT&startTime=" + std::to_string(t2)))
          == std::vector<uint64_t>{id2, id3, id4});
    CHECK(order_ids(list(h, "/fapi/v1/allOrders", "symbol=BTCUSDT&endTime=" + std::to_string(t1)))
          == std::vector<uint64_t>{id1});
    auto span = h.signed_call("GET", "/fapi/v1/userTrades",
                              "symbol=BTCUSDT&startTime=" + std::to_string(t1)
                                + "&endTime=" + std::to_string(h.wall));
    CHECK(span.status == 400);
    CHECK(error_of(span).code == -1127);
    CHECK(error_of(span).msg == "More than 168 hours between startTime and endTime.");
    auto combo = h.signed_call("GET", "/fapi/v1/userTrades",
                               "symbol=BTCUSDT&fromId=1&endTime=" + std::to_string(t2));
    CHECK(error_of(combo).code == -1128);
    auto none = h.signed_call("GET", "/fapi/v1/userTrades", "fromId=1");
    CHECK(none.status == 400);
    CHECK(error_of(none).code == -1102);
    CHECK(error_of(none).msg
          == "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
    CHECK(error_of(h.signed_call("GET", "/fapi/v1/allOrders", "")).code == -1102);
  }
}

TEST_CASE("the trade history keeps each account's newest trades and pages by trade id") {
  trade_history th{4};
  auto trade = [](uint64_t id, uint64_t order, int64_t ms) {
    trade_record t;
    t.id = id;
    t.order_id = order;
    t.px = px("100");
    t.qty = qty("1");
    t.time_ms = ms;
    return t;
  };
  th.add(0, "BTCUSDT", trade(1, 10, 1000));
  th.add(0, "ETHUSDT", trade(1, 11, 1000));
  th.add(0, "BTCUSDT", trade(2, 10, 2000));
  th.add(1, "BTCUSDT", trade(3, 12, 3000)); // Bob's, not Alice's.
  th.add(0, "BTCUSDT", trade(4, 13, 4000));
  th.add(0, "BTCUSDT", trade(5, 13, 5000)); // Alice's fifth: her oldest goes.
  CHECK(th.size(0) == 4);
  CHECK(th.size(1) == 1);
  auto ids = [&](size_t account, const std::string& symbol, const history_query& q) {
    std::vector<uint64_t> out;
    for (const auto& t : th.query(account, symbol, q))
      out.push_back(t.id);
    return out;
  };
  history_query all;
  CHECK(ids(0, "BTCUSDT", all) == std::vector<uint64_t>{2, 4, 5});
  CHECK(ids(0, "ETHUSDT", all) == std::vector<uint64_t>{1});
  CHECK(ids(1, "BTCUSDT", all) == std::vector<uint64_t>{3});
  CHECK(ids(2, "BTCUSDT", all).empty());
  history_query newest;
  newest.limit = 2;
  CHECK(ids(0, "BTCUSDT", newest) == std::vector<uint64_t>{4, 5});
  history_query from;
  from.from_id = 3;
  from.from_oldest = true;
  from.limit = 1;
  CHECK(ids(0, "BTCUSDT", from) == std::vector<uint64_t>{4});
  history_query order;
  order.order_id = 13;
  CHECK(ids(0, "BTCUSDT", order) == std::vector<uint64_t>{4, 5});
  history_query window;
  window.start_ms = 2000;
  window.end_ms = 4000;
  window.from_oldest = true;
  CHECK(ids(0, "BTCUSDT", window) == std::vector<uint64_t>{2, 4});
  CHECK(th.query(0, "BTCUSDT", all).back() == trade(5, 13, 5000));
}

TEST_CASE("the order store keeps closed orders per account and lists an account's history") {
  order_store s{2};
  auto make = [](uint64_t id, size_t account, const std::string& symbol, int64_t ms) {
    order_record r;
    r.view.order_id = id;
    r.view.symbol = symbol;
    r.view.client_id = "c" + std::to_string(id);
    r.view.status = "NEW";
    r.account = account;
    r.time_ms = ms;
    return r;
  };
  s.add(make(1, 1, "BTCUSDT", 1000)); // Bob's closed order outlives Alice's churn.
  s.find(1)->view.status = "FILLED";
  s.closed(1);
  for (uint64_t id = 2; id <= 5; ++id)
    s.add(make(id, 0, id == 3 ? "ETHUSDT" : "BTCUSDT", static_cast<int64_t>(id) * 1000));
  for (uint64_t id = 2; id <= 4; ++id) {
    s.find(id)->view.status = "CANCELED";
    s.closed(id);
  }
  // Alice: 2 was evicted (her third closed order), 3 and 4 kept, 5 open.
  CHECK(s.find(2) == nullptr);
  CHECK(s.find(1) != nullptr);
  auto ids = [&](size_t account, const std::string& symbol, const history_query& q) {
    std::vector<uint64_t> out;
    for (const auto* o : s.history(account, symbol, q))
      out.push_back(o->view.order_id);
    return out;
  };
  history_query all;
  CHECK(ids(0, "BTCUSDT", all) == std::vector<uint64_t>{4, 5});
  CHECK(ids(0, "ETHUSDT", all) == std::vector<uint64_t>{3});
  CHECK(ids(1, "BTCUSDT", all) == std::vector<uint64_t>{1});
  history_query from;
  from.from_id = 5;
  from.from_oldest = true;
  CHECK(ids(0, "BTCUSDT", from) == std::vector<uint64_t>{5});
  history_query until;
  until.end_ms = 4000;
  CHECK(ids(0, "BTCUSDT", until) == std::vector<uint64_t>{4});
}
