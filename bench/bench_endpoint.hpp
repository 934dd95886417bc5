#pragma once

// The bench actor that stands in for a venue's exchange at
// "venue:<venue>/exchange": what every bench endpoint answers the same way.
// Each bench adds its own answer to `submit_order` (and whatever else it
// drives) in front of these.

#include <utility>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/message_handler.hpp>

#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora::bench {

/// The answers of a bench endpoint for `venue` beside its own: a cancel is
/// rejected as an unknown order (nothing rests at a bench venue); the
/// gateway's start-up reconciliation (journal on) hears of a venue with
/// nothing open and no account that outlives the run; stats say "running".
/// Put them behind the bench's own handlers with `or_else`.
template <class Self>
caf::message_handler endpoint_common_handlers(Self* self, venue_id venue) {
  return {
    [self](cancel_order& c) {
      auto now = default_clock().now();
      self->send(caf::actor_cast<caf::actor>(self->current_sender()),
                 order_rejected{c.cid, c.venue, c.symbol, reject_reason::unknown_order,
                                "bench endpoint", c.strategy, now, now});
    },
    [venue](venue_atom) {
      venue_state_report r;
      r.venue = venue;
      r.keeps_account = false;
      r.time = default_clock().now();
      return r;
    },
    [self](stats_atom) {
      return actor_stats{"running", own_mailbox_size(self), 0, "bench"};
    },
  };
}

} // namespace agora::bench
