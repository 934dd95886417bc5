#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/market_data.hpp"
#include "messages/time.hpp"
#include "venues/binance/market.hpp"
#include "venues/sim/sim_market.hpp"

// The value types around `binance_core`: its configuration, one REST call and
// its answer, one outbound WebSocket text, and the injectable faults.

namespace agora::xsim {

/// One instrument the sim exchange lists.
struct listed_symbol {
  instrument_spec spec;        ///< Symbol, tick, lot, min notional, fees.
  sim::market_params params;   ///< The seeded market generator's settings.
  std::string base_asset;      ///< e.g. "BTC".
  std::string quote_asset;     ///< e.g. "USDT" (also the USD-M margin asset).
  rate funding_rate = rate::from_raw(10'000); ///< USD-M: 0.0001 per 8 h.
};

/// One trading account and its API credentials.
struct account_config {
  std::string api_key;
  std::string secret;
  /// Spot: the starting balance per asset. USD-M: the wallet balance of the
  /// margin asset (the entry whose asset is the quote asset of the listed
  /// symbols, "USDT"); other entries are ignored.
  std::vector<std::pair<std::string, notional>> balances;
};

/// Everything one core (one market kind, one port) needs.
struct core_config {
  binance::market m = binance::market::spot;
  venue_id venue;
  std::vector<listed_symbol> symbols;
  std::vector<account_config> accounts;
  nanos listen_key_ttl = 3600 * ns_per_s;  ///< USD-M listen key validity.
  int64_t max_recv_window_ms = 60'000;     ///< Larger recvWindow -> -1131 (spot) / -1021.
  uint32_t weight_limit_1m = 6000;         ///< REQUEST_WEIGHT per minute (one "IP").
  uint32_t order_limit_10s = 100;          ///< ORDERS per 10 s per account.
  int leverage = 20;                       ///< USD-M leverage of every symbol.
};

/// One REST request as the server received it. `query` is the raw query
/// string without '?', `body` the raw x-www-form-urlencoded body; both are
/// signed as sent. `api_key` is the X-MBX-APIKEY header ("" if absent).
struct rest_call {
  std::string method;
  std::string path;
  std::string query;
  std::string body;
  std::string api_key;
};

/// The answer to a `rest_call`: HTTP status, JSON body and the headers to
/// add (X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-*, Retry-After).
struct rest_reply {
  unsigned status = 200;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  /// The first header named `name` (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const noexcept;
};

/// One text frame for the WebSocket side.
///
/// `channel` is either a market stream name ("btcusdt@depth@100ms",
/// "btcusdt@bookTicker", ...; `text` is the raw payload, which the server
/// wraps with `wrap_combined` for combined-stream connections), or
/// "listen-key:<key>" (USD-M user data of that listen key; raw payload), or
/// "ws-api:<connection id>" (spot WebSocket API: a response, or a user data
/// event already wrapped as {"subscriptionId":N,"event":{...}}).
struct outbound {
  std::string channel;
  std::string text;
};

/// The faults `binance_core::inject` knows.
enum class fault : uint8_t {
  rate_limit_429 = 1, ///< The next N requests are answered 429 / -1003.
  ban_418,            ///< Every request is answered 418 for N seconds.
  unknown_503,        ///< The next N orders execute, but the answer is 503.
  seq_gap,            ///< The next depth diff of a symbol skips an update id.
  malformed,          ///< The next N market payloads are preceded by a broken copy.
  stall,              ///< No market data frames for N seconds.
};

/// Returns "rate_limit_429", "ban_418", "unknown_503", "seq_gap",
/// "malformed" or "stall".
const char* to_string(fault f) noexcept;

/// The fault named like `to_string` gives (also "429", "418", "503", "gap").
std::optional<fault> parse_fault(std::string_view text) noexcept;

/// Wraps a raw stream payload for a combined-stream connection:
/// {"stream":"<stream>","data":<payload>}. `payload` is inserted verbatim.
std::string wrap_combined(std::string_view stream, std::string_view payload);

/// One asset balance of a spot account (USD-M: the wallet balance is `free`).
struct asset_balance {
  std::string asset;
  notional free;
  notional locked;

  friend bool operator==(const asset_balance&, const asset_balance&) = default;
};

/// One USD-M position (one-way mode).
struct position_state {
  std::string symbol;
  quantity amount;         ///< Signed: > 0 long, < 0 short.
  price entry_price;       ///< Average entry of the open amount; 0 when flat.
  notional realized_pnl;   ///< Sum of realized PnL on this symbol, before fees.
  notional unrealized_pnl; ///< At the current mark (the sim's mid).
  notional fees;           ///< Sum of commissions paid on this symbol.
};

/// The filters of a history query (GET allOrders, myTrades / userTrades),
/// already validated. Bounds are inclusive. The answer is oldest first
/// either way; `from_oldest` picks which `limit` matches: the oldest (the
/// request sent orderId / fromId or startTime) or the newest (Binance:
/// "Otherwise most recent ... are returned").
struct history_query {
  std::optional<uint64_t> from_id;  ///< allOrders orderId / trades fromId: ids >= this.
  std::optional<uint64_t> order_id; ///< Trades only: the trades of this order.
  std::optional<int64_t> start_ms;  ///< time >= start.
  std::optional<int64_t> end_ms;    ///< time <= end.
  size_t limit = 500;
  bool from_oldest = false;
};

/// One execution of an account's order as the trade history keeps it.
struct trade_record {
  uint64_t id = 0;       ///< The venue trade id: the "t" of the user stream.
  uint64_t order_id = 0;
  side sd = side::buy;
  price px;
  quantity qty;
  notional quote_qty;    ///< px x qty.
  notional commission;   ///< In the symbol's quote asset.
  notional realized_pnl; ///< USD-M: realized by this fill (0 on spot).
  bool maker = false;
  int64_t time_ms = 0;   ///< Wall ms of the execution.

  friend bool operator==(const trade_record&, const trade_record&) = default;
};

/// One order as the exchange knows it (the test accessor's view).
struct order_state {
  std::string symbol;
  uint64_t order_id = 0;
  std::string client_id;
  side sd = side::buy;
  std::string type;      ///< LIMIT, MARKET, LIMIT_MAKER.
  std::string tif;       ///< GTC, IOC, FOK, GTX.
  price px;
  quantity qty;
  quantity executed;
  notional cum_quote;
  std::string status;    ///< NEW, PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, ...
  bool reduce_only = false;
};

} // namespace agora::xsim
