#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/market_data.hpp"
#include "messages/time.hpp"

namespace agora {

/// What order_book::apply did with one delta.
enum class apply_status : uint8_t {
  applied = 1,    ///< Delta applied; the book is synced and not crossed.
  outdated = 2,   ///< Delta entirely at or before last_update_id: dropped, book unchanged, still synced.
  gap = 3,        ///< Sequence broken: book marked not synced (the caller resyncs from a snapshot).
  crossed = 4,    ///< Applied, but best bid >= best ask: book marked not synced.
  not_synced = 5, ///< No snapshot loaded (or sync lost earlier): delta ignored.
};

/// Returns a short, stable name for `x` ("applied", "gap", ...).
const char* to_string(apply_status x) noexcept;

/// The result of walking one side of the book for a target size.
struct vwap_result {
  /// False when the side is too thin for the target (or the target is not
  /// positive); the fields below then describe only what depth there was and
  /// must not be used as a price for the full target.
  bool sufficient = false;
  /// Average fill price over the walked levels, cost / qty truncated to 1e-8;
  /// zero if nothing was walked.
  price avg_px;
  /// Quantity walked.
  quantity qty;
  /// Sum of px x qty over the walked levels (each product truncated to 1e-8).
  notional cost;
};

/// A pure L2 order book for one symbol: a snapshot plus sequenced diffs, with
/// Binance's sequencing rules, crossed-book detection and derived analytics.
///
/// Each side is a sorted std::vector with the best price at the END, so the
/// frequent inserts and erases near the top move few elements; a price is
/// found by galloping from the top, then binary search (O(log d) for a level
/// d places from the top). No allocation happens in apply() once the vectors
/// have the capacity of the largest book seen (see reserve()).
///
/// Not thread-safe; owned by one actor. No exceptions on bad input.
class order_book {
public:
  order_book();

  /// Reserves room for `levels_per_side` levels on each side so that apply()
  /// never allocates while the book stays within that size.
  void reserve(size_t levels_per_side);

  /// Replaces everything with `s`; the book is synced afterwards at
  /// `s.last_update_id`. Levels with a quantity <= 0 are ignored; if a price
  /// appears twice on one side, the later entry wins. The sides need not be
  /// sorted. A crossed snapshot is loaded as given (see crossed()); the next
  /// applied delta that leaves it crossed returns apply_status::crossed.
  void load(const book_snapshot& s);

  /// Applies one diff following the venue's sequencing rules:
  /// - `d.last_update_id <= last_update_id()`: outdated, dropped.
  /// - First delta after load() at id L: with `prev_last_update_id != 0`
  ///   (futures) it needs `first_update_id <= L && last_update_id >= L`, or
  ///   `prev_last_update_id == L` (it continues exactly from the snapshot);
  ///   otherwise (spot) `first_update_id <= L + 1 && last_update_id >= L + 1`.
  /// - Later deltas: `prev_last_update_id` must equal the previous applied
  ///   delta's last id when given, else `first_update_id` must be that id + 1.
  /// A level with quantity <= 0 removes its price; any other sets (not adds)
  /// the quantity. Bids are applied before asks.
  /// On `gap` the content is left as is and the book is not synced; on
  /// `crossed` the delta is applied and the book is not synced. Once not
  /// synced, every call returns `not_synced` until the next load().
  apply_status apply(const book_delta& d);

  /// Empties the book and marks it not synced (last ids and times reset to 0).
  void clear();

  /// True after load() until a gap or a crossed book.
  bool synced() const noexcept;

  /// The snapshot's id after load(), then the last applied delta's last id.
  uint64_t last_update_id() const noexcept;

  /// Venue time of the snapshot or of the last applied delta.
  nanos last_venue_time() const noexcept;

  /// Highest bid, if any.
  std::optional<book_level> best_bid() const noexcept;

  /// Lowest ask, if any.
  std::optional<book_level> best_ask() const noexcept;

  /// (best bid + best ask) / 2 truncated to 1e-8; nullopt if a side is empty.
  std::optional<price> mid() const noexcept;

  /// best ask - best bid (negative when crossed); nullopt if a side is empty.
  std::optional<price> spread() const noexcept;

  /// (bid x ask_qty + ask x bid_qty) / (bid_qty + ask_qty) over the best
  /// levels; nullopt if a side is empty.
  std::optional<double> microprice() const noexcept;

  /// rho = (sum Vbid - sum Vask) / (sum Vbid + sum Vask + 1e-8) over the top
  /// `levels` levels of each side (or all of a side if it has fewer); 0 when
  /// the book is empty or `levels` is 0.
  double imbalance(size_t levels) const noexcept;

  /// Walks the opposite side for a taker of `taker_side` (buy walks asks,
  /// sell walks bids), best first, until the cost reaches `target`. The last
  /// level is taken only as far as needed: its quantity is the smallest
  /// multiple of 1e-8 whose cost reaches what remains of the target.
  vwap_result vwap(side taker_side, notional target) const;

  /// Like vwap(), but walks until the quantity reaches `target`; the last
  /// level contributes exactly what remains.
  vwap_result vwap_qty(side taker_side, quantity target) const;

  /// Copies up to `n` levels of each side, best first. Clears both outputs
  /// first.
  void top(size_t n, std::vector<book_level>& bids,
           std::vector<book_level>& asks) const;

  /// Number of bid levels.
  size_t bid_levels() const noexcept;

  /// Number of ask levels.
  size_t ask_levels() const noexcept;

  /// True if both sides are non-empty and best bid >= best ask.
  bool crossed() const noexcept;

private:
  /// Checks `d` against the sequencing rules; does not change anything.
  apply_status check_sequence(const book_delta& d) const noexcept;

  /// Sets or removes one bid level.
  void set_bid(book_level lv);

  /// Sets or removes one ask level.
  void set_ask(book_level lv);

  /// Ascending by price: the best (highest) bid is back().
  std::vector<book_level> bids_;
  /// Descending by price: the best (lowest) ask is back().
  std::vector<book_level> asks_;
  uint64_t last_update_id_ = 0;
  nanos last_venue_time_ = 0;
  bool synced_ = false;
  /// True between load() and the first applied delta.
  bool first_after_load_ = false;
};

} // namespace agora
