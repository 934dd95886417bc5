#include "actors/strategy/two_leg_coordinator.hpp"

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

std::string coordinator_path(const std::string& owner_path, uint64_t trade) {
  return owner_path + "/leg:" + std::to_string(trade);
}

namespace {

struct coordinator_state {
  coordinator_params p;
  std::string path;
  std::unique_ptr<two_leg> core;
  uint64_t processed = 0;
  bool leg_risk = false;
  bool finishing = false;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "two_leg_coordinator";
};

using coordinator_actor = caf::stateful_actor<coordinator_state>;

nanos now_of(coordinator_actor* self) { return self->state.p.clock->now(); }

const std::string& strategy_of(coordinator_actor* self) {
  return self->state.p.request.strategy;
}

void act(coordinator_actor* self, two_leg_actions&& a);

/// The result goes to the strategy's current incarnation (by name), then the
/// coordinator leaves the directory and stops.
void finish(coordinator_actor* self, two_leg_result r) {
  auto& st = self->state;
  st.finishing = true;
  auto now = now_of(self);
  st.log->info("two_leg_done strategy={} trade={} purpose={} outcome={} "
               "elapsed_us={} detail=\"{}\"",
               r.strategy, r.trade, r.purpose, r.outcome,
               (r.finished - r.started) / ns_per_us, r.detail);
  if (r.outcome == two_leg_outcome::unwound
      || r.outcome == two_leg_outcome::unwind_failed) {
    to_journal(self, risk_event_record{now, "leg_risk_" + std::string{to_string(r.outcome)},
                                       "", r.detail, st.path});
    if (r.outcome == two_leg_outcome::unwind_failed)
      raise_alert(self, alert_level::critical, st.path,
                  "leg risk NOT flat after unwind attempts: " + r.detail, now);
    else
      raise_alert(self, alert_level::critical, st.path,
                  "leg risk unwound, back to flat: " + r.detail, now);
  }
  auto done = [self] {
    auto& st = self->state;
    self->send(st.p.directory, caf::delete_atom_v, st.path);
    self->quit();
  };
  self->request(st.p.directory, std::chrono::seconds(2), lookup_atom_v,
                st.p.owner_path)
    .then(
      [self, r, done](caf::actor& owner) {
        auto& st = self->state;
        auto& to = owner ? owner : st.p.owner;
        if (to)
          self->send(to, r);
        done();
      },
      [self, r, done](caf::error&) {
        if (self->state.p.owner)
          self->send(self->state.p.owner, r);
        done();
      });
}

void send_order(coordinator_actor* self, submit_order o) {
  auto& st = self->state;
  st.log->info("leg_order strategy={} trade={} cid={} venue={} symbol={} "
               "side={} type={} tif={} px={} qty={} reduce_only={} emergency={}",
               o.strategy, st.p.request.trade, o.cid, o.venue, o.symbol, o.sd,
               o.type, o.tif, o.px, o.qty, o.reduce_only, o.emergency);
  if (auto risk = well_known(self->system(), risk_name)) {
    self->send(risk, std::move(o));
    return;
  }
  auto now = now_of(self);
  act(self, st.core->on_rejected(order_rejected{
              o.cid, o.venue, o.symbol, reject_reason::venue_unavailable,
              "risk not running", o.strategy, now, now}));
}

void act(coordinator_actor* self, two_leg_actions&& a) {
  auto& st = self->state;
  auto now = now_of(self);
  if (a.leg_risk && !st.leg_risk) {
    st.leg_risk = true;
    st.log->error("leg_risk strategy={} trade={} detail=\"{}\"",
                  strategy_of(self), st.p.request.trade, a.detail);
  }
  for (auto& c : a.cancels) {
    for (size_t i = 0; i < st.p.request.legs.size(); ++i)
      if (st.p.request.legs[i].venue == c.venue && i < st.p.gateways.size()
          && st.p.gateways[i]) {
        self->send(st.p.gateways[i], c);
        break;
      }
  }
  for (auto& o : a.orders)
    send_order(self, std::move(o));
  if (a.leg_risk) {
    // The unwind is on its way (sent above, first): now the alert, the
    // journal, and the halt of the strategy that traded it.
    raise_alert(self, alert_level::critical, st.path,
                "leg risk: " + a.detail + "; unwinding and halting "
                  + strategy_of(self),
                now);
    to_journal(self, risk_event_record{now, "leg_risk", "halted", a.detail, st.path});
    if (auto risk = well_known(self->system(), risk_name))
      caf::anon_send(risk, halt_trading{"leg risk in " + strategy_of(self) + ": " + a.detail,
                                    st.path,
                                    trading_scope{scope_kind::strategy, strategy_of(self)}});
  }
  if (a.finished && !st.finishing)
    finish(self, std::move(*a.finished));
}

template <class F>
void drive(coordinator_actor* self, F&& f) {
  auto& st = self->state;
  ++st.processed;
  if (!st.finishing)
    act(self, f(*st.core));
}

caf::behavior coordinator_impl(coordinator_actor* self, coordinator_params p) {
  auto& st = self->state;
  st.p = std::move(p);
  if (!st.p.clock)
    st.p.clock = &default_clock();
  st.path = coordinator_path(st.p.owner_path, st.p.request.trade);
  st.log = logger("strategy");
  install_hygiene(self, st.path, st.log);
  self->send(st.p.directory, register_atom_v,
             actor_entry{st.path, "coordinator", st.p.owner_path,
                         caf::actor_cast<caf::actor>(self)},
             uint64_t{0});
  st.core = std::make_unique<two_leg>(st.p.request, st.p.specs, st.p.cid_base,
                                      st.p.legs);
  auto now = now_of(self);
  act(self, st.core->start(now));
  self->delayed_send(self, std::chrono::nanoseconds(st.p.request.deadline),
                     deadline_atom_v);
  self->delayed_send(self, std::chrono::nanoseconds(st.p.tick), timer_atom_v);
  return {
    [self](order_accepted& e) {
      drive(self, [&](two_leg& c) { return c.on_accepted(e); });
    },
    [self](order_filled& e) {
      drive(self, [&](two_leg& c) { return c.on_filled(e); });
    },
    [self](order_canceled& e) {
      drive(self, [&](two_leg& c) { return c.on_canceled(e); });
    },
    [self](order_rejected& e) {
      drive(self, [&](two_leg& c) { return c.on_rejected(e); });
    },
    [self](deadline_atom) {
      drive(self, [&](two_leg& c) { return c.on_deadline(now_of(self)); });
    },
    [self](timer_atom) {
      drive(self, [&](two_leg& c) {
        return c.on_timer(now_of(self), std::nullopt, std::nullopt);
      });
      if (!self->state.finishing)
        self->delayed_send(self, std::chrono::nanoseconds(self->state.p.tick),
                           timer_atom_v);
    },
    // Risk's answer to the strategy halt it was asked for.
    [self](std::string& answer) {
      self->state.log->info("leg_risk_halt strategy={} risk=\"{}\"", strategy_of(self), answer);
    },
    [self](stats_atom) {
      auto& st = self->state;
      auto r = st.core->snapshot(now_of(self));
      std::string detail = "trade=" + std::to_string(r.trade) + " purpose="
                           + r.purpose;
      for (size_t i = 0; i < r.legs.size(); ++i)
        detail += " leg" + std::to_string(i + 1) + "=" + r.legs[i].symbol.str()
                  + ":" + std::string{to_string(r.legs[i].status)} + ":"
                  + r.legs[i].filled.to_string() + "/" + r.legs[i].qty.to_string();
      if (!r.unwinds.empty())
        detail += " unwinds=" + std::to_string(r.unwinds.size());
      return actor_stats{st.leg_risk ? "unwinding" : "working",
                         own_mailbox_size(self), st.processed, detail};
    },
  };
}

} // namespace

caf::actor spawn_two_leg_coordinator(caf::actor_system& sys,
                                     coordinator_params params) {
  return sys.spawn(coordinator_impl, std::move(params));
}

} // namespace agora
