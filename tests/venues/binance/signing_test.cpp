#include <catch2/catch.hpp>

#include "venues/binance/signing.hpp"

using namespace agora::binance;

namespace {

// "SIGNED Endpoint Examples for POST /api/v3/order", HMAC keys.
constexpr const char* spot_secret
  = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

// "SIGNED Endpoint Examples for POST /fapi/v1/order - HMAC Keys".
constexpr const char* usdm_secret
  = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";

} // namespace

TEST_CASE("hmac matches the documented spot signature") {
  CHECK(hmac_sha256_hex(spot_secret,
                        "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
                        "&quantity=1&price=0.1&recvWindow=5000"
                        "&timestamp=1499827319559")
        == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
}

TEST_CASE("hmac matches the documented usdm signature") {
  CHECK(hmac_sha256_hex(usdm_secret,
                        "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1"
                        "&price=9000&timeInForce=GTC&recvWindow=5000"
                        "&timestamp=1591702613943")
        == "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9");
}

TEST_CASE("hmac of the empty message with an empty key is the RFC value") {
  CHECK(hmac_sha256_hex("", "")
        == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("a query-only request is signed over the query") {
  auto q = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1"
           "&price=0.1&recvWindow=5000&timestamp=1499827319559";
  CHECK(signed_query(q, "", spot_secret)
        == std::string{q}
             + "&signature="
               "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
}

TEST_CASE("a mixed query and body is signed over their concatenation") {
  // Example 3: no '&' between "GTC" and "quantity=1".
  CHECK(signed_query("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
                     "quantity=1&price=0.1&recvWindow=5000"
                     "&timestamp=1499827319559",
                     spot_secret)
        == "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&signature="
           "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77");
  // The USD-M page's example 3 (its body has a space after "timestamp=").
  CHECK(signed_query("symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC",
                     "quantity=1&price=9000&recvWindow=5000"
                     "&timestamp= 1591702613943",
                     usdm_secret)
        == "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&signature="
           "f9d0ae5e813ef6ccf15c2b5a434047a0181cb5a342b903b367ca6d27a66e36f2");
}

TEST_CASE("a body-only request gets the signature alone") {
  CHECK(signed_query("",
                     "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
                     "&quantity=1&price=0.1&recvWindow=5000"
                     "&timestamp=1499827319559",
                     spot_secret)
        == "signature="
           "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
}

TEST_CASE("url encoding keeps unreserved characters and escapes the rest") {
  CHECK(url_encode("AZaz09-._~") == "AZaz09-._~");
  CHECK(url_encode("a b&c=d/e") == "a%20b%26c%3Dd%2Fe");
  CHECK(url_encode("[\"BTCUSDT\",\"BNBBTC\"]")
        == "%5B%22BTCUSDT%22%2C%22BNBBTC%22%5D");
  CHECK(url_encode("+:%") == "%2B%3A%25");
  CHECK(url_encode("\xc3\xa9") == "%C3%A9");
  CHECK(url_encode("").empty());
}

TEST_CASE("the query builder joins encoded pairs in order") {
  query_builder q;
  CHECK(q.str().empty());
  q.add("symbol", "BTCUSDT")
    .add("side", "BUY")
    .add("quantity", "0.002")
    .add("newClientOrderId", "ag-42")
    .add("recvWindow", int64_t{5000})
    .add("offset", int64_t{-3})
    .add("note", "a b");
  CHECK(q.str()
        == "symbol=BTCUSDT&side=BUY&quantity=0.002&newClientOrderId=ag-42"
           "&recvWindow=5000&offset=-3&note=a%20b");
}
