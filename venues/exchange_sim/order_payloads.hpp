#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/fixed_point.hpp"
#include "venues/exchange_sim/core_types.hpp"
#include "venues/exchange_sim/market_payloads.hpp"
#include "venues/exchange_sim/order_store.hpp"

// Encoders of Binance's order answers (REST) and user-data events, written
// from the documented payloads: spot POST/GET/DELETE /api/v3/order,
// myTrades, executionReport, outboundAccountPosition; USD-M /fapi/v1/order
// answers, userTrades, ORDER_TRADE_UPDATE, ACCOUNT_UPDATE, listenKeyExpired.
// GET allOrders lists orders as GET order encodes them.

namespace agora::xsim {

/// One execution of an order.
struct fill_info {
  price px;
  quantity qty;
  notional fee;
  uint64_t trade_id = 0;
  bool maker = false;
  notional realized; ///< USD-M realized PnL of this fill.
};

/// Spot newOrderRespType.
enum class resp_type : uint8_t { ack = 1, result, full };

/// What one user event reports about an order.
struct exec_event {
  std::string exec_type;        ///< "x": NEW, TRADE, CANCELED, EXPIRED, TRADE_PREVENTION.
  const fill_info* fill = nullptr; ///< Set for TRADE.
  std::string cancel_client_id; ///< Spot cancel: the cancel request's id ("c"); "C" is then the order's.
  int64_t event_ms = 0;
  int64_t transact_ms = 0;
};

/// POST /api/v3/order answer. ACK: symbol, orderId, orderListId,
/// clientOrderId, transactTime; RESULT adds the order's state; FULL adds
/// "fills" (commission in `fee_asset`).
std::string encode_spot_new_order(const order_record& o, resp_type t,
                                  const std::vector<fill_info>& fills,
                                  const std::string& fee_asset,
                                  int64_t transact_ms);

/// GET /api/v3/order (and each element of GET /api/v3/openOrders).
std::string encode_spot_order(const order_record& o);

/// DELETE /api/v3/order answer (each element of DELETE /api/v3/openOrders):
/// "origClientOrderId" is the order's id, "clientOrderId" the cancel's.
std::string encode_spot_cancel(const order_record& o,
                               const std::string& cancel_client_id,
                               int64_t transact_ms);

/// /fapi/v1/order answer (POST, DELETE; `query` adds "time" for GET and
/// openOrders).
std::string encode_usdm_order(const order_record& o, decimal_format f,
                              bool query);

/// One element of GET /api/v3/myTrades: symbol, id, orderId, orderListId
/// (-1), price, qty, quoteQty, commission, commissionAsset (`fee_asset`),
/// time, isBuyer, isMaker, isBestMatch (true); decimals with 8 digits.
std::string encode_spot_trade(const std::string& symbol, const trade_record& t,
                              const std::string& fee_asset);

/// One element of GET /fapi/v1/userTrades: buyer, commission,
/// commissionAsset (`fee_asset`), id, maker, orderId, price, qty, quoteQty,
/// realizedPnl, side, positionSide ("BOTH": one-way mode), symbol, time.
std::string encode_usdm_trade(const std::string& symbol, const trade_record& t,
                              const std::string& fee_asset, decimal_format f);

/// Spot "executionReport" event.
std::string encode_execution_report(const order_record& o, const exec_event& e,
                                    const std::string& fee_asset);

/// Spot "outboundAccountPosition" event with the given balances.
std::string encode_account_position(const std::vector<asset_balance>& balances,
                                    int64_t event_ms);

/// USD-M "ORDER_TRADE_UPDATE" event.
std::string encode_order_trade_update(const order_record& o,
                                      const exec_event& e,
                                      const std::string& fee_asset,
                                      decimal_format f);

/// USD-M "ACCOUNT_UPDATE" event, reason ORDER: the margin asset's wallet
/// balance and the given positions (cross margin, one-way mode).
std::string encode_account_update(const std::string& asset, notional wallet,
                                  const std::vector<position_state>& positions,
                                  int64_t event_ms);

/// "listenKeyExpired" event.
std::string encode_listen_key_expired(const std::string& key, int64_t event_ms);

/// A Binance error body {"code":..,"msg":".."}.
std::string encode_error(int code, std::string_view msg);

} // namespace agora::xsim
