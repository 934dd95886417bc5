#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "venues/binance/codec.hpp"

using namespace xsim_test;

namespace {

// The HMAC example of Binance's "SIGNED Endpoint Examples for POST
// /api/v3/order".
const std::string doc_key
  = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const std::string doc_secret
  = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
constexpr int64_t doc_timestamp = 1499827319559;

binance::rest_error error_of(const rest_reply& r) {
  INFO(r.body);
  auto e = binance::parse_rest_error(r.body);
  REQUIRE(e);
  return *e;
}

harness doc_harness() {
  auto c = make_config(binance::market::spot);
  c.accounts.push_back(account_config{doc_key, doc_secret, {}});
  harness h{std::move(c)};
  h.wall = doc_timestamp + 10;
  return h;
}

} // namespace

TEST_CASE("the documented query-string signature is accepted and a changed one refused") {
  auto h = doc_harness();
  std::string query = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1"
                      "&price=0.1&recvWindow=5000&timestamp=1499827319559";
  auto ok = h.core.handle_rest(
    rest_call{"POST", "/api/v3/order",
              query + "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
              {}, doc_key},
    h.now, h.wall);
  // The signature passed: the symbol is what fails (LTCBTC is not listed).
  CHECK(ok.status == 400);
  CHECK(error_of(ok).code == -1121);
  auto upper = h.core.handle_rest(
    rest_call{"POST", "/api/v3/order",
              query + "&signature=C8DB56825AE71D6D79447849E617115F4A920FA2ACDCAB2B053C4B2838BD6B71",
              {}, doc_key},
    h.now, h.wall);
  CHECK(error_of(upper).code == -1121); // Hex case does not matter.
  auto bad = h.core.handle_rest(
    rest_call{"POST", "/api/v3/order",
              query + "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b72",
              {}, doc_key},
    h.now, h.wall);
  CHECK(bad.status == 400);
  CHECK(error_of(bad).code == -1022);
  CHECK(error_of(bad).msg == "Signature for this request is not valid.");
}

TEST_CASE("the documented mixed query and body signature covers both without a separator") {
  auto h = doc_harness();
  auto ok = h.core.handle_rest(
    rest_call{"POST", "/api/v3/order",
              "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
              "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
              "&signature=0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77",
              doc_key},
    h.now, h.wall);
  CHECK(error_of(ok).code == -1121);
  // The same body signed as if it were all in the query fails.
  auto moved = h.core.handle_rest(
    rest_call{"POST", "/api/v3/order",
              "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
              "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
              "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71",
              doc_key},
    h.now, h.wall);
  CHECK(error_of(moved).code == -1022);
}

TEST_CASE("API key problems answer 401 with -2014 or -2015") {
  harness h{binance::market::spot};
  auto none = h.core.handle_rest(
    rest_call{"GET", "/api/v3/account",
              binance::signed_query("timestamp=" + std::to_string(h.wall), {},
                                    alice_secret),
              {}, {}},
    h.now, h.wall);
  CHECK(none.status == 401);
  CHECK(error_of(none).code == -2014);
  CHECK(error_of(none).msg == "API-key format invalid.");
  auto unknown = h.signed_call("GET", "/api/v3/account", "", "mallory", alice_secret);
  CHECK(unknown.status == 401);
  CHECK(error_of(unknown).code == -2015);
  CHECK(error_of(unknown).msg == "Invalid API-key, IP, or permissions for action.");
  // Alice's key with Bob's secret: a bad signature.
  auto wrong = h.signed_call("GET", "/api/v3/account", "", alice_key, bob_secret);
  CHECK(error_of(wrong).code == -1022);
  // Public endpoints need no key.
  CHECK(h.call("GET", "/api/v3/time").status == 200);
}

TEST_CASE("missing timestamp or signature answers -1102") {
  harness h{binance::market::spot};
  auto no_ts = h.core.handle_rest(
    rest_call{"GET", "/api/v3/account", binance::signed_query("recvWindow=5000", {}, alice_secret),
              {}, alice_key},
    h.now, h.wall);
  CHECK(no_ts.status == 400);
  CHECK(error_of(no_ts).code == -1102);
  CHECK(error_of(no_ts).msg
        == "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
  auto no_sig = h.core.handle_rest(
    rest_call{"GET", "/api/v3/account", "timestamp=" + std::to_string(h.wall), {},
              alice_key},
    h.now, h.wall);
  CHECK(error_of(no_sig).code == -1102);
  CHECK(error_of(no_sig).msg
        == "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
  auto dup = h.core.handle_rest(
    rest_call{"GET", "/api/v3/account",
              binance::signed_query("timestamp=1&timestamp=2", {}, alice_secret), {},
              alice_key},
    h.now, h.wall);
  CHECK(error_of(dup).code == -1101);
}

TEST_CASE("a timestamp outside recvWindow or 1000 ms ahead answers -1021") {
  harness h{binance::market::spot};
  auto at = [&](int64_t ts, const std::string& extra = {}) {
    auto q = extra + (extra.empty() ? "" : "&") + "timestamp=" + std::to_string(ts);
    return h.core.handle_rest(
      rest_call{"GET", "/api/v3/account", binance::signed_query(q, {}, alice_secret),
                {}, alice_key},
      h.now, h.wall);
  };
  CHECK(at(h.wall - 5000).status == 200); // exactly the default window
  auto old = at(h.wall - 5001);
  CHECK(old.status == 400);
  CHECK(error_of(old).code == -1021);
  CHECK(error_of(old).msg == "Timestamp for this request is outside of the recvWindow.");
  CHECK(at(h.wall - 9000, "recvWindow=10000").status == 200);
  CHECK(error_of(at(h.wall - 9000, "recvWindow=8000")).code == -1021);
  CHECK(at(h.wall + 999).status == 200);
  auto ahead = at(h.wall + 1000);
  CHECK(error_of(ahead).code == -1021);
  CHECK(error_of(ahead).msg
        == "Timestamp for this request was 1000ms ahead of the server's time.");
  auto too_big = at(h.wall, "recvWindow=60001");
  CHECK(error_of(too_big).code == -1131);
  CHECK(at(h.wall, "recvWindow=60000").status == 200);
  CHECK(error_of(at(h.wall, "recvWindow=abc")).code == -1100);
}

TEST_CASE("USD-M refuses a recvWindow above the maximum with -1130") {
  harness h{binance::market::usdm};
  auto r = h.signed_call("GET", "/fapi/v2/account", "recvWindow=60001");
  CHECK(error_of(r).code == -1130);
}

TEST_CASE("request weight over the minute's limit answers 429 -1003 with Retry-After") {
  auto c = make_config(binance::market::spot);
  c.weight_limit_1m = 10;
  harness h{std::move(c)};
  for (int i = 1; i <= 10; ++i) {
    auto r = h.call("GET", "/api/v3/ping");
    REQUIRE(r.status == 200);
    CHECK(r.header("X-MBX-USED-WEIGHT-1M") == std::optional<std::string_view>{std::to_string(i)});
  }
  h.advance(5'500);
  auto over = h.call("GET", "/api/v3/ping");
  CHECK(over.status == 429);
  CHECK(error_of(over).code == -1003);
  CHECK(error_of(over).msg.find("current limit is 10 request weight per 1 MINUTE")
        != std::string::npos);
  // 40 s into the minute plus 5.5 s: 14.5 s left, rounded up.
  CHECK(over.header("Retry-After") == std::optional<std::string_view>{"15"});
  CHECK(over.header("X-MBX-USED-WEIGHT-1M") == std::optional<std::string_view>{"11"});
  h.advance(14'500); // the next minute
  auto again = h.call("GET", "/api/v3/ping");
  CHECK(again.status == 200);
  CHECK(again.header("X-MBX-USED-WEIGHT-1M") == std::optional<std::string_view>{"1"});
  CHECK(h.core.used_weight(h.wall) == 1);
}

TEST_CASE("too many orders in 10 s answer 429 -1015 and the counts ride on order answers") {
  auto c = make_config(binance::market::usdm);
  c.order_limit_10s = 3;
  harness h{std::move(c)};
  for (int i = 1; i <= 3; ++i) {
    auto r = h.signed_call("POST", "/fapi/v1/order",
                           "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                           "&quantity=0.01&price=6000" + std::to_string(i));
    REQUIRE(r.status == 200);
    CHECK(r.header("X-MBX-ORDER-COUNT-10S") == std::optional<std::string_view>{std::to_string(i)});
    CHECK(r.header("X-MBX-ORDER-COUNT-1M") == std::optional<std::string_view>{std::to_string(i)});
    CHECK_FALSE(r.header("X-MBX-ORDER-COUNT-1D"));
    // A new order costs no IP weight on USD-M.
    CHECK(r.header("X-MBX-USED-WEIGHT-1M") == std::optional<std::string_view>{"0"});
  }
  h.advance(2'000);
  auto over = h.signed_call("POST", "/fapi/v1/order",
                            "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                            "&quantity=0.01&price=60000");
  CHECK(over.status == 429);
  CHECK(error_of(over).code == -1015);
  CHECK(error_of(over).msg == "Too many new orders; current limit is 3 orders per 10 SECOND.");
  CHECK(over.header("Retry-After") == std::optional<std::string_view>{"8"});
  h.advance(8'000);
  CHECK(h.signed_call("POST", "/fapi/v1/order",
                      "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
                      "&quantity=0.01&price=60000").status == 200);
  CHECK(h.core.open_orders(alice_key).size() == 4);
}

TEST_CASE("an unknown path answers 404 on both markets") {
  harness spot{binance::market::spot};
  auto r = spot.call("GET", "/api/v3/ticker/24hr");
  CHECK(r.status == 404);
  CHECK(r.header("X-MBX-USED-WEIGHT-1M") == std::optional<std::string_view>{"0"});
  CHECK(binance::parse_rest_error(r.body));
  CHECK(spot.call("PUT", "/api/v3/order").status == 404);
  harness usdm{binance::market::usdm};
  auto f = usdm.call("GET", "/fapi/v1/klines");
  CHECK(f.status == 404);
  CHECK(error_of(f).code == -5000);
  CHECK(error_of(f).msg == "Path /fapi/v1/klines, Method GET is invalid");
  // Spot paths do not exist on the USD-M port and vice versa.
  CHECK(usdm.call("GET", "/api/v3/ping").status == 404);
  CHECK(spot.call("GET", "/fapi/v1/ping").status == 404);
}
