#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/strategy/mean_reversion.hpp"
#include "messages/enums.hpp"
#include "messages/ids.hpp"
#include "messages/time.hpp"

namespace agora {

struct strategy_params {
  std::string name;           ///< Instance name, e.g. "mr:BTCUSDT" (owner of its orders).
  venue_id venue;
  symbol_id symbol;
  run_mode mode = run_mode::paper;
  mean_reversion_params params;
  caf::actor directory;
  uint64_t cid_base = 0;      ///< Client order ids of this incarnation start above it.
  nanos timer_interval = 1 * ns_per_s;
  const clock_source* clock = nullptr;
};

/// Spawns one mean-reversion strategy instance: subscribes to its book
/// through the directory (so a restarted book is found again), feeds views,
/// fills and timer ticks to the pure core, and sends what it decides: intents
/// to risk, cancels to the gateway. In SHADOW mode intents are logged, not
/// sent. Acknowledges every trading-state change to risk.
caf::actor spawn_mean_reversion(caf::actor_system& sys, const std::string& path,
                                strategy_params params);

/// Allocates a client-order-id base unique to this process run and
/// incarnation: (run mod 2^20) << 40 | (incarnation << 24). `run` is the
/// journal's run id (never reused, so no client id repeats across
/// restarts); 0 (no journal) uses the start second instead.
uint64_t next_cid_base(uint64_t run) noexcept;

} // namespace agora
