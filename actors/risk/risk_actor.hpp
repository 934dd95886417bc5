#pragma once

#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/risk/risk_engine.hpp"
#include "messages/ids.hpp"
#include "messages/time.hpp"

namespace agora {

struct risk_params {
  risk_limits limits;
  std::vector<venue_id> venues;       ///< Whose gateways orders go to.
  caf::actor directory;
  nanos status_interval = 10 * ns_per_s; ///< Periodic one-line status log.
  nanos ack_timeout = 3 * ns_per_s;   ///< A halt not acknowledged by then escalates.
  nanos mark_interval = 1 * ns_per_s; ///< Open positions are marked to the book's mid this often.
  /// With a journal: positions are rebuilt from it at start, trading stays
  /// HALTED until every venue reconciled cleanly, a mismatch halts again.
  bool journal = false;
  nanos pnl_interval = 60 * ns_per_s; ///< A PnL snapshot is journaled this often.
  const clock_source* clock = nullptr;
};

/// Spawns the risk supervisor: the single choke point between strategies and
/// gateways. Every `submit_order` intent is checked (each denial an
/// `order_rejected` with a reason code back to the strategy) and, if allowed,
/// delegated to the venue's gateway (so the gateway sees the strategy as the
/// owner). It keeps positions and PnL from fills (marked to each book's mid
/// every `mark_interval` while a position is open) and the trading state.
///
/// - `halt_trading` -> std::string: HALTED; every strategy and gateway is
///   told (`trading_state_changed`) and must acknowledge; a missing
///   acknowledgement raises a CRITICAL alert.
/// - `resume_trading` -> std::string: explicit return to ACTIVE.
/// - `status_atom` -> status_report; `positions_atom` -> positions_report.
/// - `reconcile_report` (from gateways): the latest per venue is kept; a
///   difference halts trading (CRITICAL) until an operator accepts the
///   venue's state; when the start-up recovery halted trading, the last
///   clean venue resumes it. `resume_trading` is refused meanwhile.
/// - `reconcile_atom` -> std::vector<reconcile_report> (latest per venue).
/// - `accept_venue_state` -> std::string: each mismatched venue's gateway
///   adopts the venue's holdings (`holding_update`s come back here and
///   adjust positions).
caf::actor spawn_risk(caf::actor_system& sys, const std::string& path,
                      risk_params params);

} // namespace agora
