#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/journal/journal_db.hpp"
#include "messages/time.hpp"

namespace agora {

struct journal_params {
  journal::open_options open;    ///< The file; opened (and migrated) by the actor.
  uint64_t run = 0;              ///< This run's id (journal::db::start_run at start-up).
  size_t max_batch = 512;        ///< Writes per transaction at most (group commit).
  size_t keep_bars = 2000;       ///< Bars kept per strategy (warm-up history).
  /// Its own thread (SQLite blocks). A backtest runs it on the scheduler
  /// instead, so its deterministic single-threaded scheduler drives it too.
  bool detached = true;
  /// Writes nobody waits on (bars, PnL rows, signals, order events) commit
  /// with the next durable write, at `max_batch` writes or when the actor
  /// ends, not each on its own. A backtest, which delivers every message
  /// alone, journals with sync off and reads its journal only after the run,
  /// sets it: one commit per order or fill instead of one per row. The
  /// service keeps it off: a record is on disk at once.
  bool defer_records = false;
  /// Copies the WAL into the database when writes pause (besides every
  /// 50,000 writes). A backtest turns it off: its virtual time pauses between
  /// nearly every two messages, and the file is closed (and checkpointed)
  /// within seconds anyway.
  bool checkpoint_when_idle = true;
  /// Checkpoints run on a checkpointer actor of their own (its thread, its
  /// connection: see checkpointer_actor.hpp) instead of inside this actor,
  /// so no durable ack waits for one. Off in a backtest (its journal is
  /// opened with exclusive locking: one connection only).
  bool checkpointer = true;
  const clock_source* clock = nullptr;
};

/// Spawns the journal: the service's only SQLite connection, a detached
/// actor (SQLite blocks). Every write arriving while a transaction is open
/// joins it; the transaction commits when the actor reaches a flush marker
/// it sent itself behind them (or at `max_batch` writes), so a burst costs
/// one commit. Durable writes are requests answered only after their commit:
///
/// - `(record_atom, submit_order)` -> bool: the order is durable (true) and
///   may leave for the venue. An error: it must not leave.
/// - `(record_atom, order_filled)` -> bool: the fill is durable; false when
///   the journal already had it (same venue, order and cumulative quantity).
///
/// Other writes are sent without waiting: `(record_atom, X)` for X in
/// order_accepted, order_rejected, order_canceled, cancel_order,
/// signal_record, bar_record, risk_event_record, alert_raised,
/// restart_record, pnl_record, reconcile_record, holding_update.
///
/// Reads: `(recover_atom, venue_id)` -> std::vector<adopt_order> (orders a
/// previous run left open); `(recover_atom, std::string strategy, uint64_t n)`
/// -> std::vector<bar_record>; `(fills_atom, std::string strategy)` ->
/// std::vector<order_filled> (all fills, or the strategy's, oldest first);
/// `(fills_atom, uint64_t limit)` -> the newest fills; `(venue_atom,
/// venue_id)` -> journal_holdings; `(orders_atom, bool open_only, uint64_t
/// limit)` -> std::vector<order_view>; `(signals_atom, bool blocked_only,
/// uint64_t limit)` -> std::vector<signal_record>; `(pnl_atom, uint64_t
/// limit)` -> std::vector<pnl_record>; `(reconcile_atom, uint64_t limit)` ->
/// std::vector<reconcile_record>.
///
/// A failed commit fails every waiting request, raises a CRITICAL alert,
/// asks risk to halt, and ends the actor with the error (its supervisor
/// restarts it, reopening the file).
caf::actor spawn_journal(caf::actor_system& sys, const std::string& path,
                         journal_params params);

/// Makes the calling thread SCHED_BATCH (same share of the CPU, but its
/// wake-ups never preempt a running thread): the journal's and the
/// checkpointer's threads. False with `error` when refused.
bool lower_to_batch_priority(std::string* error);

} // namespace agora
