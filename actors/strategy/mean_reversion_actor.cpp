#include "actors/strategy/mean_reversion_actor.hpp"

#include <atomic>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/strategy/journal_restore.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

namespace agora {

uint64_t next_cid_base(uint64_t run) noexcept {
  static const uint64_t start_second
    = static_cast<uint64_t>(default_clock().now() / ns_per_s);
  static std::atomic<uint64_t> incarnation{0};
  auto high = ((run != 0 ? run : start_second) & 0xFFFFFu) << 40;
  return high | ((++incarnation & 0xFFFFu) << 24);
}

namespace {

struct strategy_state {
  strategy_params params;
  std::string path;
  std::string book_path;
  std::string gateway_path;
  caf::actor gateway;
  caf::actor book;
  std::unique_ptr<mean_reversion> core;
  /// The trading state as risk last said; the core gets it when it is built
  /// (risk may answer before the instrument spec arrives) and on every change.
  trading_state trading = trading_state::active;
  /// The epoch of the last state change applied: an older one (risk's
  /// re-send of a change since superseded) is acknowledged, not applied.
  uint64_t trading_epoch = 0;
  /// The position was rebuilt from the journal (done once, when trading
  /// first becomes ACTIVE: by then a restart's recovery has finished).
  bool restored = false;
  bool restoring = false;
  uint64_t intents = 0;
  uint64_t processed = 0;
  std::shared_ptr<spdlog::logger> log;
  static inline const char* name = "strategy";
};

using strategy_actor = caf::stateful_actor<strategy_state>;

nanos now_of(strategy_actor* self) { return self->state.params.clock->now(); }

void execute(strategy_actor* self, strategy_actions&& a) {
  auto& st = self->state;
  auto& p = st.params;
  for (auto& s : a.signals) {
    st.log->info("signal strategy={} symbol={} name={} z={:.3f} rho={:.3f} "
                 "acted={} why={}",
                 p.name, p.symbol, s.name, s.z, s.rho, s.acted,
                 s.why.empty() ? "-" : s.why);
    to_journal(self, signal_record{s.time, p.name, p.venue, p.symbol, s.name,
                                   s.z, s.rho, s.acted, s.why});
  }
  for (auto& b : a.bars)
    to_journal(self, bar_record{p.name, b.open_time, b.close});
  auto now = now_of(self);
  for (auto& c : a.cancels) {
    st.log->info("cancel_intent strategy={} cid={} purpose={}", p.name, c.cid,
                 c.purpose);
    if (p.mode != run_mode::shadow && st.gateway)
      self->send(st.gateway,
                 cancel_order{c.cid, p.venue, p.symbol, p.name, now});
  }
  for (auto& o : a.orders) {
    ++st.intents;
    submit_order msg{o.cid,  p.venue, p.symbol,      o.sd, o.type, o.tif,
                     o.px,   o.qty,   o.reduce_only, p.name, now};
    st.log->info("intent strategy={} mode={} cid={} side={} tif={} px={} "
                 "qty={} reduce_only={} purpose={}",
                 p.name, p.mode, o.cid, o.sd, o.tif, o.px, o.qty,
                 o.reduce_only, o.purpose);
    if (p.mode == run_mode::shadow) {
      // Nothing leaves in SHADOW: tell the core its intent went nowhere.
      execute(self, st.core->on_rejected(order_rejected{
                      o.cid, p.venue, p.symbol, reject_reason::strategy_stopped,
                      "shadow mode", p.name, now, now}));
      continue;
    }
    if (auto risk = well_known(self->system(), risk_name)) {
      self->send(risk, std::move(msg));
    } else {
      execute(self, st.core->on_rejected(order_rejected{
                      o.cid, p.venue, p.symbol,
                      reject_reason::venue_unavailable, "risk not running",
                      p.name, now, now}));
    }
  }
}

void subscribe_book(strategy_actor* self, const caf::actor& book) {
  auto& st = self->state;
  st.book = book;
  if (book)
    self->send(book, caf::subscribe_atom_v);
  else if (st.core)
    st.core->on_stale();
}

/// Logs the position rebuilt from the journal.
void log_restored(strategy_actor* self, const std::vector<order_filled>& fills) {
  auto& st = self->state;
  st.log->info("strategy_position_restored strategy={} fills={} pos={} entry_px={}",
               st.params.name, fills.size(), st.core->position(), st.core->entry_price());
}

/// Records the trading state and hands it to the core if it exists; the
/// first ACTIVE first rebuilds the position from the journal.
void set_trading(strategy_actor* self, trading_state s) {
  set_trading_after_restore(self, s, execute, now_of, log_restored);
}

/// Warms the z-score window up from the bars the journal kept.
void warm_from_journal(strategy_actor* self) {
  auto& st = self->state;
  auto journal = well_known(self->system(), journal_name);
  if (!journal)
    return;
  self->request(journal, std::chrono::seconds(10), recover_atom_v, st.params.name,
                static_cast<uint64_t>(st.params.params.window))
    .await(
      [self](std::vector<bar_record>& recs) {
        auto& st = self->state;
        if (!st.core || recs.empty())
          return;
        std::vector<bar> bars;
        for (auto& r : recs)
          bars.push_back(bar{st.params.venue, st.params.symbol, r.time,
                             st.params.params.bar_interval, r.close, r.close,
                             r.close, r.close, quantity{}});
        st.core->warm_up(bars);
        st.log->info("strategy_warmed strategy={} bars={} z_window={}", st.params.name,
                     bars.size(), st.core->bars_seen());
      },
      [self](caf::error& err) {
        self->state.log->warn("strategy_warm_up_failed strategy={} error=\"{}\"",
                              self->state.params.name, self->system().render(err));
      });
}

/// Feeds one event to the core (once it exists) and sends what it decided.
template <class F>
void drive(strategy_actor* self, F&& f) {
  auto& st = self->state;
  ++st.processed;
  if (st.core)
    execute(self, f(*st.core));
}

/// Asks the gateway for the instrument spec and builds the core from it;
/// other messages wait (await) until it is there.
void start_core(strategy_actor* self) {
  auto& st = self->state;
  self->request(st.gateway, std::chrono::seconds(5), spec_atom_v,
                st.params.symbol)
    .await(
      [self](instrument_spec& spec) {
        auto& st = self->state;
        st.core = std::make_unique<mean_reversion>(st.params.params, spec,
                                                   st.params.cid_base);
        warm_from_journal(self);
        set_trading(self, st.trading);
        st.log->info("strategy_started strategy={} venue={} symbol={} "
                     "mode={} window={} bar_s={} entry_z={} exit_z={} "
                     "notional={}",
                     st.params.name, st.params.venue, st.params.symbol,
                     st.params.mode, st.params.params.window,
                     static_cast<double>(st.params.params.bar_interval)
                       / ns_per_s,
                     st.params.params.entry_z, st.params.params.exit_z,
                     st.params.params.order_notional);
      },
      [self](caf::error& err) { self->quit(std::move(err)); });
}

caf::behavior strategy_impl(strategy_actor* self, std::string path,
                            strategy_params params) {
  auto& st = self->state;
  st.path = std::move(path);
  st.params = std::move(params);
  if (!st.params.clock)
    st.params.clock = &default_clock();
  st.log = logger("strategy");
  install_hygiene(self, st.path, st.log);
  st.book_path = book_path(st.params.venue, st.params.symbol);
  st.gateway_path = venue_child_path(st.params.venue, "gateway");
  auto& dir = st.params.directory;
  // Start-up: gateway (for the instrument spec), then the trading state, then
  // the book. Messages wait until the core exists. CAF answers awaited
  // requests last-sent first, so the trading state usually arrives before
  // the core exists: set_trading keeps it until then. The venue
  // starts beside the strategies: a gateway not registered yet is waited
  // for (the directory sends `actor_replaced`), not treated as a failure.
  self->request(dir, std::chrono::seconds(5), caf::subscribe_atom_v,
                st.gateway_path)
    .await(
      [self](caf::actor& gw) {
        auto& st = self->state;
        if (!gw) {
          st.log->info("strategy_waiting strategy={} for={}", st.params.name,
                       st.gateway_path);
          return;
        }
        st.gateway = gw;
        start_core(self);
      },
      [self](caf::error& err) { self->quit(std::move(err)); });
  if (auto risk = well_known(self->system(), risk_name)) {
    // Risk scopes halts by venue, strategy and symbol: tell it ours.
    self->send(risk, register_atom_v, st.params.name, st.params.venue, st.params.symbol);
    self->request(risk, std::chrono::seconds(5), status_atom_v)
      .await(
        [self](status_report& r) {
          // The global state only (a broadcast names this strategy's own):
          // older than a change already applied, it is not news.
          if (r.state_epoch >= self->state.trading_epoch
              && r.state != trading_state::active)
            set_trading(self, r.state);
        },
        [](caf::error&) { /* risk tells us on the next change */ });
  }
  self->request(dir, std::chrono::seconds(5), caf::subscribe_atom_v,
                st.book_path)
    .await([self](caf::actor& book) { subscribe_book(self, book); },
           [self](caf::error& err) { self->quit(std::move(err)); });
  self->delayed_send(self, std::chrono::nanoseconds(st.params.timer_interval),
                     timer_atom_v);
  // Until the core exists (waiting for the gateway), market data is
  // dropped, there are no orders of ours, and a state change is kept.
  return {
    [self](book_view& v) {
      drive(self, [&](mean_reversion& c) { return c.on_book(v); });
    },
    [self](book_stale&) {
      auto& st = self->state;
      ++st.processed;
      if (st.core)
        st.core->on_stale();
    },
    [self](trade_tick&) { ++self->state.processed; },
    [self](book_ticker&) { ++self->state.processed; },
    [self](funding_update&) { ++self->state.processed; },
    [self](actor_replaced& r) {
      auto& st = self->state;
      ++st.processed;
      if (r.name == st.book_path) {
        subscribe_book(self, r.handle);
      } else if (r.name == st.gateway_path) {
        st.gateway = r.handle;
        if (!st.core && st.gateway)
          start_core(self);
      }
    },
    [self](order_accepted& e) {
      drive(self, [&](mean_reversion& c) { return c.on_accepted(e); });
    },
    [self](order_filled& e) {
      drive(self, [&](mean_reversion& c) { return c.on_fill(e); });
    },
    [self](order_canceled& e) {
      drive(self, [&](mean_reversion& c) { return c.on_canceled(e); });
    },
    [self](order_rejected& e) {
      drive(self, [&](mean_reversion& c) { return c.on_rejected(e); });
    },
    [self](trading_state_changed& s) {
      auto& st = self->state;
      ++st.processed;
      if (accept_state_change(self, s)) {
        set_trading(self, s.to);
        st.log->info("trading_state strategy={} state={} epoch={}",
                     st.params.name, s.to, s.epoch);
      }
      if (auto risk = well_known(self->system(), risk_name))
        self->send(risk,
                   trading_state_acknowledged{st.path, s.epoch, s.to, 0});
    },
    [self](timer_atom) {
      drive(self, [&](mean_reversion& c) { return c.on_timer(now_of(self)); });
      auto& st = self->state;
      self->delayed_send(self,
                         std::chrono::nanoseconds(st.params.timer_interval),
                         timer_atom_v);
    },
    [self](stats_atom) {
      auto& st = self->state;
      if (!st.core)
        return actor_stats{"starting", own_mailbox_size(self), st.processed,
                           "waiting_for=" + st.gateway_path + " trading="
                             + std::string{to_string(st.trading)}};
      auto& c = *st.core;
      auto z = c.last_z();
      return actor_stats{
        c.state_name(), own_mailbox_size(self), st.processed,
        "pos=" + c.position().to_string() + " bars="
          + std::to_string(c.bars_seen()) + " z="
          + (z ? fmt::format("{:.2f}", *z) : std::string{"-"}) + " intents="
          + std::to_string(st.intents) + " reprices="
          + std::to_string(c.entry_reprices()) + " trading="
          + std::string{to_string(c.trading())}};
    },
  };
}

} // namespace

caf::actor spawn_mean_reversion(caf::actor_system& sys, const std::string& path,
                                strategy_params params) {
  return sys.spawn(strategy_impl, path, std::move(params));
}

} // namespace agora
