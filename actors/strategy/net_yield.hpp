#pragma once

#include <vector>

#include "messages/fixed_point.hpp"
#include "messages/market_data.hpp"
#include "messages/time.hpp"

namespace agora {

/// The result of walking one side of a book.
struct vwap_fill {
  bool ok = false;     ///< false: the levels hold less than asked ("insufficient depth"); nothing else is meaningful.
  quantity qty;        ///< Base quantity taken (exactly the asked quantity when ok).
  notional cost;       ///< Sum of px x qty over the levels taken (exact, fixed point).
  double vwap = 0;     ///< cost / qty.
  price worst;         ///< Price of the last level touched (the limit an IOC needs to take it all).
};

/// Takes exactly `qty` from `levels` (best first). qty <= 0 -> ok=false.
///
/// Levels with a non-positive price or quantity are skipped (never touched).
/// `cost` is the exact sum of px x qty, accumulated in 128 bits and truncated
/// once to 1e-8 of quote; ok=false also when it would not fit a notional.
/// Never allocates.
vwap_fill walk_quantity(const std::vector<book_level>& levels,
                        quantity qty) noexcept;

/// Largest quantity, floored to `lot`, whose cost over `levels` stays <= `target` quote; then walks it.
/// ok=false if the levels cannot absorb `target` (their total notional < target) or the quantity floors to 0.
///
/// A non-positive `target` gives ok=false; a non-positive `lot` means no
/// rounding beyond the 1e-8 grid. Never allocates.
vwap_fill walk_notional(const std::vector<book_level>& levels, notional target,
                        quantity lot) noexcept;

/// Sum of the (positive) quantities of `levels`.
quantity total_quantity(const std::vector<book_level>& levels) noexcept;

struct yield_inputs {
  double buy_vwap = 0;     ///< Effective price of the leg we buy (spot asks for the normal direction).
  double sell_vwap = 0;    ///< Effective price of the leg we sell (perp bids).
  double buy_taker_fee = 0, sell_taker_fee = 0;  ///< Entry fees as fractions (0.0004 = 4 bp), per leg's instrument.
  double buy_maker_fee = 0, sell_maker_fee = 0;  ///< Exit fees.
  double safety_buffer_bps = 3;
  double funding_bps = 0;  ///< Expected funding the position earns (already signed for the direction), in bps.
};

struct yield_breakdown {
  double gross_bps = 0;    ///< (sell - buy) / buy x 1e4.
  double fees_bps = 0;     ///< (buy_taker + sell_taker + buy_maker + sell_maker) x 1e4.
  double buffer_bps = 0;
  double funding_bps = 0;
  double net_bps = 0;      ///< gross - fees - buffer + funding.
};

/// PRODUCT.md section 2: net = gross - 2 x taker (entry) - 2 x maker (exit)
/// - buffer (+ expected funding), with each leg's own instrument fees; equal
/// to PRODUCT's formula when both legs have the same fees. Precondition:
/// `buy_vwap > 0` (otherwise gross is reported as 0).
yield_breakdown net_yield(const yield_inputs& in) noexcept;

/// The funding, in bps, that a SHORT perpetual earns at the next funding
/// time: `funding_rate x 1e4` when `0 < next_funding_time - now <= horizon`,
/// else 0. A long perpetual earns the negation.
double expected_funding_bps(rate funding_rate, nanos next_funding_time,
                            nanos now, nanos horizon) noexcept;

} // namespace agora
