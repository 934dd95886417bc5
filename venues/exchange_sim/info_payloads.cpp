#include "venues/exchange_sim/info_payloads.hpp"

#include "venues/exchange_sim/json_out.hpp"

namespace agora::xsim {

namespace {

constexpr int d8 = fixed_decimals;

void rate_limit(json_out& j, const char* type, const char* interval, int num,
                uint32_t limit) {
  j.begin_object()
    .kv("rateLimitType", type)
    .kv("interval", interval)
    .kv_i64("intervalNum", num)
    .kv_i64("limit", limit)
    .end_object();
}

void spot_symbol(json_out& j, const listed_symbol& s) {
  const auto& spec = s.spec;
  j.begin_object()
    .kv("symbol", spec.symbol.str())
    .kv("status", "TRADING")
    .kv("baseAsset", s.base_asset)
    .kv_i64("baseAssetPrecision", 8)
    .kv("quoteAsset", s.quote_asset)
    .kv_i64("quotePrecision", 8)
    .kv_i64("quoteAssetPrecision", 8)
    .kv_i64("baseCommissionPrecision", 8)
    .kv_i64("quoteCommissionPrecision", 8)
    .key("orderTypes")
    .begin_array()
    .str("LIMIT")
    .str("LIMIT_MAKER")
    .str("MARKET")
    .end_array()
    .kv_bool("icebergAllowed", false)
    .kv_bool("ocoAllowed", false)
    .kv_bool("otoAllowed", false)
    .kv_bool("quoteOrderQtyMarketAllowed", false)
    .kv_bool("allowTrailingStop", false)
    .kv_bool("cancelReplaceAllowed", false)
    .kv_bool("isSpotTradingAllowed", true)
    .kv_bool("isMarginTradingAllowed", false)
    .key("filters")
    .begin_array()
    .begin_object()
    .kv("filterType", "PRICE_FILTER")
    .kv_dec("minPrice", spec.tick.raw(), d8)
    .kv_dec("maxPrice", max_filter_raw, d8)
    .kv_dec("tickSize", spec.tick.raw(), d8)
    .end_object()
    .begin_object()
    .kv("filterType", "LOT_SIZE")
    .kv_dec("minQty", spec.lot.raw(), d8)
    .kv_dec("maxQty", max_filter_raw, d8)
    .kv_dec("stepSize", spec.lot.raw(), d8)
    .end_object()
    .begin_object()
    .kv("filterType", "NOTIONAL")
    .kv_dec("minNotional", spec.min_notional.raw(), d8)
    .kv_bool("applyMinToMarket", true)
    .kv_dec("maxNotional", notional::max().raw() / fixed_scale * fixed_scale, d8)
    .kv_bool("applyMaxToMarket", false)
    .kv_i64("avgPriceMins", 0)
    .end_object()
    .end_array()
    .key("permissions")
    .begin_array()
    .end_array()
    .key("permissionSets")
    .begin_array()
    .begin_array()
    .str("SPOT")
    .end_array()
    .end_array()
    .kv("defaultSelfTradePreventionMode", "EXPIRE_MAKER")
    .key("allowedSelfTradePreventionModes")
    .begin_array()
    .str("EXPIRE_MAKER")
    .end_array()
    .end_object();
}

void usdm_symbol(json_out& j, const listed_symbol& s) {
  const auto& spec = s.spec;
  int pd = decimals_of(spec.tick.raw());
  int qd = decimals_of(spec.lot.raw());
  j.begin_object()
    .kv("symbol", spec.symbol.str())
    .kv("pair", spec.symbol.str())
    .kv("contractType", "PERPETUAL")
    .kv_i64("deliveryDate", 4133404800000)
    .kv_i64("onboardDate", 1569398400000)
    .kv("status", "TRADING")
    .kv("maintMarginPercent", "2.5000")
    .kv("requiredMarginPercent", "5.0000")
    .kv("baseAsset", s.base_asset)
    .kv("quoteAsset", s.quote_asset)
    .kv("marginAsset", s.quote_asset)
    .kv_i64("pricePrecision", pd)
    .kv_i64("quantityPrecision", qd)
    .kv_i64("baseAssetPrecision", 8)
    .kv_i64("quotePrecision", 8)
    .kv("underlyingType", "COIN")
    .key("underlyingSubType")
    .begin_array()
    .end_array()
    .kv("triggerProtect", "0.0500")
    .kv("liquidationFee", "0.012500")
    .kv("marketTakeBound", "0.05")
    .kv_i64("maxMoveOrderLimit", 10000)
    .key("filters")
    .begin_array()
    .begin_object()
    .kv("filterType", "PRICE_FILTER")
    .kv_dec("minPrice", spec.tick.raw(), pd)
    .kv_dec("maxPrice", max_filter_raw, pd)
    .kv_dec("tickSize", spec.tick.raw(), pd)
    .end_object()
    .begin_object()
    .kv("filterType", "LOT_SIZE")
    .kv_dec("stepSize", spec.lot.raw(), qd)
    .kv_dec("maxQty", max_filter_raw, qd)
    .kv_dec("minQty", spec.lot.raw(), qd)
    .end_object()
    .begin_object()
    .kv("filterType", "MARKET_LOT_SIZE")
    .kv_dec("stepSize", spec.lot.raw(), qd)
    .kv_dec("maxQty", max_filter_raw, qd)
    .kv_dec("minQty", spec.lot.raw(), qd)
    .end_object()
    .begin_object()
    .kv("filterType", "MAX_NUM_ORDERS")
    .kv_i64("limit", 200)
    .end_object()
    .begin_object()
    .kv("filterType", "MIN_NOTIONAL")
    .kv("notional", format_fixed_raw(spec.min_notional.raw()))
    .end_object()
    .end_array()
    .key("orderTypes")
    .begin_array()
    .str("LIMIT")
    .str("MARKET")
    .end_array()
    .key("timeInForce")
    .begin_array()
    .str("GTC")
    .str("IOC")
    .str("FOK")
    .str("GTX")
    .end_array()
    .end_object();
}

} // namespace

std::string encode_exchange_info(binance::market m,
                                 const std::vector<listed_symbol>& symbols,
                                 uint32_t weight_limit_1m,
                                 uint32_t order_limit_10s, int64_t server_ms) {
  bool spot = m == binance::market::spot;
  json_out j;
  j.begin_object().kv("timezone", "UTC").kv_i64("serverTime", server_ms);
  if (!spot)
    j.kv("futuresType", "U_MARGINED");
  j.key("rateLimits").begin_array();
  rate_limit(j, "REQUEST_WEIGHT", "MINUTE", 1, weight_limit_1m);
  rate_limit(j, "ORDERS", "SECOND", 10, order_limit_10s);
  if (spot)
    rate_limit(j, "ORDERS", "DAY", 1, 200'000);
  else
    rate_limit(j, "ORDERS", "MINUTE", 1, order_limit_10s * 6);
  j.end_array().key("exchangeFilters").begin_array().end_array();
  if (!spot) {
    j.key("assets").begin_array();
    std::vector<std::string> seen;
    for (const auto& s : symbols) {
      bool dup = false;
      for (const auto& a : seen)
        dup = dup || a == s.quote_asset;
      if (dup)
        continue;
      seen.push_back(s.quote_asset);
      j.begin_object()
        .kv("asset", s.quote_asset)
        .kv_bool("marginAvailable", true)
        .kv("autoAssetExchange", "0")
        .end_object();
    }
    j.end_array();
  }
  j.key("symbols").begin_array();
  for (const auto& s : symbols) {
    if (spot)
      spot_symbol(j, s);
    else
      usdm_symbol(j, s);
  }
  j.end_array().end_object();
  return j.take();
}

std::string encode_spot_account(const std::vector<asset_balance>& balances,
                                rate maker, rate taker, int64_t update_ms,
                                uint64_t uid) {
  // makerCommission / takerCommission are in basis points (0.001 -> 10).
  auto bips = [](rate r) { return r.raw() / (fixed_scale / 10'000); };
  json_out j;
  j.begin_object()
    .kv_i64("makerCommission", bips(maker))
    .kv_i64("takerCommission", bips(taker))
    .kv_i64("buyerCommission", 0)
    .kv_i64("sellerCommission", 0)
    .key("commissionRates")
    .begin_object()
    .kv_dec("maker", maker.raw(), d8)
    .kv_dec("taker", taker.raw(), d8)
    .kv_dec("buyer", 0, d8)
    .kv_dec("seller", 0, d8)
    .end_object()
    .kv_bool("canTrade", true)
    .kv_bool("canWithdraw", true)
    .kv_bool("canDeposit", true)
    .kv_bool("brokered", false)
    .kv_bool("requireSelfTradePrevention", false)
    .kv_bool("preventSor", false)
    .kv_i64("updateTime", update_ms)
    .kv("accountType", "SPOT")
    .key("balances")
    .begin_array();
  for (const auto& b : balances)
    j.begin_object()
      .kv("asset", b.asset)
      .kv_dec("free", b.free.raw(), d8)
      .kv_dec("locked", b.locked.raw(), d8)
      .end_object();
  j.end_array()
    .key("permissions")
    .begin_array()
    .str("SPOT")
    .end_array()
    .kv_u64("uid", uid)
    .end_object();
  return j.take();
}

notional usdm_account_view::unrealized() const noexcept {
  notional sum;
  for (const auto& p : positions)
    sum += p.unrealized;
  return sum;
}

notional usdm_account_view::position_margin() const noexcept {
  notional sum;
  for (const auto& p : positions)
    sum += p.position_margin;
  return sum;
}

notional usdm_account_view::order_margin() const noexcept {
  notional sum;
  for (const auto& p : positions)
    sum += p.order_margin;
  return sum;
}

notional usdm_account_view::available() const noexcept {
  return wallet + unrealized() - position_margin() - order_margin();
}

std::string encode_usdm_account(const usdm_account_view& a, int64_t update_ms) {
  auto upnl = a.unrealized();
  auto pos_im = a.position_margin();
  auto ord_im = a.order_margin();
  auto initial = pos_im + ord_im;
  auto margin_balance = a.wallet + upnl;
  auto avail = a.available();
  json_out j;
  j.begin_object()
    .kv_i64("feeTier", 0)
    .kv_bool("canTrade", true)
    .kv_bool("canDeposit", true)
    .kv_bool("canWithdraw", true)
    .kv_i64("updateTime", 0)
    .kv_bool("multiAssetsMargin", false)
    .kv_i64("tradeGroupId", -1)
    .kv_dec("totalInitialMargin", initial.raw(), d8)
    .kv_dec("totalMaintMargin", 0, d8)
    .kv_dec("totalWalletBalance", a.wallet.raw(), d8)
    .kv_dec("totalUnrealizedProfit", upnl.raw(), d8)
    .kv_dec("totalMarginBalance", margin_balance.raw(), d8)
    .kv_dec("totalPositionInitialMargin", pos_im.raw(), d8)
    .kv_dec("totalOpenOrderInitialMargin", ord_im.raw(), d8)
    .kv_dec("totalCrossWalletBalance", a.wallet.raw(), d8)
    .kv_dec("totalCrossUnPnl", upnl.raw(), d8)
    .kv_dec("availableBalance", avail.raw(), d8)
    .kv_dec("maxWithdrawAmount", avail.raw(), d8)
    .key("assets")
    .begin_array()
    .begin_object()
    .kv("asset", a.asset)
    .kv_dec("walletBalance", a.wallet.raw(), d8)
    .kv_dec("unrealizedProfit", upnl.raw(), d8)
    .kv_dec("marginBalance", margin_balance.raw(), d8)
    .kv_dec("maintMargin", 0, d8)
    .kv_dec("initialMargin", initial.raw(), d8)
    .kv_dec("positionInitialMargin", pos_im.raw(), d8)
    .kv_dec("openOrderInitialMargin", ord_im.raw(), d8)
    .kv_dec("crossWalletBalance", a.wallet.raw(), d8)
    .kv_dec("crossUnPnl", upnl.raw(), d8)
    .kv_dec("availableBalance", avail.raw(), d8)
    .kv_dec("maxWithdrawAmount", avail.raw(), d8)
    .kv_bool("marginAvailable", true)
    .kv_i64("updateTime", update_ms)
    .end_object()
    .end_array()
    .key("positions")
    .begin_array();
  for (const auto& p : a.positions)
    j.begin_object()
      .kv("symbol", p.symbol)
      .kv_dec("initialMargin", (p.position_margin + p.order_margin).raw(), d8)
      .kv_dec("maintMargin", 0, d8)
      .kv_dec("unrealizedProfit", p.unrealized.raw(), d8)
      .kv_dec("positionInitialMargin", p.position_margin.raw(), d8)
      .kv_dec("openOrderInitialMargin", p.order_margin.raw(), d8)
      .kv("leverage", std::to_string(p.leverage))
      .kv_bool("isolated", false)
      .kv_dec("entryPrice", p.entry.raw(), d8)
      .kv_dec("breakEvenPrice", p.entry.raw(), d8)
      .kv("maxNotional", "1000000")
      .kv_dec("bidNotional", 0, d8)
      .kv_dec("askNotional", 0, d8)
      .kv("positionSide", "BOTH")
      .kv_dec("positionAmt", p.amount.raw(), p.fmt.qty_decimals)
      .kv_i64("updateTime", update_ms)
      .end_object();
  j.end_array().end_object();
  return j.take();
}

std::string encode_position_risk(const usdm_account_view& a, int64_t update_ms) {
  json_out j;
  j.begin_array();
  for (const auto& p : a.positions) {
    auto value = mul(p.mark, p.amount);
    j.begin_object()
      .kv("symbol", p.symbol)
      .kv_dec("positionAmt", p.amount.raw(), p.fmt.qty_decimals)
      .kv_dec("entryPrice", p.entry.raw(), d8)
      .kv_dec("breakEvenPrice", p.entry.raw(), d8)
      .kv_dec("markPrice", p.mark.raw(), d8)
      .kv_dec("unRealizedProfit", p.unrealized.raw(), d8)
      .kv_dec("liquidationPrice", 0, d8)
      .kv("leverage", std::to_string(p.leverage))
      .kv("maxNotionalValue", "1000000")
      .kv("marginType", "cross")
      .kv_dec("isolatedMargin", 0, d8)
      .kv("isAutoAddMargin", "false")
      .kv("positionSide", "BOTH")
      .kv_dec("notional", value.raw(), d8)
      .kv_dec("isolatedWallet", 0, d8)
      .kv_i64("updateTime", update_ms)
      .end_object();
  }
  j.end_array();
  return j.take();
}

std::string encode_premium_index(const std::string& symbol, price mark,
                                 price index, rate funding_rate,
                                 int64_t next_funding, int64_t time_ms) {
  json_out j;
  j.begin_object()
    .kv("symbol", symbol)
    .kv_dec("markPrice", mark.raw(), d8)
    .kv_dec("indexPrice", index.raw(), d8)
    .kv_dec("estimatedSettlePrice", mark.raw(), d8)
    .kv_dec("lastFundingRate", funding_rate.raw(), d8)
    .kv_dec("interestRate", 10'000, d8)
    .kv_i64("nextFundingTime", next_funding)
    .kv_i64("time", time_ms)
    .end_object();
  return j.take();
}

} // namespace agora::xsim
