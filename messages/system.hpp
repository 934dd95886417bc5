#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/meta/type_name.hpp>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/market_data.hpp"
#include "messages/time.hpp"

namespace agora {

// -- trading state ------------------------------------------------------------

/// Where a trading state applies: everything (global), one venue, one
/// strategy instance, or one symbol of one venue. `name` is empty for
/// global, the venue or strategy name, or "venue/SYMBOL" for a symbol.
struct trading_scope {
  scope_kind kind = scope_kind::global;
  std::string name;

  bool global() const noexcept { return kind == scope_kind::global; }

  /// "global", "venue:sim", "strategy:mr:BTCUSDT", "symbol:sim/BTCUSDT".
  std::string to_string() const {
    return kind == scope_kind::global
             ? std::string{"global"}
             : std::string{agora::to_string(kind)} + ':' + name;
  }

  friend bool operator==(const trading_scope&, const trading_scope&) = default;
  friend auto operator<=>(const trading_scope&, const trading_scope&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, trading_scope& x) {
  return f(caf::meta::type_name("trading_scope"), x.kind, x.name);
}

/// Stop all new trading: strategies stop emitting, gateways cancel resting
/// orders and reject new ones with TRADING_HALTED.
struct halt_trading {
  std::string reason;
  std::string by; ///< Who asked: "cli", "risk", a breaker name.
  trading_scope scope; ///< Global unless narrowed.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, halt_trading& x) {
  return f(caf::meta::type_name("halt_trading"), x.reason, x.by, x.scope);
}

/// Explicitly return to ACTIVE (at `scope`).
struct resume_trading {
  std::string by;
  trading_scope scope;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, resume_trading& x) {
  return f(caf::meta::type_name("resume_trading"), x.by, x.scope);
}

/// A trading state moved; sent by risk to every strategy and gateway it
/// concerns. To a strategy, `to` is its effective state (the most
/// restrictive of global, venue, strategy and symbol scopes); to a gateway,
/// `scope` says which of its orders the change covers.
struct trading_state_changed {
  trading_state from = trading_state::active;
  trading_state to = trading_state::active;
  std::string reason;
  uint64_t epoch = 0; ///< Increases with every change; acks name it.
  nanos local_time = 0;
  trading_scope scope; ///< Where the change applies.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, trading_state_changed& x) {
  return f(caf::meta::type_name("trading_state_changed"), x.from, x.to,
           x.reason, x.epoch, x.local_time, x.scope);
}

/// A strategy or gateway confirms it has acted on a state change.
struct trading_state_acknowledged {
  std::string who;
  uint64_t epoch = 0;
  trading_state state = trading_state::active;
  uint64_t canceled_orders = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f,
                                        trading_state_acknowledged& x) {
  return f(caf::meta::type_name("trading_state_acknowledged"), x.who, x.epoch,
           x.state, x.canceled_orders);
}

// -- alerts -------------------------------------------------------------------

/// An alert for the operators. Identical alerts (same level, source and
/// `key`, or text when `key` is empty) are de-duplicated and throttled by
/// the router.
struct alert_raised {
  alert_level level = alert_level::info;
  std::string source;
  std::string text;
  nanos local_time = 0;
  std::string key; ///< De-duplication key, e.g. "leg_risk:basis:BTCUSDT"; empty: the text.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, alert_raised& x) {
  return f(caf::meta::type_name("alert_raised"), x.level, x.source, x.text,
           x.local_time, x.key);
}

/// One UTC trading day's figures, for the daily INFO summary. Risk answers
/// `summary_atom` with the last closed day (its figures as they stood at
/// midnight UTC); before any day has closed since risk started, with the day
/// so far, `partial` set.
struct daily_summary {
  nanos day_start = 0;        ///< 00:00 UTC of the day reported.
  nanos taken = 0;            ///< When risk answered.
  notional realized_pnl;      ///< Over the day, net of fees.
  notional unrealized_pnl;    ///< At the day's close (partial: now).
  notional fees;              ///< Over the day.
  uint64_t fills = 0;         ///< Executions in the day.
  uint64_t round_trips = 0;   ///< Positions closed (back to flat) in the day.
  uint64_t wins = 0;          ///< Round trips with a positive realized PnL.
  notional equity;            ///< Configured equity + all PnL, at the day's close (partial: now).
  notional peak_equity;       ///< Highest equity seen in the day.
  bool partial = false;       ///< The day has not closed: figures from day_start to `taken`.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, daily_summary& x) {
  return f(caf::meta::type_name("daily_summary"), x.day_start, x.taken,
           x.realized_pnl, x.unrealized_pnl, x.fees, x.fills, x.round_trips,
           x.wins, x.equity, x.peak_equity, x.partial);
}

// -- directory and graph ------------------------------------------------------

/// A live actor as the directory knows it.
struct actor_entry {
  std::string name;   ///< Stable path, e.g. "venue:sim/book:BTCUSDT".
  std::string kind;   ///< "supervisor", "feed", "book", "gateway", ...
  std::string parent; ///< The supervisor's name; empty for the root.
  caf::actor handle;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_entry& x) {
  return f(caf::meta::type_name("actor_entry"), x.name, x.kind, x.parent,
           x.handle);
}

/// Sent by the directory to subscribers when `name` gets a new handle
/// (registered or restarted); `handle` is invalid when it went away.
struct actor_replaced {
  std::string name;
  caf::actor handle;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_replaced& x) {
  return f(caf::meta::type_name("actor_replaced"), x.name, x.handle);
}

/// Restart bookkeeping a supervisor reports for one child.
struct child_restarted {
  std::string name;
  uint64_t restarts = 0;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, child_restarted& x) {
  return f(caf::meta::type_name("child_restarted"), x.name, x.restarts,
           x.reason);
}

/// What an actor says about itself when asked for stats.
struct actor_stats {
  std::string state;    ///< Short, kind-specific: "running", "stale", ...
  uint64_t mailbox = 0;
  uint64_t processed = 0;
  std::string detail;   ///< key=value pairs, kind-specific.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, actor_stats& x) {
  return f(caf::meta::type_name("actor_stats"), x.state, x.mailbox,
           x.processed, x.detail);
}

/// One node of the live graph.
struct graph_node {
  std::string name;
  std::string kind;
  std::string parent;
  std::string state;
  uint64_t restarts = 0;
  uint64_t mailbox = 0;
  uint64_t processed = 0;
  nanos started = 0;    ///< When this incarnation started.
  std::string detail;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, graph_node& x) {
  return f(caf::meta::type_name("graph_node"), x.name, x.kind, x.parent,
           x.state, x.restarts, x.mailbox, x.processed, x.started, x.detail);
}

struct graph_report {
  std::vector<graph_node> nodes;
  nanos taken = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, graph_report& x) {
  return f(caf::meta::type_name("graph_report"), x.nodes, x.taken);
}

/// A trading state set at a scope narrower than global (or global, in
/// listings), with why and by whom.
struct scoped_state {
  trading_scope scope;
  trading_state state = trading_state::active;
  std::string reason;
  std::string by;
  nanos since = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, scoped_state& x) {
  return f(caf::meta::type_name("scoped_state"), x.scope, x.state, x.reason,
           x.by, x.since);
}

/// The service at a glance.
struct status_report {
  trading_state state = trading_state::active;
  std::string state_reason;
  uint64_t intents = 0;
  uint64_t denied = 0;
  uint64_t fills = 0;
  uint64_t open_orders = 0;
  notional realized_pnl;
  notional unrealized_pnl;
  notional gross_exposure;
  uint64_t restarts = 0;
  uint64_t actors = 0;
  nanos uptime = 0;
  uint64_t state_epoch = 0;     ///< Trading-state changes so far.
  uint64_t pending_acks = 0;    ///< Actors yet to acknowledge the last change.
  nanos last_ack_latency = 0;   ///< Change sent -> last acknowledgement (0: none yet).
  std::vector<scoped_state> scopes; ///< States set below global (venue, strategy, symbol).
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, status_report& x) {
  return f(caf::meta::type_name("status_report"), x.state, x.state_reason,
           x.intents, x.denied, x.fills, x.open_orders, x.realized_pnl,
           x.unrealized_pnl, x.gross_exposure, x.restarts, x.actors, x.uptime,
           x.state_epoch, x.pending_acks, x.last_ack_latency, x.scopes);
}

// -- venue plumbing -----------------------------------------------------------

/// Raw market-data text as it came off a connection (for the in-process sim,
/// the "socket" is a message). Parsed once, in the feed.
struct wire_frame {
  venue_id venue;
  std::string text;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, wire_frame& x) {
  return f(caf::meta::type_name("wire_frame"), x.venue, x.text, x.local_time);
}

/// The answer to one REST call a venue adapter made, handed from its HTTP
/// client's thread back to the adapter actor.
struct rest_reply {
  uint64_t request_id = 0;
  uint8_t outcome = 0;              ///< net::send_outcome: 1 complete, 2 not sent, 3 unknown.
  unsigned status = 0;              ///< HTTP status when complete.
  std::string body;
  std::vector<std::string> headers; ///< name, value, name, value, ...
  std::string error;                ///< Why it did not complete.
  nanos sent = 0;
  nanos received = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, rest_reply& x) {
  return f(caf::meta::type_name("rest_reply"), x.request_id, x.outcome, x.status,
           x.body, x.headers, x.error, x.sent, x.received);
}

/// The venue closed the connection (or it died).
struct connection_lost {
  venue_id venue;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, connection_lost& x) {
  return f(caf::meta::type_name("connection_lost"), x.venue, x.reason);
}

/// A book asks its feed to follow a symbol (and fetch a snapshot).
struct follow_symbol {
  symbol_id symbol;
  caf::actor book;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, follow_symbol& x) {
  return f(caf::meta::type_name("follow_symbol"), x.symbol, x.book);
}

struct unfollow_symbol {
  symbol_id symbol;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, unfollow_symbol& x) {
  return f(caf::meta::type_name("unfollow_symbol"), x.symbol);
}

/// A book asks its feed for a fresh snapshot (after a gap or at start).
struct snapshot_request {
  symbol_id symbol;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, snapshot_request& x) {
  return f(caf::meta::type_name("snapshot_request"), x.symbol);
}

/// Inject a fault into a venue (sim) or a feed, for tests and drills.
/// Kinds: "feed-drop", "seq-gap", "malformed", "stall", "crash-book"; and
/// order entry at the sim venue, one shot for the next new order on `symbol`
/// (any symbol when empty): "reject-next" (rejected, venue_rejected),
/// "expire-next" (accepted, then expired unfilled), "partial-next"
/// (accepted, half filled at its limit price, the rest expired).
struct inject_fault {
  std::string kind;
  symbol_id symbol;   ///< Empty: the venue picks (or all symbols).
  nanos duration = 0; ///< For "stall".
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, inject_fault& x) {
  return f(caf::meta::type_name("inject_fault"), x.kind, x.symbol,
           x.duration);
}

/// Add (or remove) a symbol at runtime.
struct spawn_symbol {
  venue_id venue;
  symbol_id symbol;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, spawn_symbol& x) {
  return f(caf::meta::type_name("spawn_symbol"), x.venue, x.symbol);
}

struct stop_symbol {
  venue_id venue;
  symbol_id symbol;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stop_symbol& x) {
  return f(caf::meta::type_name("stop_symbol"), x.venue, x.symbol);
}

/// A generic failure answer for the control API: what went wrong, readable.
struct command_failed {
  std::string what;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, command_failed& x) {
  return f(caf::meta::type_name("command_failed"), x.what);
}

// -- replay and backtest ------------------------------------------------------

/// What a book actor counted since it started (`report_atom`): the
/// backtest report's per-book checks.
struct book_report {
  venue_id venue;
  symbol_id symbol;
  bool fresh = false;          ///< In sync now.
  uint64_t diffs_applied = 0;
  uint64_t gaps = 0;
  uint64_t crossed = 0;
  uint64_t resyncs = 0;        ///< Snapshots loaded (the first one included).
  uint64_t tickers = 0;        ///< The venue's bookTicker messages seen.
  uint64_t ticker_checked = 0; ///< ... whose update id equalled an applied diff's last id.
  uint64_t ticker_agreed = 0;  ///< ... of those, equal to the rebuilt best bid/ask (px and qty).
  std::string first_disagreement; ///< The first checked ticker that did not agree.
  std::string stale_reason;    ///< Why the book is stale now; empty when fresh.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, book_report& x) {
  return f(caf::meta::type_name("book_report"), x.venue, x.symbol, x.fresh, x.diffs_applied,
           x.gaps, x.crossed, x.resyncs, x.tickers, x.ticker_checked, x.ticker_agreed,
           x.first_disagreement, x.stale_reason);
}

/// What a replay feed counted (`report_atom`).
struct feed_report {
  venue_id venue;
  uint64_t frames = 0;           ///< Recorded messages played into the feed.
  uint64_t events = 0;           ///< ... parsed into diffs, tickers, trades, funding.
  uint64_t snapshots = 0;        ///< REST depth snapshots in the data.
  uint64_t snapshots_served = 0; ///< ... handed to a book that asked for one.
  uint64_t malformed = 0;        ///< Frames the codec refused.
  uint64_t ignored = 0;          ///< Events the codec does not decode (unknown streams).
  uint64_t unrouted = 0;         ///< Events of symbols no book follows.
  std::string first_malformed;   ///< The first refusal, for the report.
  uint64_t funding_updates = 0;  ///< Mark-price / funding updates in the data.
  std::vector<funding_event> funding; ///< Funding times the data passed, oldest first.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, feed_report& x) {
  return f(caf::meta::type_name("feed_report"), x.venue, x.frames, x.events, x.snapshots,
           x.snapshots_served, x.malformed, x.ignored, x.unrouted, x.first_malformed,
           x.funding_updates, x.funding);
}

} // namespace agora
