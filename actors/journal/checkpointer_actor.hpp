#pragma once

#include <chrono>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/journal/journal_db.hpp"

namespace agora {

struct checkpointer_params {
  std::string path;                 ///< The journal's database file.
  journal::sync_mode sync = journal::sync_mode::normal; ///< As the journal's connection.
  std::chrono::milliseconds period{20};
  /// A WAL longer than this many frames (4 KiB pages) is restarted: the
  /// writer waits for that one checkpoint (a short one: the passive ones
  /// before it copied nearly everything), and the file stops growing.
  int restart_frames = 16'384;
};

/// Copies the journal's WAL into the database on its own thread and its own
/// SQLite connection, every `period`, so the journal actor, which answers
/// the durable writes orders wait for, never checkpoints itself (before,
/// a checkpoint inside it held every ack for up to 0.57 s).
///
/// Passive checkpoints take no lock a writer needs. Under constant load a
/// passive checkpoint never sees the WAL whole, so SQLite cannot start it
/// over and it would grow without bound: past `restart_frames` the
/// checkpointer runs one RESTART checkpoint, which waits for the writer's
/// transaction in hand and makes the next one start the WAL from its
/// beginning.
///
/// A detached actor, spawned and linked by the journal actor; it opens the
/// file after the journal has created and migrated it. `stats_atom` ->
/// actor_stats (checkpoints, restarts, frames copied, the longest
/// checkpoint, the largest WAL seen). A failing checkpoint is logged and
/// retried; it never stops the journal.
caf::actor spawn_checkpointer(caf::actor_system& sys, checkpointer_params params);

} // namespace agora
