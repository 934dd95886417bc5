#pragma once

#include <cstdint>
#include <optional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/market_data.hpp"
#include "messages/time.hpp"
#include "venues/binance/market.hpp"

// Binance market-data payloads (WebSocket streams) and REST answers decoded
// into Agora value types. Pure: no I/O, no clock, never throws on bad input.
// Decimals are parsed exactly from their JSON strings (never through double);
// millisecond times become nanoseconds. Unknown members are ignored.

namespace agora::binance {

/// Why a Binance payload did not decode. Codes of the CAF error category
/// "binance"; the message context holds a human-readable detail string.
enum class codec_errc : uint8_t {
  malformed_json = 1, ///< Not JSON, or the top level has the wrong shape.
  missing_field,      ///< A required member is absent.
  wrong_type,         ///< A member has the wrong JSON type or range.
  bad_decimal,        ///< A decimal string did not parse (or is negative).
  unknown_event,      ///< An event type this codec does not decode (also
                      ///< subscription replies such as {"result":null,"id":1}).
  venue_error,        ///< The body is a Binance error {"code":..,"msg":..}.
};

/// Returns a short, stable name for `x`.
const char* to_string(codec_errc x) noexcept;

/// A CAF error of category `binance` with `code` and a detail string.
caf::error make_error(codec_errc code, std::string detail);

/// What one market-data stream payload holds.
using stream_event = std::variant<book_delta, book_ticker, trade_tick,
                                  funding_update>;

/// Parses one stream payload, raw or in the combined-stream wrapper
/// {"stream":"btcusdt@depth@100ms","data":{...}}:
/// - depthUpdate -> book_delta ("U", "u"; USD-M "pu" -> prev_last_update_id;
///   venue time from "E");
/// - bookTicker -> book_ticker (spot has no "e": recognised by "u","s","b",
///   "B","a","A", venue time 0; USD-M has "e":"bookTicker" and "E");
/// - aggTrade -> trade_tick (id from "a"; "m" true -> the aggressor sold);
/// - trade -> trade_tick (id from "t"; the raw trade stream recordings carry);
/// - markPriceUpdate (USD-M) -> funding_update ("p", "i", "r", "T").
/// Anything else, including replies to SUBSCRIBE, is `unknown_event`.
/// `venue` and `local_time` are stamped on the result.
caf::expected<stream_event> parse_stream(std::string_view text, market m,
                                         const venue_id& venue,
                                         nanos local_time);

/// Parses GET /api/v3/depth or /fapi/v1/depth: "lastUpdateId", "bids",
/// "asks" (USD-M also "E", which becomes venue time; 0 without it).
caf::expected<book_snapshot> parse_depth_snapshot(std::string_view text,
                                                  const venue_id& venue,
                                                  const symbol_id& symbol,
                                                  nanos local_time);

/// Parses GET /api/v3/exchangeInfo or /fapi/v1/exchangeInfo into the specs
/// of the symbols with status TRADING: tick from PRICE_FILTER "tickSize",
/// lot from LOT_SIZE "stepSize", min notional from NOTIONAL "minNotional"
/// (spot; MIN_NOTIONAL "minNotional" on older answers) or MIN_NOTIONAL
/// "notional" (USD-M). USD-M keeps only contractType PERPETUAL (perpetual =
/// true). Fees are not part of exchangeInfo: they come from the arguments.
caf::expected<std::vector<instrument_spec>>
parse_exchange_info(std::string_view text, market m, const venue_id& venue,
                    rate maker_fee, rate taker_fee);

/// The base asset of each symbol in an exchangeInfo answer ("BTCUSDT" ->
/// "BTC"), for reconciling spot balances with fills.
caf::expected<std::map<std::string, std::string>> parse_base_assets(std::string_view text);

/// Parses GET /api/v3/time or /fapi/v1/time: {"serverTime": ms}.
caf::expected<int64_t> parse_server_time(std::string_view text);

/// A REST depth snapshot as a recording stores it, naming its symbol:
/// {"stream":"<symbol, lower case>@depthSnapshot","data":<body>} (the
/// replay feed serves it to the symbol's book; see venues/replay).
std::string recorded_snapshot(std::string_view symbol, std::string_view body);

/// A Binance error body.
struct rest_error {
  int code = 0;
  std::string msg;
};

/// Parses {"code":-2010,"msg":"..."}; nullopt for anything else (including
/// bodies that are not JSON).
std::optional<rest_error> parse_rest_error(std::string_view text);

} // namespace agora::binance
