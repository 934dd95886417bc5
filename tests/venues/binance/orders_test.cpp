#include <catch2/catch.hpp>

#include "golden.hpp"
#include "venues/binance/orders.hpp"

using namespace agora;
using namespace agora::binance;
using namespace agora::binance::test;

namespace {

template <class T>
const T& as(const caf::expected<user_event>& x) {
  REQUIRE(x);
  REQUIRE(std::holds_alternative<T>(*x));
  return std::get<T>(*x);
}

} // namespace

TEST_CASE("spot ACK answer carries only the ids") {
  auto x = parse_order(golden("spot_order_ack.json"), market::spot);
  REQUIRE(x);
  CHECK(x->symbol == symbol_id{"BTCUSDT"});
  CHECK(x->order_id == 28);
  CHECK(x->client_id == "6gCrw2kRUAF9CvJDGP16IP");
  CHECK(x->orig_client_id.empty());
  CHECK(x->transaction_time == 1'507'725'176'595 * ns_per_ms);
  CHECK(x->state == order_state::other);
  CHECK(x->exec == exec_type::other);
  CHECK(x->type.empty());
  CHECK(x->qty == quantity{});
}

TEST_CASE("spot RESULT and FULL answers decode the order") {
  for (auto name : {"spot_order_result.json", "spot_order_full.json"}) {
    INFO(name);
    auto x = parse_order(golden(name), market::spot);
    REQUIRE(x);
    CHECK(x->symbol == symbol_id{"BTCUSDT"});
    CHECK(x->order_id == 28);
    CHECK(x->client_id == "6gCrw2kRUAF9CvJDGP16IP");
    CHECK(x->sd == side::sell);
    CHECK(x->type == "MARKET");
    CHECK(x->tif == "GTC");
    CHECK(x->state == order_state::filled);
    CHECK(x->px == price{});
    CHECK(x->qty == qty("10"));
    CHECK(x->cum_qty == qty("10"));
    CHECK(x->transaction_time == 1'507'725'176'595 * ns_per_ms);
    CHECK(x->exec == exec_type::other);
    CHECK(x->fee == notional{});
  }
}

TEST_CASE("spot order query answer decodes a resting limit order") {
  auto x = parse_order(golden("spot_order_query.json"), market::spot);
  REQUIRE(x);
  CHECK(x->symbol == symbol_id{"LTCBTC"});
  CHECK(x->order_id == 1);
  CHECK(x->client_id == "myOrder1");
  CHECK(x->sd == side::buy);
  CHECK(x->type == "LIMIT");
  CHECK(x->state == order_state::new_order);
  CHECK(x->px == px("0.1"));
  CHECK(x->qty == qty("1"));
  CHECK(x->cum_qty == quantity{});
  CHECK(x->transaction_time == 1'499'827'319'559 * ns_per_ms);
}

TEST_CASE("spot cancel answer names the order in origClientOrderId") {
  auto x = parse_order(golden("spot_order_cancel.json"), market::spot);
  REQUIRE(x);
  CHECK(x->order_id == 4);
  CHECK(x->client_id == "cancelMyOrder1");
  CHECK(x->orig_client_id == "myOrder1");
  CHECK(own_client_id(*x) == "myOrder1");
  CHECK(x->state == order_state::canceled);
  CHECK(x->px == px("2"));
  CHECK(x->qty == qty("1"));
}

TEST_CASE("usdm order answers decode with reduce-only") {
  auto x = parse_order(golden("usdm_order_query.json"), market::usdm);
  REQUIRE(x);
  CHECK(x->symbol == symbol_id{"BTCUSDT"});
  CHECK(x->order_id == 1'917'641);
  CHECK(x->client_id == "abc");
  CHECK(own_client_id(*x) == "abc");
  CHECK(x->sd == side::buy);
  CHECK(x->type == "TRAILING_STOP_MARKET");
  CHECK(x->tif == "GTC");
  CHECK(x->state == order_state::new_order);
  CHECK(x->qty == qty("0.4"));
  CHECK(x->cum_qty == quantity{});
  CHECK_FALSE(x->reduce_only);
  CHECK(x->transaction_time == 1'579'276'756'075 * ns_per_ms);
  auto c = parse_order(golden("usdm_order_cancel.json"), market::usdm);
  REQUIRE(c);
  CHECK(c->order_id == 283'194'212);
  CHECK(c->client_id == "myOrder1");
  CHECK(c->state == order_state::canceled);
  CHECK(c->qty == qty("11"));
  CHECK(c->transaction_time == 1'571'110'484'038 * ns_per_ms);
}

TEST_CASE("an order request that failed is a venue error with code and msg") {
  auto x = parse_order(golden("spot_error_would_match.json"), market::spot);
  REQUIRE_FALSE(x);
  CHECK(code_of(x) == code(codec_errc::venue_error));
  REQUIRE(x.error().context().match_elements<std::string>());
  CHECK(x.error().context().get_as<std::string>(0)
        == "code=-2010 msg=Order would immediately match and take.");
  CHECK(code_of(parse_open_orders(golden("spot_error_invalid_symbol.json"),
                                  market::spot))
        == code(codec_errc::venue_error));
  CHECK(code_of(parse_account(golden("usdm_error_unknown.json"), market::usdm))
        == code(codec_errc::venue_error));
}

TEST_CASE("open orders decode as a list") {
  auto x = parse_open_orders(golden("spot_open_orders.json"), market::spot);
  REQUIRE(x);
  REQUIRE(x->size() == 1);
  CHECK((*x)[0].client_id == "myOrder1");
  CHECK((*x)[0].px == px("0.1"));
  auto y = parse_open_orders(golden("usdm_open_orders.json"), market::usdm);
  REQUIRE(y);
  REQUIRE(y->size() == 1);
  CHECK((*y)[0].order_id == 1'917'641);
  auto empty = parse_open_orders("[]", market::spot);
  REQUIRE(empty);
  CHECK(empty->empty());
  CHECK(code_of(parse_open_orders(golden("spot_order_query.json"),
                                  market::spot))
        == code(codec_errc::malformed_json));
}

TEST_CASE("spot account answer lists balances") {
  auto x = parse_account(golden("spot_account.json"), market::spot);
  REQUIRE(x);
  REQUIRE(x->balances.size() == 2);
  CHECK(x->balances[0].asset == "BTC");
  CHECK(x->balances[0].free == amount("4723846.89208129"));
  CHECK(x->balances[0].locked == notional{});
  CHECK(x->balances[1].asset == "LTC");
  CHECK(x->balances[1].free == amount("4763368.68006011"));
  CHECK(x->positions.empty());
  CHECK(x->event_time == 123'456'789 * ns_per_ms);
}

TEST_CASE("usdm account answer lists wallet balances and positions") {
  auto x = parse_account(golden("usdm_account.json"), market::usdm);
  REQUIRE(x);
  REQUIRE(x->balances.size() == 2);
  CHECK(x->balances[0].asset == "USDT");
  CHECK(x->balances[0].free == amount("23.72469206"));
  CHECK(x->balances[1].asset == "BUSD");
  CHECK(x->balances[1].free == amount("103.12345678"));
  REQUIRE(x->positions.size() == 1);
  CHECK(x->positions[0].symbol == symbol_id{"BTCUSDT"});
  CHECK(x->positions[0].amount == quantity{});
  CHECK(x->positions[0].entry_price == price{});
  CHECK(x->positions[0].unrealized_pnl == notional{});
}

TEST_CASE("usdm position risk answer gives signed positions") {
  auto x = parse_account(golden("usdm_position_risk.json"), market::usdm);
  REQUIRE(x);
  CHECK(x->balances.empty());
  REQUIRE(x->positions.size() == 2);
  CHECK(x->positions[0].amount == qty("0.001"));
  CHECK(x->positions[0].entry_price == px("22185.2"));
  CHECK(x->positions[0].unrealized_pnl == amount("-1.06214947"));
  CHECK(x->positions[1].amount == quantity{});
  CHECK(code_of(parse_account(golden("usdm_position_risk.json"), market::spot))
        == code(codec_errc::malformed_json));
}

TEST_CASE("executionReport NEW decodes an accepted order") {
  auto x = parse_user_event(golden("spot_execution_report_new.json"),
                            market::spot);
  const auto& o = as<order_update>(x);
  CHECK(o.symbol == symbol_id{"ETHBTC"});
  CHECK(o.client_id == "mUvoqJxFIILMdfAW5iGSOW");
  CHECK(o.orig_client_id.empty());
  CHECK(o.order_id == 4'293'153);
  CHECK(o.sd == side::buy);
  CHECK(o.type == "LIMIT");
  CHECK(o.tif == "GTC");
  CHECK(o.exec == exec_type::new_order);
  CHECK(o.state == order_state::new_order);
  CHECK(o.px == px("0.1026441"));
  CHECK(o.qty == qty("1"));
  CHECK(o.cum_qty == quantity{});
  CHECK(o.last_px == price{});
  CHECK(o.last_qty == quantity{});
  CHECK(o.trade_id == 0);
  CHECK(o.fee == notional{});
  CHECK(o.fee_asset.empty());
  CHECK_FALSE(o.maker);
  CHECK(o.reject_reason.empty());
  CHECK(o.event_time == 1'499'405'658'658 * ns_per_ms);
  CHECK(o.transaction_time == 1'499'405'658'657 * ns_per_ms);
}

TEST_CASE("executionReport TRADE decodes a partial maker fill") {
  auto x = parse_user_event(golden("spot_execution_report_trade.json"),
                            market::spot);
  const auto& o = as<order_update>(x);
  CHECK(o.exec == exec_type::trade);
  CHECK(o.state == order_state::partially_filled);
  CHECK(o.last_qty == qty("0.4"));
  CHECK(o.last_px == px("0.1026441"));
  CHECK(o.cum_qty == qty("0.4"));
  CHECK(o.qty == qty("1"));
  CHECK(o.trade_id == 88);
  CHECK(o.fee == amount("0.0004"));
  CHECK(o.fee_asset == "ETH");
  CHECK(o.maker);
  CHECK(o.transaction_time == 1'499'405'658'699 * ns_per_ms);
}

TEST_CASE("executionReport CANCELED names the order in C") {
  auto x = parse_user_event(golden("spot_execution_report_canceled.json"),
                            market::spot);
  const auto& o = as<order_update>(x);
  CHECK(o.exec == exec_type::canceled);
  CHECK(o.state == order_state::canceled);
  CHECK(o.client_id == "cancel1");
  CHECK(o.orig_client_id == "mUvoqJxFIILMdfAW5iGSOW");
  CHECK(own_client_id(o) == "mUvoqJxFIILMdfAW5iGSOW");
  CHECK(o.cum_qty == qty("0.4"));
}

TEST_CASE("executionReport REJECTED keeps the reject reason") {
  auto text = golden("spot_execution_report_new.json");
  text.replace(text.find("\"x\": \"NEW\""), 10, "\"x\": \"REJECTED\"");
  text.replace(text.find("\"X\": \"NEW\""), 10, "\"X\": \"REJECTED\"");
  text.replace(text.find("\"r\": \"NONE\""), 11,
               "\"r\": \"INSUFFICIENT_BALANCES\"");
  auto x = parse_user_event(text, market::spot);
  const auto& o = as<order_update>(x);
  CHECK(o.exec == exec_type::rejected);
  CHECK(o.state == order_state::rejected);
  CHECK(o.reject_reason == "INSUFFICIENT_BALANCES");
}

TEST_CASE("outboundAccountPosition decodes balances, raw or wrapped") {
  for (auto name : {"spot_outbound_account_position.json",
                    "spot_outbound_account_position_ws_api.json"}) {
    INFO(name);
    auto x = parse_user_event(golden(name), market::spot);
    const auto& a = as<account_update>(x);
    REQUIRE(a.balances.size() == 1);
    CHECK(a.balances[0].asset == "ETH");
    CHECK(a.balances[0].free == amount("10000"));
    CHECK(a.balances[0].locked == notional{});
    CHECK(a.positions.empty());
    CHECK(a.event_time == 1'564'034'571'105 * ns_per_ms);
  }
}

TEST_CASE("listenKeyExpired decodes with E as string or number") {
  auto x = parse_user_event(golden("spot_listen_key_expired.json"),
                            market::spot);
  const auto& s = as<listen_key_expired>(x);
  CHECK(s.listen_key
        == "OfYGbUzi3PraNagEkdKuFwUHn48brFsItTdsuiIXrucEvD0rhRXZ7I6URWfE8YE8");
  CHECK(s.event_time == 1'699'596'037'418 * ns_per_ms);
  auto y = parse_user_event(golden("usdm_listen_key_expired.json"),
                            market::usdm);
  const auto& u = as<listen_key_expired>(y);
  CHECK(u.listen_key
        == "WsCMN0a4KHUPTQuX6IUnqEZfB1inxmv1qR4kbf1LuEjur5VdbzqvyxqG9TSjVVxv");
  CHECK(u.event_time == 1'736'996'475'556 * ns_per_ms);
}

TEST_CASE("ORDER_TRADE_UPDATE NEW decodes the order object") {
  auto x = parse_user_event(golden("usdm_order_trade_update.json"),
                            market::usdm);
  const auto& o = as<order_update>(x);
  CHECK(o.symbol == symbol_id{"BTCUSDT"});
  CHECK(o.client_id == "TEST");
  CHECK(o.sd == side::sell);
  CHECK(o.type == "TRAILING_STOP_MARKET");
  CHECK(o.tif == "GTC");
  CHECK(o.qty == qty("0.001"));
  CHECK(o.px == price{});
  CHECK(o.exec == exec_type::new_order);
  CHECK(o.state == order_state::new_order);
  CHECK(o.order_id == 8'886'774);
  CHECK(o.fee_asset == "USDT");
  CHECK(o.fee == notional{});
  CHECK(o.trade_id == 0);
  CHECK_FALSE(o.maker);
  CHECK_FALSE(o.reduce_only);
  CHECK(o.event_time == 1'568'879'465'651 * ns_per_ms);
  CHECK(o.transaction_time == 1'568'879'465'650 * ns_per_ms);
}

TEST_CASE("ORDER_TRADE_UPDATE TRADE decodes a reduce-only maker fill") {
  auto x = parse_user_event(golden("usdm_order_trade_update_trade.json"),
                            market::usdm);
  const auto& o = as<order_update>(x);
  CHECK(o.client_id == "ag-42");
  CHECK(o.sd == side::buy);
  CHECK(o.tif == "GTX");
  CHECK(o.exec == exec_type::trade);
  CHECK(o.state == order_state::partially_filled);
  CHECK(o.px == px("7100.5"));
  CHECK(o.qty == qty("0.01"));
  CHECK(o.last_qty == qty("0.004"));
  CHECK(o.last_px == px("7100.5"));
  CHECK(o.cum_qty == qty("0.004"));
  CHECK(o.fee == amount("0.0056804"));
  CHECK(o.fee_asset == "USDT");
  CHECK(o.trade_id == 123'456);
  CHECK(o.maker);
  CHECK(o.reduce_only);
}

TEST_CASE("ACCOUNT_UPDATE decodes wallet balances and signed positions") {
  auto x = parse_user_event(golden("usdm_account_update.json"), market::usdm);
  const auto& a = as<account_update>(x);
  CHECK(a.event_time == 1'564'745'798'939 * ns_per_ms);
  REQUIRE(a.balances.size() == 2);
  CHECK(a.balances[0].asset == "USDT");
  CHECK(a.balances[0].free == amount("122624.12345678"));
  CHECK(a.balances[1].asset == "BUSD");
  CHECK(a.balances[1].free == amount("1"));
  REQUIRE(a.positions.size() == 3);
  CHECK(a.positions[0].amount == quantity{});
  CHECK(a.positions[1].symbol == symbol_id{"BTCUSDT"});
  CHECK(a.positions[1].amount == qty("20"));
  CHECK(a.positions[1].entry_price == px("6563.665"));
  CHECK(a.positions[1].unrealized_pnl == amount("2850.212"));
  CHECK(a.positions[2].amount == qty("-10"));
  CHECK(a.positions[2].entry_price == px("6563.86"));
  CHECK(a.positions[2].unrealized_pnl == amount("-1423.156"));
}

TEST_CASE("a funding-fee ACCOUNT_UPDATE may carry no positions") {
  auto x = parse_user_event(
    R"({"e":"ACCOUNT_UPDATE","E":1,"T":1,"a":{"m":"FUNDING_FEE","B":[{"a":"USDT","wb":"-0.5","cw":"0","bc":"0"}]}})",
    market::usdm);
  const auto& a = as<account_update>(x);
  REQUIRE(a.balances.size() == 1);
  CHECK(a.balances[0].free == amount("-0.5"));
  CHECK(a.positions.empty());
}

TEST_CASE("other user events and other markets' events are unknown") {
  CHECK(code_of(parse_user_event(golden("spot_balance_update.json"),
                                 market::spot))
        == code(codec_errc::unknown_event));
  CHECK(code_of(parse_user_event(golden("usdm_margin_call.json"),
                                 market::usdm))
        == code(codec_errc::unknown_event));
  CHECK(code_of(parse_user_event(R"({"e":"TRADE_LITE","E":1})", market::usdm))
        == code(codec_errc::unknown_event));
  CHECK(code_of(parse_user_event(
          R"({"subscriptionId":0,"event":{"e":"eventStreamTerminated","E":1}})",
          market::spot))
        == code(codec_errc::unknown_event));
  CHECK(code_of(parse_user_event(golden("spot_execution_report_new.json"),
                                 market::usdm))
        == code(codec_errc::unknown_event));
  CHECK(code_of(parse_user_event(golden("usdm_order_trade_update.json"),
                                 market::spot))
        == code(codec_errc::unknown_event));
  CHECK(code_of(parse_user_event(R"({"result":null,"id":7})", market::spot))
        == code(codec_errc::unknown_event));
}

TEST_CASE("exec and state names map onto the enums") {
  auto with = [](const char* x, const char* st) {
    auto text = golden("spot_execution_report_new.json");
    text.replace(text.find("\"x\": \"NEW\""), 10,
                 std::string{"\"x\": \""} + x + "\"");
    text.replace(text.find("\"X\": \"NEW\""), 10,
                 std::string{"\"X\": \""} + st + "\"");
    auto r = parse_user_event(text, market::spot);
    REQUIRE(r);
    return std::get<order_update>(*r);
  };
  CHECK(with("EXPIRED", "EXPIRED").exec == exec_type::expired);
  CHECK(with("EXPIRED", "EXPIRED").state == order_state::expired);
  CHECK(with("TRADE_PREVENTION", "EXPIRED_IN_MATCH").exec == exec_type::expired);
  CHECK(with("TRADE_PREVENTION", "EXPIRED_IN_MATCH").state
        == order_state::expired);
  CHECK(with("REPLACED", "NEW").exec == exec_type::amendment);
  CHECK(with("AMENDMENT", "NEW").exec == exec_type::amendment);
  CHECK(with("CALCULATED", "FILLED").exec == exec_type::trade);
  CHECK(with("CALCULATED", "FILLED").state == order_state::filled);
  CHECK(with("SOMETHING", "PENDING_NEW").exec == exec_type::other);
  CHECK(with("SOMETHING", "PENDING_NEW").state == order_state::other);
  CHECK(with("NEW", "PENDING_CANCEL").state == order_state::pending_cancel);
}
