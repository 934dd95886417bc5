#pragma once

#include <optional>
#include <string>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/market_data.hpp"
#include "messages/orders.hpp"

namespace agora {

/// What `apply_instrument_rules` made of an order: the rounded price and
/// quantity, or why the order cannot be sent.
struct rounding_result {
  /// True if the order may be sent with `px` and `qty`.
  bool ok = false;
  /// Why not (meaningful only when `!ok`).
  reject_reason reason = reject_reason::invalid_quantity;
  /// The numbers behind `reason`, e.g. "notional 4.99 < min 5".
  std::string detail;
  /// The rounded limit price (when `ok`); a market order's price is passed
  /// through unchanged, venues ignore it.
  price px;
  /// The quantity floored to the lot (when `ok`).
  quantity qty;
};

/// Rounds an order to its instrument's tick and lot and checks it against the
/// minimum notional.
///
/// A limit buy price is floored to the tick and a limit sell price ceiled, so
/// the order is never more aggressive than asked; the quantity is always
/// floored to the lot, never rounded up. Rejects, checked in this order:
/// - `invalid_quantity`: the instrument's lot is not positive, the quantity is
///   not positive, or it is zero after flooring;
/// - `invalid_price`: the instrument's tick is not positive, or a limit price
///   is not positive (also after flooring to the tick) or cannot be ceiled
///   without overflow;
/// - `below_min_notional`: price x rounded quantity < `spec.min_notional`.
///   Market orders use `reference` as the price; without a (positive)
///   reference the minimum-notional check is skipped.
rounding_result apply_instrument_rules(const submit_order& o,
                                       const instrument_spec& spec,
                                       std::optional<price> reference
                                       = std::nullopt);

} // namespace agora
