#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/orders.hpp"

namespace agora {

/// Net positions per (venue, symbol), built from fills: signed quantity,
/// average entry price of the open quantity, realized PnL net of fees, and
/// unrealized PnL against the last mark.
///
/// Numerics: the average entry is the quantity-weighted mean of the opening
/// fills, computed through 128 bits and truncated toward zero to 1e-8;
/// realized PnL of a close is (fill price - average) x closed quantity x
/// direction, truncated toward zero to 1e-8 of quote. Sums saturate at
/// +/- notional::max().
class position_book {
public:
  /// Applies one fill: adds to or closes the position, realizes PnL on the
  /// closed part, subtracts the fee (negative fees, i.e. rebates, add), and
  /// sets the mark to the fill price. Going through zero closes the old side
  /// and opens the rest at the fill price. Fills with a non-positive
  /// quantity are ignored.
  void apply_fill(const order_filled& f);

  /// Sets the last price of an existing position (for unrealized PnL and
  /// exposure). Symbols without a position are ignored.
  void mark(const venue_id& v, const symbol_id& s, price px);

  /// The position, or nullptr. Positions are never removed, so the pointer
  /// stays valid as long as the book.
  const position_view* find(const venue_id& v, const symbol_id& s) const;

  /// Every position (also flat ones that realized PnL), sorted by venue then
  /// symbol.
  std::vector<position_view> all() const;

  /// Signed quantity; 0 if none.
  quantity position(const venue_id& v, const symbol_id& s) const;

  /// Sum over positions of |qty| x mark.
  notional gross_exposure() const;

  /// Sum of realized PnL, net of fees.
  notional realized_pnl() const;

  /// Sum of (mark - average) x qty.
  notional unrealized_pnl() const;

  /// Sum of fees paid (negative for net rebates).
  notional fees() const;

  /// Number of fills applied.
  uint64_t fills() const noexcept;

private:
  using key = std::pair<venue_id, symbol_id>;

  std::map<key, position_view> positions_;
  uint64_t fills_ = 0;
};

} // namespace agora
