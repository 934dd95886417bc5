#pragma once

#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/orders.hpp"
#include "messages/time.hpp"

namespace agora {

// Records the journal keeps beside orders and fills (which are journaled as
// the order messages themselves: `submit_order`, `order_accepted`, ...).

/// An entry or exit signal of a strategy: acted on, or blocked with why.
struct signal_record {
  nanos time = 0;
  std::string strategy;
  venue_id venue;
  symbol_id symbol;
  std::string name;  ///< "entry_long", "exit_signal", "stop_loss", ... or "intent_denied".
  double z = 0;
  double rho = 0;
  bool acted = false;
  std::string why;   ///< Empty when acted on; otherwise the reason it was blocked.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, signal_record& x) {
  return f(caf::meta::type_name("signal_record"), x.time, x.strategy, x.venue,
           x.symbol, x.name, x.z, x.rho, x.acted, x.why);
}

/// One closed bar of a strategy's signal series: the warm state a restarted
/// strategy resumes from.
struct bar_record {
  std::string strategy;
  nanos time = 0;    ///< Bar start.
  price close;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, bar_record& x) {
  return f(caf::meta::type_name("bar_record"), x.strategy, x.time, x.close);
}

/// A risk event: a trading-state change, a limit breach, a lock.
struct risk_event_record {
  nanos time = 0;
  std::string kind;   ///< "state_changed", "reconcile_lock", "journal_failure", ...
  std::string state;  ///< The trading state after the event.
  std::string detail;
  std::string by;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, risk_event_record& x) {
  return f(caf::meta::type_name("risk_event_record"), x.time, x.kind, x.state,
           x.detail, x.by);
}

/// A supervisor restarted one of its children.
struct restart_record {
  nanos time = 0;
  std::string supervisor;
  std::string child;
  uint64_t restarts = 0;
  std::string reason;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, restart_record& x) {
  return f(caf::meta::type_name("restart_record"), x.time, x.supervisor,
           x.child, x.restarts, x.reason);
}

/// Realised and unrealised PnL at one moment (risk writes one periodically).
struct pnl_record {
  nanos time = 0;
  notional realized;
  notional unrealized;
  notional gross_exposure;
  notional fees;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, pnl_record& x) {
  return f(caf::meta::type_name("pnl_record"), x.time, x.realized,
           x.unrealized, x.gross_exposure, x.fees);
}

/// What a venue holds of one instrument: the USD-M position of a symbol, or
/// the spot balance (free + locked) of an asset. `key` is the symbol or the
/// asset.
struct holding {
  std::string key;
  quantity qty;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, holding& x) {
  return f(caf::meta::type_name("holding"), x.key, x.qty);
}

/// Which holding a traded symbol moves: spot BTCUSDT moves "BTC", USD-M
/// BTCUSDT moves "BTCUSDT".
struct symbol_key {
  symbol_id symbol;
  std::string key;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, symbol_key& x) {
  return f(caf::meta::type_name("symbol_key"), x.symbol, x.key);
}

/// An order resting on the venue as the venue lists it. `cid` is invalid for
/// an order not placed by Agora (`client_id` is then the venue's text).
struct venue_order {
  symbol_id symbol;
  client_order_id cid;
  std::string client_id;
  order_id oid;
  side sd = side::buy;
  price px;
  quantity qty;
  quantity cum_qty;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, venue_order& x) {
  return f(caf::meta::type_name("venue_order"), x.symbol, x.cid, x.client_id,
           x.oid, x.sd, x.px, x.qty, x.cum_qty);
}

/// A venue account as the venue sees it, read for reconciliation: its open
/// orders, its holdings, and which holding key each traded symbol moves
/// (spot: the base asset; USD-M: the symbol itself).
struct venue_state_report {
  venue_id venue;
  bool keeps_account = true; ///< False for a venue that does not outlive the service.
  std::vector<venue_order> open_orders;
  std::vector<holding> holdings;
  std::vector<symbol_key> symbol_keys;
  nanos time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, venue_state_report& x) {
  return f(caf::meta::type_name("venue_state_report"), x.venue,
           x.keeps_account, x.open_orders, x.holdings, x.symbol_keys, x.time);
}

/// Cancel an order the venue has and we do not know (an orphan), by the
/// venue's order id.
struct cancel_orphan {
  venue_id venue;
  symbol_id symbol;
  order_id oid;
  std::string client_id;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cancel_orphan& x) {
  return f(caf::meta::type_name("cancel_orphan"), x.venue, x.symbol, x.oid,
           x.client_id);
}

/// Take over an order the journal says may still live on the venue (after a
/// restart): the venue endpoint queries it and reports what became of it
/// with the usual order events. `cum_qty` is what the journal already
/// counted, so only newer fills are reported.
struct adopt_order {
  submit_order order;
  order_id oid;
  quantity cum_qty;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, adopt_order& x) {
  return f(caf::meta::type_name("adopt_order"), x.order, x.oid, x.cum_qty);
}

/// What the journal expects a venue to hold: the baselines (the venue's
/// holdings when first seen), the accepted adjustments per symbol, and our
/// net fills per symbol.
struct journal_holdings {
  venue_id venue;
  std::vector<holding> baselines;    ///< Per holding key.
  std::vector<holding> adjustments;  ///< Per symbol.
  std::vector<holding> net_fills;    ///< Per symbol (a symbol ever traded has a row).
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, journal_holdings& x) {
  return f(caf::meta::type_name("journal_holdings"), x.venue, x.baselines,
           x.adjustments, x.net_fills);
}

/// A change to what the journal expects a venue to hold: a baseline (per
/// holding key) or an accepted adjustment (per symbol, `qty` is the delta).
struct holding_update {
  venue_id venue;
  std::string key;
  quantity qty;
  bool baseline = false;
  std::string by;
  nanos time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, holding_update& x) {
  return f(caf::meta::type_name("holding_update"), x.venue, x.key, x.qty,
           x.baseline, x.by, x.time);
}

/// One difference between the journal and a venue, found by reconciliation.
struct reconcile_difference {
  venue_id venue;
  std::string key;        ///< Holding key (symbol or asset).
  quantity expected;      ///< Baseline + our fills + accepted adjustments.
  quantity actual;        ///< What the venue holds.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reconcile_difference& x) {
  return f(caf::meta::type_name("reconcile_difference"), x.venue, x.key,
           x.expected, x.actual);
}

/// The outcome of one reconciliation of a venue account against the journal.
struct reconcile_report {
  venue_id venue;
  nanos time = 0;
  bool complete = false;  ///< False: the venue could not be read (nothing concluded).
  std::string error;      ///< Why it is incomplete.
  uint64_t orders_recovered = 0;  ///< Journal orders taken over from the last run.
  uint64_t orphans_canceled = 0;
  uint64_t fills_recovered = 0;
  std::vector<reconcile_difference> differences;
  bool startup = false;   ///< The first reconciliation after start.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reconcile_report& x) {
  return f(caf::meta::type_name("reconcile_report"), x.venue, x.time,
           x.complete, x.error, x.orders_recovered, x.orphans_canceled,
           x.fills_recovered, x.differences, x.startup);
}

/// A reconciliation action, audited in the journal (orphan cancelled, fill
/// recovered, mismatch found, venue state accepted by an operator, ...).
struct reconcile_record {
  nanos time = 0;
  venue_id venue;
  std::string action;  ///< "baseline", "mismatch", "accepted", "orphan_canceled", "order_recovered", "fill_recovered", "matched".
  std::string key;
  quantity expected;
  quantity actual;
  std::string detail;
  std::string by;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, reconcile_record& x) {
  return f(caf::meta::type_name("reconcile_record"), x.time, x.venue,
           x.action, x.key, x.expected, x.actual, x.detail, x.by);
}

/// An operator's `agora reconcile --accept`: adopt each venue's holdings.
struct accept_venue_state {
  std::string by;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, accept_venue_state& x) {
  return f(caf::meta::type_name("accept_venue_state"), x.by);
}

} // namespace agora
