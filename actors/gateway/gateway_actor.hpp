#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "messages/ids.hpp"
#include "messages/time.hpp"

namespace agora {

struct gateway_params {
  venue_id venue;
  std::string endpoint_path;      ///< Directory name of the venue's order entry.
  caf::actor directory;
  double orders_per_minute = 30;  ///< Token bucket refill (below the venue limit).
  double burst = 10;              ///< Token bucket capacity.
  size_t keep_finished = 10'000;  ///< Finished orders kept for reports.
  const clock_source* clock = nullptr;
};

/// Spawns the order gateway of one venue account: owns every order's
/// lifecycle. Rounds to tick/lot (sizes floored), checks min notional,
/// rate-limits with a token bucket, enforces a halt (new orders rejected with
/// TRADING_HALTED; cancels still pass; resting orders cancelled), and fans
/// every venue event out to the order's owner and to risk.
///
/// - `submit_order` (delegated by risk: the sender is the owning strategy).
/// - `cancel_order`.
/// - `order_accepted` / `order_rejected` / `order_filled` / `order_canceled`
///   from the venue.
/// - `trading_state_changed` (from risk) -> acknowledges to risk.
/// - `(spec_atom, symbol_id)` -> instrument_spec.
/// - `orders_atom` -> orders_report. `(cancel_all_atom)` -> uint64_t.
caf::actor spawn_gateway(caf::actor_system& sys, const std::string& path,
                         gateway_params params);

} // namespace agora
