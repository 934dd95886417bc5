#include "venues/exchange_sim/order_payloads.hpp"

#include "venues/exchange_sim/json_out.hpp"

namespace agora::xsim {

namespace {

constexpr int d8 = fixed_decimals;
constexpr const char* stp_mode = "EXPIRE_MAKER";

const char* side_name(side sd) {
  return sd == side::buy ? "BUY" : "SELL";
}

/// The average fill price, 0 before any fill.
price average_price(const order_record& o) {
  if (!o.view.executed.is_positive())
    return price{};
  return div(o.view.cum_quote, o.view.executed);
}

void write_spot_state(json_out& j, const order_record& o) {
  const auto& v = o.view;
  j.kv_dec("price", v.px.raw(), d8)
    .kv_dec("origQty", v.qty.raw(), d8)
    .kv_dec("executedQty", v.executed.raw(), d8)
    .kv_dec("origQuoteOrderQty", 0, d8)
    .kv_dec("cummulativeQuoteQty", v.cum_quote.raw(), d8)
    .kv("status", v.status)
    .kv("timeInForce", v.tif)
    .kv("type", v.type)
    .kv("side", side_name(v.sd));
}

} // namespace

std::string encode_spot_new_order(const order_record& o, resp_type t,
                                  const std::vector<fill_info>& fills,
                                  const std::string& fee_asset,
                                  int64_t transact_ms) {
  const auto& v = o.view;
  json_out j;
  j.begin_object()
    .kv("symbol", v.symbol)
    .kv_u64("orderId", v.order_id)
    .kv_i64("orderListId", -1)
    .kv("clientOrderId", v.client_id)
    .kv_i64("transactTime", transact_ms);
  if (t != resp_type::ack) {
    write_spot_state(j, o);
    j.kv_i64("workingTime", o.working ? transact_ms : -1)
      .kv("selfTradePreventionMode", stp_mode);
  }
  if (t == resp_type::full) {
    j.key("fills").begin_array();
    for (const auto& f : fills)
      j.begin_object()
        .kv_dec("price", f.px.raw(), d8)
        .kv_dec("qty", f.qty.raw(), d8)
        .kv_dec("commission", f.fee.raw(), d8)
        .kv("commissionAsset", fee_asset)
        .kv_u64("tradeId", f.trade_id)
        .end_object();
    j.end_array();
  }
  j.end_object();
  return j.take();
}

std::string encode_spot_order(const order_record& o) {
  const auto& v = o.view;
  json_out j;
  j.begin_object()
    .kv("symbol", v.symbol)
    .kv_u64("orderId", v.order_id)
    .kv_i64("orderListId", -1)
    .kv("clientOrderId", v.client_id);
  write_spot_state(j, o);
  j.kv_dec("stopPrice", 0, d8)
    .kv_dec("icebergQty", 0, d8)
    .kv_i64("time", o.time_ms)
    .kv_i64("updateTime", o.update_ms)
    .kv_bool("isWorking", o.working)
    .kv_i64("workingTime", o.working ? o.time_ms : -1)
    .kv("selfTradePreventionMode", stp_mode)
    .end_object();
  return j.take();
}

std::string encode_spot_cancel(const order_record& o,
                               const std::string& cancel_client_id,
                               int64_t transact_ms) {
  const auto& v = o.view;
  json_out j;
  j.begin_object()
    .kv("symbol", v.symbol)
    .kv("origClientOrderId", v.client_id)
    .kv_u64("orderId", v.order_id)
    .kv_i64("orderListId", -1)
    .kv("clientOrderId", cancel_client_id)
    .kv_i64("transactTime", transact_ms);
  write_spot_state(j, o);
  j.kv("selfTradePreventionMode", stp_mode).end_object();
  return j.take();
}

std::string encode_usdm_order(const order_record& o, decimal_format f,
                              bool query) {
  const auto& v = o.view;
  json_out j;
  j.begin_object()
    .kv_u64("orderId", v.order_id)
    .kv("symbol", v.symbol)
    .kv("status", v.status)
    .kv("clientOrderId", v.client_id)
    .kv_dec("price", v.px.raw(), f.price_decimals)
    .kv_dec("avgPrice", average_price(o).raw(), d8)
    .kv_dec("origQty", v.qty.raw(), f.qty_decimals)
    .kv_dec("executedQty", v.executed.raw(), f.qty_decimals);
  if (!query)
    j.kv_dec("cumQty", v.executed.raw(), f.qty_decimals);
  j.kv_dec("cumQuote", v.cum_quote.raw(), d8)
    .kv("timeInForce", v.tif)
    .kv("type", v.type)
    .kv_bool("reduceOnly", v.reduce_only)
    .kv_bool("closePosition", false)
    .kv("side", side_name(v.sd))
    .kv("positionSide", "BOTH")
    .kv_dec("stopPrice", 0, f.price_decimals)
    .kv("workingType", "CONTRACT_PRICE")
    .kv_bool("priceProtect", false)
    .kv("origType", v.type)
    .kv("priceMatch", "NONE")
    .kv("selfTradePreventionMode", stp_mode)
    .kv_i64("goodTillDate", 0);
  if (query)
    j.kv_i64("time", o.time_ms);
  j.kv_i64("updateTime", o.update_ms).end_object();
  return j.take();
}

std::string encode_spot_trade(const std::string& symbol, const trade_record& t,
                              const std::string& fee_asset) {
  json_out j;
  j.begin_object()
    .kv("symbol", symbol)
    .kv_u64("id", t.id)
    .kv_u64("orderId", t.order_id)
    .kv_i64("orderListId", -1)
    .kv_dec("price", t.px.raw(), d8)
    .kv_dec("qty", t.qty.raw(), d8)
    .kv_dec("quoteQty", t.quote_qty.raw(), d8)
    .kv_dec("commission", t.commission.raw(), d8)
    .kv("commissionAsset", fee_asset)
    .kv_i64("time", t.time_ms)
    .kv_bool("isBuyer", t.sd == side::buy)
    .kv_bool("isMaker", t.maker)
    .kv_bool("isBestMatch", true)
    .end_object();
  return j.take();
}

std::string encode_usdm_trade(const std::string& symbol, const trade_record& t,
                              const std::string& fee_asset, decimal_format f) {
  json_out j;
  j.begin_object()
    .kv_bool("buyer", t.sd == side::buy)
    .kv_dec("commission", t.commission.raw(), d8)
    .kv("commissionAsset", fee_asset)
    .kv_u64("id", t.id)
    .kv_bool("maker", t.maker)
    .kv_u64("orderId", t.order_id)
    .kv_dec("price", t.px.raw(), f.price_decimals)
    .kv_dec("qty", t.qty.raw(), f.qty_decimals)
    .kv_dec("quoteQty", t.quote_qty.raw(), d8)
    .kv_dec("realizedPnl", t.realized_pnl.raw(), d8)
    .kv("side", side_name(t.sd))
    .kv("positionSide", "BOTH")
    .kv("symbol", symbol)
    .kv_i64("time", t.time_ms)
    .end_object();
  return j.take();
}

std::string encode_execution_report(const order_record& o, const exec_event& e,
                                    const std::string& fee_asset) {
  const auto& v = o.view;
  bool cancel = !e.cancel_client_id.empty();
  json_out j;
  j.begin_object()
    .kv("e", "executionReport")
    .kv_i64("E", e.event_ms)
    .kv("s", v.symbol)
    .kv("c", cancel ? e.cancel_client_id : v.client_id)
    .kv("S", side_name(v.sd))
    .kv("o", v.type)
    .kv("f", v.tif)
    .kv_dec("q", v.qty.raw(), d8)
    .kv_dec("p", v.px.raw(), d8)
    .kv_dec("P", 0, d8)
    .kv_dec("F", 0, d8)
    .kv_i64("g", -1)
    .kv("C", cancel ? v.client_id : std::string{})
    .kv("x", e.exec_type)
    .kv("X", v.status)
    .kv("r", "NONE")
    .kv_u64("i", v.order_id)
    .kv_dec("l", e.fill ? e.fill->qty.raw() : 0, d8)
    .kv_dec("z", v.executed.raw(), d8)
    .kv_dec("L", e.fill ? e.fill->px.raw() : 0, d8)
    .kv_dec("n", e.fill ? e.fill->fee.raw() : 0, d8);
  if (e.fill)
    j.kv("N", fee_asset);
  else
    j.key("N").null();
  j.kv_i64("T", e.transact_ms)
    .kv_i64("t", e.fill ? static_cast<int64_t>(e.fill->trade_id) : -1)
    .kv_i64("I", static_cast<int64_t>(v.order_id) * 2)
    .kv_bool("w", o.open() && o.working)
    .kv_bool("m", e.fill ? e.fill->maker : false)
    .kv_bool("M", false)
    .kv_i64("O", o.time_ms)
    .kv_dec("Z", v.cum_quote.raw(), d8)
    .kv_dec("Y", e.fill ? mul(e.fill->px, e.fill->qty).raw() : 0, d8)
    .kv_dec("Q", 0, d8);
  if (o.working)
    j.kv_i64("W", o.time_ms);
  j.kv("V", stp_mode).end_object();
  return j.take();
}

std::string encode_account_position(const std::vector<asset_balance>& balances,
                                    int64_t event_ms) {
  json_out j;
  j.begin_object()
    .kv("e", "outboundAccountPosition")
    .kv_i64("E", event_ms)
    .kv_i64("u", event_ms)
    .key("B")
    .begin_array();
  for (const auto& b : balances)
    j.begin_object()
      .kv("a", b.asset)
      .kv_dec("f", b.free.raw(), d8)
      .kv_dec("l", b.locked.raw(), d8)
      .end_object();
  j.end_array().end_object();
  return j.take();
}

std::string encode_order_trade_update(const order_record& o,
                                      const exec_event& e,
                                      const std::string& fee_asset,
                                      decimal_format f) {
  const auto& v = o.view;
  json_out j;
  j.begin_object()
    .kv("e", "ORDER_TRADE_UPDATE")
    .kv_i64("E", e.event_ms)
    .kv_i64("T", e.transact_ms)
    .key("o")
    .begin_object()
    .kv("s", v.symbol)
    .kv("c", v.client_id)
    .kv("S", side_name(v.sd))
    .kv("o", v.type)
    .kv("f", v.tif)
    .kv_dec("q", v.qty.raw(), f.qty_decimals)
    .kv_dec("p", v.px.raw(), f.price_decimals)
    .kv_dec("ap", average_price(o).raw(), d8)
    .kv_dec("sp", 0, f.price_decimals)
    .kv("x", e.exec_type)
    .kv("X", v.status)
    .kv_u64("i", v.order_id)
    .kv_dec("l", e.fill ? e.fill->qty.raw() : 0, f.qty_decimals)
    .kv_dec("z", v.executed.raw(), f.qty_decimals)
    .kv_dec("L", e.fill ? e.fill->px.raw() : 0, f.price_decimals);
  if (e.fill)
    j.kv("N", fee_asset).kv_dec("n", e.fill->fee.raw(), d8);
  j.kv_i64("T", e.transact_ms)
    .kv_u64("t", e.fill ? e.fill->trade_id : 0)
    .kv_dec("b", 0, d8)
    .kv_dec("a", 0, d8)
    .kv_bool("m", e.fill ? e.fill->maker : false)
    .kv_bool("R", v.reduce_only)
    .kv("wt", "CONTRACT_PRICE")
    .kv("ot", v.type)
    .kv("ps", "BOTH")
    .kv_bool("cp", false)
    .kv_dec("rp", e.fill ? e.fill->realized.raw() : 0, d8)
    .kv_bool("pP", false)
    .kv_i64("si", 0)
    .kv_i64("ss", 0)
    .kv("V", stp_mode)
    .kv("pm", "NONE")
    .kv_i64("gtd", 0)
    .end_object()
    .end_object();
  return j.take();
}

std::string encode_account_update(const std::string& asset, notional wallet,
                                  const std::vector<position_state>& positions,
                                  int64_t event_ms) {
  json_out j;
  j.begin_object()
    .kv("e", "ACCOUNT_UPDATE")
    .kv_i64("E", event_ms)
    .kv_i64("T", event_ms)
    .key("a")
    .begin_object()
    .kv("m", "ORDER")
    .key("B")
    .begin_array()
    .begin_object()
    .kv("a", asset)
    .kv_dec("wb", wallet.raw(), d8)
    .kv_dec("cw", wallet.raw(), d8)
    .kv_dec("bc", 0, d8)
    .end_object()
    .end_array()
    .key("P")
    .begin_array();
  for (const auto& p : positions)
    j.begin_object()
      .kv("s", p.symbol)
      .kv_dec("pa", p.amount.raw(), d8)
      .kv_dec("ep", p.entry_price.raw(), d8)
      .kv_dec("bep", p.entry_price.raw(), d8)
      .kv_dec("cr", p.realized_pnl.raw(), d8)
      .kv_dec("up", p.unrealized_pnl.raw(), d8)
      .kv("mt", "cross")
      .kv_dec("iw", 0, d8)
      .kv("ps", "BOTH")
      .kv("ma", asset)
      .end_object();
  j.end_array().end_object().end_object();
  return j.take();
}

std::string encode_listen_key_expired(const std::string& key, int64_t event_ms) {
  json_out j;
  j.begin_object()
    .kv("e", "listenKeyExpired")
    .kv_i64("E", event_ms)
    .kv("listenKey", key)
    .end_object();
  return j.take();
}

std::string encode_error(int code, std::string_view msg) {
  json_out j;
  j.begin_object().kv_i64("code", code).kv("msg", msg).end_object();
  return j.take();
}

} // namespace agora::xsim
