#include <catch2/catch.hpp>

#include <cctype>
#include <random>
#include <string>
#include <vector>

#include "golden.hpp"
#include "venues/binance/codec.hpp"
#include "venues/binance/errors.hpp"
#include "venues/binance/orders.hpp"

using namespace agora;
using namespace agora::binance;
using namespace agora::binance::test;

namespace {

const venue_id venue{"binance"};
constexpr nanos local = 1'700'000'000'000'000'000;

/// What a golden file is, i.e. which parser reads it.
enum class kind { stream, snapshot, exchange_info, server_time, order,
                  open_orders, account, user, error };

struct golden_file {
  const char* name;
  market m;
  kind k;
};

const std::vector<golden_file> all_golden = {
  {"spot_depth_update.json", market::spot, kind::stream},
  {"spot_combined_depth_update.json", market::spot, kind::stream},
  {"spot_book_ticker.json", market::spot, kind::stream},
  {"spot_agg_trade.json", market::spot, kind::stream},
  {"spot_subscribe_reply.json", market::spot, kind::stream},
  {"spot_depth_snapshot.json", market::spot, kind::snapshot},
  {"spot_server_time.json", market::spot, kind::server_time},
  {"spot_exchange_info.json", market::spot, kind::exchange_info},
  {"spot_order_ack.json", market::spot, kind::order},
  {"spot_order_result.json", market::spot, kind::order},
  {"spot_order_full.json", market::spot, kind::order},
  {"spot_order_query.json", market::spot, kind::order},
  {"spot_order_cancel.json", market::spot, kind::order},
  {"spot_open_orders.json", market::spot, kind::open_orders},
  {"spot_account.json", market::spot, kind::account},
  {"spot_execution_report_new.json", market::spot, kind::user},
  {"spot_execution_report_trade.json", market::spot, kind::user},
  {"spot_execution_report_canceled.json", market::spot, kind::user},
  {"spot_outbound_account_position.json", market::spot, kind::user},
  {"spot_outbound_account_position_ws_api.json", market::spot, kind::user},
  {"spot_balance_update.json", market::spot, kind::user},
  {"spot_listen_key_expired.json", market::spot, kind::user},
  {"spot_error_invalid_symbol.json", market::spot, kind::error},
  {"spot_error_would_match.json", market::spot, kind::error},
  {"spot_error_unknown_order.json", market::spot, kind::error},
  {"usdm_depth_update.json", market::usdm, kind::stream},
  {"usdm_book_ticker.json", market::usdm, kind::stream},
  {"usdm_agg_trade.json", market::usdm, kind::stream},
  {"usdm_mark_price.json", market::usdm, kind::stream},
  {"usdm_combined_mark_price.json", market::usdm, kind::stream},
  {"usdm_depth_snapshot.json", market::usdm, kind::snapshot},
  {"usdm_server_time.json", market::usdm, kind::server_time},
  {"usdm_exchange_info.json", market::usdm, kind::exchange_info},
  {"usdm_order_query.json", market::usdm, kind::order},
  {"usdm_order_cancel.json", market::usdm, kind::order},
  {"usdm_open_orders.json", market::usdm, kind::open_orders},
  {"usdm_account.json", market::usdm, kind::account},
  {"usdm_position_risk.json", market::usdm, kind::account},
  {"usdm_order_trade_update.json", market::usdm, kind::user},
  {"usdm_order_trade_update_trade.json", market::usdm, kind::user},
  {"usdm_account_update.json", market::usdm, kind::user},
  {"usdm_listen_key_expired.json", market::usdm, kind::user},
  {"usdm_margin_call.json", market::usdm, kind::user},
  {"usdm_error_gtx.json", market::usdm, kind::error},
  {"usdm_error_unknown.json", market::usdm, kind::error},
};

/// Runs the parser that reads files of kind `k`; true if it accepted.
bool feed(std::string_view text, market m, kind k) {
  switch (k) {
    case kind::stream:
      return static_cast<bool>(parse_stream(text, m, venue, local));
    case kind::snapshot:
      return static_cast<bool>(
        parse_depth_snapshot(text, venue, symbol_id{"X"}, local));
    case kind::exchange_info:
      return static_cast<bool>(
        parse_exchange_info(text, m, venue, rate{}, rate{}));
    case kind::server_time:
      return static_cast<bool>(parse_server_time(text));
    case kind::order:
      return static_cast<bool>(parse_order(text, m));
    case kind::open_orders:
      return static_cast<bool>(parse_open_orders(text, m));
    case kind::account:
      return static_cast<bool>(parse_account(text, m));
    case kind::user:
      return static_cast<bool>(parse_user_event(text, m));
    case kind::error:
      return parse_rest_error(text).has_value()
             || classify(400, text, std::nullopt, m).code != 0;
  }
  return false;
}

/// Runs every parser on `text` for both markets; returns how many accepted.
int feed_all(std::string_view text) {
  int ok = 0;
  for (auto m : {market::spot, market::usdm}) {
    ok += parse_stream(text, m, venue, local) ? 1 : 0;
    ok += parse_order(text, m) ? 1 : 0;
    ok += parse_open_orders(text, m) ? 1 : 0;
    ok += parse_account(text, m) ? 1 : 0;
    ok += parse_user_event(text, m) ? 1 : 0;
    ok += parse_exchange_info(text, m, venue, rate{}, rate{}) ? 1 : 0;
    ok += classify(400, text, std::nullopt, m).code != 0 ? 1 : 0;
  }
  ok += parse_depth_snapshot(text, venue, symbol_id{"X"}, local) ? 1 : 0;
  ok += parse_server_time(text) ? 1 : 0;
  ok += parse_rest_error(text) ? 1 : 0;
  return ok;
}


/// Feeds every prefix of golden file `f` to its parser, which must refuse
/// each one (the whole file is accepted, except events the codec ignores).
void check_prefixes(const golden_file& f) {
  INFO(f.name);
  auto text = golden(f.name);
  std::string_view name{f.name};
  bool ignored = name == "spot_subscribe_reply.json"
                 || name == "spot_balance_update.json"
                 || name == "usdm_margin_call.json";
  REQUIRE(feed(text, f.m, f.k) == !ignored);
  // A strict prefix of a JSON object or array is never valid JSON. A prefix
  // ending in whitespace parses like the one before it: skipped.
  auto end = text.find_last_not_of(" \t\r\n");
  for (size_t n = 0; n <= end; ++n) {
    if (n > 0 && std::isspace(static_cast<unsigned char>(text[n - 1])))
      continue;
    std::string prefix = text.substr(0, n); // own buffer: ASan sees overreads
    REQUIRE_FALSE(feed(prefix, f.m, f.k));
  }
}

} // namespace

TEST_CASE("every prefix of every stream and user payload is refused") {
  for (const auto& f : all_golden)
    if (f.k == kind::stream || f.k == kind::user)
      check_prefixes(f);
}

TEST_CASE("every prefix of every REST answer is refused") {
  for (const auto& f : all_golden)
    if (f.k != kind::stream && f.k != kind::user
        && f.k != kind::exchange_info)
      check_prefixes(f);
}

TEST_CASE("every prefix of the spot exchange info is refused") {
  check_prefixes({"spot_exchange_info.json", market::spot,
                  kind::exchange_info});
}

TEST_CASE("every prefix of the usdm exchange info is refused") {
  check_prefixes({"usdm_exchange_info.json", market::usdm,
                  kind::exchange_info});
}

TEST_CASE("random byte mutations of golden files never crash the parsers") {
  std::mt19937 rng{7};
  const std::string alphabet = "{}[]\",:-.0123456789eE \\tfnu";
  for (const auto& f : all_golden) {
    auto text = golden(f.name);
    for (int i = 0; i < 20; ++i) {
      auto mutated = text;
      auto k = 1 + rng() % 4;
      for (unsigned j = 0; j < k; ++j)
        mutated[rng() % mutated.size()] = alphabet[rng() % alphabet.size()];
      feed_all(mutated);
    }
  }
  SUCCEED("no crash");
}

TEST_CASE("not JSON and the wrong top level are malformed") {
  for (auto m : {market::spot, market::usdm}) {
    CHECK(code_of(parse_stream("", m, venue, local))
          == code(codec_errc::malformed_json));
    CHECK(code_of(parse_stream("not json", m, venue, local))
          == code(codec_errc::malformed_json));
    CHECK(code_of(parse_stream("[1,2]", m, venue, local))
          == code(codec_errc::malformed_json));
    CHECK(code_of(parse_user_event("42", m)) == code(codec_errc::malformed_json));
    CHECK(code_of(parse_order("[]", m)) == code(codec_errc::malformed_json));
    CHECK(code_of(parse_account("\"x\"", m))
          == code(codec_errc::malformed_json));
  }
  CHECK(code_of(parse_stream("{\"e\":\"depthUpdate\xff\"}", market::spot,
                             venue, local))
        == code(codec_errc::malformed_json));
}

TEST_CASE("wrong types are refused with wrong_type") {
  auto depth = [](const std::string& body) {
    return code_of(parse_stream("{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"X\","
                                  + body + "}",
                                market::spot, venue, local));
  };
  CHECK(depth(R"("U":"157","u":160,"b":[],"a":[])")
        == code(codec_errc::wrong_type));
  CHECK(depth(R"("U":-1,"u":160,"b":[],"a":[])")
        == code(codec_errc::wrong_type));
  CHECK(depth(R"("U":1.5,"u":160,"b":[],"a":[])")
        == code(codec_errc::wrong_type));
  CHECK(depth(R"("U":157,"u":160,"b":{},"a":[])")
        == code(codec_errc::wrong_type));
  CHECK(depth(R"("U":157,"u":160,"b":[["1"]],"a":[])")
        == code(codec_errc::wrong_type));
  CHECK(depth(R"("U":157,"u":160,"b":[[1.5,"2"]],"a":[])")
        == code(codec_errc::wrong_type));
  CHECK(depth(R"("U":157,"u":160,"b":[],"a":[],"x":1)") == 0);
  CHECK(code_of(parse_stream(R"({"e":5})", market::spot, venue, local))
        == code(codec_errc::wrong_type));
  CHECK(code_of(parse_stream(R"({"stream":"x","data":[1]})", market::spot,
                             venue, local))
        == code(codec_errc::missing_field));
  CHECK(code_of(parse_stream(R"({"e":"aggTrade","E":1,"s":"X","a":1,"p":"1","q":"1","m":"true"})",
                             market::spot, venue, local))
        == code(codec_errc::wrong_type));
  CHECK(code_of(parse_user_event(R"({"e":"executionReport","E":1,"s":"X","c":"a","S":"HOLD"})",
                                 market::spot))
        == code(codec_errc::wrong_type));
  CHECK(code_of(parse_user_event(R"({"e":"listenKeyExpired","E":"17x","listenKey":"k"})",
                                 market::spot))
        == code(codec_errc::wrong_type));
  CHECK(code_of(parse_user_event(R"({"e":"ORDER_TRADE_UPDATE","E":1,"o":[]})",
                                 market::usdm))
        == code(codec_errc::wrong_type));
}

TEST_CASE("missing fields are refused with missing_field") {
  auto text = golden("spot_depth_update.json");
  for (const char* key : {"\"E\"", "\"s\"", "\"U\"", "\"u\"", "\"b\"", "\"a\""}) {
    INFO(key);
    auto broken = text;
    broken.replace(broken.find(key), 3, "\"_\"");
    CHECK(code_of(parse_stream(broken, market::spot, venue, local))
          == code(codec_errc::missing_field));
  }
  auto otu = golden("usdm_order_trade_update_trade.json");
  for (const char* key : {"\"x\"", "\"X\"", "\"i\"", "\"l\"", "\"z\"", "\"L\"",
                          "\"t\"", "\"m\"", "\"R\""}) {
    INFO(key);
    auto broken = otu;
    broken.replace(broken.find(key), 3, "\"_\"");
    CHECK(code_of(parse_user_event(broken, market::usdm))
          == code(codec_errc::missing_field));
  }
  CHECK(code_of(parse_order(R"({"symbol":"X","clientOrderId":"a"})",
                            market::spot))
        == code(codec_errc::missing_field));
  CHECK(code_of(parse_account(R"({"assets":[]})", market::usdm))
        == code(codec_errc::missing_field));
  CHECK(code_of(parse_account(R"({"balances":[{"asset":"BTC","free":"1"}]})",
                              market::spot))
        == code(codec_errc::missing_field));
}

TEST_CASE("negative and garbage decimals are refused with bad_decimal") {
  auto level = [](const char* p, const char* q) {
    return code_of(parse_stream(
      std::string{R"({"e":"depthUpdate","E":1,"s":"X","U":1,"u":2,"b":[[")"}
        + p + "\",\"" + q + "\"]],\"a\":[]}",
      market::spot, venue, local));
  };
  CHECK(level("1.5", "2") == 0);
  CHECK(level("-1.5", "2") == code(codec_errc::bad_decimal));
  CHECK(level("1.5", "-2") == code(codec_errc::bad_decimal));
  CHECK(level("abc", "2") == code(codec_errc::bad_decimal));
  CHECK(level("1e5", "2") == code(codec_errc::bad_decimal));
  CHECK(level("", "2") == code(codec_errc::bad_decimal));
  CHECK(level("1.000000001", "2") == code(codec_errc::bad_decimal));
  CHECK(level("99999999999999999999", "2") == code(codec_errc::bad_decimal));
  CHECK(level("NaN", "2") == code(codec_errc::bad_decimal));
  CHECK(code_of(parse_order(R"({"symbol":"X","orderId":1,"clientOrderId":"a","price":"-1"})",
                            market::spot))
        == code(codec_errc::bad_decimal));
  CHECK(code_of(parse_stream(R"({"e":"markPriceUpdate","E":1,"s":"X","p":"1","i":"1","r":"0.0.1","T":1})",
                             market::usdm, venue, local))
        == code(codec_errc::bad_decimal));
  // Signed fields accept a sign.
  CHECK(parse_account(R"([{"symbol":"X","positionAmt":"-1.5","entryPrice":"2","unRealizedProfit":"-0.1"}])",
                      market::usdm));
  CHECK(code_of(parse_account(R"([{"symbol":"X","positionAmt":"-1.5","entryPrice":"-2","unRealizedProfit":"0"}])",
                              market::usdm))
        == code(codec_errc::bad_decimal));
}

TEST_CASE("times beyond the nanosecond range are refused") {
  CHECK(code_of(parse_stream(R"({"e":"aggTrade","E":18446744073709551615,"s":"X","a":1,"p":"1","q":"1","m":true})",
                             market::spot, venue, local))
        == code(codec_errc::wrong_type));
  CHECK(code_of(parse_stream(R"({"e":"aggTrade","E":9223372036855,"s":"X","a":1,"p":"1","q":"1","m":true})",
                             market::spot, venue, local))
        == code(codec_errc::wrong_type));
  CHECK(parse_stream(R"({"e":"aggTrade","E":9223372036854,"s":"X","a":1,"p":"1","q":"1","m":true})",
                     market::spot, venue, local));
}

TEST_CASE("invalid UTF-8 is malformed; valid non-ASCII text parses") {
  // The parser checks UTF-8 only when a frame is not pure ASCII: both
  // outcomes of that check, on a book ticker with an extra string member.
  auto ticker = [](const std::string& extra) {
    return std::string{"{\"u\":400900217,\"s\":\"BNBUSDT\",\"b\":\"25.35190000\","
                       "\"B\":\"31.21000000\",\"a\":\"25.36520000\",\"A\":\"40.66000000\","
                       "\"note\":\""}
           + extra + "\"}";
  };
  CHECK(parse_stream(ticker("plain"), market::spot, venue, local));
  CHECK(parse_stream(ticker("caf\xc3\xa9"), market::spot, venue, local)); // "café"
  CHECK(code_of(parse_stream(ticker("caf\xc3"), market::spot, venue, local))
        == code(codec_errc::malformed_json)); // a truncated sequence
  CHECK(code_of(parse_stream(ticker("\xff\xfe"), market::spot, venue, local))
        == code(codec_errc::malformed_json));
}
