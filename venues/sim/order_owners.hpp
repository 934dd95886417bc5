#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>

#include "messages/ids.hpp"
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

} // namespace agora::sim
