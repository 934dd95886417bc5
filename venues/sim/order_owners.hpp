#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <caf/actor.hpp>

#include "messages/ids.hpp"
#include "messages/journal.hpp"
#include "messages/orders.hpp"
#include "venues/sim/sim_market.hpp"

namespace agora::sim {

/// Who an order of a simulated venue answers to.
struct order_owner {
  caf::actor gateway;
  std::string strategy;
  symbol_id symbol;
};

using order_owners = std::unordered_map<client_order_id, order_owner>;

/// Turns execution reports of a simulated venue (the embedded exchange or
/// the paper entry) into the order events its gateway expects, sent by
/// `self`. Orders that ended (rejected, filled, canceled) leave `owners`;
/// reports of unknown orders are dropped. Returns the fills sent.
template <class Self>
uint64_t deliver_reports(Self* self, const venue_id& venue, const symbol_id& symbol,
                         order_owners& owners, const std::vector<exec_report>& reports,
                         nanos now) {
  uint64_t fills = 0;
  for (const auto& r : reports) {
    auto i = owners.find(r.cid);
    if (i == owners.end())
      continue;
    auto& owner = i->second;
    switch (r.what) {
      case exec_report::kind::accepted:
        self->send(owner.gateway, order_accepted{r.cid, r.oid, venue, symbol, r.sd, r.px, r.qty,
                                                 owner.strategy, r.venue_time, now});
        break;
      case exec_report::kind::rejected:
        self->send(owner.gateway, order_rejected{r.cid, venue, symbol, r.reason, r.detail,
                                                 owner.strategy, r.venue_time, now});
        owners.erase(i);
        break;
      case exec_report::kind::fill:
        ++fills;
        self->send(owner.gateway,
                   order_filled{r.cid, r.oid, venue, symbol, r.sd, r.tid, r.px, r.qty, r.cum_qty,
                                r.leaves_qty, r.fee, r.liq, owner.strategy, r.venue_time, now});
        if (r.leaves_qty.is_zero())
          owners.erase(i);
        break;
      case exec_report::kind::canceled:
        self->send(owner.gateway, order_canceled{r.cid, r.oid, venue, symbol, r.sd, r.cum_qty,
                                                 r.why, owner.strategy, r.venue_time, now});
        owners.erase(i);
        break;
    }
  }
  return fills;
}

/// The orders of `owners` that `gateway` placed, as (symbol, client id).
inline std::vector<std::pair<symbol_id, client_order_id>>
orders_of(const order_owners& owners, const caf::actor& gateway) {
  std::vector<std::pair<symbol_id, client_order_id>> out;
  for (const auto& [cid, o] : owners)
    if (o.gateway == gateway)
      out.emplace_back(o.symbol, cid);
  return out;
}

/// The open orders of a simulated venue, whose account does not outlive the
/// service (`keeps_account` false).
inline venue_state_report open_orders_report(const venue_id& venue, const order_owners& owners,
                                             nanos now) {
  venue_state_report r;
  r.venue = venue;
  r.keeps_account = false;
  r.time = now;
  for (const auto& [cid, o] : owners) {
    venue_order v;
    v.symbol = o.symbol;
    v.cid = cid;
    v.client_id = std::to_string(cid.value);
    r.open_orders.push_back(std::move(v));
  }
  return r;
}

/// Recovery of an order a previous run left open: still resting here when
/// only the gateway restarted (its events now go to `sender`), else gone
/// with the venue's previous life and reported expired.
template <class Self>
void adopt_order_of(Self* self, const venue_id& venue, order_owners& owners, const adopt_order& a,
                    const caf::actor& sender, nanos now) {
  if (auto i = owners.find(a.order.cid); i != owners.end()) {
    i->second.gateway = sender;
    return;
  }
  if (sender)
    self->send(sender, order_canceled{a.order.cid, a.oid, venue, a.order.symbol, a.order.sd,
                                      a.cum_qty, cancel_reason::expired, a.order.strategy, now,
                                      now});
}

} // namespace agora::sim
