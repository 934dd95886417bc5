#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "messages/time.hpp"

namespace agora::replay {

/// The recorder's well-known name: feeds find it in CAF's registry.
inline constexpr caf::atom_value recorder_name = caf::atom("recorder");

struct recorder_params {
  std::string dir;                      ///< Created if missing.
  bool daily = false;                   ///< One file per UTC day instead of hour.
  nanos flush_interval = 1 * ns_per_s;  ///< At most this much is lost on a crash.
  nanos retry_interval = 10 * ns_per_s; ///< After a failed write, frames are dropped this long.
  const clock_source* clock = nullptr;
};

/// Spawns the recorder: a detached actor (file I/O blocks) that writes every
/// raw market-data frame the feeds send it (`wire_frame`: the frame exactly
/// as the feed received it, with its receive time; REST snapshots as
/// binance::recorded_snapshot lines) through a `recording_writer`, flushing every
/// `flush_interval`. A failed open or write (an unwritable folder, a full
/// disk) is logged and raised as one CRITICAL alert, frames are dropped and
/// counted for `retry_interval`, then writing is tried again; trading never
/// waits for it. `(stats_atom)` -> actor_stats: state "recording" or
/// "failing", processed = lines written, detail with bytes, dropped and the
/// last error.
caf::actor spawn_recorder(caf::actor_system& sys, const std::string& path,
                          recorder_params params);

} // namespace agora::replay
