#include "actors/service/service.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <unistd.h>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/alerts/alert_router.hpp"
#include "actors/book/book_actor.hpp"
#include "actors/control/control_actor.hpp"
#include "actors/gateway/gateway_actor.hpp"
#include "actors/journal/intent_codec.hpp"
#include "actors/journal/intent_log.hpp"
#include "actors/journal/journal_actor.hpp"
#include "actors/risk/risk_actor.hpp"
#include "actors/strategy/basis_actor.hpp"
#include "actors/strategy/mean_reversion_actor.hpp"
#include "actors/supervision/directory.hpp"
#include "actors/supervision/supervisor.hpp"
#include "messages/type_ids.hpp"
#include "venues/binance/feed_actor.hpp"
#include "venues/binance/exchange_info_loader.hpp"
#include "venues/binance/order_entry_actor.hpp"
#include "venues/sim/paper_entry_actor.hpp"
#include "venues/sim/exchange_actor.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/crash_point.hpp"
#include "venues/sim/feed_actor.hpp"
#include "venues/replay/recorder_actor.hpp"
#include "venues/replay/replay_feed_actor.hpp"

namespace agora {

void configure_actor_system(caf::actor_system_config& cfg,
                            const config::scheduler_config& sched) {
  register_message_types(cfg);
  cfg.set("scheduler.policy", sched.policy == "stealing" ? caf::atom("stealing")
                                                         : caf::atom("sharing"));
  cfg.set("scheduler.max-threads", sched.max_threads);
  cfg.set("scheduler.max-throughput", sched.max_throughput);
  if (sched.busy_poll) {
    // Spin before sleeping: lowest latency, burns a core while idle.
    cfg.set("work-stealing.aggressive-poll-attempts", size_t{1'000'000'000});
    cfg.set("work-stealing.aggressive-steal-interval", size_t{10});
  }
}

mean_reversion_params to_params(const config::mean_reversion_config& c) {
  mean_reversion_params p;
  p.window = c.window;
  p.entry_z = c.entry_z;
  p.exit_z = c.exit_z;
  p.stop_loss = c.stop_loss;
  p.bar_interval = c.bar_interval;
  p.time_stop = c.time_stop;
  p.time_stop_off_hours = c.time_stop_off_hours;
  p.off_hours_start_utc = c.off_hours_start_utc;
  p.off_hours_end_utc = c.off_hours_end_utc;
  p.allow_short = c.allow_short;
  p.order_notional = c.order_notional;
  p.maker_lifetime = c.maker_lifetime;
  p.reprice_threshold = c.reprice_threshold;
  p.reprice_min_interval = c.reprice_min_interval;
  p.max_reprices = c.max_reprices;
  p.imbalance_levels = c.imbalance_levels;
  return p;
}

sim::listed_symbol to_listing(const venue_id& venue,
                              const config::sim_symbol_config& s,
                              nanos step_interval) {
  sim::listed_symbol l;
  l.spec = instrument_spec{venue,        s.symbol,    s.tick,
                           s.lot,        s.min_notional, s.maker_fee,
                           s.taker_fee,  s.perpetual};
  l.params.seed = s.seed;
  l.params.start_price = s.start_price;
  l.params.volatility = s.volatility;
  l.params.depth_levels = s.depth;
  l.params.level_qty = s.level_qty;
  if (s.index_symbol.valid()) {
    l.index_symbol = s.index_symbol;
    l.params.anchored = true;
    l.params.basis_mean = s.basis_bps / 1e4;
    l.params.basis_volatility = s.basis_volatility_bps / 1e4;
    l.params.basis_reversion
      = 1.0 - std::pow(0.5, static_cast<double>(step_interval)
                              / static_cast<double>(std::max<nanos>(s.basis_half_life, 1)));
  }
  return l;
}

risk_params risk_params_of(const config::agora_config& cfg) {
  risk_params p;
  auto& r = cfg.risk;
  p.limits.max_order_notional = r.max_order_notional;
  p.limits.max_position_notional = r.max_position_notional;
  p.limits.max_gross_exposure = r.max_gross_exposure;
  p.limits.symbol_groups = r.symbol_groups;
  p.limits.max_open_positions_per_group = r.max_open_positions_per_group;
  p.limits.flip_guard_max_age = r.flip_guard_max_age;
  p.book.breakers.equity = r.equity;
  p.book.breakers.daily_loss_limit = r.daily_loss_limit;
  p.book.breakers.daily_drawdown_limit = r.daily_drawdown_limit;
  p.book.breaker_override_window = r.breaker_override_window;
  p.book.calendar_path = r.calendar_file;
  p.book.macro.before = r.macro_before;
  p.book.macro.after = r.macro_after;
  p.book.macro.impacts = r.macro_impacts;
  return p;
}

std::optional<std::string> check_risk_calendar(const config::agora_config& cfg) {
  auto p = risk_params_of(cfg);
  return load_risk_calendar(p);
}

namespace {

using namespace config;

struct service_context {
  agora_config cfg;
  caf::actor directory;
  service_options opts;
  const clock_source* clock = nullptr;
};

using context_ptr = std::shared_ptr<const service_context>;

restart_params restarts_of(const agora_config& cfg) {
  return restart_params{cfg.supervision.max_restarts, cfg.supervision.within,
                        cfg.supervision.backoff_initial,
                        cfg.supervision.backoff_max};
}


/// The recorder a (re)starting feed sends its raw frames to, when the
/// config records market data.
caf::actor recorder_of(caf::actor_system& sys, const context_ptr& ctx) {
  return ctx->cfg.record.dir.empty() ? caf::actor{} : well_known(sys, replay::recorder_name);
}

child_spec book_child(const context_ptr& ctx, const venue_id& venue,
                      const symbol_id& symbol) {
  child_spec c;
  c.name = book_name(symbol);
  c.kind = "book";
  // A restarted feed (or exchange, or order entry before it) is followed
  // through the directory; the book is not restarted with it.
  c.follows_restarts = true;
  c.start = [ctx, venue, symbol](caf::actor_system& sys,
                                 const std::string& path) {
    book_params p;
    p.venue = venue;
    p.symbol = symbol;
    p.feed_path = venue_child_path(venue, "feed");
    p.directory = ctx->directory;
    p.imbalance_levels = ctx->cfg.strategy_template.imbalance_levels;
    p.clock = ctx->clock;
    return spawn_book(sys, path, std::move(p));
  };
  return c;
}

alert_settings to_settings(const config::alerts_config& c) {
  alert_settings a;
  a.throttle_info = c.throttle_info;
  a.throttle_warning = c.throttle_warning;
  a.throttle_critical = c.throttle_critical;
  a.summary_hour_utc = c.summary_hour_utc;
  for (auto& s : c.sinks) {
    alert_sink_settings k;
    k.kind = s.kind;
    k.name = s.name;
    k.base_url = s.base_url;
    k.token_env = s.token_env;
    k.chat_id = s.chat_id;
    k.min_level = s.min_level;
    k.ca_file = s.ca_file;
    k.verify_tls = s.verify_tls;
    k.queue_limit = s.queue_limit;
    k.timeout = s.timeout;
    k.max_attempts = s.max_attempts;
    k.backoff = s.backoff;
    a.sinks.push_back(std::move(k));
  }
  return a;
}

basis_params basis_params_of(const config::basis_config& c) {
  basis_params p;
  p.trade_notional = c.trade_notional;
  p.entry_threshold_bps = c.entry_threshold_bps;
  p.exit_threshold_bps = c.exit_threshold_bps;
  p.safety_buffer_bps = c.safety_buffer_bps;
  p.include_funding = c.include_funding;
  p.funding_horizon = c.funding_horizon;
  p.allow_reverse = c.allow_reverse;
  p.slippage_tolerance_bps = c.slippage_tolerance_bps;
  p.leg_deadline = c.leg_deadline;
  p.cooldown = c.cooldown;
  p.max_quote_skew = c.max_quote_skew;
  p.retry_backoff = c.retry_backoff;
  return p;
}

child_spec strategy_child(const context_ptr& ctx, strategy_config sc) {
  child_spec c;
  c.name = sc.name;
  c.kind = "strategy";
  if (sc.kind == "basis") {
    c.start = [ctx, sc](caf::actor_system& sys, const std::string& path) {
      basis_strategy_params p;
      p.name = sc.name;
      p.mode = sc.mode;
      p.spot_venue = sc.basis.spot.venue;
      p.spot_symbol = sc.basis.spot.symbol;
      p.perp_venue = sc.basis.perp.venue;
      p.perp_symbol = sc.basis.perp.symbol;
      p.params = basis_params_of(sc.basis);
      p.legs.unwind_retry = sc.basis.unwind_retry;
      p.legs.max_unwind_attempts = sc.basis.max_unwind_attempts;
      p.directory = ctx->directory;
      p.cid_base = next_cid_base(ctx->opts.run);
      p.clock = ctx->clock;
      return spawn_basis_strategy(sys, path, std::move(p));
    };
    return c;
  }
  c.start = [ctx, sc](caf::actor_system& sys, const std::string& path) {
    strategy_params p;
    p.name = sc.name;
    p.venue = sc.venue;
    p.symbol = sc.symbol;
    p.mode = sc.mode;
    p.params = to_params(sc.mean_reversion);
    p.directory = ctx->directory;
    p.cid_base = next_cid_base(ctx->opts.run);
    p.clock = ctx->clock;
    return spawn_mean_reversion(sys, path, std::move(p));
  };
  return c;
}

child_spec gateway_child(const context_ptr& ctx, const venue_id& venue,
                         const std::string& endpoint) {
  child_spec c;
  c.name = "gateway";
  c.kind = "gateway";
  // The start-up hand-over's warnings go to the first incarnation only.
  auto warnings = std::make_shared<std::vector<std::string>>();
  if (auto w = ctx->opts.intent_warnings.find(venue.str()); w != ctx->opts.intent_warnings.end())
    *warnings = w->second;
  c.start = [ctx, venue, endpoint, warnings](caf::actor_system& sys, const std::string& path) {
    gateway_params p;
    p.venue = venue;
    p.endpoint_path = venue_child_path(venue, endpoint);
    p.directory = ctx->directory;
    p.orders_per_minute = ctx->cfg.gateway.orders_per_minute;
    p.burst = static_cast<double>(ctx->cfg.gateway.burst);
    p.keep_finished = ctx->cfg.gateway.keep_finished;
    p.journal = true;
    if (!ctx->opts.backtest) { // a backtest's SQLite is the whole journal (sync off)
      p.intent_dir = config::intent_dir_path(ctx->cfg, venue);
      p.intent_sync = ctx->cfg.journal.sync == "full";
      p.intent_warnings = std::exchange(*warnings, {});
    }
    p.reconcile_interval = ctx->cfg.journal.reconcile_interval;
    p.clock = ctx->clock;
    return spawn_gateway(sys, path, std::move(p));
  };
  return c;
}

/// The sim venue's children: exchange, gateway, feed, one book per symbol.
std::vector<child_spec> sim_children(const context_ptr& ctx, const venue_config& vc) {
  auto venue = vc.name;
  std::vector<child_spec> children;
  {
    child_spec c;
    c.name = "exchange";
    c.kind = "exchange";
    c.start = [ctx, vc](caf::actor_system& sys, const std::string& path) {
      sim::exchange_params p;
      p.venue = vc.name;
      p.step_interval = vc.sim.step_interval;
      p.latency = vc.sim.latency;
      p.jitter = vc.sim.jitter;
      for (auto& s : vc.sim.symbols)
        p.symbols.push_back(to_listing(vc.name, s, vc.sim.step_interval));
      p.default_symbol = to_listing(vc.name, vc.sim.default_symbol, vc.sim.step_interval);
      p.clock = ctx->clock;
      return sim::spawn_exchange(sys, path, std::move(p));
    };
    children.push_back(std::move(c));
  }
  children.push_back(gateway_child(ctx, venue, "exchange"));
  {
    child_spec c;
    c.name = "feed";
    c.kind = "feed";
    c.start = [ctx, vc](caf::actor_system& sys, const std::string& path) {
      sim::feed_params p;
      p.venue = vc.name;
      p.exchange_path = venue_child_path(vc.name, "exchange");
      p.directory = ctx->directory;
      p.heartbeat_timeout = vc.sim.heartbeat_timeout;
      p.recorder = recorder_of(sys, ctx);
      p.clock = ctx->clock;
      return sim::spawn_feed(sys, path, std::move(p));
    };
    children.push_back(std::move(c));
  }
  for (auto& s : vc.sim.symbols)
    children.push_back(book_child(ctx, venue, s.symbol));
  return children;
}

net::tls_client_options tls_of(const config::binance_venue_config& b) {
  net::tls_client_options t;
  t.verify = b.verify_tls;
  t.ca_file = b.ca_file;
  return t;
}

/// A Binance venue's children: order entry, gateway, feed, one book per
/// symbol (rest_for_one, like the sim venue).
std::vector<child_spec> binance_children(const context_ptr& ctx, const venue_config& vc) {
  auto venue = vc.name;
  auto m = vc.binance.market == "usdm" ? binance::market::usdm : binance::market::spot;
  std::vector<child_spec> children;
  const bool paper = vc.binance.orders == "paper";
  if (paper) {
    // PAPER on a real venue: the gateway talks to a paper entry that fills
    // against this venue's books; nothing is sent to the venue.
    child_spec c;
    c.name = "paper-entry";
    c.kind = "order-entry";
    c.start = [ctx, vc, m](caf::actor_system& sys, const std::string& path) {
      const auto& b = vc.binance;
      binance::exchange_info_source src;
      src.venue = vc.name;
      src.m = m;
      src.rest_url = b.rest_url;
      src.tls = tls_of(b);
      src.maker_fee = b.maker_fee;
      src.taker_fee = b.taker_fee;
      sim::paper_entry_params p;
      p.venue = vc.name;
      p.symbols = b.symbols;
      p.directory = ctx->directory;
      p.load_specs = binance::exchange_info_loader(std::move(src));
      p.latency = b.paper_latency;
      p.jitter = b.paper_jitter;
      p.clock = ctx->clock;
      return sim::spawn_paper_entry(sys, path, std::move(p));
    };
    children.push_back(std::move(c));
  } else {
    child_spec c;
    c.name = "order-entry";
    c.kind = "order-entry";
    c.start = [ctx, vc, m](caf::actor_system& sys, const std::string& path) {
      const auto& b = vc.binance;
      binance::order_entry_params p;
      p.venue = vc.name;
      p.m = m;
      p.rest_url = b.rest_url;
      p.ws_url = b.ws_url;
      p.ws_api_url = b.ws_api_url;
      p.tls = tls_of(b);
      if (auto i = ctx->opts.credentials.find(vc.name.str()); i != ctx->opts.credentials.end())
        p.keys = i->second;
      p.symbols = b.symbols;
      p.maker_fee = b.maker_fee;
      p.taker_fee = b.taker_fee;
      p.recv_window_ms = b.recv_window_ms;
      p.heartbeat_timeout = b.heartbeat_timeout;
      p.ping_interval = b.ping_interval;
      p.listen_key_keepalive = b.listen_key_keepalive;
      p.reconcile_interval = b.reconcile_interval;
      p.clock = ctx->clock;
      return binance::spawn_order_entry(sys, path, std::move(p));
    };
    children.push_back(std::move(c));
  }
  children.push_back(gateway_child(ctx, venue, paper ? "paper-entry" : "order-entry"));
  {
    child_spec c;
    c.name = "feed";
    c.kind = "feed";
    c.start = [ctx, vc, m](caf::actor_system& sys, const std::string& path) {
      const auto& b = vc.binance;
      binance::feed_params p;
      p.venue = vc.name;
      p.m = m;
      p.rest_url = b.rest_url;
      p.ws_url = b.ws_url;
      p.tls = tls_of(b);
      p.symbols = b.symbols;
      p.depth_limit = b.depth_limit;
      p.heartbeat_timeout = b.heartbeat_timeout;
      p.ping_interval = b.ping_interval;
      p.directory = ctx->directory;
      p.recorder = recorder_of(sys, ctx);
      p.clock = ctx->clock;
      return binance::spawn_feed(sys, path, std::move(p));
    };
    children.push_back(std::move(c));
  }
  for (auto& s : vc.binance.symbols)
    children.push_back(book_child(ctx, venue, s));
  return children;
}

/// A replay venue's children: a paper entry filling against the recorded
/// books (its instruments from the config), gateway, the replay feed, one
/// book per symbol.
std::vector<child_spec> replay_children(const context_ptr& ctx, const venue_config& vc) {
  auto venue = vc.name;
  auto m = vc.replay.market == "usdm" ? binance::market::usdm : binance::market::spot;
  std::vector<child_spec> children;
  {
    child_spec c;
    c.name = "paper-entry";
    c.kind = "order-entry";
    c.start = [ctx, vc, m](caf::actor_system& sys, const std::string& path) {
      const auto& r = vc.replay;
      std::vector<instrument_spec> specs;
      for (auto& s : r.symbols)
        specs.push_back(instrument_spec{vc.name, s.symbol, s.tick, s.lot, s.min_notional,
                                        r.maker_fee, r.taker_fee, m == binance::market::usdm});
      sim::paper_entry_params p;
      p.venue = vc.name;
      for (auto& s : r.symbols)
        p.symbols.push_back(s.symbol);
      p.directory = ctx->directory;
      p.load_specs = [specs](binance::specs_callback done) {
        done(specs);
      };
      p.latency = r.paper_latency;
      p.jitter = r.paper_jitter;
      p.clock = ctx->clock;
      return sim::spawn_paper_entry(sys, path, std::move(p));
    };
    children.push_back(std::move(c));
  }
  children.push_back(gateway_child(ctx, venue, "paper-entry"));
  {
    child_spec c;
    c.name = "feed";
    c.kind = "feed";
    c.start = [ctx, vc, m](caf::actor_system& sys, const std::string& path) {
      replay::replay_feed_params p;
      p.venue = vc.name;
      p.m = m;
      p.clock = ctx->clock;
      return replay::spawn_replay_feed(sys, path, std::move(p));
    };
    children.push_back(std::move(c));
  }
  for (auto& s : vc.replay.symbols)
    children.push_back(book_child(ctx, venue, s.symbol));
  return children;
}

child_spec venue_child(const context_ptr& ctx, const venue_config& vc) {
  auto venue = vc.name;
  auto sup_path = venue_path(venue);
  std::vector<child_spec> children;
  if (vc.kind == "binance")
    children = binance_children(ctx, vc);
  else if (vc.kind == "replay")
    children = replay_children(ctx, vc);
  else
    children = sim_children(ctx, vc);
  child_spec c;
  c.name = sup_path;
  c.kind = "supervisor";
  c.start = [ctx, children, sup_path](caf::actor_system& sys,
                                      const std::string& path) {
    supervisor_config sc;
    sc.name = sup_path;
    sc.path = path;
    sc.strategy = restart_strategy::rest_for_one;
    sc.params = restarts_of(ctx->cfg);
    sc.directory = ctx->directory;
    sc.clock = ctx->clock;
    sc.children = children;
    return spawn_supervisor(sys, std::move(sc));
  };
  return c;
}

} // namespace

caf::expected<std::map<std::string, binance::credentials>>
load_venue_credentials(const config::agora_config& cfg) {
  std::map<std::string, binance::credentials> out;
  for (const auto& v : cfg.venues) {
    if (v.kind != "binance" || v.binance.orders == "paper") // paper sends nothing: no keys
      continue;
    auto keys = binance::load_credentials(v.binance.api_key_env, v.binance.api_secret_env,
                                          v.binance.credentials_file);
    if (!keys)
      return caf::make_error(caf::sec::runtime_error,
                             "venue " + v.name.str() + ": " + caf::to_string(keys.error()));
    out.emplace(v.name.str(), std::move(*keys));
  }
  return out;
}

journal::open_options journal_options_of(const config::agora_config& cfg) {
  journal::open_options o;
  o.path = config::journal_file_path(cfg);
  o.sync = cfg.journal.sync == "normal" ? journal::sync_mode::normal
           : cfg.journal.sync == "off"  ? journal::sync_mode::off // backtests only
                                        : journal::sync_mode::full;
  return o;
}

journal_check start_journal_run(
  const journal::open_options& o, const std::string& who,
  const std::function<void(journal::db&, journal_check&)>& then) {
  auto r = journal::db::open(o);
  if (!r.journal)
    return journal_check{0, r.error};
  try {
    journal_check out;
    out.run = r.journal->start_run(default_clock().now(), static_cast<int64_t>(::getpid()), who);
    if (then)
      then(*r.journal, out);
    return out;
  } catch (const journal::journal_error& e) {
    return journal_check{0, "journal " + o.path + ": cannot start a run: " + e.what()};
  }
}

namespace {

/// Hands what each venue's intent log holds past its mark to SQLite (an
/// order once, a fill once per cumulative quantity) and moves the mark past
/// it: before any actor reads the journal (risk's positions, the gateway's
/// open orders), so nothing that was durable only in a log is missing from
/// what they rebuild. An unreadable record stops that log's hand-over there
/// (the gateway keeps it and raises a CRITICAL alert); what the log's own
/// recovery cut (a torn tail) is reported per venue.
void replay_intent_logs(journal::db& db, const config::agora_config& cfg, journal_check& out) {
  for (const auto& v : cfg.venues) {
    auto dir = config::intent_dir_path(cfg, v.name);
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec))
      continue;
    auto& warnings = out.intent_warnings[v.name.str()];
    journal::intent_log_options o;
    o.dir = dir;
    o.sync_files = cfg.journal.sync == "full";
    journal::intent_recovery r;
    std::string err;
    auto log = journal::intent_log::open(o, &r, &err);
    if (!log) {
      warnings.push_back("not replayed at start: " + err); // the gateway refuses orders
      continue;
    }
    for (auto& w : r.warnings)
      warnings.push_back(w);
    uint64_t upto = r.released;
    auto now = default_clock().now();
    for (auto& rec : r.records) {
      std::string why;
      auto x = journal::decode_intent(rec, &why);
      if (!x)
        break; // held: the gateway reports it and never releases past it
      crash_point("replay");
      if (auto* o = std::get_if<submit_order>(&*x)) {
        if (db.order_new_once(*o, out.run, now) == journal::db::once::conflict)
          warnings.push_back("intent " + std::to_string(rec.seq) + ": client order id "
                             + std::to_string(o->cid.value)
                             + " is another order's in the journal (the first one's row "
                               "stays)");
        ++out.replayed_orders;
      } else {
        db.fill(std::get<order_filled>(*x));
        ++out.replayed_fills;
      }
      upto = rec.seq;
    }
    if (upto > r.released && !log->release(upto, &err))
      warnings.push_back("replayed, but the mark could not be moved (handed over again at "
                         "the next start, which is harmless): "
                         + err);
  }
}

} // namespace

journal_check prepare_journal(const config::agora_config& cfg) {
  auto o = journal_options_of(cfg);
  std::error_code ec;
  auto dir = std::filesystem::path{o.path}.parent_path();
  if (!dir.empty() && !std::filesystem::exists(dir, ec))
    std::filesystem::create_directories(dir, ec);
  return start_journal_run(o, "agora", [&](journal::db& db, journal_check& out) {
    replay_intent_logs(db, cfg, out);
  });
}

service_handles start_service(caf::actor_system& sys,
                              const config::agora_config& cfg,
                              service_options opts) {
  auto ctx_mut = std::make_shared<service_context>();
  ctx_mut->cfg = cfg;
  ctx_mut->clock = opts.clock ? opts.clock : &default_clock();
  ctx_mut->opts = opts;
  ctx_mut->directory = spawn_directory(sys, ctx_mut->clock);
  sys.registry().put(directory_name, caf::actor_cast<caf::strong_actor_ptr>(
                                       ctx_mut->directory));
  context_ptr ctx = ctx_mut;
  std::vector<child_spec> top;
  {
    child_spec c;
    c.name = "alerts";
    c.kind = "alerts";
    c.well_known = alerts_name;
    c.start = [ctx](caf::actor_system& sys, const std::string& path) {
      return spawn_alert_router(sys, path, ctx->clock, to_settings(ctx->cfg.alerts));
    };
    top.push_back(std::move(c));
  }
  if (!cfg.record.dir.empty()) {
    child_spec c;
    c.name = "recorder";
    c.kind = "recorder";
    c.well_known = replay::recorder_name;
    c.start = [ctx](caf::actor_system& sys, const std::string& path) {
      replay::recorder_params p;
      p.dir = ctx->cfg.record.dir;
      p.daily = ctx->cfg.record.rotate == "day";
      p.clock = ctx->clock;
      return replay::spawn_recorder(sys, path, std::move(p));
    };
    top.push_back(std::move(c));
  }
  {
    child_spec c;
    c.name = "journal";
    c.kind = "journal";
    c.well_known = journal_name;
    c.start = [ctx](caf::actor_system& sys, const std::string& path) {
      journal_params p;
      p.open = journal_options_of(ctx->cfg);
      p.run = ctx->opts.run;
      p.detached = !ctx->opts.backtest;
      p.defer_records = ctx->opts.backtest;
      p.checkpoint_when_idle = !ctx->opts.backtest;
      p.checkpointer = !ctx->opts.backtest;
      p.clock = ctx->clock;
      return spawn_journal(sys, path, std::move(p));
    };
    top.push_back(std::move(c));
  }
  {
    child_spec c;
    c.name = "risk";
    c.kind = "risk";
    c.well_known = risk_name;
    c.start = [ctx](caf::actor_system& sys, const std::string& path) {
      auto p = risk_params_of(ctx->cfg);
      for (auto& v : ctx->cfg.venues)
        p.venues.push_back(v.name);
      p.directory = ctx->directory;
      p.status_interval = ctx->cfg.status_interval;
      p.journal = true;
      p.pnl_interval = ctx->cfg.journal.pnl_interval;
      p.clock = ctx->clock;
      return spawn_risk(sys, path, std::move(p));
    };
    top.push_back(std::move(c));
  }
  for (auto& v : cfg.venues)
    top.push_back(venue_child(ctx, v));
  {
    std::vector<child_spec> strategies;
    for (auto& s : cfg.strategies)
      strategies.push_back(strategy_child(ctx, s));
    child_spec c;
    c.name = "strategies";
    c.kind = "supervisor";
    c.start = [ctx, strategies](caf::actor_system& sys,
                                const std::string& path) {
      supervisor_config sc;
      sc.name = "strategies";
      sc.path = path;
      sc.strategy = restart_strategy::one_for_one;
      sc.params = restarts_of(ctx->cfg);
      sc.directory = ctx->directory;
      sc.clock = ctx->clock;
      sc.children = strategies;
      return spawn_supervisor(sys, std::move(sc));
    };
    top.push_back(std::move(c));
  }
  if (!opts.backtest) {
    child_spec c;
    c.name = "control";
    c.kind = "control";
    c.start = [ctx](caf::actor_system& sys, const std::string& path) {
      control_params p;
      p.address = ctx->cfg.control.address;
      p.port = ctx->cfg.control.port;
      p.token = ctx->opts.token;
      p.port_file = ctx->opts.port_file;
      p.directory = ctx->directory;
      p.clock = ctx->clock;
      p.hooks.default_venue = ctx->cfg.venues.empty() ? venue_id{"sim"}
                                                      : ctx->cfg.venues[0].name;
      p.hooks.make_book = [ctx](const venue_id& v, const symbol_id& s) {
        return book_child(ctx, v, s);
      };
      p.hooks.make_strategy = [ctx](const venue_id& v, const symbol_id& s) {
        strategy_config sc;
        sc.name = spawned_strategy_name(s);
        sc.venue = v;
        sc.symbol = s;
        sc.mode = ctx->cfg.mode;
        sc.mean_reversion = ctx->cfg.strategy_template;
        sc.mean_reversion.allow_short = false;
        return strategy_child(ctx, std::move(sc));
      };
      return spawn_control(sys, path, std::move(p));
    };
    top.push_back(std::move(c));
  }
  supervisor_config root;
  root.name = "agora";
  root.path = "agora";
  root.strategy = restart_strategy::one_for_one;
  root.params = restarts_of(cfg);
  root.directory = ctx->directory;
  root.clock = ctx->clock;
  root.children = std::move(top);
  auto handle = spawn_supervisor(sys, std::move(root));
  caf::anon_send(ctx->directory, register_atom_v,
                 actor_entry{"agora", "supervisor", "", handle}, uint64_t{0});
  sys.registry().put(root_name, caf::actor_cast<caf::strong_actor_ptr>(handle));
  return service_handles{ctx->directory, handle};
}

void graceful_shutdown(caf::actor_system& sys, const service_handles& h) {
  auto log = logger("service");
  caf::scoped_actor self{sys};
  auto wait = std::chrono::seconds(2);
  if (auto risk = well_known(sys, risk_name))
    self->request(risk, wait, halt_trading{"service shutdown", "service"})
      .receive([](std::string&) {}, [](caf::error&) {});
  std::vector<actor_entry> gateways;
  self->request(h.directory, wait, list_atom_v, std::string{"gateway"})
    .receive([&](std::vector<actor_entry>& x) { gateways = std::move(x); },
             [](caf::error&) {});
  uint64_t canceled = 0;
  for (auto& g : gateways)
    self->request(g.handle, wait, cancel_all_atom_v)
      .receive([&](uint64_t n) { canceled += n; }, [](caf::error&) {});
  // Wait (bounded) until the venues confirmed the cancels.
  size_t open = 0;
  for (int i = 0; i < 30; ++i) {
    open = 0;
    for (auto& g : gateways)
      self->request(g.handle, wait, orders_atom_v)
        .receive(
          [&](orders_report& r) {
            for (auto& o : r.orders)
              if (!is_terminal(o.status))
                ++open;
          },
          [](caf::error&) {});
    if (open == 0)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  log->info("shutdown_orders canceled={} still_open={}", canceled, open);
  self->monitor(h.root);
  self->send_exit(h.root, caf::exit_reason::user_shutdown);
  self->receive([](caf::down_msg&) {},
                caf::after(std::chrono::seconds(5)) >> [&] {
                  log->error("shutdown_timeout: tree did not stop in 5 s");
                });
  self->send_exit(h.directory, caf::exit_reason::user_shutdown);
}

} // namespace agora
