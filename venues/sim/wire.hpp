#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include "messages/ids.hpp"
#include "messages/market_data.hpp"
#include "messages/time.hpp"

// The sim venue's market-data wire format: deliberately Binance-shaped JSON
// (diff depth stream, trade stream, REST depth snapshot) so that the feed
// code paths for a real venue are exercised against the sim. Times travel as
// milliseconds ("E"), prices and quantities as decimal strings.

namespace agora::sim {

/// Why a frame did not parse. Codes of the CAF error category "wire".
enum class wire_errc : uint8_t {
  malformed_json = 1, ///< Not JSON, or not a JSON object at the top.
  missing_field,      ///< A required member is absent.
  wrong_type,         ///< A member has the wrong JSON type or range.
  bad_decimal,        ///< A decimal string did not parse (or is negative).
  unknown_event,      ///< "e" names an event this format does not have.
};

/// Returns a short, stable name for `x`.
const char* to_string(wire_errc x) noexcept;

/// A CAF error of category `wire` with `code` and a human-readable detail
/// (the message context holds the detail string).
caf::error make_error(wire_errc code, std::string detail);

/// Encodes a diff as
/// {"e":"depthUpdate","E":ms,"s":SYM,"U":first,"u":last[,"pu":prev],"b":[[px,qty],..],"a":[..]}.
/// "pu" is written only when `prev_last_update_id` is nonzero. Venue time is
/// truncated to whole milliseconds.
std::string encode_depth(const book_delta& x);

/// Encodes a public trade as
/// {"e":"trade","E":ms,"s":SYM,"t":id,"p":px,"q":qty,"m":buyer_is_maker};
/// "m" is true when the aggressor sold.
std::string encode_trade(const trade_tick& x);

/// Encodes a snapshot as {"lastUpdateId":N,"E":ms,"bids":[..],"asks":[..]}.
std::string encode_snapshot(const book_snapshot& x);

/// What one stream frame holds.
using parsed_frame = std::variant<book_delta, trade_tick>;

/// Parses one stream frame (a depthUpdate or a trade). `venue` and
/// `local_time` are stamped on the result; the symbol comes from "s" and
/// venue time from "E" (ms). Unknown members are ignored. Never throws.
caf::expected<parsed_frame> parse_frame(std::string_view text,
                                        const venue_id& venue,
                                        nanos local_time);

/// Parses a depth snapshot. "lastUpdateId", "bids" and "asks" are required;
/// "E" is optional (venue time 0 without it, as in Binance spot's REST
/// answer). Never throws.
caf::expected<book_snapshot> parse_snapshot(std::string_view text,
                                            const venue_id& venue,
                                            const symbol_id& symbol,
                                            nanos local_time);

} // namespace agora::sim
