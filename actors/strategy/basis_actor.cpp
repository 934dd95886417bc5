#include "actors/strategy/basis_actor.hpp"

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/strategy/journal_restore.hpp"
#include "actors/strategy/two_leg_coordinator.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

namespace {

/// One leg's instrument: where it trades and what we know of it.
struct leg_link {
  venue_id venue;
  symbol_id symbol;
  std::string gateway_path;
  std::string book_path;
  caf::actor gateway;
  caf::actor book;
  std::optional<instrument_spec> spec;
  bool asked_spec = false;
};

struct basis_state {
  basis_strategy_params params;
  std::string path;
  leg_link spot;
  leg_link perp;
  std::unique_ptr<basis_arb> core;
  trading_state trading = trading_state::active;
  /// The epoch of the last state change applied: an older one (risk's
  /// re-send of a change since superseded) is acknowledged, not applied.
  uint64_t trading_epoch = 0;
  bool restored = false;
  bool restoring = false;
  /// The coordinator of the trade under way (monitored).
  caf::actor coordinator;
  uint64_t trade_of_coordinator = 0;
  uint64_t trades = 0;
  uint64_t processed = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "basis_strategy";
};

using basis_actor = caf::stateful_actor<basis_state>;

nanos now_of(basis_actor* self) { return self->state.params.clock->now(); }

void execute(basis_actor* self, basis_actions&& a);

void spawn_coordinator(basis_actor* self, two_leg_request req) {
  auto& st = self->state;
  auto& p = st.params;
  coordinator_params cp;
  // Each leg names its instrument: its spec and gateway follow from that.
  for (auto& l : req.legs) {
    auto& link = l.venue == st.spot.venue && l.symbol == st.spot.symbol ? st.spot : st.perp;
    cp.specs.push_back(*link.spec);
    cp.gateways.push_back(link.gateway);
  }
  // 16 client ids per trade: two legs, their unwinds and retries.
  cp.cid_base = p.cid_base + req.trade * 16;
  cp.legs = p.legs;
  cp.owner_path = st.path;
  cp.owner = caf::actor_cast<caf::actor>(self);
  cp.directory = p.directory;
  cp.clock = p.clock;
  cp.request = std::move(req);
  st.trade_of_coordinator = cp.request.trade;
  st.coordinator = spawn_two_leg_coordinator(self->system(), std::move(cp));
  self->monitor(st.coordinator);
}

void execute(basis_actor* self, basis_actions&& a) {
  auto& st = self->state;
  auto& p = st.params;
  for (auto& s : a.signals) {
    st.log->info("signal strategy={} name={} net_bps={:.2f} gross_bps={:.2f} "
                 "funding_bps={:.2f} acted={} why={}",
                 p.name, s.name, s.net_bps, s.gross_bps, s.funding_bps, s.acted,
                 s.why.empty() ? "-" : s.why);
    // For basis signals the journal's z column holds the net yield and its
    // rho column the gross basis, both in bps.
    to_journal(self, signal_record{s.time, p.name, p.perp_venue, p.perp_symbol,
                                   s.name, s.net_bps, s.gross_bps, s.acted, s.why});
  }
  if (!a.trade)
    return;
  auto req = std::move(*a.trade);
  auto now = now_of(self);
  req.strategy = p.name;
  req.local_time = now;
  ++st.trades;
  std::string legs;
  for (auto& l : req.legs)
    legs += fmt::format(" {}:{}:{}:{}@{}", l.venue, l.symbol, l.sd, l.qty, l.px);
  st.log->info("trade_intent strategy={} mode={} trade={} purpose={} legs={}",
               p.name, p.mode, req.trade, req.purpose, legs);
  if (p.mode == run_mode::shadow) {
    // Nothing leaves in SHADOW: the core hears that nothing traded.
    two_leg_result r;
    r.trade = req.trade;
    r.strategy = p.name;
    r.purpose = req.purpose;
    r.outcome = two_leg_outcome::none;
    r.detail = "shadow mode: not sent";
    r.started = r.finished = now;
    execute(self, st.core->on_trade_result(r));
    return;
  }
  if (!st.spot.gateway || !st.perp.gateway || !st.spot.spec || !st.perp.spec) {
    two_leg_result r;
    r.trade = req.trade;
    r.strategy = p.name;
    r.purpose = req.purpose;
    r.outcome = two_leg_outcome::none;
    r.detail = "gateway not running";
    r.started = r.finished = now;
    execute(self, st.core->on_trade_result(r));
    return;
  }
  spawn_coordinator(self, std::move(req));
}

void subscribe_book(basis_actor* self, leg_link& leg, const caf::actor& book) {
  auto& st = self->state;
  leg.book = book;
  if (book) {
    self->send(book, caf::subscribe_atom_v);
  } else if (st.core) {
    if (&leg == &st.spot)
      st.core->on_spot_stale();
    else
      st.core->on_perp_stale();
  }
}

/// Logs both legs' positions rebuilt from the journal; a position that is
/// not hedged (the core stays HALTED) is a critical alert.
void report_restored(basis_actor* self, const std::vector<order_filled>& fills) {
  auto& st = self->state;
  st.log->info("strategy_position_restored strategy={} fills={} spot={} perp={} state={}",
               st.params.name, fills.size(), st.core->spot_position(),
               st.core->perp_position(), st.core->state_name());
  if (st.core->state_name() == "halted")
    raise_alert(self, alert_level::critical, st.path,
                "restored an unhedged basis position: spot "
                  + st.core->spot_position().to_string() + ", perp "
                  + st.core->perp_position().to_string(),
                now_of(self));
}

/// Like the mean-reversion strategy: the first ACTIVE rebuilds both legs'
/// positions from this strategy's journaled fills; until then the core
/// stays HALTED.
void set_trading(basis_actor* self, trading_state s) {
  set_trading_after_restore(self, s, execute, now_of, report_restored);
}

void maybe_build_core(basis_actor* self) {
  auto& st = self->state;
  if (st.core || !st.spot.spec || !st.perp.spec)
    return;
  st.core = std::make_unique<basis_arb>(st.params.params, *st.spot.spec,
                                        *st.perp.spec);
  auto& p = st.params.params;
  st.log->info("strategy_started strategy={} kind=basis mode={} spot={}:{} perp={}:{} "
               "notional={} entry_bps={} exit_bps={} buffer_bps={} funding={}",
               st.params.name, st.params.mode, st.spot.venue, st.spot.symbol,
               st.perp.venue, st.perp.symbol, p.trade_notional,
               p.entry_threshold_bps, p.exit_threshold_bps, p.safety_buffer_bps,
               p.include_funding);
  set_trading(self, st.trading);
}

void ask_spec(basis_actor* self, leg_link& leg) {
  if (!leg.gateway || leg.spec || leg.asked_spec)
    return;
  leg.asked_spec = true;
  bool spot = &leg == &self->state.spot;
  self->request(leg.gateway, std::chrono::seconds(5), spec_atom_v, leg.symbol)
    .then(
      [self, spot](instrument_spec& spec) {
        auto& st = self->state;
        (spot ? st.spot : st.perp).spec = spec;
        maybe_build_core(self);
      },
      [self](caf::error& err) { self->quit(std::move(err)); });
}

void on_gateway(basis_actor* self, const std::string& path, const caf::actor& gw) {
  auto& st = self->state;
  for (auto* leg : {&st.spot, &st.perp})
    if (leg->gateway_path == path) {
      leg->gateway = gw;
      ask_spec(self, *leg);
    }
}

template <class F>
void drive(basis_actor* self, F&& f) {
  auto& st = self->state;
  ++st.processed;
  if (st.core)
    execute(self, f(*st.core));
}

leg_link make_leg(const venue_id& v, const symbol_id& s) {
  leg_link l;
  l.venue = v;
  l.symbol = s;
  l.gateway_path = venue_child_path(v, "gateway");
  l.book_path = book_path(v, s);
  return l;
}

caf::behavior basis_impl(basis_actor* self, std::string path,
                         basis_strategy_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("strategy");
  install_hygiene(self, st.path, st.log);
  st.spot = make_leg(st.params.spot_venue, st.params.spot_symbol);
  st.perp = make_leg(st.params.perp_venue, st.params.perp_symbol);
  auto& dir = st.params.directory;
  std::vector<std::string> gateways{st.spot.gateway_path};
  if (st.perp.gateway_path != st.spot.gateway_path)
    gateways.push_back(st.perp.gateway_path);
  for (auto& g : gateways)
    self->request(dir, std::chrono::seconds(5), caf::subscribe_atom_v, g)
      .then([self, g](caf::actor& gw) { on_gateway(self, g, gw); },
            [self](caf::error& err) { self->quit(std::move(err)); });
  for (bool spot : {true, false}) {
    auto bp = spot ? st.spot.book_path : st.perp.book_path;
    self->request(dir, std::chrono::seconds(5), caf::subscribe_atom_v, bp)
      .then(
        [self, spot](caf::actor& book) {
          auto& st = self->state;
          subscribe_book(self, spot ? st.spot : st.perp, book);
        },
        [self](caf::error& err) { self->quit(std::move(err)); });
  }
  if (auto risk = well_known(self->system(), risk_name)) {
    // Risk scopes halts by venue, strategy and symbol: tell it both legs.
    for (auto* leg : {&st.spot, &st.perp})
      self->send(risk, register_atom_v, st.params.name, leg->venue, leg->symbol);
    self->request(risk, std::chrono::seconds(5), status_atom_v)
      .then(
        [self](status_report& r) {
          // The global state only; older than a change applied, not news.
          if (r.state_epoch >= self->state.trading_epoch
              && r.state != trading_state::active)
            set_trading(self, r.state);
        },
        [](caf::error&) {});
  }
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (!st.coordinator || msg.source != st.coordinator.address())
      return;
    st.coordinator = nullptr;
    if (!msg.reason || msg.reason == caf::exit_reason::normal)
      return;
    // A coordinator that died mid-trade leaves its legs' state unknown: treat
    // it as leg risk that could not be unwound.
    auto now = now_of(self);
    auto why = "coordinator of trade " + std::to_string(st.trade_of_coordinator)
               + " died: " + self->system().render(msg.reason);
    st.log->error("coordinator_died strategy={} {}", st.params.name, why);
    raise_alert(self, alert_level::critical, st.path, why + "; strategy halted", now);
    if (auto risk = well_known(self->system(), risk_name))
      caf::anon_send(risk, halt_trading{why, st.path,
                                    trading_scope{scope_kind::strategy, st.params.name}});
    if (st.core) {
      two_leg_result r;
      r.trade = st.trade_of_coordinator;
      r.strategy = st.params.name;
      r.outcome = two_leg_outcome::unwind_failed;
      r.detail = why;
      r.started = r.finished = now;
      execute(self, st.core->on_trade_result(r));
    }
  });
  self->delayed_send(self, std::chrono::nanoseconds(st.params.timer_interval),
                     timer_atom_v);
  return {
    [self](book_view& v) {
      auto& st = self->state;
      if (v.symbol == st.spot.symbol && v.venue == st.spot.venue)
        drive(self, [&](basis_arb& c) { return c.on_spot_book(v); });
      else
        drive(self, [&](basis_arb& c) { return c.on_perp_book(v); });
    },
    [self](book_stale& s) {
      auto& st = self->state;
      ++st.processed;
      if (!st.core)
        return;
      if (s.symbol == st.spot.symbol && s.venue == st.spot.venue)
        st.core->on_spot_stale();
      else
        st.core->on_perp_stale();
    },
    [self](funding_update& f) {
      auto& st = self->state;
      ++st.processed;
      if (st.core && f.symbol == st.perp.symbol)
        st.core->on_funding(f);
    },
    [self](trade_tick&) { ++self->state.processed; },
    // Risk's answer to a halt this strategy asked for.
    [self](std::string& answer) {
      self->state.log->info("strategy_halt strategy={} risk=\"{}\"", self->state.params.name,
                            answer);
    },
    [self](book_ticker&) { ++self->state.processed; },
    [self](actor_replaced& r) {
      auto& st = self->state;
      ++st.processed;
      if (r.name == st.spot.book_path)
        subscribe_book(self, st.spot, r.handle);
      else if (r.name == st.perp.book_path)
        subscribe_book(self, st.perp, r.handle);
      else
        on_gateway(self, r.name, r.handle);
    },
    [self](two_leg_result& r) {
      auto& st = self->state;
      ++st.processed;
      st.log->info("trade_result strategy={} trade={} purpose={} outcome={} detail=\"{}\"",
                   r.strategy, r.trade, r.purpose, r.outcome, r.detail);
      if (st.core)
        execute(self, st.core->on_trade_result(r));
    },
    // Events of orders this strategy owns directly: none (coordinators own
    // the legs); late ones after a restart are only counted.
    [self](order_accepted&) { ++self->state.processed; },
    [self](order_filled&) { ++self->state.processed; },
    [self](order_canceled&) { ++self->state.processed; },
    [self](order_rejected&) { ++self->state.processed; },
    [self](trading_state_changed& s) {
      auto& st = self->state;
      ++st.processed;
      if (!accept_state_change(self, s)) {
        if (auto risk = well_known(self->system(), risk_name))
          self->send(risk, trading_state_acknowledged{st.path, s.epoch, s.to, 0});
        return;
      }
      if (s.to == trading_state::active && st.core && st.core->state_name() == "halted"
          && !st.coordinator && well_known(self->system(), journal_name)) {
        // An explicit resume after leg risk: a fresh core rebuilds both legs
        // from the journal's fills (hedged -> open, flat -> closed, still
        // unhedged -> halted again).
        st.log->warn("strategy_rebuilt strategy={} after=\"{}\"", st.params.name,
                     st.core->halt_reason());
        st.core = std::make_unique<basis_arb>(st.params.params, *st.spot.spec, *st.perp.spec);
        st.restored = false;
      }
      set_trading(self, s.to);
      st.log->info("trading_state strategy={} state={} epoch={}", st.params.name,
                   s.to, s.epoch);
      if (auto risk = well_known(self->system(), risk_name))
        self->send(risk, trading_state_acknowledged{st.path, s.epoch, s.to, 0});
    },
    [self](timer_atom) {
      drive(self, [&](basis_arb& c) { return c.on_timer(now_of(self)); });
      self->delayed_send(self,
                         std::chrono::nanoseconds(self->state.params.timer_interval),
                         timer_atom_v);
    },
    [self](stats_atom) {
      auto& st = self->state;
      if (!st.core)
        return actor_stats{"starting", own_mailbox_size(self), st.processed,
                           "waiting_for=specs trading="
                             + std::string{to_string(st.trading)}};
      auto& c = *st.core;
      auto y = c.last_yield();
      return actor_stats{
        c.state_name(), own_mailbox_size(self), st.processed,
        "spot=" + c.spot_position().to_string() + " perp="
          + c.perp_position().to_string() + " net_bps="
          + (y ? fmt::format("{:.2f}", y->net_bps) : std::string{"-"})
          + " evals=" + std::to_string(c.evaluations()) + " trades="
          + std::to_string(st.trades) + " trading="
          + std::string{to_string(c.trading())}};
    },
  };
}

} // namespace

caf::actor spawn_basis_strategy(caf::actor_system& sys, const std::string& path,
                                basis_strategy_params params) {
  return sys.spawn(basis_impl, path, std::move(params));
}

} // namespace agora
