#pragma once

// The step every strategy actor takes before its core first trades:
// rebuilding the position from the journal at the first ACTIVE.

#include <chrono>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/error.hpp>

#include "messages/enums.hpp"
#include "messages/orders.hpp"
#include "messages/system.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

/// True if the strategy applies the trading-state change `s`; it records
/// its epoch. False for a change older than the last one applied (risk's
/// re-send after a missed acknowledgement, superseded meanwhile): logged,
/// not applied; the caller acknowledges it either way. `Self`'s state
/// holds `trading_epoch`, `params.name` and `log`.
template <class Self>
bool accept_state_change(Self* self, const trading_state_changed& s) {
  auto& st = self->state;
  if (s.epoch < st.trading_epoch) {
    st.log->info("trading_state_superseded strategy={} state={} epoch={} applied={}",
                 st.params.name, s.to, s.epoch, st.trading_epoch);
    return false;
  }
  st.trading_epoch = s.epoch;
  return true;
}

/// Records `s` as the strategy's trading state and hands it to its core (if
/// the core exists yet). The first ACTIVE first rebuilds the position from
/// the strategy's journaled fills (done once: by then a restart's recovery
/// has finished). Until the journal answers, the core is held HALTED
/// (nothing is decided on a position not known yet) while the actor goes on
/// answering; then the core restores its position and gets the latest
/// state. On an error the core stays where it is and the next state change
/// tries again. With no journal in the service there is nothing to restore.
///
/// `Self` is a strategy actor whose state holds `trading` (the state risk
/// last said), `core` (a pointer to the pure core, with `trading()` and
/// `restore_position(const std::vector<order_filled>&)`), the flags
/// `restored` and `restoring`, `params.name` and `log`. The core gets a
/// state as `execute(self, core->set_trading_state(state, now_of(self)))`:
/// `execute` sends what the core decided, `now_of` reads the strategy's
/// clock. `on_restored(self, fills)` runs right after the core rebuilt its
/// position (it logs what it rebuilt), before the core gets the latest
/// state.
template <class Self, class Execute, class Now, class OnRestored>
void set_trading_after_restore(Self* self, trading_state s, Execute execute,
                               Now now_of, OnRestored on_restored) {
  auto apply = [self, execute, now_of](trading_state t) {
    execute(self, self->state.core->set_trading_state(t, now_of(self)));
  };
  auto& st = self->state;
  st.trading = s;
  if (!st.core)
    return;
  if (s == trading_state::active && !st.restored) {
    auto journal = well_known(self->system(), journal_name);
    if (!journal) {
      st.restored = true; // no journal in this service: nothing to restore
    } else {
      if (st.restoring)
        return;
      st.restoring = true;
      if (st.core->trading() != trading_state::halted) // e.g. spawned while ACTIVE
        apply(trading_state::halted);
      self->request(journal, std::chrono::seconds(10), fills_atom_v, st.params.name)
        .then(
          [self, apply, on_restored](std::vector<order_filled>& fills) {
            auto& st = self->state;
            st.restoring = false;
            st.restored = true;
            if (!st.core)
              return;
            st.core->restore_position(fills);
            on_restored(self, fills);
            apply(st.trading);
          },
          [self](caf::error& err) {
            // Trading on an unknown position is worse than not trading:
            // stay where we are and try again on the next state change.
            self->state.restoring = false;
            self->state.log->error("strategy_restore_failed strategy={} error=\"{}\"",
                                   self->state.params.name,
                                   self->system().render(err));
          });
      return;
    }
  }
  apply(s);
}

} // namespace agora
