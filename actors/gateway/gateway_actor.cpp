#include "actors/gateway/gateway_actor.hpp"

#include <map>
#include <set>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/gateway/order_rules.hpp"
#include "actors/gateway/order_tracker.hpp"
#include "actors/gateway/token_bucket.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

namespace {

struct gateway_state {
  gateway_params params;
  std::string path;
  caf::actor endpoint;
  std::map<symbol_id, instrument_spec> specs;
  std::unique_ptr<order_tracker> tracker;
  std::unique_ptr<token_bucket> bucket;
  std::unordered_map<client_order_id, caf::actor> owners;
  std::set<client_order_id> halt_cancels;
  trading_state state = trading_state::active;
  uint64_t submitted = 0;
  uint64_t rejected = 0;
  uint64_t fills = 0;
  uint64_t processed = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "gateway";
};

using gateway_actor = caf::stateful_actor<gateway_state>;

nanos now_of(gateway_actor* self) { return self->state.params.clock->now(); }

void to_risk(gateway_actor* self, caf::message msg) {
  if (auto risk = well_known(self->system(), risk_name))
    self->send(risk, std::move(msg));
}

void reject(gateway_actor* self, const caf::actor& owner,
            const submit_order& o, reject_reason why, std::string detail) {
  auto& st = self->state;
  ++st.rejected;
  auto now = now_of(self);
  order_rejected e{o.cid, o.venue, o.symbol, why, std::move(detail),
                   o.strategy, now, now};
  st.log->info("order_rejected venue={} symbol={} cid={} reason={} "
               "detail=\"{}\" strategy={}",
               o.venue, o.symbol, o.cid, why, e.detail, o.strategy);
  if (owner)
    self->send(owner, e);
  to_risk(self, caf::make_message(std::move(e)));
}

template <class Event>
void fan_out(gateway_actor* self, const Event& e, bool terminal) {
  auto& st = self->state;
  auto i = st.owners.find(e.cid);
  if (i != st.owners.end()) {
    if (i->second)
      self->send(i->second, e);
    if (terminal)
      st.owners.erase(i);
  }
  to_risk(self, caf::make_message(e));
}

uint64_t cancel_open(gateway_actor* self, bool for_halt,
                     const symbol_id* only = nullptr) {
  auto& st = self->state;
  uint64_t n = 0;
  auto now = now_of(self);
  for (auto& o : st.tracker->open_orders()) {
    if (only && o.symbol != *only)
      continue;
    if (o.status == order_status::pending_cancel)
      continue;
    if (st.tracker->on_cancel_requested(o.cid, now) != track_outcome::ok)
      continue;
    if (for_halt)
      st.halt_cancels.insert(o.cid);
    if (st.endpoint)
      self->send(st.endpoint,
                 cancel_order{o.cid, o.venue, o.symbol, o.strategy, now});
    ++n;
  }
  return n;
}

caf::behavior gateway_impl(gateway_actor* self, std::string path,
                           gateway_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("gateway");
  install_hygiene(self, st.path, st.log);
  st.tracker = std::make_unique<order_tracker>(st.params.keep_finished);
  st.bucket = std::make_unique<token_bucket>(
    st.params.burst, st.params.orders_per_minute / 60.0, now_of(self));
  self->request(st.params.directory, std::chrono::seconds(5), lookup_atom_v,
                st.params.endpoint_path)
    .await(
      [self](caf::actor& ep) {
        auto& st = self->state;
        if (!ep) {
          self->quit(caf::make_error(caf::sec::runtime_error,
                                     "order entry not found: "
                                       + st.params.endpoint_path));
          return;
        }
        st.endpoint = ep;
        self->monitor(ep);
        self->request(ep, std::chrono::seconds(5), spec_atom_v)
          .await(
            [self](std::vector<instrument_spec>& specs) {
              for (auto& s : specs)
                self->state.specs[s.symbol] = s;
              self->state.log->info("gateway_ready venue={} instruments={}",
                                    self->state.params.venue, specs.size());
            },
            [self](caf::error& err) { self->quit(std::move(err)); });
      },
      [self](caf::error& err) { self->quit(std::move(err)); });
  if (auto risk = well_known(self->system(), risk_name))
    self->request(risk, std::chrono::seconds(5), status_atom_v)
      .await([self](status_report& r) { self->state.state = r.state; },
             [](caf::error&) { /* risk not up: stay ACTIVE, risk will tell */ });
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (st.endpoint && msg.source == st.endpoint.address())
      self->quit(caf::make_error(caf::sec::runtime_error,
                                 "order entry endpoint went down"));
  });
  return {
    [self](submit_order& o) {
      auto& st = self->state;
      ++st.processed;
      auto owner = caf::actor_cast<caf::actor>(self->current_sender());
      auto now = now_of(self);
      if (st.state == trading_state::halted) {
        reject(self, owner, o, reject_reason::trading_halted,
               "gateway halted");
        return;
      }
      auto spec = st.specs.find(o.symbol);
      if (spec == st.specs.end()) {
        reject(self, owner, o, reject_reason::unknown_symbol,
               "no instrument spec for " + o.symbol.str());
        return;
      }
      if (!st.bucket->try_take(now)) {
        reject(self, owner, o, reject_reason::rate_limited,
               "order rate above " + std::to_string(st.params.orders_per_minute)
                 + "/min");
        return;
      }
      auto r = apply_instrument_rules(o, spec->second);
      if (!r.ok) {
        reject(self, owner, o, r.reason, r.detail);
        return;
      }
      o.px = r.px;
      o.qty = r.qty;
      if (st.tracker->on_new(o, now) != track_outcome::ok) {
        reject(self, owner, o, reject_reason::duplicate_client_id,
               "client order id already live");
        return;
      }
      st.owners[o.cid] = owner;
      ++st.submitted;
      st.log->info("order_submitted venue={} symbol={} cid={} side={} type={} "
                   "tif={} px={} qty={} strategy={}",
                   o.venue, o.symbol, o.cid, o.sd, o.type, o.tif, o.px, o.qty,
                   o.strategy);
      if (!st.endpoint) {
        st.tracker->on_rejected(order_rejected{o.cid, o.venue, o.symbol,
                                               reject_reason::venue_unavailable,
                                               "", o.strategy, now, now});
        reject(self, owner, o, reject_reason::venue_unavailable,
               "order entry not connected");
        return;
      }
      self->send(st.endpoint, std::move(o));
    },
    [self](cancel_order& c) {
      auto& st = self->state;
      ++st.processed;
      auto now = now_of(self);
      auto outcome = st.tracker->on_cancel_requested(c.cid, now);
      if (outcome != track_outcome::ok) {
        auto sender = caf::actor_cast<caf::actor>(self->current_sender());
        if (sender)
          self->send(sender, order_rejected{c.cid, c.venue, c.symbol,
                                            reject_reason::unknown_order,
                                            std::string{"cancel: "}
                                              + to_string(outcome),
                                            c.strategy, now, now});
        return;
      }
      st.log->info("cancel_submitted venue={} symbol={} cid={} strategy={}",
                   c.venue, c.symbol, c.cid, c.strategy);
      if (st.endpoint)
        self->send(st.endpoint, std::move(c));
    },
    [self](order_accepted& e) {
      auto& st = self->state;
      ++st.processed;
      if (st.tracker->on_accepted(e) != track_outcome::ok)
        return;
      st.log->info("order_accepted venue={} symbol={} cid={} oid={} px={} "
                   "qty={}",
                   e.venue, e.symbol, e.cid, e.oid, e.px, e.qty);
      fan_out(self, e, false);
    },
    [self](order_rejected& e) {
      auto& st = self->state;
      ++st.processed;
      auto now = now_of(self);
      auto* known = st.tracker->find(e.cid);
      if (known && known->status == order_status::pending_cancel
          && (known->oid.valid() || known->cum_qty.is_positive())) {
        // The venue refused our cancel: the order itself lives on.
        st.tracker->on_cancel_rejected(e.cid, now);
        st.log->info("cancel_rejected venue={} cid={} detail=\"{}\"", e.venue,
                     e.cid, e.detail);
        return;
      }
      if (st.tracker->on_rejected(e) != track_outcome::ok) {
        st.log->info("reject_ignored venue={} cid={} detail=\"{}\"", e.venue,
                     e.cid, e.detail);
        return;
      }
      ++st.rejected;
      st.log->info("order_rejected venue={} symbol={} cid={} reason={} "
                   "detail=\"{}\"",
                   e.venue, e.symbol, e.cid, e.reason, e.detail);
      fan_out(self, e, true);
    },
    [self](order_filled& e) {
      auto& st = self->state;
      ++st.processed;
      auto outcome = st.tracker->on_fill(e);
      if (outcome != track_outcome::ok) {
        st.log->error("fill_refused venue={} cid={} tid={} outcome={}",
                      e.venue, e.cid, e.tid, to_string(outcome));
        return;
      }
      ++st.fills;
      st.log->info("order_filled venue={} symbol={} cid={} side={} px={} "
                   "qty={} cum={} leaves={} fee={} liq={} strategy={}",
                   e.venue, e.symbol, e.cid, e.sd, e.fill_px, e.fill_qty,
                   e.cum_qty, e.leaves_qty, e.fee, e.liq, e.strategy);
      fan_out(self, e, e.leaves_qty.is_zero());
    },
    [self](order_canceled& e) {
      auto& st = self->state;
      ++st.processed;
      if (st.halt_cancels.erase(e.cid) > 0)
        e.reason = cancel_reason::halt;
      if (st.tracker->on_canceled(e) != track_outcome::ok)
        return;
      st.log->info("order_canceled venue={} symbol={} cid={} cum={} reason={}",
                   e.venue, e.symbol, e.cid, e.cum_qty, e.reason);
      fan_out(self, e, true);
    },
    [self](trading_state_changed& s) {
      auto& st = self->state;
      ++st.processed;
      st.state = s.to;
      uint64_t canceled = 0;
      if (s.to == trading_state::halted)
        canceled = cancel_open(self, true);
      st.log->warn("trading_state venue={} state={} epoch={} canceled={}",
                   st.params.venue, s.to, s.epoch, canceled);
      to_risk(self, caf::make_message(trading_state_acknowledged{
                      st.path, s.epoch, s.to, canceled}));
    },
    [self](spec_atom, const symbol_id& symbol) -> caf::result<instrument_spec> {
      auto& st = self->state;
      ++st.processed;
      auto i = st.specs.find(symbol);
      if (i != st.specs.end())
        return i->second;
      if (!st.endpoint)
        return caf::make_error(caf::sec::runtime_error,
                               "unknown symbol " + symbol.str());
      // Maybe listed since we started: ask the venue again.
      auto rp = self->make_response_promise();
      self->request(st.endpoint, std::chrono::seconds(5), spec_atom_v)
        .then(
          [self, rp, symbol](std::vector<instrument_spec>& specs) mutable {
            for (auto& s : specs)
              self->state.specs[s.symbol] = s;
            auto i = self->state.specs.find(symbol);
            if (i != self->state.specs.end())
              rp.deliver(i->second);
            else
              rp.deliver(caf::make_error(caf::sec::runtime_error,
                                         "unknown symbol " + symbol.str()));
          },
          [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
      return rp;
    },
    [self](orders_atom) {
      auto& st = self->state;
      ++st.processed;
      return orders_report{st.tracker->recent(500)};
    },
    [self](cancel_all_atom) {
      ++self->state.processed;
      return cancel_open(self, false);
    },
    [self](cancel_all_atom, const symbol_id& symbol) {
      ++self->state.processed;
      return cancel_open(self, false, &symbol);
    },
    [self](stats_atom) {
      auto& st = self->state;
      return actor_stats{
        std::string{to_string(st.state)}, own_mailbox_size(self), st.processed,
        "open=" + std::to_string(st.tracker->open_count()) + " submitted="
          + std::to_string(st.submitted) + " rejected="
          + std::to_string(st.rejected) + " fills=" + std::to_string(st.fills)};
    },
  };
}

} // namespace

caf::actor spawn_gateway(caf::actor_system& sys, const std::string& path,
                         gateway_params params) {
  return sys.spawn(gateway_impl, path, std::move(params));
}

} // namespace agora
