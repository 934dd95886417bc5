#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/strategy/basis_arb.hpp"
#include "actors/strategy/two_leg.hpp"
#include "messages/enums.hpp"
#include "messages/ids.hpp"
#include "messages/time.hpp"

namespace agora {

struct basis_strategy_params {
  std::string name;            ///< Instance name, e.g. "basis:BTCUSDT" (owner of its orders).
  run_mode mode = run_mode::paper;
  venue_id spot_venue;
  symbol_id spot_symbol;
  venue_id perp_venue;
  symbol_id perp_symbol;
  basis_params params;
  two_leg_params legs;
  caf::actor directory;
  uint64_t cid_base = 0;       ///< Client order ids of this incarnation start above it.
  nanos timer_interval = 1 * ns_per_s;
  const clock_source* clock = nullptr;
};

/// Spawns one spot-perpetual basis arbitrage instance. It follows both books
/// (and the perpetual's funding) through the directory, feeds them to the
/// pure core (`basis_arb`), and hands every trade the core wants to a
/// short-lived two-leg coordinator that owns both legs (see
/// two_leg_coordinator.hpp). In SHADOW mode trades are logged and journaled
/// as signals, and nothing is sent. Acknowledges every trading-state change.
caf::actor spawn_basis_strategy(caf::actor_system& sys, const std::string& path,
                                basis_strategy_params params);

} // namespace agora
