#pragma once

#include <string>

#include "messages/market_data.hpp"

// The sim venue's market-data wire format: exactly Binance spot's stream
// payloads (diff depth "depthUpdate", aggregate trade "aggTrade"), USD-M's
// mark price stream ("markPriceUpdate", for perpetuals) and the REST depth
// snapshot, so the sim feed decodes them with the Binance codec
// (binance::parse_stream, binance::parse_depth_snapshot) and the feed code
// paths for a real venue are exercised against the sim. Times travel as
// milliseconds (venue time truncated to whole ms), prices and quantities as
// decimal strings. Perpetual symbols keep their diff chain in "pu", which the
// spot codec accepts when present.

namespace agora::sim {

/// Encodes a diff as
/// {"e":"depthUpdate","E":ms,"s":SYM,"U":first,"u":last[,"pu":prev],"b":[[px,qty],..],"a":[..]}.
/// "pu" is written only when `prev_last_update_id` is nonzero.
std::string encode_depth(const book_delta& x);

/// Encodes a public trade as Binance spot's aggTrade payload:
/// {"e":"aggTrade","E":ms,"s":SYM,"a":id,"p":px,"q":qty,"f":id,"l":id,
/// "T":ms,"m":buyer_is_maker,"M":true}. One sim trade is one aggregate
/// trade, so "a", "f" and "l" are all the trade id and "T" (trade time)
/// equals "E"; "m" is true when the aggressor sold.
std::string encode_trade(const trade_tick& x);

/// Encodes a perpetual's mark price and funding as Binance USD-M's
/// <symbol>@markPrice@1s payload:
/// {"e":"markPriceUpdate","E":ms,"s":SYM,"p":mark,"i":index,"P":settle,
/// "r":funding_rate,"T":next_funding_ms}. "E" is the venue time and "T" the
/// next funding time, both in whole ms; the estimated settle price "P" is
/// the index (Binance's is only meaningful for delivery contracts). The
/// mark price moving average "ap" of newer Binance payloads is not sent.
std::string encode_mark_price(const funding_update& x);

/// Encodes a snapshot as {"lastUpdateId":N,"E":ms,"bids":[..],"asks":[..]}.
std::string encode_snapshot(const book_snapshot& x);

} // namespace agora::sim
