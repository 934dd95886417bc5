#include "actors/risk/risk_actor.hpp"

#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

namespace {

/// Pause before asking the directory again for a gateway it failed to give.
constexpr auto subscribe_retry = std::chrono::seconds(1);

std::string gateway_path(const venue_id& v) {
  return venue_child_path(v, "gateway");
}

struct risk_state {
  risk_params params;
  std::string path;
  std::unique_ptr<risk_engine> engine;
  std::map<venue_id, caf::actor> gateways;
  /// A trading-state change still being delivered and acknowledged.
  struct pending_change {
    nanos sent_at = 0;
    size_t lists_pending = 2;        ///< Directory listings not yet back.
    std::set<std::string> awaiting;  ///< Listed actors yet to acknowledge.
  };
  std::map<uint64_t, pending_change> changes; ///< By epoch.
  nanos last_ack_latency = 0;
  nanos started = 0;
  // Recovery and reconciliation.
  std::set<venue_id> recovering;           ///< Not reconciled cleanly since start.
  std::set<venue_id> mismatched;           ///< Last report had differences.
  std::map<venue_id, reconcile_report> reports;
  bool auto_halt = false;                  ///< HALTED by recovery or reconciliation (lifted when clean).
  uint64_t intents = 0;
  uint64_t denied = 0;
  uint64_t fills = 0;
  uint64_t processed = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "risk";
};

using risk_actor = caf::stateful_actor<risk_state>;

nanos now_of(risk_actor* self) { return self->state.params.clock->now(); }

void deny(risk_actor* self, const submit_order& o, reject_reason why,
          std::string detail) {
  auto& st = self->state;
  ++st.denied;
  auto now = now_of(self);
  st.log->info("intent_denied venue={} symbol={} cid={} side={} px={} qty={} "
               "reason={} detail=\"{}\" strategy={}",
               o.venue, o.symbol, o.cid, o.sd, o.px, o.qty, why, detail,
               o.strategy);
  if (st.params.journal)
    to_journal(self, signal_record{now, o.strategy, o.venue, o.symbol, "intent_denied", 0, 0,
                                   false,
                                   std::string{to_string(why)} + ": " + detail});
  auto sender = caf::actor_cast<caf::actor>(self->current_sender());
  if (sender)
    self->send(sender, order_rejected{o.cid, o.venue, o.symbol, why,
                                      std::move(detail), o.strategy, now, now});
}

status_report make_status(risk_actor* self) {
  auto& st = self->state;
  auto& pos = st.engine->positions();
  status_report r;
  r.state = st.engine->state();
  r.state_reason = st.engine->state_reason();
  r.intents = st.intents;
  r.denied = st.denied;
  r.fills = st.fills;
  r.open_orders = st.engine->open_orders();
  r.realized_pnl = pos.realized_pnl();
  r.unrealized_pnl = pos.unrealized_pnl();
  r.gross_exposure = pos.gross_exposure();
  r.uptime = now_of(self) - st.started;
  r.state_epoch = st.engine->epoch();
  for (auto& [epoch, change] : st.changes)
    r.pending_acks += change.awaiting.size();
  r.last_ack_latency = st.last_ack_latency;
  return r;
}

/// Closes the books on `epoch` once both directory lists are back and every
/// listed actor acknowledged.
void maybe_all_acknowledged(risk_actor* self, uint64_t epoch) {
  auto& st = self->state;
  auto i = st.changes.find(epoch);
  if (i == st.changes.end() || i->second.lists_pending != 0
      || !i->second.awaiting.empty())
    return;
  st.last_ack_latency = now_of(self) - i->second.sent_at;
  st.changes.erase(i);
  st.log->info("state_acknowledged_by_all epoch={} latency_us={}", epoch,
               st.last_ack_latency / ns_per_us);
}

/// Sends `msg` to every live actor of `kind` listed by the directory. A
/// directory that does not answer in time is asked again (up to
/// `max_attempts`): a halt that never reaches a gateway would leave its
/// resting orders on the venue. Only then a CRITICAL alert is raised; new
/// intents are denied by the engine either way.
void broadcast_to(risk_actor* self, const trading_state_changed& msg,
                  const std::string& kind, int attempt) {
  constexpr int max_attempts = 5;
  auto& st = self->state;
  auto epoch = msg.epoch;
  self->request(st.params.directory, std::chrono::seconds(2), list_atom_v, kind)
    .then(
      [self, msg, epoch](std::vector<actor_entry>& entries) {
        auto& st = self->state;
        // Past the ack timeout the epoch is no longer tracked, but the
        // state change is still delivered.
        auto tracked = st.changes.find(epoch);
        for (auto& e : entries) {
          if (tracked != st.changes.end())
            tracked->second.awaiting.insert(e.name);
          self->send<caf::message_priority::high>(e.handle, msg);
        }
        if (tracked != st.changes.end()) {
          --tracked->second.lists_pending;
          maybe_all_acknowledged(self, epoch);
        }
      },
      [self, msg, kind, attempt](caf::error& err) {
        auto what = self->system().render(err);
        auto epoch = msg.epoch;
        if (self->state.engine->epoch() != epoch)
          return; // superseded by a newer state change
        if (attempt < max_attempts) {
          self->state.log->warn("state_broadcast_retry epoch={} kind={} "
                                "attempt={} error=\"{}\"",
                                epoch, kind, attempt + 1, what);
          broadcast_to(self, msg, kind, attempt + 1);
          return;
        }
        self->state.log->error("state_broadcast_failed epoch={} kind={} "
                               "attempts={} error=\"{}\"",
                               epoch, kind, attempt, what);
        raise_alert(self, alert_level::critical, "risk",
                    "trading state change " + std::to_string(epoch)
                      + " not broadcast to " + kind + " after "
                      + std::to_string(attempt) + " attempts: " + what,
                    now_of(self));
      });
}

/// Tells every strategy and gateway about the new state; they acknowledge.
void broadcast_state(risk_actor* self, trading_state from, trading_state to) {
  auto& st = self->state;
  trading_state_changed msg{from, to, st.engine->state_reason(),
                            st.engine->epoch(), now_of(self)};
  auto epoch = msg.epoch;
  st.changes[epoch] = risk_state::pending_change{msg.local_time, 2, {}};
  broadcast_to(self, msg, "strategy", 1);
  broadcast_to(self, msg, "gateway", 1);
  self->delayed_send(self, std::chrono::nanoseconds(st.params.ack_timeout),
                     expire_atom_v, epoch);
}

std::string change_state(risk_actor* self, trading_state to,
                         std::string reason, const std::string& by) {
  auto& st = self->state;
  auto from = st.engine->state();
  if (!st.engine->set_state(to, reason))
    return std::string{"already "} + std::string{to_string(to)};
  st.log->warn("trading_state_changed from={} to={} by={} reason=\"{}\" "
               "epoch={}",
               from, to, by, reason, st.engine->epoch());
  if (st.params.journal)
    to_journal(self, risk_event_record{now_of(self), "state_changed",
                                       std::string{to_string(to)}, reason, by});
  raise_alert(self,
              to == trading_state::active ? alert_level::info
                                          : alert_level::critical,
              "risk",
              std::string{"trading "} + std::string{to_string(to)} + " by "
                + by + (reason.empty() ? "" : ": " + reason),
              now_of(self));
  broadcast_state(self, from, to);
  return std::string{to_string(to)};
}

/// Follows the gateway of `venue` through the directory; on an error asks
/// again after `subscribe_retry` (a request error must not end risk, and a
/// directory that is gone fails at once: retrying right away would spin).
void subscribe_gateway(risk_actor* self, const venue_id& venue) {
  self->request(self->state.params.directory, std::chrono::seconds(5),
                caf::subscribe_atom_v, gateway_path(venue))
    .then(
      [self, venue](caf::actor& gw) {
        if (gw)
          self->state.gateways[venue] = gw;
      },
      [self, venue](caf::error& err) {
        self->state.log->warn("gateway_subscribe_failed venue={} error=\"{}\"",
                              venue, self->system().render(err));
        self->delayed_send(self, subscribe_retry, caf::subscribe_atom_v,
                           venue);
      });
}

/// Marks every open position to its book's mid (unrealized PnL, exposure).
void mark_positions(risk_actor* self) {
  auto& st = self->state;
  for (auto& p : st.engine->positions().all()) {
    if (p.qty.is_zero())
      continue;
    auto venue = p.venue;
    auto symbol = p.symbol;
    auto path = book_path(venue, symbol);
    self->request(st.params.directory, std::chrono::seconds(1), lookup_atom_v,
                  path)
      .then(
        [self, venue, symbol](caf::actor& book) {
          if (!book)
            return;
          self->request(book, std::chrono::seconds(1), caf::get_atom_v)
            .then(
              [self, venue, symbol](top_of_book& t) {
                auto mid = price::from_raw((t.bid.px.raw() + t.ask.px.raw()) / 2);
                self->state.engine->mark(venue, symbol, mid);
              },
              [](caf::error&) { /* stale book: keep the last mark */ });
        },
        [](caf::error&) { /* directory busy: next round */ });
  }
}

std::string names(const std::set<venue_id>& vs) {
  std::string out;
  for (auto& v : vs)
    out += (out.empty() ? "" : ",") + v.str();
  return out;
}

/// Lifts a halt recovery or reconciliation imposed once every venue is clean.
void maybe_resume_after_reconcile(risk_actor* self) {
  auto& st = self->state;
  if (!st.auto_halt || !st.recovering.empty() || !st.mismatched.empty())
    return;
  st.auto_halt = false;
  if (st.engine->state() == trading_state::halted)
    change_state(self, trading_state::active, "every venue reconciled with the journal",
                 "reconcile");
}

void on_reconcile_report(risk_actor* self, reconcile_report& r) {
  auto& st = self->state;
  auto venue = r.venue;
  if (!r.complete) {
    st.reports[venue] = std::move(r);
    return;
  }
  if (!r.differences.empty()) {
    bool first = st.mismatched.insert(venue).second;
    std::string what;
    for (auto& d : r.differences)
      what += (what.empty() ? "" : "; ") + d.key + ": journal " + d.expected.to_string()
              + ", venue " + d.actual.to_string();
    auto reason = "reconciliation mismatch on " + venue.str() + " (" + what
                  + "): run `agora reconcile`";
    st.reports[venue] = std::move(r);
    st.auto_halt = true;
    if (st.engine->state() != trading_state::halted) {
      change_state(self, trading_state::halted, reason, "reconcile");
    } else if (first) {
      st.engine->set_state_reason(reason);
      st.log->error("trading_locked reason=\"{}\"", reason);
      raise_alert(self, alert_level::critical, "risk", reason, now_of(self));
    }
    if (first)
      to_journal(self, risk_event_record{now_of(self), "reconcile_lock",
                                         std::string{to_string(st.engine->state())},
                                         reason, "reconcile"});
    return;
  }
  st.mismatched.erase(venue);
  if (st.recovering.erase(venue) > 0)
    st.log->info("venue_recovered venue={} still_recovering={}", venue,
                 names(st.recovering));
  st.reports[venue] = std::move(r);
  maybe_resume_after_reconcile(self);
}

/// Rebuilds positions from the journal's fills and accepted adjustments.
void rebuild_positions(risk_actor* self) {
  auto& st = self->state;
  auto journal = well_known(self->system(), journal_name);
  if (!journal) {
    st.log->error("positions_not_rebuilt: journal not running");
    return;
  }
  self->request(journal, std::chrono::seconds(30), fills_atom_v, std::string{})
    .await(
      [self](std::vector<order_filled>& fills) {
        auto& st = self->state;
        for (auto& f : fills)
          st.engine->on_fill(f);
        st.log->info("positions_rebuilt fills={} realized_pnl={}", fills.size(),
                     st.engine->positions().realized_pnl());
      },
      [self](caf::error& err) {
        // Recovery stays incomplete: trading stays halted.
        auto& st = self->state;
        st.recovering.insert(venue_id{"journal"});
        st.log->error("positions_not_rebuilt error=\"{}\"", self->system().render(err));
        raise_alert(self, alert_level::critical, "risk",
                    "positions could not be rebuilt from the journal: "
                      + self->system().render(err),
                    now_of(self));
      });
  for (auto& v : st.params.venues)
    self->request(journal, std::chrono::seconds(30), venue_atom_v, v)
      .await(
        [self, v](journal_holdings& h) {
          for (auto& a : h.adjustments)
            self->state.engine->adjust(v, symbol_id{a.key}, a.qty);
        },
        [](caf::error&) { /* reported with the fills above */ });
}

caf::behavior risk_impl(risk_actor* self, std::string path,
                        risk_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("risk");
  install_hygiene(self, st.path, st.log);
  st.engine = std::make_unique<risk_engine>(st.params.limits);
  st.started = now_of(self);
  if (st.params.journal) {
    // No amnesia: trading waits until the journal's positions are back and
    // every venue agrees with them.
    st.engine->set_state(trading_state::halted,
                         "recovering: reconciling " + std::to_string(st.params.venues.size())
                           + " venue(s) with the journal");
    st.auto_halt = true;
    st.recovering.insert(st.params.venues.begin(), st.params.venues.end());
    rebuild_positions(self);
    self->delayed_send(self, std::chrono::nanoseconds(st.params.pnl_interval), pnl_atom_v);
  }
  for (auto& v : st.params.venues)
    subscribe_gateway(self, v);
  self->delayed_send(self, std::chrono::nanoseconds(st.params.status_interval),
                     timer_atom_v);
  self->delayed_send(self, std::chrono::nanoseconds(st.params.mark_interval),
                     positions_atom_v, caf::tick_atom_v);
  return {
    [self](caf::subscribe_atom, const venue_id& venue) {
      subscribe_gateway(self, venue);
    },
    [self](positions_atom, caf::tick_atom) {
      mark_positions(self);
      self->delayed_send(self,
                         std::chrono::nanoseconds(self->state.params.mark_interval),
                         positions_atom_v, caf::tick_atom_v);
    },
    [self](submit_order& o) {
      auto& st = self->state;
      ++st.processed;
      ++st.intents;
      auto d = st.engine->check(o);
      if (!d.allowed) {
        deny(self, o, d.reason, std::move(d.detail));
        return;
      }
      auto gw = st.gateways.find(o.venue);
      if (gw == st.gateways.end() || !gw->second) {
        deny(self, o, reject_reason::venue_unavailable,
             "no gateway for venue " + o.venue.str());
        return;
      }
      st.engine->on_sent(o);
      self->delegate(gw->second, std::move(o));
    },
    [self](actor_replaced& r) {
      auto& st = self->state;
      ++st.processed;
      for (auto& v : st.params.venues)
        if (gateway_path(v) == r.name) {
          if (r.handle)
            st.gateways[v] = r.handle;
          else
            st.gateways.erase(v);
        }
    },
    [self](order_accepted&) { ++self->state.processed; },
    [self](order_filled& f) {
      auto& st = self->state;
      ++st.processed;
      ++st.fills;
      st.engine->on_fill(f);
      if (f.leaves_qty.is_zero())
        st.engine->on_done(f.cid);
    },
    [self](order_rejected& e) {
      ++self->state.processed;
      self->state.engine->on_done(e.cid);
    },
    [self](order_canceled& e) {
      ++self->state.processed;
      self->state.engine->on_done(e.cid);
    },
    [self](halt_trading& h) {
      auto& st = self->state;
      ++st.processed;
      // An explicit halt is never lifted by reconciliation.
      if (h.by != "reconcile")
        st.auto_halt = false;
      return change_state(self, trading_state::halted, h.reason,
                          h.by.empty() ? "unknown" : h.by);
    },
    [self](resume_trading& r) {
      auto& st = self->state;
      ++st.processed;
      if (!st.mismatched.empty())
        return "refused: reconciliation mismatch on " + names(st.mismatched)
               + "; see `agora reconcile`, then `agora reconcile --accept`";
      if (!st.recovering.empty())
        return "refused: still recovering (" + names(st.recovering)
               + " not reconciled with the journal yet); see `agora reconcile`";
      st.auto_halt = false;
      return change_state(self, trading_state::active, "resumed",
                          r.by.empty() ? "unknown" : r.by);
    },
    [self](reconcile_report& r) {
      ++self->state.processed;
      on_reconcile_report(self, r);
    },
    [self](reconcile_atom) {
      auto& st = self->state;
      ++st.processed;
      std::vector<reconcile_report> out;
      for (auto& v : st.params.venues) {
        auto i = st.reports.find(v);
        if (i != st.reports.end()) {
          out.push_back(i->second);
        } else {
          reconcile_report pending;
          pending.venue = v;
          pending.error = "not reconciled yet";
          out.push_back(std::move(pending));
        }
      }
      return out;
    },
    [self](holding_update& u) {
      auto& st = self->state;
      ++st.processed;
      st.engine->adjust(u.venue, symbol_id{u.key}, u.qty);
      st.log->warn("position_adjusted venue={} symbol={} delta={} by={}", u.venue, u.key,
                   u.qty, u.by);
    },
    [self](accept_venue_state& a) -> caf::result<std::string> {
      auto& st = self->state;
      ++st.processed;
      if (st.mismatched.empty())
        return std::string{"nothing to accept: no venue differs from the journal"};
      auto rp = self->make_response_promise();
      auto pending = std::make_shared<size_t>(st.mismatched.size());
      auto text = std::make_shared<std::string>();
      for (auto& v : st.mismatched) {
        auto gw = st.gateways.find(v);
        auto done = [rp, pending, text](const std::string& line) mutable {
          *text += (text->empty() ? "" : "\n") + line;
          if (--*pending == 0)
            rp.deliver(*text);
        };
        if (gw == st.gateways.end() || !gw->second) {
          done(v.str() + ": no gateway");
          continue;
        }
        self->request(gw->second, std::chrono::seconds(30), accept_atom_v, a.by)
          .then([done](std::string& s) mutable { done(s); },
                [self, v, done](caf::error& err) mutable {
                  done(v.str() + ": " + self->system().render(err));
                });
      }
      return rp;
    },
    [self](pnl_atom) {
      auto& st = self->state;
      auto& pos = st.engine->positions();
      to_journal(self, pnl_record{now_of(self), pos.realized_pnl(), pos.unrealized_pnl(),
                                  pos.gross_exposure(), pos.fees()});
      self->delayed_send(self, std::chrono::nanoseconds(st.params.pnl_interval), pnl_atom_v);
    },
    [self](trading_state_acknowledged& a) {
      auto& st = self->state;
      ++st.processed;
      auto i = st.changes.find(a.epoch);
      if (i != st.changes.end()) {
        i->second.awaiting.erase(a.who);
        maybe_all_acknowledged(self, a.epoch);
      }
      st.log->info("state_acknowledged who={} epoch={} state={} canceled={}",
                   a.who, a.epoch, a.state, a.canceled_orders);
    },
    [self](expire_atom, uint64_t epoch) {
      auto& st = self->state;
      ++st.processed;
      auto i = st.changes.find(epoch);
      if (i == st.changes.end())
        return;
      auto silent = std::move(i->second.awaiting);
      st.changes.erase(i);
      if (silent.empty())
        return;
      std::string missing;
      for (auto& who : silent)
        missing += (missing.empty() ? "" : ",") + who;
      st.log->error("state_ack_missing epoch={} missing={}", epoch, missing);
      raise_alert(self, alert_level::critical, "risk",
                  "trading state change " + std::to_string(epoch)
                    + " not acknowledged by: " + missing,
                  now_of(self));
    },
    [self](status_atom) {
      ++self->state.processed;
      return make_status(self);
    },
    [self](positions_atom) {
      auto& st = self->state;
      ++st.processed;
      auto& pos = st.engine->positions();
      return positions_report{pos.all(), pos.realized_pnl(),
                              pos.unrealized_pnl(), pos.gross_exposure()};
    },
    [self](timer_atom) {
      auto& st = self->state;
      auto r = make_status(self);
      st.log->info("status state={} intents={} denied={} fills={} "
                   "open_orders={} realized_pnl={} unrealized_pnl={} "
                   "gross_exposure={}",
                   r.state, r.intents, r.denied, r.fills, r.open_orders,
                   r.realized_pnl, r.unrealized_pnl, r.gross_exposure);
      self->delayed_send(self,
                         std::chrono::nanoseconds(st.params.status_interval),
                         timer_atom_v);
    },
    [self](stats_atom) {
      auto& st = self->state;
      return actor_stats{
        std::string{to_string(st.engine->state())}, own_mailbox_size(self),
        st.processed,
        "intents=" + std::to_string(st.intents) + " denied="
          + std::to_string(st.denied) + " fills=" + std::to_string(st.fills)
          + " open_orders=" + std::to_string(st.engine->open_orders())};
    },
  };
}

} // namespace

caf::actor spawn_risk(caf::actor_system& sys, const std::string& path,
                      risk_params params) {
  return sys.spawn(risk_impl, path, std::move(params));
}

} // namespace agora
