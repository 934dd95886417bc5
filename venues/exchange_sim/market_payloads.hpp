#pragma once

#include <cstdint>
#include <string>

#include "messages/fixed_point.hpp"
#include "messages/market_data.hpp"
#include "venues/binance/market.hpp"

// Encoders of Binance's public market-data payloads (WebSocket stream
// payloads and the REST depth snapshot), written from the documented
// examples: spot prints every decimal with 8 places ("0.00240000"), USD-M
// with the symbol's precision ("7403.89"). Times are wall milliseconds.

namespace agora::xsim {

/// How one symbol prints its decimals.
struct decimal_format {
  int price_decimals = 8;
  int qty_decimals = 8;
};

/// The decimal format of `spec` on market `m`: 8/8 on spot, the tick's and
/// the lot's number of decimals on USD-M.
decimal_format format_of(binance::market m, const instrument_spec& spec) noexcept;

/// Diff. depth stream payload ("depthUpdate"): "E", "s", "U", "u", "b",
/// "a"; USD-M adds "T" and "pu" (the previous diff's "u").
std::string encode_depth_update(binance::market m, const book_delta& d,
                                decimal_format f, int64_t event_ms);

/// Book ticker payload: spot {"u","s","b","B","a","A"} (no event type, no
/// time); USD-M {"e":"bookTicker","u","s","b","B","a","A","T","E"}.
std::string encode_book_ticker(binance::market m, const std::string& symbol,
                               uint64_t update_id, book_level bid,
                               book_level ask, decimal_format f,
                               int64_t event_ms);

/// Aggregate trade payload ("aggTrade"): one sim trade is one aggregate
/// ("a" = "f" = "l" = the trade id); "m" is true when the buyer was the
/// maker (the aggressor sold). Spot adds "M":true.
std::string encode_agg_trade(binance::market m, const trade_tick& t,
                             decimal_format f, int64_t event_ms,
                             int64_t trade_ms);

/// USD-M mark price payload ("markPriceUpdate"): "p" mark, "i" index, "P"
/// estimated settle price (all with 8 decimals: a mark is finer than the
/// tick), "r" funding rate, "T" next funding time.
std::string encode_mark_price(const std::string& symbol, price mark,
                              price index, rate funding_rate,
                              int64_t next_funding_ms, int64_t event_ms);

/// REST depth snapshot: {"lastUpdateId","bids","asks"}, USD-M adds "E" and
/// "T"; at most `limit` levels per side.
std::string encode_depth_snapshot(binance::market m, const book_snapshot& s,
                                  size_t limit, decimal_format f,
                                  int64_t event_ms);

/// The next funding time after `wall_ms`: funding happens every 8 hours at
/// 00:00, 08:00 and 16:00 UTC.
int64_t next_funding_ms(int64_t wall_ms) noexcept;

} // namespace agora::xsim
