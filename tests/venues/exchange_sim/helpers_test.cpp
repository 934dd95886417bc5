#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "venues/exchange_sim/json_out.hpp"
#include "venues/exchange_sim/market_payloads.hpp"
#include "venues/exchange_sim/order_store.hpp"
#include "venues/exchange_sim/request_limits.hpp"
#include "venues/exchange_sim/request_params.hpp"
#include "venues/exchange_sim/spot_wallet.hpp"
#include "venues/exchange_sim/usdm_wallet.hpp"

using namespace xsim_test;

TEST_CASE("url decoding handles escapes and plus signs and refuses broken escapes") {
  CHECK(url_decode("a%2Bb+c%3d") == std::optional<std::string>{"a+b c="});
  CHECK(url_decode("plain") == std::optional<std::string>{"plain"});
  CHECK_FALSE(url_decode("bad%4"));
  CHECK_FALSE(url_decode("bad%zz"));
  CHECK_FALSE(url_decode("%"));
}

TEST_CASE("request parameters merge query and body and drop the signature from the signed text") {
  request_params p{"symbol=BTCUSDT&side=BUY&signature=abc",
                   "quantity=1&price=0.1&timestamp=1"};
  REQUIRE(p.error() == request_params::problem::none);
  CHECK(p.get("symbol") == std::optional<std::string_view>{"BTCUSDT"});
  CHECK(p.get("price") == std::optional<std::string_view>{"0.1"});
  CHECK(p.has("signature"));
  CHECK_FALSE(p.has("missing"));
  CHECK(p.signature_payload()
        == "symbol=BTCUSDT&side=BUYquantity=1&price=0.1&timestamp=1");
  CHECK(p.all().size() == 6);
}

TEST_CASE("request parameters report a duplicate name and a broken escape") {
  request_params dup{"a=1&b=2", "a=3"};
  CHECK(dup.error() == request_params::problem::duplicate);
  CHECK(dup.error_name() == "a");
  request_params bad{"a=%G1", ""};
  CHECK(bad.error() == request_params::problem::bad_encoding);
  request_params empty{"price=&x", ""};
  REQUIRE(empty.error() == request_params::problem::none);
  CHECK(empty.get("price") == std::optional<std::string_view>{""});
  CHECK_FALSE(empty.has("price"));
  CHECK(empty.get("x") == std::optional<std::string_view>{""});
}

TEST_CASE("integers parse strictly") {
  CHECK(parse_int("1700000000000") == std::optional<int64_t>{1700000000000});
  CHECK(parse_int("0") == std::optional<int64_t>{0});
  CHECK_FALSE(parse_int(""));
  CHECK_FALSE(parse_int("-1"));
  CHECK_FALSE(parse_int("12a"));
  CHECK_FALSE(parse_int("99999999999999999999"));
}

TEST_CASE("decimals are printed with a fixed number of places") {
  CHECK(format_decimals(6500010000000, 8) == "65000.10000000");
  CHECK(format_decimals(6500010000000, 2) == "65000.10");
  CHECK(format_decimals(6500010000000, 0) == "65000");
  CHECK(format_decimals(-150000000, 3) == "-1.500");
  CHECK(format_decimals(-1, 2) == "0.00");
  CHECK(format_decimals(1, 8) == "0.00000001");
  CHECK(decimals_of(px("0.01").raw()) == 2);
  CHECK(decimals_of(qty("0.001").raw()) == 3);
  CHECK(decimals_of(px("1").raw()) == 0);
  CHECK(decimals_of(px("0.5").raw()) == 1);
  CHECK(decimals_of(1) == 8);
}

TEST_CASE("json_out writes members and decimals as Binance strings") {
  json_out j;
  j.begin_object()
    .kv("s", "BTCUSDT")
    .kv_i64("E", -5)
    .kv_bool("m", true)
    .kv_dec("p", 6500010000000, 2)
    .key("raw")
    .raw(R"({"a":1})")
    .key("n")
    .null()
    .end_object();
  CHECK(j.take() == R"({"s":"BTCUSDT","E":-5,"m":true,"p":"65000.10","raw":{"a":1},"n":null})");
}

TEST_CASE("faults have stable names and the combined wrapper embeds the payload") {
  for (auto f : {fault::rate_limit_429, fault::ban_418, fault::unknown_503,
                 fault::seq_gap, fault::malformed, fault::stall})
    CHECK(parse_fault(to_string(f)) == std::optional<fault>{f});
  CHECK(parse_fault("429") == std::optional<fault>{fault::rate_limit_429});
  CHECK_FALSE(parse_fault("drop-everything"));
  CHECK(wrap_combined("btcusdt@aggTrade", R"({"e":"aggTrade"})")
        == R"({"stream":"btcusdt@aggTrade","data":{"e":"aggTrade"}})");
  rest_reply r;
  r.headers = {{"X-MBX-USED-WEIGHT-1M", "7"}};
  CHECK(r.header("x-mbx-used-weight-1m") == std::optional<std::string_view>{"7"});
  CHECK_FALSE(r.header("Retry-After"));
}

TEST_CASE("request weight counts per wall minute and orders per 10 s, 1 min and day") {
  request_limits l{2, 10, 3};
  int64_t t = 1'700'000'020'000; // 40 s into a minute, on a 10 s boundary.
  CHECK(l.add_weight(4, t) == 4);
  CHECK(l.add_weight(7, t + 19'999) == 11);
  CHECK(l.weight_exceeded(t + 19'999));
  CHECK(l.used_weight(t + 20'000) == 0); // The next minute.
  CHECK(l.add_weight(1, t + 20'000) == 1);
  CHECK(request_limits::seconds_to_next(t, 60'000) == 20);
  CHECK(request_limits::seconds_to_next(t + 19'001, 60'000) == 1);
  CHECK(request_limits::seconds_to_next(t + 3'500, 10'000) == 7);
  for (int i = 0; i < 3; ++i)
    l.add_order(0, t + i);
  CHECK(l.orders_exhausted(0, t + 9'999));
  CHECK_FALSE(l.orders_exhausted(1, t + 9'999));
  CHECK_FALSE(l.orders_exhausted(0, t + 10'000));
  auto c = l.add_order(0, t + 10'000);
  CHECK(c.ten_s == 1);
  CHECK(c.one_m == 4);
  CHECK(c.one_d == 4);
}

TEST_CASE("a spot wallet locks, spends and unlocks per asset") {
  spot_wallet w{{{"USDT", money("100")}, {"BTC", money("1")}}};
  CHECK_FALSE(w.lock("USDT", money("100.00000001")));
  CHECK(w.free("USDT") == money("100"));
  REQUIRE(w.lock("USDT", money("60")));
  CHECK(w.free("USDT") == money("40"));
  CHECK(w.locked("USDT") == money("60"));
  w.spend_locked("USDT", money("25"));
  w.unlock("USDT", money("35"));
  w.add_free("ETH", money("0.5"));
  CHECK(w.balance("USDT") == asset_balance{"USDT", money("75"), money("0")});
  auto all = w.balances();
  REQUIRE(all.size() == 3);
  CHECK(all[0].asset == "BTC");
  CHECK(all[1] == asset_balance{"ETH", money("0.5"), money("0")});
}

TEST_CASE("a USD-M wallet averages entries, realizes PnL on reduce and flips") {
  usdm_wallet w{money("1000")};
  CHECK(w.apply_fill("BTCUSDT", side::buy, px("100"), qty("1"), money("0.04")).is_zero());
  w.apply_fill("BTCUSDT", side::buy, px("110"), qty("1"), money("0.044"));
  auto p = w.get("BTCUSDT");
  CHECK(p.amount == qty("2"));
  CHECK(p.entry == px("105"));
  CHECK(usdm_wallet::unrealized(p, px("100")) == money("-10"));
  // Sell 3: closes 2 at +15 each (realized 30), opens 1 short at 120.
  auto realized = w.apply_fill("BTCUSDT", side::sell, px("120"), qty("3"),
                               money("0.144"));
  CHECK(realized == money("30"));
  p = w.get("BTCUSDT");
  CHECK(p.amount == qty("-1"));
  CHECK(p.entry == px("120"));
  CHECK(p.realized == money("30"));
  CHECK(p.fees == money("0.228"));
  CHECK(usdm_wallet::unrealized(p, px("119")) == money("1"));
  // Buy back 1 at 121: loses 1.
  CHECK(w.apply_fill("BTCUSDT", side::buy, px("121"), qty("1"), money("0")) == money("-1"));
  CHECK(w.get("BTCUSDT").amount.is_zero());
  CHECK(w.get("BTCUSDT").entry.is_zero());
  CHECK(w.wallet_balance() == money("1028.772")); // 1000 + 30 - 1 - 0.228
}

TEST_CASE("the order store finds orders by id and client id and forgets old closed ones") {
  order_store s{2};
  auto make = [](uint64_t id, const std::string& cid) {
    order_record r;
    r.view.order_id = id;
    r.view.symbol = "BTCUSDT";
    r.view.client_id = cid;
    r.view.status = "NEW";
    return r;
  };
  for (uint64_t id = 1; id <= 4; ++id)
    s.add(make(id, "c" + std::to_string(id)));
  s.add(make(5, "c1")); // Reuses c1: the latest wins.
  CHECK(s.find_client(0, "BTCUSDT", "c1")->view.order_id == 5);
  CHECK(s.has_open_client(0, "BTCUSDT", "c2"));
  CHECK_FALSE(s.has_open_client(1, "BTCUSDT", "c2"));
  for (uint64_t id = 1; id <= 3; ++id) {
    s.find(id)->view.status = "CANCELED";
    s.closed(id);
  }
  CHECK(s.find(1) == nullptr); // Beyond the two closed orders kept.
  CHECK(s.find(2) != nullptr);
  CHECK_FALSE(s.has_open_client(0, "BTCUSDT", "c2"));
  CHECK(s.open_orders(order_store::npos, {}).size() == 2);
  CHECK(s.find_client(0, "BTCUSDT", "c1")->view.order_id == 5);
}

TEST_CASE("funding happens every 8 hours at 00:00, 08:00 and 16:00 UTC") {
  constexpr int64_t h8 = 8 * 3600 * 1000;
  CHECK(next_funding_ms(0) == h8);
  CHECK(next_funding_ms(h8 - 1) == h8);
  CHECK(next_funding_ms(h8) == 2 * h8);
  CHECK(next_funding_ms(1'700'000'020'000) == 1'700'006'400'000);
}
