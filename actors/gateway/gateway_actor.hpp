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
  /// Journal every order before it leaves and every fill before it is acted
  /// on; recover and reconcile at start. Off only in unit tests.
  bool journal = false;
  /// With `journal`: the directory of this gateway's intent log, the
  /// in-line durable path (see below). Empty: every order and fill waits for
  /// SQLite's commit instead (a request to the journal actor; a backtest).
  std::string intent_dir;
  /// fdatasync each intent before the order leaves or the fill is acted on
  /// (journal.sync "full": survives a power loss, not only a process crash).
  bool intent_sync = false;
  uint64_t intent_segment_bytes = 8ull << 20;
  /// What the hand-over of this venue's intent log at start reported (a
  /// torn tail cut, ...): raised as WARNING alerts when the gateway starts.
  std::vector<std::string> intent_warnings;
  nanos reconcile_interval = 30 * ns_per_s; ///< Periodic reconciliation.
  nanos quiet_before_compare = 2 * ns_per_s; ///< No fill for this long before holdings are compared.
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
///
/// With `journal`: an order leaves only once it is durable (else it is
/// rejected JOURNAL_UNAVAILABLE), a fill is acted on only once it is
/// durable. With an `intent_dir` that is one write() to the gateway's intent
/// log (journal/intent_log.hpp) in-line, before the send: durable against a
/// kill -9 of the process (and with `intent_sync`, an fdatasync: against a
/// power loss); SQLite gets the record from the journal actor afterwards,
/// and the log's records up to SQLite's last confirmation are released. A
/// write that fails (a full disk) refuses the order with a CRITICAL alert;
/// what SQLite did not confirm is sent again at each reconciliation tick. At
/// start the log's records past its mark go to SQLite first (idempotently:
/// an order once, a fill once per cumulative quantity). Without an
/// `intent_dir` each waits for SQLite's commit. At start the orders a previous run left open are adopted (the
/// venue endpoint queries each; live ones are cancelled), then the venue
/// is reconciled with the journal: orphan orders (on the venue, unknown to
/// us) are cancelled and the venue's holdings compared with baseline + our
/// fills + accepted adjustments; a `reconcile_report` goes to risk (which
/// keeps trading halted until every venue reconciled cleanly). Then every
/// `reconcile_interval` again (holdings only compared when no order is in
/// flight and no fill came for `quiet_before_compare`; a mismatch must be
/// seen twice). `(accept_atom, std::string by)` -> std::string: adopt the
/// venue's holdings (adjustments journaled, risk told), then reconcile.
caf::actor spawn_gateway(caf::actor_system& sys, const std::string& path,
                         gateway_params params);

} // namespace agora
