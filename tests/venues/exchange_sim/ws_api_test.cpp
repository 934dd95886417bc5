#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "venues/binance/orders.hpp"

using namespace xsim_test;

namespace {

std::string subscribe_request(const std::string& id_json, const std::string& key,
                              const std::string& secret, int64_t ts) {
  auto sig = binance::hmac_sha256_hex(secret, "apiKey=" + key + "&timestamp="
                                                + std::to_string(ts));
  return R"({"id":)" + id_json
         + R"(,"method":"userDataStream.subscribe.signature","params":{"apiKey":")"
         + key + R"(","timestamp":)" + std::to_string(ts) + R"(,"signature":")" + sig
         + R"("}})";
}

/// The single answer of a WebSocket API request on connection 7.
rapidjson::Document answer(harness& h, const std::string& request) {
  auto out = h.core.handle_ws_api(7, request, h.now, h.wall);
  REQUIRE(out.size() == 1);
  CHECK(out[0].channel == "ws-api:7");
  auto doc = parse(out[0].text);
  REQUIRE(doc.IsObject());
  return doc;
}

int error_code(const rapidjson::Document& d) {
  REQUIRE(d.HasMember("error"));
  return d["error"]["code"].GetInt();
}

} // namespace

TEST_CASE("ws-api subscribe.signature answers a subscription id and delivers executionReports") {
  harness h{binance::market::spot};
  auto sub = answer(h, subscribe_request(R"("sub-1")", alice_key, alice_secret, h.wall));
  CHECK(std::string{sub["id"].GetString()} == "sub-1");
  CHECK(sub["status"].GetInt() == 200);
  CHECK(sub["result"]["subscriptionId"].GetUint64() == 0);
  CHECK(h.core.ws_api_subscriptions(7) == 1);
  // Bob on the same connection gets the next id; Alice again keeps hers.
  auto bob = answer(h, subscribe_request("2", bob_key, bob_secret, h.wall));
  CHECK(bob["id"].GetInt() == 2);
  CHECK(bob["result"]["subscriptionId"].GetUint64() == 1);
  auto again = answer(h, subscribe_request("3", alice_key, alice_secret, h.wall));
  CHECK(again["result"]["subscriptionId"].GetUint64() == 0);
  CHECK(h.core.ws_api_subscriptions(7) == 2);
  // A resting order: NEW, then the balance moved to locked.
  REQUIRE(h.signed_call("POST", "/api/v3/order",
                        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                        "&quantity=0.01&price=60000&newClientOrderId=buy-1").status == 200);
  auto frames = on_channel(h.core.drain(), "ws-api:7");
  REQUIRE(frames.size() == 2);
  auto wrapped = parse(frames[0]);
  CHECK(wrapped["subscriptionId"].GetUint64() == 0);
  CHECK(std::string{wrapped["event"]["e"].GetString()} == "executionReport");
  auto ev = binance::parse_user_event(frames[0], binance::market::spot);
  REQUIRE(ev);
  auto o = std::get<binance::order_update>(*ev);
  CHECK(o.client_id == "buy-1");
  CHECK(o.exec == binance::exec_type::new_order);
  CHECK(o.state == binance::order_state::new_order);
  CHECK(o.px == px("60000"));
  CHECK(o.qty == qty("0.01"));
  auto pos_ev = binance::parse_user_event(frames[1], binance::market::spot);
  REQUIRE(pos_ev);
  auto acct = std::get<binance::account_update>(*pos_ev);
  REQUIRE(acct.balances.size() == 2);
  CHECK(acct.balances[0].asset == "BTC");
  CHECK(acct.balances[1].asset == "USDT");
  CHECK(acct.balances[1].locked == money("600.24")); // 600 + 4 bp reserve
  CHECK(acct.balances[1].free == money("99399.76"));
  // A market buy: NEW, TRADE (fill, fee in USDT), then the balances.
  REQUIRE(h.signed_call("POST", "/api/v3/order",
                        "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001"
                        "&newClientOrderId=mkt-1").status == 200);
  frames = on_channel(h.core.drain(), "ws-api:7");
  REQUIRE(frames.size() == 3);
  auto trade = std::get<binance::order_update>(
    *binance::parse_user_event(frames[1], binance::market::spot));
  CHECK(trade.exec == binance::exec_type::trade);
  CHECK(trade.state == binance::order_state::filled);
  CHECK(trade.last_qty == qty("0.001"));
  CHECK(trade.fee_asset == "USDT");
  CHECK(trade.fee.raw() == value_raw(trade.last_px.raw(), qty("0.001").raw()) * 40'000
                             / 100'000'000);
  CHECK_FALSE(trade.maker);
  CHECK(trade.trade_id > 0);
  // A cancel: "c" is the cancel's id, "C" the order's.
  REQUIRE(h.signed_call("DELETE", "/api/v3/order",
                        "symbol=BTCUSDT&origClientOrderId=buy-1"
                        "&newClientOrderId=cxl-9").status == 200);
  frames = on_channel(h.core.drain(), "ws-api:7");
  REQUIRE(frames.size() == 2);
  auto cxl = std::get<binance::order_update>(
    *binance::parse_user_event(frames[0], binance::market::spot));
  CHECK(cxl.exec == binance::exec_type::canceled);
  CHECK(cxl.client_id == "cxl-9");
  CHECK(cxl.orig_client_id == "buy-1");
  // Bob's subscription saw none of it.
  for (const auto& f : frames)
    CHECK(parse(f)["subscriptionId"].GetUint64() == 0);
}

TEST_CASE("ws-api signatures follow the documented HMAC example over sorted params") {
  const std::string key = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
  auto c = make_config(binance::market::spot);
  c.accounts.push_back(account_config{
    key, "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j", {}});
  harness h{std::move(c)};
  h.wall = 1645423376532 + 50; // inside the example's recvWindow of 100 ms
  // The example's params in the example's (unsorted) order.
  std::string params = R"("symbol":"BTCUSDT","side":"SELL","type":"LIMIT","timeInForce":"GTC",)"
                       R"("quantity":"0.01000000","price":"52000.00","newOrderRespType":"ACK",)"
                       R"("recvWindow":100,"timestamp":1645423376532,"apiKey":")"
                       + key + R"(",)";
  auto ok = answer(h, R"({"id":"x","method":"userDataStream.subscribe.signature","params":{)"
                        + params
                        + R"("signature":"cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a"}})");
  CHECK(ok["status"].GetInt() == 200);
  auto bad = answer(h, R"({"id":"y","method":"userDataStream.subscribe.signature","params":{)"
                         + params
                         + R"("signature":"cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08b"}})");
  CHECK(bad["status"].GetInt() == 400);
  CHECK(error_code(bad) == -1022);
  h.wall += 100; // now 150 ms after the timestamp
  auto late = answer(h, R"({"id":"z","method":"userDataStream.subscribe.signature","params":{)"
                          + params
                          + R"("signature":"cc15477742bd704c29492d96c7ead9414dfd8e0ec4a00f947bb5bb454ddbd08a"}})");
  CHECK(error_code(late) == -1021);
}

TEST_CASE("ws-api refuses bad subscriptions with Binance's codes") {
  harness h{binance::market::spot};
  auto unknown = answer(h, subscribe_request("1", "mallory", "x", h.wall));
  CHECK(unknown["status"].GetInt() == 401);
  CHECK(error_code(unknown) == -2015);
  auto wrong = answer(h, subscribe_request("2", alice_key, bob_secret, h.wall));
  CHECK(wrong["status"].GetInt() == 400);
  CHECK(error_code(wrong) == -1022);
  auto old = answer(h, subscribe_request("3", alice_key, alice_secret, h.wall - 5001));
  CHECK(error_code(old) == -1021);
  auto no_ts = answer(h, R"({"id":4,"method":"userDataStream.subscribe.signature",)"
                         R"("params":{"apiKey":"alice-key","signature":"00"}})");
  CHECK(error_code(no_ts) == -1102);
  auto no_key = answer(h, R"({"id":5,"method":"userDataStream.subscribe.signature"})");
  CHECK(error_code(no_key) == -1102);
  auto junk = answer(h, "{not json");
  CHECK(junk["id"].IsNull());
  CHECK(junk["status"].GetInt() == 400);
  auto what = answer(h, R"({"id":6,"method":"order.place","params":{}})");
  CHECK(error_code(what) == -1020);
  CHECK(h.core.ws_api_subscriptions(7) == 0);
}

TEST_CASE("ws-api ping, time, session.subscriptions and unsubscribe") {
  harness h{binance::market::spot};
  auto ping = answer(h, R"({"id":"p","method":"ping"})");
  CHECK(ping["status"].GetInt() == 200);
  CHECK(ping["result"].IsObject());
  CHECK(ping["result"].MemberCount() == 0);
  auto time = answer(h, R"({"id":9,"method":"v3/time"})");
  CHECK(time["result"]["serverTime"].GetInt64() == wall0);
  answer(h, subscribe_request("1", alice_key, alice_secret, h.wall));
  answer(h, subscribe_request("2", bob_key, bob_secret, h.wall));
  auto list = answer(h, R"({"id":3,"method":"session.subscriptions"})");
  REQUIRE(list["result"].IsArray());
  CHECK(list["result"].Size() == 2);
  auto gone = answer(h, R"({"id":4,"method":"userDataStream.unsubscribe","params":{"subscriptionId":0}})");
  CHECK(gone["status"].GetInt() == 200);
  CHECK(h.core.ws_api_subscriptions(7) == 1);
  auto missing = answer(h, R"({"id":5,"method":"userDataStream.unsubscribe","params":{"subscriptionId":0}})");
  CHECK(error_code(missing) == -1130);
  // Alice's events no longer go to connection 7.
  REQUIRE(h.signed_call("POST", "/api/v3/order",
                        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                        "&quantity=0.01&price=60000").status == 200);
  CHECK(h.core.drain().empty());
  // Unsubscribe without an id drops all; a closed connection forgets its own.
  answer(h, subscribe_request("6", alice_key, alice_secret, h.wall));
  auto all = answer(h, R"({"id":7,"method":"userDataStream.unsubscribe"})");
  CHECK(all["status"].GetInt() == 200);
  CHECK(h.core.ws_api_subscriptions(7) == 0);
  answer(h, subscribe_request("8", alice_key, alice_secret, h.wall));
  h.core.ws_api_closed(7);
  CHECK(h.core.ws_api_subscriptions(7) == 0);
}
