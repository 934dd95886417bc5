#pragma once

#include <map>
#include <string>
#include <vector>

#include "messages/enums.hpp"
#include "messages/ids.hpp"
#include "messages/system.hpp"
#include "messages/time.hpp"

namespace agora {

/// Trading states per scope: global, venue, strategy and symbol (a symbol
/// scope's name is "venue/SYMBOL"). An order meets the most restrictive of
/// the four scopes it falls in. Pure: the risk engine owns it.
///
/// The global scope always exists (ACTIVE at start, reason empty); a
/// narrower scope exists only while it is not ACTIVE.
class trading_scopes {
public:
  /// The symbol scope of `symbol` on `venue`: {symbol, "venue/SYMBOL"}.
  static trading_scope symbol_scope(const venue_id& venue,
                                    const symbol_id& symbol);

  /// The venue scope of `venue`.
  static trading_scope venue_scope(const venue_id& venue);

  /// The strategy scope of the strategy instance `name`.
  static trading_scope strategy_scope(std::string name);

  /// Sets `scope` to `state` with why, by whom and since when. Returns false
  /// (and changes nothing, not even the reason) when the scope is already in
  /// `state`. Setting a narrower scope to ACTIVE removes it.
  bool set(const trading_scope& scope, trading_state state, std::string reason,
           std::string by, nanos now);

  /// Replaces the reason (and `by`) of a scope that is not ACTIVE, or of the
  /// global scope; false if there is no such scope.
  bool set_reason(const trading_scope& scope, std::string reason,
                  std::string by);

  /// The state of one scope (ACTIVE, empty reason, for an unset one).
  scoped_state get(const trading_scope& scope) const;

  /// The state an order of `strategy` on `venue`/`symbol` meets: the most
  /// restrictive of the global, venue, strategy and symbol scopes; on a tie
  /// the broadest scope (global, then venue, strategy, symbol) gives the
  /// reason. All ACTIVE: the global scope's entry. An empty `strategy` (or an
  /// invalid venue/symbol) skips that scope.
  scoped_state effective(const venue_id& venue, const std::string& strategy,
                         const symbol_id& symbol) const;

  /// Every scope that is not ACTIVE, global first, then venues, strategies
  /// and symbols, each sorted by name.
  std::vector<scoped_state> list() const;

  /// The global scope's state.
  trading_state global() const noexcept { return global_.state; }

  /// The global scope's entry.
  const scoped_state& global_entry() const noexcept { return global_; }

private:
  scoped_state global_;
  std::map<trading_scope, scoped_state> narrow_; ///< Only non-ACTIVE scopes.
};

/// 1 for ACTIVE, 2 for REDUCING, 3 for HALTED: larger is more restrictive.
constexpr int restrictiveness(trading_state s) noexcept {
  return s == trading_state::halted ? 3 : s == trading_state::reducing ? 2 : 1;
}

} // namespace agora
