#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/market_data.hpp"
#include "messages/time.hpp"
#include "venues/sim/sim_market.hpp"

namespace agora::sim {

/// An order-entry fault of the embedded exchange, armed for the next new
/// order (a drill for leg risk and unwinds).
enum class order_fault_kind : uint8_t {
  reject = 1,  ///< "reject-next": the venue rejects it.
  expire = 2,  ///< "expire-next": accepted, then expires without a fill.
  partial = 3, ///< "partial-next": accepted, half filled, the rest expires.
};

/// "reject-next", "expire-next", "partial-next"; nullopt for anything else.
std::optional<order_fault_kind> parse_order_fault(std::string_view kind) noexcept;

/// The fault's name, as parsed.
std::string_view to_string(order_fault_kind kind) noexcept;

/// The order-entry faults armed at the embedded exchange, and what the venue
/// answers to an order one of them takes.
///
/// Each armed fault is one shot and takes the next new order on its symbol
/// (on any symbol when armed without one); several armed faults take orders
/// first armed, first used. Pure: no actors, no clock.
class order_faults {
public:
  /// Arms `kind` for the next new order on `symbol` (invalid: any symbol).
  void arm(order_fault_kind kind, symbol_id symbol);

  /// Takes (disarms) the first armed fault matching `symbol`, if any.
  std::optional<order_fault_kind> take(const symbol_id& symbol);

  /// Faults armed and not yet taken.
  size_t armed() const noexcept;

  /// The venue's answer to `o` (on instrument `spec`) under `kind`, in order.
  /// The order never reaches the matching engine: the book is untouched and
  /// no public trade is printed.
  /// - reject: rejected (venue_rejected, "injected reject").
  /// - expire, partial: the order is first checked as the venue checks it
  ///   (positive quantity on the lot; a limit price positive and on the
  ///   tick; a market order needs `touch`, the best opposite price; minimum
  ///   notional) and rejected with the venue's reason if it fails; otherwise
  ///   accepted (`px` 0 for a market order), then for partial one taker
  ///   fill of half the quantity floored to the lot (none when that is zero)
  ///   at the limit price (market orders: `touch`) with the taker fee, then
  ///   canceled (`cancel_reason::expired`) with the fill as `cum_qty`.
  /// Order ids and trade ids of these reports count up from `first_id`,
  /// apart from the matching engine's own.
  std::vector<exec_report> play(order_fault_kind kind, const sim_order& o,
                                const instrument_spec& spec,
                                std::optional<price> touch, nanos now);

  /// Where injected order and trade ids start (far above the engine's).
  static constexpr uint64_t first_id = 1'000'000'000'000ULL;

private:
  std::vector<std::pair<order_fault_kind, symbol_id>> armed_;
  uint64_t next_order_id_ = first_id;
  uint64_t next_trade_id_ = first_id;
};

} // namespace agora::sim
