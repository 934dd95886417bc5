#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "actors/risk/position_book.hpp"
#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/orders.hpp"

namespace agora {

/// Pre-trade limits. Every figure is in quote currency.
struct risk_limits {
  /// Largest price x quantity of a single order.
  notional max_order_notional = notional::from_units(5'000);
  /// Per symbol: |position after the order| x order price.
  notional max_position_notional = notional::from_units(20'000);
  /// All positions at mark + open orders' notional + this order.
  notional max_gross_exposure = notional::from_units(50'000);
};

/// The answer to one intent.
struct risk_decision {
  /// True if the order may go to the gateway.
  bool allowed = false;
  /// Why not (meaningful only when `!allowed`).
  reject_reason reason = reject_reason::trading_halted;
  /// The numbers behind `reason`, e.g. "order 6000 > max 5000".
  std::string detail;
};

/// The single pre-trade choke point: trading state, limits, positions and
/// open-order exposure. Pure: the risk actor owns it and sends what it says.
class risk_engine {
public:
  explicit risk_engine(risk_limits limits);

  /// Checks an intent. `reference` prices a market order (a limit order is
  /// priced at its own price). Checks, in order:
  /// 1. HALTED -> trading_halted;
  /// 2. quantity <= 0 -> invalid_quantity; a limit price <= 0 -> invalid_price;
  /// 3. REDUCING and the order does not strictly reduce |position| (or would
  ///    flip it) -> reduce_only;
  /// 4. the order's reduce_only flag is set and it would not reduce ->
  ///    reduce_only;
  /// 5. a market order without a positive reference: allowed if it strictly
  ///    reduces (it cannot be priced, and it lowers risk), else invalid_price;
  /// 6. price x qty > max_order_notional -> max_order_notional;
  /// 7. the order increases |position| and |position after| x price >
  ///    max_position_notional -> position_cap;
  /// 8. the order increases |position| and gross exposure (positions at mark
  ///    + open orders + this order) > max_gross_exposure -> gross_exposure.
  /// Each limit allows exactly its maximum.
  risk_decision check(const submit_order& o,
                      std::optional<price> reference = std::nullopt) const;

  /// The order left for the gateway: its notional counts as open-order
  /// exposure until filled or done. A market order is priced at `reference`
  /// (at its own px without one). A cid already open is replaced.
  void on_sent(const submit_order& o,
               std::optional<price> reference = std::nullopt);

  /// Applies a fill to positions and releases that much open exposure.
  void on_fill(const order_filled& f);

  /// Adopts a quantity the venue holds that no fill of ours explains (an
  /// operator accepted the venue's state): applied like a fill without fee
  /// at the position's average price (its mark when flat, or the price
  /// given when there is neither).
  void adjust(const venue_id& v, const symbol_id& s, quantity delta, price fallback = {});

  /// The order is terminal (filled, canceled, rejected): releases its
  /// remaining open exposure. Unknown cids are ignored.
  void on_done(client_order_id cid);

  /// Last price of a position (unrealized PnL, exposure).
  void mark(const venue_id& v, const symbol_id& s, price px);

  /// The global trading state.
  trading_state state() const noexcept;

  /// Why the state was last set.
  const std::string& state_reason() const noexcept;

  /// Starts at 0; +1 on every state change.
  uint64_t epoch() const noexcept;

  /// Moves to `s` with `reason`; false (and nothing changes) if already `s`.
  bool set_state(trading_state s, std::string reason);

  /// Replaces why the state is what it is (the state stays).
  void set_state_reason(std::string reason) { state_reason_ = std::move(reason); }

  const position_book& positions() const noexcept;

  /// Notional of the unfilled part of every open order.
  notional open_order_exposure() const noexcept;

  /// Number of orders counted as open.
  size_t open_orders() const noexcept { return open_.size(); }

  const risk_limits& limits() const noexcept;

  void set_limits(risk_limits l);

private:
  struct open_order {
    price px;
    quantity remaining;
    notional exposure;
  };

  void release(open_order& x, quantity filled);

  risk_limits limits_;
  position_book book_;
  trading_state state_ = trading_state::active;
  std::string state_reason_;
  uint64_t epoch_ = 0;
  std::unordered_map<client_order_id, open_order> open_;
  notional open_exposure_;
};

} // namespace agora
