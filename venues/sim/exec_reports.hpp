#pragma once

#include <string>

#include "messages/market_data.hpp"
#include "venues/sim/sim_market.hpp"

namespace agora::sim {

// Execution reports shared by the simulated venues' matchers (sim_market and
// paper_matcher). `Resting` is a matcher's resting order: `order` (the
// sim_order), `oid`, `cum` and `leaves`.

/// Fills `qty` of `o` at `px`: moves it from leaves to cum and reports it,
/// with the fee of `liq` (notional x the spec's maker or taker rate).
template <class Resting>
exec_report fill_report(Resting& o, trade_id tid, price px, quantity qty, liquidity liq,
                        const instrument_spec& spec, nanos now) {
  o.cum += qty;
  o.leaves -= qty;
  exec_report r;
  r.what = exec_report::kind::fill;
  r.cid = o.order.cid;
  r.oid = o.oid;
  r.sd = o.order.sd;
  r.tid = tid;
  r.px = px;
  r.qty = qty;
  r.cum_qty = o.cum;
  r.leaves_qty = o.leaves;
  r.fee = mul(mul(px, qty), liq == liquidity::maker ? spec.maker_fee : spec.taker_fee);
  r.liq = liq;
  r.venue_time = now;
  return r;
}

/// `o` is cancelled for `why` (its leaves are the caller's to clear).
template <class Resting>
exec_report cancel_report(const Resting& o, cancel_reason why, nanos now) {
  exec_report r;
  r.what = exec_report::kind::canceled;
  r.cid = o.order.cid;
  r.oid = o.oid;
  r.sd = o.order.sd;
  r.px = o.order.px;
  r.qty = o.order.qty;
  r.cum_qty = o.cum;
  r.why = why;
  r.venue_time = now;
  return r;
}

/// `o` is refused for `reason`.
inline exec_report reject_report(const sim_order& o, reject_reason reason, std::string detail,
                                 nanos now) {
  exec_report r;
  r.what = exec_report::kind::rejected;
  r.cid = o.cid;
  r.sd = o.sd;
  r.reason = reason;
  r.detail = std::move(detail);
  r.px = o.px;
  r.qty = o.qty;
  r.venue_time = now;
  return r;
}

} // namespace agora::sim
