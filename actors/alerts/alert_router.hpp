#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "messages/time.hpp"

namespace agora {

/// Spawns the alert router: takes `alert_raised` from anyone and delivers it
/// to the sinks (for now: the log, at the alert's level). Identical alerts
/// from the same source within `throttle` are counted, not repeated.
/// Answers `stats_atom` with counts per level.
caf::actor spawn_alert_router(caf::actor_system& sys, const std::string& path,
                              const clock_source* clock, nanos throttle);

} // namespace agora
