// Latency of one two-leg (hedged) trade through the real actors, from the
// strategy's intent to both legs on the wire:
//
//   bench strategy --spawn_two_leg_coordinator(two_leg_request: spot buy +
//     perp sell, both IOC)--> coordinator --submit_order x2--> risk
//     --delegate--> gateway --submit_order--> bench endpoint
//
// The real spawn_* functions build the chain around a directory, with names
// registered as the supervisor would (and risk in CAF's registry). A small
// bench actor stands in for the venue's exchange at "venue:bench/exchange":
// it lists two instruments (BENCHUSDT spot and BENCHUSDT-PERP perpetual,
// lots 0.001), answers the gateway's start-up (`spec_atom`, and with the
// journal the reconciliation's `venue_atom`: a venue that keeps no
// account), and on each submit_order records the arrival time and answers
// the gateway at once the way the sim exchange does: order_accepted, then
// order_filled for the whole quantity at the limit price (taker fee).
//
// A bench actor stands in for the strategy at "strategies/bench-basis" (as
// the basis strategy does: it spawns and monitors the coordinator, owner
// path = its own directory name, client ids cid_base + 16 x trade). The
// coordinator finds it by that name and sends it the two_leg_result; the
// strategy then starts the next trade at once: one trade in flight, closed
// loop, so the workers never sleep between trades.
//
// Timed per trade (steady_clock, all inside one process):
//   intent -> both legs: from the strategy deciding (just before it builds
//     the request and spawns the coordinator) to the later of the two
//     legs' arrivals at the endpoint;
//   first leg: intent -> the earlier arrival;
//   leg skew: |arrival of leg 2 - arrival of leg 1|;
//   intent -> result: to the two_leg_result at the strategy (both legs
//     accepted and filled, events back through the gateway to the
//     coordinator, the owner's name looked up in the directory).
//
// Journal: off (gateway_params::journal = false) or on: the real journal
// actor (detached, SQLite, sync=normal, WAL) on a fresh temp file per run,
// registered in CAF's registry as the supervisor would, behind the
// gateway's intent log (the service's path): an order leaves once written
// there, in-line, and a fill is acted on once written there; SQLite
// follows. (Before issue 12 the gateway waited for SQLite's commit.) Risk keeps its journal off. The
// periodic reconciliation is set to an hour so it never runs inside a
// measurement.
//
// Scheduler: sharing x1 (Agora's default) and stealing x2, each its own
// actor_system; every combination runs 2 times, interleaved, and medians
// are printed. Before measuring, a probe order too small for the lot goes
// through risk until the gateway (not risk) rejects it: risk knows the
// gateway, so no leg is denied as "no gateway" (that would be leg risk).
// Prints figures only; asserts nothing about time.

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/gateway/gateway_actor.hpp"
#include "actors/journal/journal_actor.hpp"
#include "actors/risk/risk_actor.hpp"
#include "actors/service/service.hpp"
#include "actors/strategy/mean_reversion_actor.hpp"
#include "actors/strategy/two_leg_coordinator.hpp"
#include "bench/bench_endpoint.hpp"
#include "bench/bench_run.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"

using namespace agora;
using namespace agora::bench;

namespace {

constexpr size_t warmup_trades = 300;
constexpr size_t measured_trades = 5'000;
constexpr int rounds = 2;
constexpr uint64_t cids_per_trade = 16; // as the basis strategy: legs, unwinds, retries
constexpr auto trade_timeout = std::chrono::seconds(2);
constexpr int64_t tick_raw = 1'000'000; // 0.01
constexpr int64_t lot_raw = 100'000;    // 0.001
constexpr nanos leg_deadline = 5 * ns_per_s; // the basis strategy's default

const venue_id bench_venue{"bench"};
const symbol_id spot_symbol{"BENCHUSDT"};
const symbol_id perp_symbol{"BENCHUSDT-PERP"};
const std::string strategy_name = "bench-basis";
const std::string strategy_path = "strategies/" + strategy_name;

price leg_px() {
  return price::from_units(100'000);
}

instrument_spec make_spec(const symbol_id& symbol, bool perpetual) {
  return instrument_spec{bench_venue,
                         symbol,
                         price::from_raw(tick_raw),
                         quantity::from_raw(lot_raw),
                         notional::from_units(5),
                         rate::from_raw(20'000), // 0.0002
                         rate::from_raw(40'000), // 0.0004
                         perpetual};
}

std::vector<instrument_spec> bench_specs() {
  return {make_spec(spot_symbol, false), make_spec(perp_symbol, true)};
}

/// What one run measured. The strategy actor writes intents and results,
/// the endpoint actor the arrivals; the main thread reads the vectors only
/// after `done` (or after the run stopped and the system is gone).
struct run_record {
  size_t warmup = 0;
  size_t total = 0;
  uint64_t cid_base = 0;
  std::vector<int64_t> intent_ns;               // per trade, 0: not started
  std::vector<std::array<int64_t, 2>> arrival_ns; // per trade and leg, 0: not arrived
  std::vector<int64_t> result_ns;               // per trade, 0: no result
  std::atomic<size_t> completed{0};     // results received
  std::atomic<size_t> filled{0};        // outcome filled
  std::atomic<size_t> not_filled{0};    // any other outcome
  std::atomic<size_t> stray_orders{0};  // orders at the endpoint that are no leg of a trade
  std::atomic<size_t> stray_results{0}; // results of no trade in flight
  std::atomic<size_t> abnormal_exits{0}; // coordinators that did not end normally
  std::atomic<size_t> state_changes{0};  // trading_state_changed at the strategy
  std::atomic<bool> stop{false};         // the watchdog gave up
  std::atomic<bool> done{false};
  steady::time_point measure_start;
  steady::time_point measure_end;
  std::mutex note_mx;
  std::string first_note; // the first result that was not a clean fill
};

using record_ptr = std::shared_ptr<run_record>;

// -- the venue's exchange ---------------------------------------------------------

struct endpoint_state {
  record_ptr rec;
  uint64_t next_oid = 0;
  uint64_t next_tid = 0;
  static inline const char* name = "bench_endpoint";
};

using endpoint_actor = caf::stateful_actor<endpoint_state>;

/// Records the arrival of a leg (cid = cid_base + 16 x trade + 1 or 2).
void record_arrival(run_record& rec, client_order_id cid, int64_t arrived) {
  if (cid.value > rec.cid_base) {
    const uint64_t off = cid.value - rec.cid_base;
    const uint64_t trade = off / cids_per_trade;
    const uint64_t k = off % cids_per_trade;
    if (trade >= 1 && trade <= rec.total && (k == 1 || k == 2)) {
      auto& slot = rec.arrival_ns[trade - 1][k - 1];
      if (slot == 0) {
        slot = arrived;
        return;
      }
    }
  }
  ++rec.stray_orders;
}

caf::behavior endpoint_impl(endpoint_actor* self, record_ptr rec) {
  self->state.rec = std::move(rec);
  // Every order fills at once: nothing is left to cancel.
  return caf::message_handler{
    [](spec_atom) { return bench_specs(); },
    [self](submit_order& o) {
      const auto arrived = steady_ns();
      auto& st = self->state;
      record_arrival(*st.rec, o.cid, arrived);
      // As the sim exchange: events to the gateway that sent the order.
      auto gw = caf::actor_cast<caf::actor>(self->current_sender());
      const auto now = default_clock().now();
      const order_id oid{++st.next_oid};
      const price px = o.type == order_type::market ? leg_px() : o.px;
      const auto fee = mul(mul(px, o.qty), make_spec(o.symbol, false).taker_fee);
      self->send(gw, order_accepted{o.cid, oid, o.venue, o.symbol, o.sd, px, o.qty,
                                    o.strategy, now, now});
      self->send(gw, order_filled{o.cid, oid, o.venue, o.symbol, o.sd,
                                  trade_id{++st.next_tid}, px, o.qty, o.qty, quantity{},
                                  fee, liquidity::taker, o.strategy, now, now});
    },
  }
    .or_else(endpoint_common_handlers(self, bench_venue));
}

// -- the strategy -------------------------------------------------------------------

struct strategy_state {
  record_ptr rec;
  caf::actor directory;
  caf::actor gateway;
  uint64_t next = 0; // index of the next trade to start (trade number next + 1)
  static inline const char* name = "bench_strategy";
};

using strategy_actor = caf::stateful_actor<strategy_state>;

leg_order make_leg(const symbol_id& symbol, side sd) {
  leg_order l;
  l.venue = bench_venue;
  l.symbol = symbol;
  l.sd = sd;
  l.tif = time_in_force::ioc;
  l.px = leg_px();
  l.qty = quantity::from_raw(lot_raw);
  return l;
}

/// Starts the next trade (or ends the run after the last one).
void start_trade(strategy_actor* self) {
  auto& st = self->state;
  auto& rec = *st.rec;
  if (rec.stop)
    return;
  const size_t index = st.next;
  if (index == rec.total) {
    rec.measure_end = steady::now();
    rec.done = true;
    return;
  }
  ++st.next;
  if (index == rec.warmup)
    rec.measure_start = steady::now();
  rec.intent_ns[index] = steady_ns();
  two_leg_request req;
  req.trade = index + 1;
  req.strategy = strategy_name;
  req.purpose = "open";
  req.legs = {make_leg(spot_symbol, side::buy), make_leg(perp_symbol, side::sell)};
  req.deadline = leg_deadline;
  req.local_time = default_clock().now();
  coordinator_params cp;
  cp.specs = bench_specs();
  cp.gateways = {st.gateway, st.gateway};
  cp.cid_base = rec.cid_base + req.trade * cids_per_trade;
  cp.owner_path = strategy_path;
  cp.owner = caf::actor_cast<caf::actor>(self);
  cp.directory = st.directory;
  cp.request = std::move(req);
  auto c = spawn_two_leg_coordinator(self->system(), std::move(cp));
  self->monitor(c);
}

caf::behavior strategy_impl(strategy_actor* self, record_ptr rec, caf::actor directory,
                            caf::actor gateway) {
  auto& st = self->state;
  st.rec = std::move(rec);
  st.directory = std::move(directory);
  st.gateway = std::move(gateway);
  self->set_down_handler([self](caf::down_msg& msg) {
    if (msg.reason && msg.reason != caf::exit_reason::user_shutdown)
      ++self->state.rec->abnormal_exits;
  });
  return {
    [self](generate_atom) { start_trade(self); },
    [self](two_leg_result& r) {
      const auto now = steady_ns();
      auto& st = self->state;
      auto& rec = *st.rec;
      if (r.trade == 0 || r.trade != st.next || rec.result_ns[r.trade - 1] != 0) {
        ++rec.stray_results;
        return;
      }
      rec.result_ns[r.trade - 1] = now;
      if (r.outcome == two_leg_outcome::filled) {
        ++rec.filled;
      } else {
        ++rec.not_filled;
        std::lock_guard<std::mutex> guard{rec.note_mx};
        if (rec.first_note.empty())
          rec.first_note = "trade " + std::to_string(r.trade) + " "
                           + std::string{to_string(r.outcome)} + ": " + r.detail;
      }
      ++rec.completed;
      start_trade(self);
    },
    [self](trading_state_changed& s) {
      ++self->state.rec->state_changes;
      if (auto risk = well_known(self->system(), risk_name))
        self->send(risk, trading_state_acknowledged{strategy_path, s.epoch, s.to, 0});
    },
    [self](stats_atom) {
      return actor_stats{"running", own_mailbox_size(self), self->state.next, "bench"};
    },
  };
}

// -- one run --------------------------------------------------------------------------

/// The figures of one run (nanoseconds).
struct run_result {
  std::string label;
  bool journal = false;
  int round = 0;
  std::string journal_detail; ///< The journal's stats at the end (journal on).
  size_t trades = 0;          ///< Measured trades with both legs seen.
  size_t filled = 0;          ///< All trades (warm-up too) that ended filled.
  size_t not_filled = 0;
  size_t stray_orders = 0;
  size_t stray_results = 0;
  size_t abnormal_exits = 0;
  size_t state_changes = 0;
  std::string first_note;
  int64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0; // intent -> both legs
  int64_t first_p50 = 0;                                // intent -> first leg
  int64_t skew_p50 = 0, skew_p99 = 0;
  int64_t result_p50 = 0, result_p99 = 0;
  double trades_per_s = 0;
  double idle_cpu_pct = 0;
  bool ok = false;
  std::string error;
};

/// Sends an order too small for the lot through risk until the gateway
/// (not risk, for want of a gateway) rejects it: risk routes to the
/// gateway. The order never reaches the venue. False on timeout.
bool wait_for_route(caf::scoped_actor& self, const caf::actor& risk, uint64_t cid_base,
                    std::chrono::seconds limit) {
  auto deadline = steady::now() + limit;
  while (steady::now() < deadline) {
    submit_order o;
    o.cid = client_order_id{cid_base + 3}; // in no trade's legs
    o.venue = bench_venue;
    o.symbol = spot_symbol;
    o.sd = side::buy;
    o.type = order_type::limit;
    o.tif = time_in_force::ioc;
    o.px = leg_px();
    o.qty = quantity::from_raw(lot_raw / 10);
    o.strategy = "bench-probe";
    o.local_time = default_clock().now();
    self->send(risk, std::move(o));
    bool routed = false;
    self->receive(
      [&](order_rejected& e) {
        routed = e.reason != reject_reason::venue_unavailable;
      },
      caf::after(std::chrono::seconds(1)) >> [] {});
    if (routed)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

/// Sorted figures of the measured trades.
void summarize(const run_record& rec, run_result& res) {
  std::vector<int64_t> both, first, skew, result;
  for (size_t i = rec.warmup; i < rec.total; ++i) {
    const auto& a = rec.arrival_ns[i];
    const auto t0 = rec.intent_ns[i];
    if (t0 == 0 || a[0] == 0 || a[1] == 0)
      continue;
    both.push_back(std::max(a[0], a[1]) - t0);
    first.push_back(std::min(a[0], a[1]) - t0);
    skew.push_back(a[0] > a[1] ? a[0] - a[1] : a[1] - a[0]);
    if (rec.result_ns[i] != 0)
      result.push_back(rec.result_ns[i] - t0);
  }
  for (auto* v : {&both, &first, &skew, &result})
    std::sort(v->begin(), v->end());
  res.trades = both.size();
  res.p50 = percentile(both, 0.50);
  res.p90 = percentile(both, 0.90);
  res.p99 = percentile(both, 0.99);
  res.p999 = percentile(both, 0.999);
  res.max = both.empty() ? 0 : both.back();
  res.first_p50 = percentile(first, 0.50);
  res.skew_p50 = percentile(skew, 0.50);
  res.skew_p99 = percentile(skew, 0.99);
  res.result_p50 = percentile(result, 0.50);
  res.result_p99 = percentile(result, 0.99);
}

run_result run_one(const setting& set, bool journal, const std::string& journal_path) {
  run_result res;
  res.label = set.label;
  res.journal = journal;
  bench_chain chain{set.sched};
  auto& sys = chain.system();
  auto& self = chain.self();
  auto rec = std::make_shared<run_record>();
  rec->warmup = warmup_trades;
  rec->total = warmup_trades + measured_trades;
  rec->cid_base = next_cid_base(0);
  rec->intent_ns.assign(rec->total, 0);
  rec->arrival_ns.assign(rec->total, {0, 0});
  rec->result_ns.assign(rec->total, 0);

  if (!chain.start(journal, journal_path, &res.error))
    return res;
  chain.add_venue_child(bench_venue, "exchange", "exchange", sys.spawn(endpoint_impl, rec));
  auto rp = bench_risk_params({bench_venue});
  // Every trade pays two taker fees (0.08): the breakers must not trip on
  // the bench's thousands of trades.
  rp.book.breakers.equity = notional::from_units(1'000'000'000);
  auto risk = chain.spawn_risk(std::move(rp));
  auto gw = chain.spawn_gateway(bench_venue);

  auto strat = sys.spawn(strategy_impl, rec, chain.directory(), gw);
  chain.add(strategy_path, "strategy", "strategies", strat);

  // Ready: the gateway answers (only after its start-up awaits), risk
  // routes to it, the strategy answers (so it is in the directory).
  auto lim = std::chrono::seconds(10);
  bool ready = wait_for_stats(self, gw, lim)
               && wait_for_route(self, risk, rec->cid_base, lim)
               && wait_for_stats(self, strat, lim);
  if (!ready) {
    res.error = "chain did not come up within 10 s";
  } else {
    self->send(strat, generate_atom_v);
    // Watchdog: no result for `trade_timeout` stops the run.
    watch_run([&] { return rec->done.load(); }, [&] { return rec->completed.load(); },
              trade_timeout, steady::time_point::max(), [&] {
                rec->stop = true;
                return false;
              });
    if (!rec->done) {
      res.error = "trade " + std::to_string(rec->completed.load() + 1)
                  + " got no result within 2 s";
    } else {
      res.idle_cpu_pct = idle_cpu_pct();
      summarize(*rec, res);
      res.trades_per_s
        = static_cast<double>(measured_trades)
          / std::chrono::duration<double>(rec->measure_end - rec->measure_start).count();
      res.ok = true;
    }
    res.filled = rec->filled;
    res.not_filled = rec->not_filled;
    res.stray_orders = rec->stray_orders;
    res.stray_results = rec->stray_results;
    res.abnormal_exits = rec->abnormal_exits;
    res.state_changes = rec->state_changes;
    std::lock_guard<std::mutex> guard{rec->note_mx};
    res.first_note = rec->first_note;
  }
  res.journal_detail = chain.stop();
  return res;
}

} // namespace

int main() {
  if (!setup_bench_logging("two_leg_latency"))
    return 1;
  const auto settings = default_settings();
  std::printf(
    "two_leg_latency: strategy intent -> spawn_two_leg_coordinator (spot buy + perp sell, "
    "both IOC) -> coordinator -> risk -> gateway -> both legs at the endpoint\n"
    "  intent -> both legs: the strategy's decision (before it builds the request and "
    "spawns the coordinator) to the later leg's arrival at the endpoint\n"
    "  first leg: intent -> the earlier arrival; skew: |leg 2 - leg 1| arrivals at the "
    "endpoint\n"
    "  intent -> result: to the two_leg_result at the strategy (the endpoint accepts and "
    "fills each leg at once; events back through gateway -> coordinator; owner looked up "
    "in the directory)\n"
    "  %zu warm-up + %zu measured trades per run, one in flight, the next started as soon "
    "as the last result arrives; steady_clock; max_throughput 300; %d rounds of every "
    "setting, each with the journal off and on (sync=normal), interleaved; hardware "
    "threads: %u\n",
    warmup_trades, measured_trades, rounds, std::thread::hardware_concurrency());
  journal_dir journals{"two_leg_latency", "agora-2l-"};
  if (!journals.ok())
    return 1;
  std::vector<run_result> results;
  for (int round = 1; round <= rounds; ++round)
    for (auto& s : settings)
      for (bool journal : {false, true}) {
        std::fprintf(stderr, "round %d: %s%s ...\n", round, s.label,
                     journal ? " + journal" : "");
        const auto path = journals.next_path();
        results.push_back(run_one(s, journal, path));
        results.back().round = round;
        journal_dir::remove(path);
      }
  auto journal_of = [](bool j) { return j ? "intent" : "off"; };
  std::printf("\n  every run (us; both = intent -> both legs at the endpoint):\n"
              "  %-28s %-2s %-7s %8s %8s %8s %8s %9s %9s %8s %8s %9s %9s %9s %8s\n",
              "scheduler", "#", "journal", "both p50", "p90", "p99", "p99.9", "max",
              "1st p50", "skew p50", "skew p99", "result p50", "p99", "trades/s",
              "idle CPU");
  for (auto& r : results) {
    if (!r.ok) {
      std::printf("  %-28s %-2d %-7s FAILED: %s\n", r.label.c_str(), r.round,
                  journal_of(r.journal), r.error.c_str());
      continue;
    }
    std::printf("  %-28s %-2d %-7s %8.1f %8.1f %8.1f %8.1f %9.1f %9.1f %8.1f %8.1f %9.1f "
                "%9.1f %9.0f %7.0f%%\n",
                r.label.c_str(), r.round, journal_of(r.journal), us(r.p50), us(r.p90),
                us(r.p99), us(r.p999), us(r.max), us(r.first_p50), us(r.skew_p50),
                us(r.skew_p99), us(r.result_p50), us(r.result_p99), r.trades_per_s,
                r.idle_cpu_pct);
  }
  const size_t total = warmup_trades + measured_trades;
  for (auto& r : results)
    if (r.filled != total || r.not_filled != 0 || r.trades != measured_trades
        || r.stray_orders != 0 || r.stray_results != 0 || r.abnormal_exits != 0
        || r.state_changes != 0)
      std::printf("  note: %s #%d (journal %s): %zu/%zu trades filled, %zu other "
                  "outcomes, %zu/%zu measured with both legs, %zu stray orders, %zu stray "
                  "results, %zu coordinators ended abnormally, %zu trading state changes%s%s\n",
                  r.label.c_str(), r.round, journal_of(r.journal), r.filled, total,
                  r.not_filled, r.trades, measured_trades, r.stray_orders,
                  r.stray_results, r.abnormal_exits, r.state_changes,
                  r.first_note.empty() ? "" : "; first: ", r.first_note.c_str());
  std::printf("\n  journal at the end of each journal run (its stats):\n");
  for (auto& r : results)
    if (r.journal && !r.journal_detail.empty())
      std::printf("  %-28s %-2d %s\n", r.label.c_str(), r.round, r.journal_detail.c_str());
  // Medians over the rounds.
  std::printf("\n  median of %d rounds (us; max: the largest of the rounds):\n"
              "  %-28s %-7s %8s %8s %8s %8s %9s %9s %8s %8s %9s %9s %9s\n",
              rounds, "scheduler", "journal", "both p50", "p90", "p99", "p99.9", "max",
              "1st p50", "skew p50", "skew p99", "result p50", "p99", "trades/s");
  for (auto& s : settings)
    for (bool journal : {false, true}) {
      std::vector<const run_result*> rs;
      for (auto& r : results)
        if (r.ok && r.journal == journal && r.label == s.label)
          rs.push_back(&r);
      if (rs.empty())
        continue;
      auto mid_ns = [&](int64_t run_result::*f) {
        return static_cast<int64_t>(
          median_of(rs, [f](const run_result& r) { return static_cast<double>(r.*f); }));
      };
      int64_t max = 0;
      for (auto* r : rs)
        max = std::max(max, r->max);
      std::printf("  %-28s %-7s %8.1f %8.1f %8.1f %8.1f %9.1f %9.1f %8.1f %8.1f %9.1f "
                  "%9.1f %9.0f\n",
                  s.label, journal_of(journal), us(mid_ns(&run_result::p50)),
                  us(mid_ns(&run_result::p90)), us(mid_ns(&run_result::p99)),
                  us(mid_ns(&run_result::p999)), us(max),
                  us(mid_ns(&run_result::first_p50)), us(mid_ns(&run_result::skew_p50)),
                  us(mid_ns(&run_result::skew_p99)), us(mid_ns(&run_result::result_p50)),
                  us(mid_ns(&run_result::result_p99)),
                  median_of(rs, [](const run_result& r) { return r.trades_per_s; }));
    }
  std::printf(
    "\n  median with an even number of rounds: the upper of the middle two.\n"
    "  journal intent: each order and fill is written to the gateway's intent log "
    "(one write(), in-line) before it leaves or is acted on; the journal actor (detached, "
    "SQLite, synchronous=NORMAL, WAL, fresh temp file) stores them behind it.\n"
    "  idle CPU: the whole process over 0.5 s with no trades, in %% of one core.\n");
  return 0;
}
