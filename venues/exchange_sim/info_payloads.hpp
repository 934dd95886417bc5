#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "messages/fixed_point.hpp"
#include "venues/binance/market.hpp"
#include "venues/exchange_sim/core_types.hpp"
#include "venues/exchange_sim/market_payloads.hpp"

// Encoders of Binance's exchange information and account answers:
// GET /api/v3/exchangeInfo, /fapi/v1/exchangeInfo, /api/v3/account,
// /fapi/v2/account, /fapi/v2/positionRisk and /fapi/v1/premiumIndex.

namespace agora::xsim {

/// The largest price and quantity the filters allow (PRICE_FILTER maxPrice,
/// LOT_SIZE maxQty): one billion.
inline constexpr int64_t max_filter_raw = 1'000'000'000LL * fixed_scale;

/// GET exchangeInfo: rate limits, then one entry per listed symbol with its
/// PRICE_FILTER (minPrice = tickSize = tick), LOT_SIZE (minQty = stepSize =
/// lot) and NOTIONAL (spot: minNotional) / MIN_NOTIONAL (USD-M: notional);
/// USD-M symbols are PERPETUAL contracts margined in their quote asset.
std::string encode_exchange_info(binance::market m,
                                 const std::vector<listed_symbol>& symbols,
                                 uint32_t weight_limit_1m,
                                 uint32_t order_limit_10s, int64_t server_ms);

/// GET /api/v3/account. Commission rates come from `maker`/`taker`.
std::string encode_spot_account(const std::vector<asset_balance>& balances,
                                rate maker, rate taker, int64_t update_ms,
                                uint64_t uid);

/// One USD-M position row with its margin figures.
struct usdm_position_row {
  std::string symbol;
  quantity amount;
  price entry;
  price mark;
  notional unrealized;
  notional position_margin; ///< |amount| x mark / leverage.
  notional order_margin;    ///< Open orders' notional / leverage.
  int leverage = 20;
  decimal_format fmt;
};

/// A USD-M account summary (cross margin, one margin asset).
struct usdm_account_view {
  std::string asset;
  notional wallet;
  std::vector<usdm_position_row> positions;

  notional unrealized() const noexcept;
  notional position_margin() const noexcept;
  notional order_margin() const noexcept;
  /// wallet + unrealized - position margin - order margin.
  notional available() const noexcept;
};

/// GET /fapi/v2/account.
std::string encode_usdm_account(const usdm_account_view& a, int64_t update_ms);

/// GET /fapi/v2/positionRisk (an array, one entry per row).
std::string encode_position_risk(const usdm_account_view& a, int64_t update_ms);

/// One element of GET /fapi/v1/premiumIndex.
std::string encode_premium_index(const std::string& symbol, price mark,
                                 price index, rate funding_rate,
                                 int64_t next_funding, int64_t time_ms);

} // namespace agora::xsim
