#include <catch2/catch.hpp>

#include <caf/message.hpp>

#include "golden.hpp"
#include "venues/binance/codec.hpp"

using namespace agora;
using namespace agora::binance;
using namespace agora::binance::test;

namespace {

const venue_id spot_venue{"binance"};
const venue_id usdm_venue{"binance-usdm"};
constexpr nanos local = 1'700'000'000'123'456'789;

template <class T>
const T& as(const caf::expected<stream_event>& x) {
  REQUIRE(x);
  REQUIRE(std::holds_alternative<T>(*x));
  return std::get<T>(*x);
}

} // namespace

TEST_CASE("spot diff depth payload decodes to a book delta") {
  auto x = parse_stream(golden("spot_depth_update.json"), market::spot,
                        spot_venue, local);
  const auto& d = as<book_delta>(x);
  CHECK(d.venue == spot_venue);
  CHECK(d.symbol == symbol_id{"BNBBTC"});
  CHECK(d.first_update_id == 157);
  CHECK(d.last_update_id == 160);
  CHECK(d.prev_last_update_id == 0);
  REQUIRE(d.bids.size() == 1);
  CHECK(d.bids[0] == book_level{px("0.0024"), qty("10")});
  REQUIRE(d.asks.size() == 1);
  CHECK(d.asks[0] == book_level{px("0.0026"), qty("100")});
  CHECK(d.venue_time == 1'672'515'782'136 * ns_per_ms);
  CHECK(d.local_time == local);
}

TEST_CASE("usdm diff depth payload carries the previous final update id") {
  auto x = parse_stream(golden("usdm_depth_update.json"), market::usdm,
                        usdm_venue, local);
  const auto& d = as<book_delta>(x);
  CHECK(d.symbol == symbol_id{"BTCUSDT"});
  CHECK(d.first_update_id == 157);
  CHECK(d.last_update_id == 160);
  CHECK(d.prev_last_update_id == 149);
  CHECK(d.bids == std::vector<book_level>{{px("0.0024"), qty("10")}});
  CHECK(d.asks == std::vector<book_level>{{px("0.0026"), qty("100")}});
  CHECK(d.venue_time == 123'456'789 * ns_per_ms);
}

TEST_CASE("usdm diff depth without pu is refused, spot accepts it") {
  auto spot_text = golden("spot_depth_update.json");
  CHECK(code_of(parse_stream(spot_text, market::usdm, usdm_venue, local))
        == code(codec_errc::missing_field));
  CHECK(parse_stream(spot_text, market::spot, spot_venue, local));
}

TEST_CASE("combined stream wrapper is unwrapped") {
  auto x = parse_stream(golden("spot_combined_depth_update.json"),
                        market::spot, spot_venue, local);
  const auto& d = as<book_delta>(x);
  CHECK(d.symbol == symbol_id{"BNBBTC"});
  CHECK(d.last_update_id == 160);
  auto y = parse_stream(golden("usdm_combined_mark_price.json"), market::usdm,
                        usdm_venue, local);
  CHECK(as<funding_update>(y).funding_rate == rt("-0.000125"));
}

TEST_CASE("spot book ticker without an event type decodes by its shape") {
  auto x = parse_stream(golden("spot_book_ticker.json"), market::spot,
                        spot_venue, local);
  const auto& t = as<book_ticker>(x);
  CHECK(t.symbol == symbol_id{"BNBUSDT"});
  CHECK(t.update_id == 400'900'217);
  CHECK(t.bid == book_level{px("25.3519"), qty("31.21")});
  CHECK(t.ask == book_level{px("25.3652"), qty("40.66")});
  CHECK(t.venue_time == 0);
  CHECK(t.local_time == local);
}

TEST_CASE("usdm book ticker carries its event time") {
  auto x = parse_stream(golden("usdm_book_ticker.json"), market::usdm,
                        usdm_venue, local);
  const auto& t = as<book_ticker>(x);
  CHECK(t.symbol == symbol_id{"BNBUSDT"});
  CHECK(t.update_id == 400'900'217);
  CHECK(t.bid == book_level{px("25.3519"), qty("31.21")});
  CHECK(t.ask == book_level{px("25.3652"), qty("40.66")});
  CHECK(t.venue_time == 1'568'014'460'893 * ns_per_ms);
}

TEST_CASE("aggregate trade with buyer as maker was a sell aggression") {
  auto x = parse_stream(golden("spot_agg_trade.json"), market::spot,
                        spot_venue, local);
  const auto& t = as<trade_tick>(x);
  CHECK(t.symbol == symbol_id{"BNBBTC"});
  CHECK(t.id == trade_id{12345});
  CHECK(t.px == px("0.001"));
  CHECK(t.qty == qty("100"));
  CHECK(t.aggressor == side::sell);
  CHECK(t.venue_time == 1'672'515'782'136 * ns_per_ms);
  auto y = parse_stream(golden("usdm_agg_trade.json"), market::usdm,
                        usdm_venue, local);
  const auto& u = as<trade_tick>(y);
  CHECK(u.id == trade_id{5'933'014});
  CHECK(u.symbol == symbol_id{"BTCUSDT"});
  CHECK(u.aggressor == side::sell);
  CHECK(u.venue_time == 123'456'789 * ns_per_ms);
}

TEST_CASE("aggregate trade with seller as maker was a buy aggression") {
  auto text = golden("spot_agg_trade.json");
  text.replace(text.find("\"m\": true"), 9, "\"m\": false");
  auto x = parse_stream(text, market::spot, spot_venue, local);
  CHECK(as<trade_tick>(x).aggressor == side::buy);
}

TEST_CASE("mark price update decodes to a funding update") {
  auto x = parse_stream(golden("usdm_mark_price.json"), market::usdm,
                        usdm_venue, local);
  const auto& f = as<funding_update>(x);
  CHECK(f.venue == usdm_venue);
  CHECK(f.symbol == symbol_id{"BTCUSDT"});
  CHECK(f.mark == px("11794.15"));
  CHECK(f.index == px("11784.62659091"));
  CHECK(f.funding_rate == rt("0.00038167"));
  CHECK(f.next_funding_time == 1'562'306'400'000 * ns_per_ms);
  CHECK(f.venue_time == 1'562'305'380'000 * ns_per_ms);
  CHECK(f.local_time == local);
}

TEST_CASE("mark price of a delivery contract has no funding rate") {
  auto x = parse_stream(
    R"({"e":"markPriceUpdate","E":1,"s":"BTCUSDT_250926","p":"1.5","i":"1.4","P":"1.45","r":"","T":0})",
    market::usdm, usdm_venue, local);
  const auto& f = as<funding_update>(x);
  CHECK(f.funding_rate == rate{});
  CHECK(f.next_funding_time == 0);
}

TEST_CASE("subscription replies and other events are unknown events") {
  CHECK(code_of(parse_stream(golden("spot_subscribe_reply.json"),
                             market::spot, spot_venue, local))
        == code(codec_errc::unknown_event));
  CHECK(code_of(parse_stream(R"({"result":["btcusdt@aggTrade"],"id":3})",
                             market::spot, spot_venue, local))
        == code(codec_errc::unknown_event));
  CHECK(code_of(parse_stream(
          R"({"e":"kline","E":1672515782136,"s":"BNBBTC","k":{}})",
          market::spot, spot_venue, local))
        == code(codec_errc::unknown_event));
  auto err = parse_stream(R"({"code": 0, "msg": "Unknown property","id": 5})",
                          market::spot, spot_venue, local);
  CHECK(code_of(err) == code(codec_errc::venue_error));
}

TEST_CASE("codec errors carry the binance category, a name and a detail") {
  auto err = make_error(codec_errc::missing_field, "missing \"u\"");
  CHECK(err.category() == caf::atom("binance"));
  CHECK(err.code() == 2);
  CHECK(err.context().match_elements<std::string>());
  CHECK(err.context().get_as<std::string>(0) == "missing \"u\"");
  CHECK(std::string{to_string(codec_errc::malformed_json)} == "malformed_json");
  CHECK(std::string{to_string(codec_errc::venue_error)} == "venue_error");
  CHECK(static_cast<int>(codec_errc::venue_error) == 6);
  CHECK(std::string{to_string(market::spot)} == "spot");
  CHECK(std::string{to_string(market::usdm)} == "usdm");
}

TEST_CASE("spot depth snapshot has no venue time") {
  auto x = parse_depth_snapshot(golden("spot_depth_snapshot.json"), spot_venue,
                                symbol_id{"BNBBTC"}, local);
  REQUIRE(x);
  CHECK(x->venue == spot_venue);
  CHECK(x->symbol == symbol_id{"BNBBTC"});
  CHECK(x->last_update_id == 1'027'024);
  CHECK(x->bids == std::vector<book_level>{{px("4"), qty("431")}});
  CHECK(x->asks == std::vector<book_level>{{px("4.000002"), qty("12")}});
  CHECK(x->venue_time == 0);
  CHECK(x->local_time == local);
}

TEST_CASE("usdm depth snapshot takes its venue time from E") {
  auto x = parse_depth_snapshot(golden("usdm_depth_snapshot.json"), usdm_venue,
                                symbol_id{"BTCUSDT"}, local);
  REQUIRE(x);
  CHECK(x->last_update_id == 1'027'024);
  CHECK(x->venue_time == 1'589'436'922'972 * ns_per_ms);
  CHECK(x->bids.size() == 1);
  CHECK(x->asks.size() == 1);
}

TEST_CASE("a depth snapshot request that failed is a venue error") {
  CHECK(code_of(parse_depth_snapshot(golden("spot_error_invalid_symbol.json"),
                                     spot_venue, symbol_id{"X"}, local))
        == code(codec_errc::venue_error));
}

TEST_CASE("spot exchange info keeps trading symbols with their filters") {
  auto x = parse_exchange_info(golden("spot_exchange_info.json"), market::spot,
                               spot_venue, rt("0.001"), rt("0.0015"));
  REQUIRE(x);
  REQUIRE(x->size() == 2);
  const auto& eth = (*x)[0];
  CHECK(eth.venue == spot_venue);
  CHECK(eth.symbol == symbol_id{"ETHBTC"});
  CHECK(eth.tick == px("0.000001"));
  CHECK(eth.lot == qty("0.001"));
  CHECK(eth.min_notional == amount("10"));
  CHECK(eth.maker_fee == rt("0.001"));
  CHECK(eth.taker_fee == rt("0.0015"));
  CHECK_FALSE(eth.perpetual);
  const auto& ltc = (*x)[1];
  CHECK(ltc.symbol == symbol_id{"LTCBTC"});
  CHECK(ltc.min_notional == amount("0.001")); // older MIN_NOTIONAL filter
}

TEST_CASE("usdm exchange info keeps perpetuals only") {
  auto x = parse_exchange_info(golden("usdm_exchange_info.json"), market::usdm,
                               usdm_venue, rt("0.0002"), rt("0.0005"));
  REQUIRE(x);
  REQUIRE(x->size() == 2);
  const auto& blz = (*x)[0];
  CHECK(blz.symbol == symbol_id{"BLZUSDT"});
  CHECK(blz.tick == px("0.0001"));
  CHECK(blz.lot == qty("1"));
  CHECK(blz.min_notional == amount("5"));
  CHECK(blz.perpetual);
  CHECK(blz.maker_fee == rt("0.0002"));
  CHECK(blz.taker_fee == rt("0.0005"));
  const auto& eth = (*x)[1];
  CHECK(eth.symbol == symbol_id{"ETHUSDT"});
  CHECK(eth.tick == px("0.01"));
  CHECK(eth.lot == qty("0.001"));
  CHECK(eth.min_notional == amount("20"));
}

TEST_CASE("exchange info refuses a trading symbol without a price filter") {
  auto x = parse_exchange_info(
    R"({"symbols":[{"symbol":"A","status":"TRADING","filters":[{"filterType":"LOT_SIZE","stepSize":"1"}]}]})",
    market::spot, spot_venue, rate{}, rate{});
  CHECK(code_of(x) == code(codec_errc::missing_field));
  auto y = parse_exchange_info(R"({"symbols":{}})", market::spot, spot_venue,
                               rate{}, rate{});
  CHECK(code_of(y) == code(codec_errc::wrong_type));
}

TEST_CASE("exchange info skips symbols whose tick rounding is disabled") {
  auto x = parse_exchange_info(
    R"({"symbols":[{"symbol":"A","status":"TRADING","filters":[)"
    R"({"filterType":"PRICE_FILTER","tickSize":"0.00000000"},)"
    R"({"filterType":"LOT_SIZE","stepSize":"1"}]}]})",
    market::spot, spot_venue, rate{}, rate{});
  REQUIRE(x);
  CHECK(x->empty());
}

TEST_CASE("server time decodes to milliseconds") {
  auto x = parse_server_time(golden("spot_server_time.json"));
  REQUIRE(x);
  CHECK(*x == 1'499'827'319'559);
  CHECK(code_of(parse_server_time(R"({"serverTime":"1"})"))
        == code(codec_errc::wrong_type));
  CHECK(code_of(parse_server_time(R"({})")) == code(codec_errc::missing_field));
}

TEST_CASE("rest error bodies decode to code and message") {
  auto e = parse_rest_error(golden("spot_error_invalid_symbol.json"));
  REQUIRE(e);
  CHECK(e->code == -1121);
  CHECK(e->msg == "Invalid symbol.");
  auto g = parse_rest_error(golden("usdm_error_gtx.json"));
  REQUIRE(g);
  CHECK(g->code == -5022);
  CHECK_FALSE(parse_rest_error(golden("spot_order_result.json")));
  CHECK_FALSE(parse_rest_error("<html>502 Bad Gateway</html>"));
  CHECK_FALSE(parse_rest_error(""));
  CHECK_FALSE(parse_rest_error(R"({"code":"-1121","msg":"x"})"));
}
