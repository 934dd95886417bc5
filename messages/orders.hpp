#pragma once

#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/time.hpp"

namespace agora {

// -- commands -----------------------------------------------------------------

/// Place an order. Sent by a strategy to risk (as an intent); risk forwards
/// it, checked, to the venue's gateway. `strategy` names the owner.
struct submit_order {
  client_order_id cid;
  venue_id venue;
  symbol_id symbol;
  side sd = side::buy;
  order_type type = order_type::limit;
  time_in_force tif = time_in_force::gtc;
  price px;               ///< Limit price; ignored for market orders.
  quantity qty;
  bool reduce_only = false;
  std::string strategy;
  nanos local_time = 0;
  /// An emergency unwind of leg risk: risk lets it through in every trading
  /// state (also HALTED) when it strictly reduces the position.
  bool emergency = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, submit_order& x) {
  return f(caf::meta::type_name("submit_order"), x.cid, x.venue, x.symbol,
           x.sd, x.type, x.tif, x.px, x.qty, x.reduce_only, x.strategy,
           x.local_time, x.emergency);
}

/// Cancel a resting order. Always allowed, also when halted.
struct cancel_order {
  client_order_id cid;
  venue_id venue;
  symbol_id symbol;
  std::string strategy;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, cancel_order& x) {
  return f(caf::meta::type_name("cancel_order"), x.cid, x.venue, x.symbol,
           x.strategy, x.local_time);
}

// -- events -------------------------------------------------------------------

/// The venue accepted the order (it rests, or is about to be matched).
struct order_accepted {
  client_order_id cid;
  order_id oid;
  venue_id venue;
  symbol_id symbol;
  side sd = side::buy;
  price px;
  quantity qty;           ///< As accepted, after tick/lot rounding.
  std::string strategy;
  nanos venue_time = 0;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_accepted& x) {
  return f(caf::meta::type_name("order_accepted"), x.cid, x.oid, x.venue,
           x.symbol, x.sd, x.px, x.qty, x.strategy, x.venue_time,
           x.local_time);
}

/// The order was refused by risk, the gateway or the venue.
struct order_rejected {
  client_order_id cid;
  venue_id venue;
  symbol_id symbol;
  reject_reason reason = reject_reason::venue_rejected;
  std::string detail;
  std::string strategy;
  nanos venue_time = 0;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_rejected& x) {
  return f(caf::meta::type_name("order_rejected"), x.cid, x.venue, x.symbol,
           x.reason, x.detail, x.strategy, x.venue_time, x.local_time);
}

/// One execution against the order. `cum_qty` is the venue's running total;
/// the position is the sum of fills, applied once per fill.
struct order_filled {
  client_order_id cid;
  order_id oid;
  venue_id venue;
  symbol_id symbol;
  side sd = side::buy;
  trade_id tid;
  price fill_px;
  quantity fill_qty;
  quantity cum_qty;
  quantity leaves_qty;    ///< Zero when the order is completely filled.
  notional fee;
  liquidity liq = liquidity::taker;
  std::string strategy;
  nanos venue_time = 0;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_filled& x) {
  return f(caf::meta::type_name("order_filled"), x.cid, x.oid, x.venue,
           x.symbol, x.sd, x.tid, x.fill_px, x.fill_qty, x.cum_qty,
           x.leaves_qty, x.fee, x.liq, x.strategy, x.venue_time, x.local_time);
}

/// The order is done without being completely filled (canceled, IOC
/// remainder, halt, expiry).
struct order_canceled {
  client_order_id cid;
  order_id oid;
  venue_id venue;
  symbol_id symbol;
  side sd = side::buy;
  quantity cum_qty;
  cancel_reason reason = cancel_reason::requested;
  std::string strategy;
  nanos venue_time = 0;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_canceled& x) {
  return f(caf::meta::type_name("order_canceled"), x.cid, x.oid, x.venue,
           x.symbol, x.sd, x.cum_qty, x.reason, x.strategy, x.venue_time,
           x.local_time);
}

// -- reports ------------------------------------------------------------------

/// One order as the gateway knows it.
struct order_view {
  client_order_id cid;
  order_id oid;
  venue_id venue;
  symbol_id symbol;
  side sd = side::buy;
  order_type type = order_type::limit;
  time_in_force tif = time_in_force::gtc;
  price px;
  quantity qty;
  quantity cum_qty;
  order_status status = order_status::pending_new;
  std::string strategy;
  nanos created = 0;
  nanos updated = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, order_view& x) {
  return f(caf::meta::type_name("order_view"), x.cid, x.oid, x.venue,
           x.symbol, x.sd, x.type, x.tif, x.px, x.qty, x.cum_qty, x.status,
           x.strategy, x.created, x.updated);
}

/// The gateway's open and recent orders.
struct orders_report {
  std::vector<order_view> orders;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, orders_report& x) {
  return f(caf::meta::type_name("orders_report"), x.orders);
}

/// A net position on one instrument.
struct position_view {
  venue_id venue;
  symbol_id symbol;
  quantity qty;           ///< Signed: > 0 long, < 0 short.
  price avg_price;        ///< Average entry of the open quantity.
  price mark;             ///< Last known price.
  notional realized_pnl;  ///< Net of fees.
  notional unrealized_pnl;
  notional fees;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, position_view& x) {
  return f(caf::meta::type_name("position_view"), x.venue, x.symbol, x.qty,
           x.avg_price, x.mark, x.realized_pnl, x.unrealized_pnl, x.fees);
}

struct positions_report {
  std::vector<position_view> positions;
  notional realized_pnl;
  notional unrealized_pnl;
  notional gross_exposure;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, positions_report& x) {
  return f(caf::meta::type_name("positions_report"), x.positions,
           x.realized_pnl, x.unrealized_pnl, x.gross_exposure);
}

} // namespace agora
