#pragma once

#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/risk/breakers.hpp"
#include "actors/risk/macro_calendar.hpp"
#include "actors/risk/risk_engine.hpp"
#include "messages/ids.hpp"
#include "messages/time.hpp"

namespace agora {

/// The risk book's settings beyond the pre-trade limits (those, with group
/// caps and the flip guard's age, are in `risk_limits`).
struct risk_book_settings {
  /// Daily loss and drawdown breakers (equity, fractions).
  breaker_settings breakers;
  /// Breakers are evaluated on every fill and mark, and this often.
  nanos breaker_interval = 1 * ns_per_s;
  /// The macro calendar file; empty: no macro windows.
  std::string calendar_path;
  macro_settings macro;
  /// A resume refused because a breaker holds the global scope is accepted
  /// when the same `by` repeats it within this long.
  nanos breaker_override_window = 60 * ns_per_s;
};

struct risk_params {
  risk_limits limits;
  std::vector<venue_id> venues;       ///< Whose gateways orders go to.
  caf::actor directory;
  nanos status_interval = 10 * ns_per_s; ///< Periodic one-line status log.
  nanos ack_timeout = 3 * ns_per_s;   ///< A halt not acknowledged by then escalates.
  nanos mark_interval = 1 * ns_per_s; ///< Open positions are marked to the book's mid this often.
  /// With a journal: positions are rebuilt from it at start, trading stays
  /// HALTED until every venue reconciled cleanly, a mismatch halts again.
  bool journal = false;
  nanos pnl_interval = 60 * ns_per_s; ///< A PnL snapshot is journaled this often.
  const clock_source* clock = nullptr;
  risk_book_settings book;
  /// The parsed calendar (see `load_risk_calendar`). When empty while
  /// `book.calendar_path` is set, risk loads the file itself at start and a
  /// bad file halts trading (CRITICAL).
  std::optional<macro_calendar> calendar;
};

/// Loads `params.book.calendar_path` into `params.calendar`. Returns the
/// error (naming the file, entry and field) when the file is missing or
/// bad: the service refuses to start. Nothing to do (and no error) without
/// a path.
std::optional<std::string> load_risk_calendar(risk_params& params);

/// Spawns the risk supervisor: the single choke point between strategies and
/// gateways. Every `submit_order` intent is checked (each denial an
/// `order_rejected` with a reason code back to the strategy) and, if allowed,
/// delegated to the venue's gateway (so the gateway sees the strategy as the
/// owner). It keeps positions and PnL from fills (marked to each book's mid
/// every `mark_interval` while a position is open) and the trading states.
///
/// Trading states are kept per scope (global, venue, strategy, symbol):
/// - `halt_trading` / `resume_trading` -> std::string: set the scope's state.
///   A change goes (`trading_state_changed` with the scope) to the gateways
///   it concerns (global and strategy scopes: all; venue and symbol scopes:
///   that venue's) and to every strategy it concerns with the strategy's
///   effective state. Everyone acknowledges; an acknowledgement missing after
///   `ack_timeout` raises a CRITICAL alert and the change is sent once more
///   to the silent ones; still missing after another `ack_timeout`, a HALTED
///   or REDUCING change halts GLOBAL ("halt not acknowledged by X").
/// - A strategy's venues and symbols come from `(register_atom, name,
///   venue_id, symbol_id)` (one per symbol it trades; the sender is the
///   strategy) and from its intents. Unknown ones get global and
///   strategy-scope changes (matched by their directory name).
/// - A global resume is refused while reconciliation holds (mismatch,
///   recovery), and while a breaker holds: the first resume is refused with
///   why, the same `by` repeating it within `breaker_override_window`
///   lifts the hold.
/// - Breakers (daily loss, daily drawdown) are evaluated on every fill, every
///   mark and every `breaker_interval`; a trip halts GLOBAL (CRITICAL,
///   journaled as a "breaker" risk event). A breaker trips again the same
///   day only when the loss grows by another full limit. With a journal,
///   the rebuilt fills are replayed through the breakers at their own times
///   (today's start equity and figures are right after a restart; a limit
///   they crossed counts as tripped and is not acted on again).
/// - Macro windows: inside one, entries are denied (macro_window), resting
///   entries are cancelled through their gateways, and an ACTIVE global
///   scope moves to REDUCING ("macro window: US CPI until 13:45Z", by
///   "macro"); when it ends, a global REDUCING set by "macro" returns to
///   ACTIVE (never over an operator's state). Both journaled, WARNING alerts.
///   A global resume during a window gives REDUCING, not ACTIVE.
/// - The flip guard: venue positions come from `venue_state_report`s (the
///   gateway forwards them when it reads the venue); a denial with
///   position_mismatch corrects our position to the venue's (journaled as a
///   `holding_update` by "flip_guard", CRITICAL alert).
/// - `status_atom` -> status_report (with the non-ACTIVE narrower scopes);
///   `positions_atom` -> positions_report; `summary_atom` -> daily_summary:
///   the last closed UTC day, kept when the breakers roll the day (at the
///   first tick, mark or fill after midnight; asked before that, the day
///   just ended), so a request right after midnight reports the whole day.
///   Before any day has closed since start (with a journal: since the first
///   rebuilt fill), the day so far with `partial` set.
/// - `reconcile_report` (from gateways): the latest per venue is kept; a
///   difference halts trading (CRITICAL) until an operator accepts the
///   venue's state; when the start-up recovery halted trading, the last
///   clean venue resumes it. `resume_trading` is refused meanwhile.
/// - `reconcile_atom` -> std::vector<reconcile_report> (latest per venue).
/// - `accept_venue_state` -> std::string: each mismatched venue's gateway
///   adopts the venue's holdings (`holding_update`s come back here and
///   adjust positions).
caf::actor spawn_risk(caf::actor_system& sys, const std::string& path,
                      risk_params params);

} // namespace agora
