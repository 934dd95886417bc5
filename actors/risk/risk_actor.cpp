#include "actors/risk/risk_actor.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

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
  std::unique_ptr<breakers> book;
  std::map<venue_id, caf::actor> gateways;
  /// What was sent to one recipient of a change (for the one re-send).
  struct delivery {
    caf::actor to;
    trading_state_changed msg;
  };
  /// A trading-state change still being delivered and acknowledged.
  struct pending_change {
    nanos sent_at = 0;
    size_t lists_pending = 2;        ///< Directory listings not yet back.
    std::set<std::string> awaiting;  ///< Listed actors yet to acknowledge.
    trading_state to = trading_state::active; ///< The scope's new state.
    std::map<std::string, delivery> sent;
  };
  std::map<uint64_t, pending_change> changes; ///< By epoch.
  /// Changes re-sent after a missing acknowledgement: who is still silent.
  struct escalation {
    std::set<std::string> awaiting;
    trading_state to = trading_state::active;
  };
  std::map<uint64_t, escalation> escalations; ///< By epoch.
  /// What risk knows of a strategy actor: its name (as in its intents) and
  /// the venues and symbols it trades.
  struct strategy_info {
    std::string name;
    std::set<std::pair<venue_id, symbol_id>> keys;
  };
  std::map<caf::actor_addr, strategy_info> strategies;
  std::map<caf::actor_addr, trading_state> told; ///< Last effective state sent.
  // Breakers.
  struct breaker_hold {
    std::string which;
    std::string detail;
    nanos at = 0;
  };
  std::optional<breaker_hold> hold;  ///< A breaker holds the global scope.
  nanos override_until = 0;          ///< A repeated resume before this lifts the hold.
  std::string override_by;
  // Macro calendar.
  std::optional<macro_calendar> calendar;
  std::optional<macro_window> window; ///< The window in force.
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
  // A directory listing not back yet counts too: until it is, nobody it
  // names has even been told.
  for (auto& [epoch, change] : st.changes)
    r.pending_acks += change.awaiting.size() + change.lists_pending;
  r.last_ack_latency = st.last_ack_latency;
  for (auto& x : st.engine->scopes().list())
    if (!x.scope.global())
      r.scopes.push_back(std::move(x));
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

std::string gateway_of_scope(const trading_scope& scope) {
  if (scope.kind == scope_kind::venue)
    return gateway_path(venue_id{scope.name});
  if (scope.kind == scope_kind::symbol) {
    auto slash = scope.name.find('/');
    return gateway_path(venue_id{scope.name.substr(0, slash)});
  }
  return {};
}

/// The effective state of a strategy actor: the most restrictive over the
/// venues and symbols it trades (global and strategy scope only when none
/// is known). `fallback_name` names it when it never told its name.
scoped_state strategy_effective(risk_actor* self, const caf::actor_addr& addr,
                                const std::string& fallback_name) {
  auto& st = self->state;
  auto& scopes = st.engine->scopes();
  auto i = st.strategies.find(addr);
  if (i == st.strategies.end() || i->second.keys.empty()) {
    auto name = i == st.strategies.end() ? fallback_name : i->second.name;
    return scopes.effective(venue_id{}, name, symbol_id{});
  }
  std::optional<scoped_state> best;
  for (auto& [v, s] : i->second.keys) {
    auto e = scopes.effective(v, i->second.name, s);
    if (!best || restrictiveness(e.state) > restrictiveness(best->state))
      best = std::move(e);
  }
  return *best;
}

/// True if a change at `scope` concerns the strategy actor `addr`.
bool concerns_strategy(risk_actor* self, const trading_scope& scope,
                       const caf::actor_addr& addr, const std::string& entry_name) {
  auto& st = self->state;
  if (scope.global())
    return true;
  auto i = st.strategies.find(addr);
  if (scope.kind == scope_kind::strategy)
    return scope.name == (i == st.strategies.end() ? entry_name : i->second.name)
           || scope.name == entry_name;
  if (i == st.strategies.end())
    return false;
  for (auto& [v, s] : i->second.keys)
    if ((scope.kind == scope_kind::venue && scope.name == v.str())
        || (scope.kind == scope_kind::symbol
            && scope == trading_scopes::symbol_scope(v, s)))
      return true;
  return false;
}

/// Sends the change of `scope` (`msg`: from, to, reason, epoch, time, scope)
/// to every live actor of `kind` it concerns, as listed by the directory:
/// gateways get `msg`, strategies their effective state. A directory that
/// does not answer in time is asked again (up to `max_attempts`): a halt
/// that never reaches a gateway would leave its resting orders on the
/// venue. Only then a CRITICAL alert is raised; new intents are denied by
/// the engine either way.
void broadcast_to(risk_actor* self, const trading_state_changed& msg,
                  const std::string& kind, int attempt) {
  constexpr int max_attempts = 5;
  auto& st = self->state;
  auto epoch = msg.epoch;
  self->request(st.params.directory, std::chrono::seconds(2), list_atom_v, kind)
    .then(
      [self, msg, epoch, kind](std::vector<actor_entry>& entries) {
        auto& st = self->state;
        // Past the ack timeout the epoch is no longer tracked, but the
        // state change is still delivered.
        auto tracked = st.changes.find(epoch);
        auto only_gateway = gateway_of_scope(msg.scope);
        for (auto& e : entries) {
          if (!e.handle)
            continue;
          trading_state_changed out = msg;
          if (kind == "gateway") {
            if (!only_gateway.empty() && e.name != only_gateway)
              continue;
          } else {
            auto addr = e.handle.address();
            if (!concerns_strategy(self, msg.scope, addr, e.name))
              continue;
            auto eff = strategy_effective(self, addr, e.name);
            auto told = st.told.find(addr);
            out.from = told == st.told.end() ? msg.from : told->second;
            out.to = eff.state;
            out.reason = eff.reason;
            st.told[addr] = eff.state;
          }
          if (tracked != st.changes.end()) {
            tracked->second.awaiting.insert(e.name);
            tracked->second.sent[e.name] = risk_state::delivery{e.handle, out};
          }
          self->send<caf::message_priority::high>(e.handle, std::move(out));
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

/// Tells the strategies and gateways a change of `scope` concerns; they
/// acknowledge.
void broadcast_state(risk_actor* self, const trading_scope& scope,
                     trading_state from, trading_state to) {
  auto& st = self->state;
  auto entry = st.engine->scopes().get(scope);
  trading_state_changed msg{from, to, entry.reason, st.engine->epoch(),
                            now_of(self), scope};
  auto epoch = msg.epoch;
  risk_state::pending_change change;
  change.sent_at = msg.local_time;
  change.to = to;
  st.changes[epoch] = std::move(change);
  broadcast_to(self, msg, "strategy", 1);
  broadcast_to(self, msg, "gateway", 1);
  self->delayed_send(self, std::chrono::nanoseconds(st.params.ack_timeout),
                     expire_atom_v, epoch);
}

std::string scope_suffix(const trading_scope& scope) {
  return scope.global() ? std::string{} : " at " + scope.to_string();
}

/// Moves `scope` to `to`, journals, alerts (at `level`; by default CRITICAL
/// for HALTED, WARNING for REDUCING, INFO for ACTIVE) and broadcasts.
std::string change_state(risk_actor* self, const trading_scope& scope,
                         trading_state to, std::string reason,
                         const std::string& by,
                         std::optional<alert_level> level = std::nullopt) {
  auto& st = self->state;
  auto from = st.engine->scopes().get(scope).state;
  auto now = now_of(self);
  if (!st.engine->set_scope_state(scope, to, reason, by, now))
    return std::string{"already "} + std::string{to_string(to)}
           + scope_suffix(scope);
  st.log->warn("trading_state_changed scope={} from={} to={} by={} "
               "reason=\"{}\" epoch={}",
               scope.to_string(), from, to, by, reason, st.engine->epoch());
  if (st.params.journal)
    to_journal(self, risk_event_record{now, "state_changed",
                                       std::string{to_string(to)},
                                       scope.global() ? reason
                                                      : scope.to_string() + ": " + reason,
                                       by});
  auto lvl = level ? *level
                   : to == trading_state::active     ? alert_level::info
                     : to == trading_state::reducing ? alert_level::warning
                                                     : alert_level::critical;
  raise_alert(self, lvl, "risk",
              std::string{"trading "} + std::string{to_string(to)}
                + scope_suffix(scope) + " by " + by
                + (reason.empty() ? "" : ": " + reason),
              now);
  broadcast_state(self, scope, from, to);
  return std::string{to_string(to)} + scope_suffix(scope);
}

std::string change_state(risk_actor* self, trading_state to, std::string reason,
                         const std::string& by) {
  return change_state(self, trading_scope{}, to, std::move(reason), by);
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

void evaluate_breakers(risk_actor* self);

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
                evaluate_breakers(self);
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
  if (st.engine->state() != trading_state::halted)
    return;
  if (st.hold) {
    // A breaker tripped meanwhile: it holds until an operator resumes.
    st.engine->set_state_reason("breaker " + st.hold->which + ": " + st.hold->detail);
    st.log->warn("reconciled_but_breaker_holds which={}", st.hold->which);
    return;
  }
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
        // Replayed through the breakers at their own times: the day's start
        // equity and figures come out right, and a limit the replayed fills
        // crossed today counts as tripped (it is not acted on again).
        for (auto& f : fills) {
          position_view before;
          if (auto* p = st.engine->positions().find(f.venue, f.symbol))
            before = *p;
          st.engine->on_fill(f);
          if (auto* p = st.engine->positions().find(f.venue, f.symbol))
            st.book->on_fill(f.local_time, before, *p);
          st.book->update(f.local_time, st.engine->positions().realized_pnl(), notional{});
        }
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

/// Evaluates the breakers on the current totals; a trip halts GLOBAL and
/// holds it until an explicit resume.
void evaluate_breakers(risk_actor* self) {
  auto& st = self->state;
  auto now = now_of(self);
  auto& pos = st.engine->positions();
  for (auto& trip : st.book->update(now, pos.realized_pnl(), pos.unrealized_pnl())) {
    auto reason = "breaker " + trip.which + ": " + trip.detail;
    st.log->error("breaker_tripped which={} detail=\"{}\"", trip.which, trip.detail);
    to_journal(self, risk_event_record{now, "breaker", "halted", reason, trip.which});
    if (!st.hold) {
      // The first trip holds (and names the hold); later ones are alerted.
      st.hold = risk_state::breaker_hold{trip.which, trip.detail, now};
      st.override_until = 0;
    }
    if (st.engine->state() != trading_state::halted)
      change_state(self, trading_scope{}, trading_state::halted, reason, trip.which);
    else
      raise_alert(self, alert_level::critical, "risk",
                  reason + " (trading already halted: "
                    + st.engine->state_reason() + ")",
                  now);
  }
}

/// Cancels every resting entry (not reduce-only, would not reduce) through
/// its gateway; returns how many cancels were sent.
size_t cancel_entries(risk_actor* self) {
  auto& st = self->state;
  size_t n = 0;
  auto now = now_of(self);
  for (auto& e : st.engine->open_entries()) {
    auto gw = st.gateways.find(e.venue);
    if (gw == st.gateways.end() || !gw->second)
      continue;
    self->send(gw->second, cancel_order{e.cid, e.venue, e.symbol, e.strategy, now});
    ++n;
  }
  return n;
}

std::string macro_reason(const macro_window& w) {
  return "macro window: " + w.name + " until " + utc_hhmm(w.end);
}

/// Brings the macro window in force up to date with the calendar and arms
/// the timer for its next change.
void apply_macro(risk_actor* self) {
  auto& st = self->state;
  if (!st.calendar)
    return;
  auto now = now_of(self);
  auto w = st.calendar->window_at(now);
  if (w && (!st.window || !(*st.window == *w))) {
    st.window = w;
    auto reason = macro_reason(*w);
    st.engine->set_macro_window(w->name);
    auto canceled = cancel_entries(self);
    st.log->warn("macro_window_open name=\"{}\" end={} canceled={}", w->name,
                 utc_hhmm(w->end), canceled);
    to_journal(self, risk_event_record{now, "macro_window",
                                       std::string{to_string(trading_state::reducing)},
                                       reason + " (" + std::to_string(canceled)
                                         + " resting entries cancelled)",
                                       "macro"});
    auto global = st.engine->scopes().global_entry();
    if (global.state == trading_state::active)
      change_state(self, trading_scope{}, trading_state::reducing, reason, "macro",
                   alert_level::warning);
    else if (global.state == trading_state::reducing && global.by == "macro")
      st.engine->set_state_reason(reason); // a merged or following window
    else
      raise_alert(self, alert_level::warning, "risk",
                  reason + ": no new entries (trading stays "
                    + std::string{to_string(global.state)} + ")",
                  now);
  } else if (!w && st.window) {
    auto ended = *st.window;
    st.window.reset();
    st.engine->clear_macro_window();
    auto reason = "macro window ended: " + ended.name;
    st.log->warn("macro_window_closed name=\"{}\"", ended.name);
    to_journal(self, risk_event_record{now, "macro_window",
                                       std::string{to_string(st.engine->state())},
                                       reason, "macro"});
    auto global = st.engine->scopes().global_entry();
    if (global.state == trading_state::reducing && global.by == "macro")
      change_state(self, trading_scope{}, trading_state::active, reason, "macro",
                   alert_level::warning);
    else
      raise_alert(self, alert_level::warning, "risk",
                  reason + " (trading stays " + std::string{to_string(global.state)}
                    + ")",
                  now);
  }
  if (auto next = st.calendar->next_change(now)) {
    auto delay = std::max<nanos>(*next - now, ns_per_ms);
    self->delayed_send(self, std::chrono::nanoseconds(delay), calendar_atom_v);
  }
}

/// Remembers which venue and symbol the strategy actor `addr` trades.
void learn_strategy(risk_actor* self, const caf::actor_addr& addr,
                    const std::string& name, const venue_id& v, const symbol_id& s) {
  if (!addr)
    return;
  auto& strategies = self->state.strategies;
  if (strategies.find(addr) == strategies.end())
    self->monitor(caf::actor_cast<caf::actor>(addr)); // forgotten when it goes
  auto& info = strategies[addr];
  if (!name.empty())
    info.name = name;
  if (v.valid() && s.valid())
    info.keys.emplace(v, s);
}

/// The flip guard found the venue disagreeing: our record follows the venue.
void correct_position(risk_actor* self, const position_correction& c,
                      const std::string& strategy) {
  auto& st = self->state;
  auto now = now_of(self);
  auto delta = c.venue_qty - c.ours;
  st.engine->adjust(c.venue, c.symbol, delta);
  auto text = "flip guard: " + c.venue.str() + " " + c.symbol.str() + " venue holds "
              + c.venue_qty.to_string() + ", our record was " + c.ours.to_string()
              + "; corrected ours by " + delta.to_string() + " (intent of "
              + strategy + " denied)";
  st.log->error("position_corrected venue={} symbol={} ours={} venue_qty={} delta={}",
                c.venue, c.symbol, c.ours, c.venue_qty, delta);
  to_journal(self, holding_update{c.venue, c.symbol.str(), delta, false, "flip_guard", now});
  to_journal(self, risk_event_record{now, "flip_guard",
                                     std::string{to_string(st.engine->state())}, text,
                                     "flip_guard"});
  raise_alert(self, alert_level::critical, "risk", text, now);
}

/// Applies a halt or resume of a narrower scope, or of the global scope.
std::string on_halt(risk_actor* self, halt_trading& h) {
  auto& st = self->state;
  auto by = h.by.empty() ? std::string{"unknown"} : h.by;
  if (h.scope.global() && h.by != "reconcile")
    st.auto_halt = false; // an explicit halt is never lifted by reconciliation
  return change_state(self, h.scope, trading_state::halted, h.reason, by);
}

std::string on_resume(risk_actor* self, resume_trading& r) {
  auto& st = self->state;
  auto by = r.by.empty() ? std::string{"unknown"} : r.by;
  if (!r.scope.global())
    return change_state(self, r.scope, trading_state::active, "resumed", by);
  if (!st.mismatched.empty())
    return "refused: reconciliation mismatch on " + names(st.mismatched)
           + "; see `agora reconcile`, then `agora reconcile --accept`";
  if (!st.recovering.empty())
    return "refused: still recovering (" + names(st.recovering)
           + " not reconciled with the journal yet); see `agora reconcile`";
  auto now = now_of(self);
  if (st.hold) {
    if (st.override_until == 0 || now > st.override_until || st.override_by != by) {
      st.override_until = now + st.params.book.breaker_override_window;
      st.override_by = by;
      return "refused: breaker " + st.hold->which + " holds trading halted ("
             + st.hold->detail + "); resume again within "
             + std::to_string(st.params.book.breaker_override_window / ns_per_s)
             + " s to override";
    }
    st.log->warn("breaker_overridden which={} by={}", st.hold->which, by);
    to_journal(self, risk_event_record{now, "breaker_override", "active",
                                       "breaker " + st.hold->which + " overridden: "
                                         + st.hold->detail,
                                       by});
    st.hold.reset();
    st.override_until = 0;
  }
  st.auto_halt = false;
  if (st.window)
    return change_state(self, trading_scope{}, trading_state::reducing,
                        macro_reason(*st.window), "macro", alert_level::warning);
  return change_state(self, trading_scope{}, trading_state::active, "resumed", by);
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
  // Strategies (and two-leg coordinators, which send intents under their
  // strategy's name) are learned from their messages and forgotten when
  // they exit: a coordinator lives for one trade.
  self->set_down_handler([self](caf::down_msg& msg) {
    self->state.strategies.erase(msg.source);
    self->state.told.erase(msg.source);
  });
  st.engine = std::make_unique<risk_engine>(st.params.limits);
  st.book = std::make_unique<breakers>(st.params.book.breakers);
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
  if (!st.params.calendar && !st.params.book.calendar_path.empty()) {
    if (auto err = load_risk_calendar(st.params)) {
      // The service checks the file before starting risk; a file broken
      // since then must not silently drop the macro windows.
      st.log->error("macro_calendar_unreadable error=\"{}\"", *err);
      st.engine->set_state(trading_state::halted, "macro calendar unreadable: " + *err,
                           "risk", st.started);
      raise_alert(self, alert_level::critical, "risk",
                  "macro calendar unreadable, trading halted: " + *err, st.started);
    }
  }
  st.calendar = std::move(st.params.calendar);
  st.params.calendar.reset();
  if (!st.params.journal)
    st.book->update(st.started, notional{}, notional{});
  apply_macro(self);
  self->delayed_send(self, std::chrono::nanoseconds(st.params.book.breaker_interval),
                     caf::tick_atom_v);
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
      learn_strategy(self, self->current_sender() ? self->current_sender()->address()
                                                  : caf::actor_addr{},
                     o.strategy, o.venue, o.symbol);
      auto d = st.engine->check(o, std::nullopt, now_of(self));
      if (!d.allowed) {
        if (d.correction)
          correct_position(self, *d.correction, o.strategy);
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
      position_view before;
      if (auto* p = st.engine->positions().find(f.venue, f.symbol))
        before = *p;
      st.engine->on_fill(f);
      if (f.leaves_qty.is_zero())
        st.engine->on_done(f.cid);
      if (auto* p = st.engine->positions().find(f.venue, f.symbol))
        st.book->on_fill(now_of(self), before, *p);
      evaluate_breakers(self);
    },
    [self](order_rejected& e) {
      ++self->state.processed;
      // A refused cancel (e.g. of a macro window) leaves the order open.
      if (e.reason == reject_reason::unknown_order
          && e.detail.rfind("cancel: ", 0) == 0)
        return;
      self->state.engine->on_done(e.cid);
    },
    [self](register_atom, const std::string& name, const venue_id& v,
           const symbol_id& s) {
      auto& st = self->state;
      ++st.processed;
      auto sender = self->current_sender();
      learn_strategy(self, sender ? sender->address() : caf::actor_addr{}, name, v, s);
      st.log->info("strategy_registered name={} venue={} symbol={}", name, v, s);
    },
    [self](venue_state_report& vs) {
      auto& st = self->state;
      ++st.processed;
      auto now = now_of(self);
      // Positions are holdings keyed by the symbol itself (derivatives);
      // a symbol the venue lists without a holding is flat there.
      for (auto& k : vs.symbol_keys) {
        if (k.key != k.symbol.str())
          continue;
        quantity qty;
        for (auto& h : vs.holdings)
          if (h.key == k.key)
            qty = h.qty;
        st.engine->venue_position(vs.venue, k.symbol, qty, now);
      }
    },
    [self](caf::tick_atom) {
      auto& st = self->state;
      evaluate_breakers(self);
      self->delayed_send(self, std::chrono::nanoseconds(st.params.book.breaker_interval),
                         caf::tick_atom_v);
    },
    [self](calendar_atom) {
      ++self->state.processed;
      apply_macro(self);
    },
    [self](summary_atom) {
      auto& st = self->state;
      ++st.processed;
      return st.book->summary(now_of(self));
    },
    [self](order_canceled& e) {
      ++self->state.processed;
      self->state.engine->on_done(e.cid);
    },
    [self](halt_trading& h) {
      ++self->state.processed;
      return on_halt(self, h);
    },
    [self](resume_trading& r) {
      ++self->state.processed;
      return on_resume(self, r);
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
      auto e = st.escalations.find(a.epoch);
      if (e != st.escalations.end()) {
        e->second.awaiting.erase(a.who);
        if (e->second.awaiting.empty())
          st.escalations.erase(e);
      }
      st.log->info("state_acknowledged who={} epoch={} state={} canceled={}",
                   a.who, a.epoch, a.state, a.canceled_orders);
    },
    [self](expire_atom, uint64_t epoch) {
      // A missing acknowledgement: CRITICAL alert, the change is sent once
      // more to the silent ones, and escalates after another timeout.
      auto& st = self->state;
      ++st.processed;
      auto i = st.changes.find(epoch);
      if (i == st.changes.end())
        return;
      auto change = std::move(i->second);
      st.changes.erase(i);
      if (change.awaiting.empty())
        return;
      std::string missing;
      for (auto& who : change.awaiting)
        missing += (missing.empty() ? "" : ",") + who;
      st.log->error("state_ack_missing epoch={} missing={}", epoch, missing);
      raise_alert(self, alert_level::critical, "risk",
                  "trading state change " + std::to_string(epoch)
                    + " not acknowledged by: " + missing,
                  now_of(self));
      for (auto& who : change.awaiting) {
        auto d = change.sent.find(who);
        if (d != change.sent.end() && d->second.to)
          self->send<caf::message_priority::high>(d->second.to, d->second.msg);
      }
      st.escalations[epoch] = risk_state::escalation{std::move(change.awaiting), change.to};
      self->delayed_send(self, std::chrono::nanoseconds(st.params.ack_timeout),
                         escalate_atom_v, epoch);
    },
    [self](escalate_atom, uint64_t epoch) {
      auto& st = self->state;
      ++st.processed;
      auto i = st.escalations.find(epoch);
      if (i == st.escalations.end())
        return;
      auto e = std::move(i->second);
      st.escalations.erase(i);
      if (e.awaiting.empty() || e.to == trading_state::active)
        return;
      std::string missing;
      for (auto& who : e.awaiting)
        missing += (missing.empty() ? "" : ",") + who;
      auto what = e.to == trading_state::halted ? "halt" : "reducing";
      auto reason = std::string{what} + " not acknowledged by " + missing;
      st.log->error("state_ack_escalated epoch={} missing={}", epoch, missing);
      if (st.engine->state() != trading_state::halted)
        change_state(self, trading_scope{}, trading_state::halted, reason, "risk");
      else
        raise_alert(self, alert_level::critical, "risk",
                    reason + " after a re-send (trading already halted)",
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

std::optional<std::string> load_risk_calendar(risk_params& params) {
  if (params.book.calendar_path.empty())
    return std::nullopt;
  auto r = macro_calendar::load(params.book.calendar_path, params.book.macro);
  if (!r)
    return "macro calendar " + r.error;
  params.calendar = std::move(r.calendar);
  return std::nullopt;
}

caf::actor spawn_risk(caf::actor_system& sys, const std::string& path,
                      risk_params params) {
  return sys.spawn(risk_impl, path, std::move(params));
}

} // namespace agora
