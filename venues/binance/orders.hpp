#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <caf/expected.hpp>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/time.hpp"
#include "venues/binance/codec.hpp"
#include "venues/binance/market.hpp"

// Binance order answers (REST) and user-data stream events decoded into one
// order shape, plus account balances and positions. Errors use `codec_errc`
// (category "binance"); a body that is a Binance error {"code","msg"} gives
// `venue_error` with "code=<n> msg=<text>" as detail.

namespace agora::binance {

/// What happened to an order in this event (executionReport "x",
/// ORDER_TRADE_UPDATE "x"). `other` for REST answers.
enum class exec_type : uint8_t {
  new_order = 1, ///< NEW
  trade,         ///< TRADE (a fill)
  canceled,      ///< CANCELED
  expired,       ///< EXPIRED (IOC remainder, GTX refused on USD-M) and
                 ///< spot TRADE_PREVENTION (expired by self-trade prevention)
  rejected,      ///< REJECTED
  amendment,     ///< REPLACED (spot) / AMENDMENT (USD-M order modified)
  other,         ///< REST answers, and anything else
};

/// The order's state after the event ("X", REST "status").
enum class order_state : uint8_t {
  new_order = 1,
  partially_filled,
  filled,
  canceled,
  expired,       ///< EXPIRED and EXPIRED_IN_MATCH
  rejected,
  pending_cancel,
  other,
};

/// One shape for REST order answers, executionReport and
/// ORDER_TRADE_UPDATE. Fields a source does not carry stay at their zero.
struct order_update {
  symbol_id symbol;
  std::string client_id;      ///< The order's client id ("c"; REST clientOrderId).
  std::string orig_client_id; ///< "C" of a spot cancel report, else "".
  uint64_t order_id = 0;
  side sd = side::buy;
  std::string type;           ///< "LIMIT", "MARKET", "LIMIT_MAKER", ...
  std::string tif;            ///< "GTC", "IOC", "FOK", "GTX", ...
  exec_type exec = exec_type::other; ///< USD-M CALCULATED (liquidation fill)
                                     ///< maps to trade.
  order_state state = order_state::other;
  price px;                   ///< Limit price.
  quantity qty;               ///< Ordered quantity.
  quantity cum_qty;           ///< Filled so far.
  price last_px;              ///< This fill's price (trade events).
  quantity last_qty;          ///< This fill's quantity (trade events).
  uint64_t trade_id = 0;      ///< This fill's trade id (trade events).
  notional fee;               ///< This fill's commission, in `fee_asset`.
  std::string fee_asset;
  bool maker = false;         ///< This fill was a maker fill.
  bool reduce_only = false;   ///< USD-M only.
  std::string reject_reason;  ///< Spot "r" when not "NONE".
  nanos event_time = 0;       ///< "E"
  nanos transaction_time = 0; ///< "T" (REST transactTime/updateTime)
};

/// The client id of the order itself: a spot cancel (REST DELETE answer or
/// CANCELED executionReport) carries the cancel request's own id in
/// `client_id` and the order's id in `orig_client_id`.
inline const std::string& own_client_id(const order_update& x) noexcept {
  return x.orig_client_id.empty() ? x.client_id : x.orig_client_id;
}

/// Parses an order answer of POST/GET/DELETE /api/v3/order (newOrderRespType
/// ACK, RESULT or FULL; FULL's fills are ignored: fills arrive on the user
/// stream) or /fapi/v1/order. `exec` is `other`.
caf::expected<order_update> parse_order(std::string_view text, market m);

/// Parses GET /api/v3/openOrders or /fapi/v1/openOrders (an array).
caf::expected<std::vector<order_update>> parse_open_orders(std::string_view text,
                                                           market m);

/// One asset's balance.
struct balance {
  std::string asset;
  notional free;   ///< Spot "free"; USD-M walletBalance.
  notional locked; ///< Spot "locked"; 0 on USD-M.
};

/// One USD-M position.
struct position {
  symbol_id symbol;
  quantity amount;        ///< Signed: > 0 long, < 0 short.
  price entry_price;
  notional unrealized_pnl;
};

/// Balances and positions, from a REST account answer or a stream event.
struct account_update {
  std::vector<balance> balances;
  std::vector<position> positions;
  nanos event_time = 0;
};

/// Parses GET /api/v3/account ("balances"), GET /fapi/v2/account ("assets"
/// walletBalance, "positions" positionAmt/entryPrice/unrealizedProfit) or
/// GET /fapi/v2/positionRisk (an array of positions).
caf::expected<account_update> parse_account(std::string_view text, market m);

/// The user stream's listen key expired: create a new one and resubscribe.
struct listen_key_expired {
  std::string listen_key;
  nanos event_time = 0;
};

/// What one user-data stream payload holds.
using user_event = std::variant<order_update, account_update, listen_key_expired>;

/// Parses one user-data event. Spot: executionReport, outboundAccountPosition
/// (raw, or wrapped by the WebSocket API as {"subscriptionId":N,"event":{..}}),
/// listenKeyExpired. USD-M: ORDER_TRADE_UPDATE ("o"), ACCOUNT_UPDATE ("a":
/// "B" balances wb, "P" positions pa/ep/up), listenKeyExpired. Other event
/// types (balanceUpdate, MARGIN_CALL, TRADE_LITE, eventStreamTerminated, ...)
/// give `unknown_event`.
caf::expected<user_event> parse_user_event(std::string_view text, market m);

} // namespace agora::binance
