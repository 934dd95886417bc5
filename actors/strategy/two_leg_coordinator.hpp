#pragma once

#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/strategy/two_leg.hpp"
#include "messages/market_data.hpp"
#include "messages/time.hpp"
#include "messages/trading.hpp"

namespace agora {

struct coordinator_params {
  two_leg_request request;
  std::vector<instrument_spec> specs;  ///< One per leg, in leg order.
  std::vector<caf::actor> gateways;    ///< One per leg: where cancels go.
  uint64_t cid_base = 0;
  two_leg_params legs;
  std::string owner_path;              ///< The strategy's directory name.
  caf::actor owner;                    ///< Gets the two_leg_result (looked up by name if it died).
  caf::actor directory;
  nanos tick = 100 * ns_per_ms;        ///< Unwind retry resolution.
  const clock_source* clock = nullptr;
};

/// Spawns the coordinator of one two-leg trade. It lives exactly as long as
/// the trade: it registers itself in the directory as
/// "<owner_path>/leg:<trade>" (kind "coordinator", so `agora graph` shows
/// it), sends both legs to risk at once (it owns the orders: their events
/// come back to it), cancels what is left at the deadline, and on leg risk
/// unwinds the naked exposure with emergency market orders, raises a
/// CRITICAL alert, journals a "leg_risk" risk event with both legs' states
/// and asks risk to halt the owning strategy. It then sends the
/// `two_leg_result` to the strategy, unregisters and quits.
///
/// It is not linked to its strategy: a strategy that dies mid-trade does
/// not leave a naked leg behind; the result then goes to the strategy's
/// next incarnation (found by name), which rebuilds its position from the
/// journal anyway.
caf::actor spawn_two_leg_coordinator(caf::actor_system& sys,
                                     coordinator_params params);

/// The directory name of a trade's coordinator.
std::string coordinator_path(const std::string& owner_path, uint64_t trade);

} // namespace agora
