#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/alerts/alert_settings.hpp"
#include "messages/time.hpp"

namespace agora {

/// Spawns the alert router: takes `alert_raised` from anyone, throttles
/// identical ones (`alert_policy`), and delivers the rest to the log (at
/// the alert's level), the journal (`to_journal`) and every sink whose
/// min_level it reaches. Each configured sink is an `http_sink` actor
/// spawned and linked here (a sink crash restarts the router through its
/// supervisor; the router's exit ends its sinks); the router only `send`s
/// to them, so a sink that is down or slow never holds it up.
///
/// Daily at `settings.summary_hour_utc` (unless -1; 0 by default, right
/// after the UTC day closes) it requests `summary_atom` -> `daily_summary`
/// from the actor registered as `risk_name` (the last closed UTC day, or the
/// day so far marked partial before any day closed) and raises the INFO
/// alert `daily_summary_text(...)` (source "alerts").
///
/// Messages:
/// - `alert_raised`.
/// - `summary_atom` -> `std::string`: the daily summary at once (raised
///   like the scheduled one, throttled like any alert), or an error when
///   risk is not registered or does not answer within 5 s.
/// - `stats_atom` -> `actor_stats`: state "running"; processed = alerts
///   delivered; detail "info=N warning=N critical=N suppressed=N
///   suppressed_info=N suppressed_warning=N suppressed_critical=N", then per
///   sink " sink.<name>.state=<state>" and each field of the sink's own
///   stats detail prefixed the same way: " sink.<name>.sent=N
///   sink.<name>.failed=N sink.<name>.dropped=N sink.<name>.queued=N
///   sink.<name>.retries=N[ sink.<name>.last_error=\"...\"]" (a state with
///   spaces is quoted; a sink that does not answer within 500 ms shows
///   state=unresponsive and its other fields are left out).
caf::actor spawn_alert_router(caf::actor_system& sys, const std::string& path,
                              const clock_source* clock,
                              alert_settings settings);

/// The router with `throttle` for every level, no sinks and no daily
/// summary (the behaviour before sinks existed).
caf::actor spawn_alert_router(caf::actor_system& sys, const std::string& path,
                              const clock_source* clock, nanos throttle);

} // namespace agora
