#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors/risk/position_book.hpp"
#include "actors/risk/trading_scopes.hpp"
#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/orders.hpp"
#include "messages/time.hpp"

namespace agora {

/// Pre-trade limits. Every figure is in quote currency.
struct risk_limits {
  /// Largest price x quantity of a single order.
  notional max_order_notional = notional::from_units(5'000);
  /// Per symbol: |position after the order| x order price.
  notional max_position_notional = notional::from_units(20'000);
  /// All positions at mark + open orders' notional + this order.
  notional max_gross_exposure = notional::from_units(50'000);
  /// Symbol (without venue, e.g. "BTCUSDT") -> group name (e.g. "majors").
  /// Symbols not listed belong to no group and have no group cap.
  std::map<std::string, std::string> symbol_groups;
  /// Group -> the most open positions (across venues) it may hold. A group
  /// without an entry has no cap.
  std::map<std::string, uint64_t> max_open_positions_per_group;
  /// The flip guard trusts a venue position reported at most this long ago.
  nanos flip_guard_max_age = 60 * ns_per_s;
};

/// The flip guard found the venue's position disagreeing with ours: our
/// record is to be corrected to the venue's (the venue is right).
struct position_correction {
  venue_id venue;
  symbol_id symbol;
  quantity ours;      ///< What our position book holds.
  quantity venue_qty; ///< What the venue reported.
};

/// An open order that is an entry: not reduce-only, and it would not
/// reduce its position if it filled now (cancelled when a macro window
/// opens).
struct open_entry {
  client_order_id cid;
  venue_id venue;
  symbol_id symbol;
  std::string strategy;
};

/// The answer to one intent.
struct risk_decision {
  /// True if the order may go to the gateway.
  bool allowed = false;
  /// Why not (meaningful only when `!allowed`).
  reject_reason reason = reject_reason::trading_halted;
  /// The numbers behind `reason`, e.g. "order 6000 > max 5000".
  std::string detail;
  /// Set with reason position_mismatch: the correction the actor applies
  /// (`adjust` by venue_qty - ours), journals and alerts.
  std::optional<position_correction> correction;
};

/// The single pre-trade choke point: trading state, limits, positions and
/// open-order exposure. Pure: the risk actor owns it and sends what it says.
class risk_engine {
public:
  explicit risk_engine(risk_limits limits);

  /// Checks an intent at `now`. `reference` prices a market order (a limit
  /// order is priced at its own price). "Reduces" means strictly lowers
  /// |position| without crossing zero. Checks, in order:
  /// 1. the effective state (most restrictive of global, venue, strategy and
  ///    symbol scopes) is HALTED -> trading_halted, unless the order is an
  ///    emergency order that reduces (emergency unwinds of leg risk pass
  ///    every state, also HALTED; an emergency order that does not reduce is
  ///    treated like any other);
  /// 2. quantity <= 0 -> invalid_quantity; a limit price <= 0 -> invalid_price;
  /// 3. flip guard: a venue position reported within flip_guard_max_age of
  ///    `now` (a report newer than `now` counts as fresh) is flat or of the
  ///    other sign while the order reduces ours -> position_mismatch, with
  ///    the correction in the decision (emergency orders too);
  /// 4. effective state REDUCING and the order does not reduce ->
  ///    reduce_only;
  /// 5. the order's reduce_only flag is set and it would not reduce ->
  ///    reduce_only;
  /// 6. a macro window is active and the order does not reduce (an entry:
  ///    it adds, opens or flips) -> macro_window;
  /// 7. the order opens a position from flat in a group that already holds
  ///    its maximum of open positions -> group_cap. A group's open
  ///    positions are its symbols' non-zero positions on every venue plus
  ///    symbols with an opening order in flight (sent while flat, not done),
  ///    other than the order's own symbol;
  /// 8. a market order without a positive reference: allowed if it reduces
  ///    (it cannot be priced, and it lowers risk), else invalid_price;
  /// 9. price x qty > max_order_notional -> max_order_notional;
  /// 10. the order increases |position| and |position after| x price >
  ///    max_position_notional -> position_cap;
  /// 11. the order increases |position| and gross exposure (positions at
  ///    mark + open orders + this order) > max_gross_exposure ->
  ///    gross_exposure.
  /// Each limit allows exactly its maximum.
  risk_decision check(const submit_order& o,
                      std::optional<price> reference = std::nullopt,
                      nanos now = 0) const;

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

  /// Why the global state was last set.
  const std::string& state_reason() const noexcept;

  /// Starts at 0; +1 on every state change at any scope.
  uint64_t epoch() const noexcept;

  /// Moves the global scope to `s` with `reason`; false (and nothing
  /// changes) if already `s`.
  bool set_state(trading_state s, std::string reason, std::string by = {},
                 nanos now = 0);

  /// Moves `scope` to `s`; false (and nothing changes) if already `s`.
  bool set_scope_state(const trading_scope& scope, trading_state s,
                       std::string reason, std::string by, nanos now);

  /// Replaces why the global state is what it is (the state stays).
  void set_state_reason(std::string reason) {
    scopes_.set_reason(trading_scope{}, std::move(reason), scopes_.global_entry().by);
  }

  /// Every scope's state.
  const trading_scopes& scopes() const noexcept { return scopes_; }

  /// Records the venue's own position of `s` as of `at` (for the flip guard).
  /// Ignored (and any earlier one dropped) while an order of ours is open on
  /// `s`; an order sent or a fill on `s` afterwards drops it too: only a
  /// venue position newer than our last activity there is compared.
  void venue_position(const venue_id& v, const symbol_id& s, quantity qty, nanos at);

  /// A macro window named `name` is active: entries are denied.
  void set_macro_window(std::string name) { macro_ = std::move(name); }

  /// The macro window ended.
  void clear_macro_window() { macro_.reset(); }

  /// The active macro window's name, if any.
  const std::optional<std::string>& macro_window() const noexcept { return macro_; }

  /// Open orders that are entries (see `open_entry`), by cid.
  std::vector<open_entry> open_entries() const;

  /// Open positions of `group` as the group cap counts them (see `check`),
  /// not excluding any symbol.
  uint64_t group_open_positions(const std::string& group) const;

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
    venue_id venue;
    symbol_id symbol;
    bool opening = false; ///< Sent while the position was flat.
    side sd = side::buy;
    bool reduce_only = false;
    std::string strategy;
  };

  struct venue_report {
    quantity qty;
    nanos at = 0;
  };

  void release(open_order& x, quantity filled);

  /// Counts `group`'s open positions, leaving out `skip` (venue, symbol).
  uint64_t count_group(const std::string& group, const venue_id& skip_venue,
                       const symbol_id& skip_symbol) const;

  risk_limits limits_;
  position_book book_;
  trading_scopes scopes_;
  uint64_t epoch_ = 0;
  std::optional<std::string> macro_;
  std::map<std::pair<venue_id, symbol_id>, venue_report> venue_positions_;
  std::unordered_map<client_order_id, open_order> open_;
  notional open_exposure_;
};

} // namespace agora
