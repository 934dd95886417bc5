#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/time.hpp"

namespace agora {

// -- two-leg trades -------------------------------------------------------------

/// One leg of a two-leg trade, as the strategy wants it.
struct leg_order {
  venue_id venue;
  symbol_id symbol;
  side sd = side::buy;
  time_in_force tif = time_in_force::ioc;
  price px;               ///< Limit: the worst price the leg may trade at.
  quantity qty;
  bool reduce_only = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, leg_order& x) {
  return f(caf::meta::type_name("leg_order"), x.venue, x.symbol, x.sd, x.tif,
           x.px, x.qty, x.reduce_only);
}

/// A strategy asks for a hedged trade: both legs leave together, and a
/// coordinator owns them until both are filled or the exposure is flat again.
struct two_leg_request {
  uint64_t trade = 0;        ///< The strategy's trade number.
  std::string strategy;      ///< The owning strategy instance (owner of the orders).
  std::string purpose;       ///< "open", "close".
  std::vector<leg_order> legs; ///< Exactly two.
  nanos deadline = 0;        ///< How long both legs have to fill (duration).
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, two_leg_request& x) {
  return f(caf::meta::type_name("two_leg_request"), x.trade, x.strategy,
           x.purpose, x.legs, x.deadline, x.local_time);
}

/// What became of one order of a two-leg trade (a leg or an unwind).
struct leg_report {
  client_order_id cid;
  venue_id venue;
  symbol_id symbol;
  side sd = side::buy;
  price px;               ///< Limit price sent.
  quantity qty;           ///< Quantity sent.
  quantity filled;
  price avg_px;           ///< Average fill price (zero when nothing filled).
  notional fees;
  order_status status = order_status::pending_new;
  std::string detail;     ///< Reject or cancel reason, when any.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, leg_report& x) {
  return f(caf::meta::type_name("leg_report"), x.cid, x.venue, x.symbol, x.sd,
           x.px, x.qty, x.filled, x.avg_px, x.fees, x.status, x.detail);
}

/// How a two-leg trade ended; sent by the coordinator to its strategy, and
/// journaled (as a risk event "leg_risk") when it was not a clean fill.
struct two_leg_result {
  uint64_t trade = 0;
  std::string strategy;
  std::string purpose;
  two_leg_outcome outcome = two_leg_outcome::none;
  std::vector<leg_report> legs;    ///< The two legs, in request order.
  std::vector<leg_report> unwinds; ///< Orders that unwound leg risk.
  std::string detail;              ///< Readable summary.
  nanos started = 0;
  nanos legs_sent = 0;             ///< Both legs handed to risk.
  nanos finished = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, two_leg_result& x) {
  return f(caf::meta::type_name("two_leg_result"), x.trade, x.strategy,
           x.purpose, x.outcome, x.legs, x.unwinds, x.detail, x.started,
           x.legs_sent, x.finished);
}

} // namespace agora
