// Latency of one market-data event through the real actors, from the feed to
// an order leaving the gateway:
//
//   bench endpoint --wire_frame--> sim feed (binance::parse_stream of the
//     sim's Binance spot JSON)
//     --> book --> mean-reversion strategy --> risk --> gateway
//     --submit_order--> bench endpoint
//
// The real spawn_* functions build the chain around a directory, with names
// registered as the supervisor would (and risk in CAF's registry). A small
// bench actor stands in for the sim exchange at "venue:bench/exchange": it
// answers connect/spec/snapshot requests, sends the pre-encoded depth frames
// to the feed, and on each submit_order records the arrival time and rejects
// the order (post_only_would_cross) so the strategy is flat again.
//
// Each frame moves the book down one tick one bar (1 ms of venue time) later
// and keeps it bid-heavy (rho > 0). With window 2 the last two closes always
// fall, so z = -0.707 < -entry_z (0.5) and every frame makes a post-only buy
// entry. One event is in flight at a time: send a frame, wait for its order
// (or a watchdog timeout), make sure the rejection reached the strategy, then
// send the next. Timed: send frame -> order at the endpoint (steady_clock).
//
// Two ways to send: closed loop (the endpoint actor sends the next frame as
// soon as the last is done, so the worker never sleeps) and paced (the main
// thread sends each frame 300 us after the last is done, from outside the
// scheduler like a venue's I/O thread, so the workers go idle in between and
// each event pays the wake-up). Window 2 needs one bar before the first
// order, so exactly one warm-up frame times out (100 ms).
//
// Every combination of scheduler setting (each its own actor_system), mode,
// background load (the sim exchange with the 3 paper symbols, their books
// and strategies) and journal runs 2 times, interleaved; medians are
// printed too, and the journal's cost side by side. To keep the whole bench
// near 2 minutes on 2 busy cores now that the journal doubles the runs (and
// a journal run is slower), rounds went from 3 to 2 and the events per run
// from 1'000 + 20'000 (closed) and 200 + 5'000 (paced) to 500 + 8'000 and
// 200 + 2'500.
//
// Journal: off (gateway_params::journal = false, as before) or on: the real
// journal actor (detached, SQLite, sync=normal) on a fresh temp file per
// run, registered in CAF's registry as the supervisor would; every gateway
// (the background one too) then waits for the journal's durable ack of each
// order before it leaves (and journals the rejection without waiting). The
// endpoint answers the gateway's start-up reconciliation (a venue that keeps
// no account); the periodic one is set to an hour so it never runs inside a
// measurement. Risk keeps its journal off. The strategy journals a bar per
// frame (its 1 ms bars) and a signal per entry, so each event also carries
// those fire-and-forget writes; the journal keeps 16 bars, not 2000 (the
// prune on every bar costs O(bars kept)).
// Prints figures only; asserts nothing about time.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/book/book_actor.hpp"
#include "actors/gateway/gateway_actor.hpp"
#include "actors/journal/journal_actor.hpp"
#include "actors/journal/journal_db.hpp"
#include "actors/risk/risk_actor.hpp"
#include "actors/service/service.hpp"
#include "actors/strategy/mean_reversion_actor.hpp"
#include "bench/bench_endpoint.hpp"
#include "bench/bench_run.hpp"
#include "config/agora_config.hpp"
#include "messages/type_ids.hpp"
#include "venues/binance/codec.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/sim/exchange_actor.hpp"
#include "venues/sim/feed_actor.hpp"
#include "venues/sim/wire.hpp"

using namespace agora;
using namespace agora::bench;

namespace {

constexpr size_t warmup_events = 500;    // 1'000 before the journal runs
constexpr size_t measured_events = 8'000; // 20'000 before the journal runs
constexpr size_t book_levels = 10;
constexpr int64_t tick_raw = 1'000'000;        // 0.01
constexpr int64_t start_tick = 10'000'000;     // 100000.00
constexpr uint64_t snapshot_id = 1'000'000;
constexpr auto event_timeout = std::chrono::milliseconds(100);
constexpr int rounds = 2;

const venue_id bench_venue{"bench"};
const symbol_id bench_symbol{"BENCHUSDT"};

price tick_px(int64_t tick) {
  return price::from_raw(tick * tick_raw);
}

instrument_spec bench_spec() {
  return instrument_spec{bench_venue,
                         bench_symbol,
                         price::from_raw(tick_raw),
                         quantity::from_raw(1'000), // 0.00001
                         notional::from_units(5),
                         rate::from_raw(20'000),
                         rate::from_raw(40'000),
                         false};
}

/// The book at `snapshot_id`: bids 99999.99 down (5 each), asks 100000.00 up
/// (1 each), `book_levels` per side.
book_snapshot initial_book(nanos venue_time) {
  book_snapshot s;
  s.venue = bench_venue;
  s.symbol = bench_symbol;
  s.last_update_id = snapshot_id;
  s.venue_time = venue_time;
  for (int64_t i = 0; i < static_cast<int64_t>(book_levels); ++i) {
    s.bids.push_back({tick_px(start_tick - 1 - i), quantity::from_units(5)});
    s.asks.push_back({tick_px(start_tick + i), quantity::from_units(1)});
  }
  return s;
}

/// Frame k (1-based) shifts the whole book down one tick: the best bid goes,
/// a bid is added at the bottom, an ask is added one tick under the best ask
/// (where the removed bid was), the worst ask goes. Mid falls by one tick; the
/// book stays bid-heavy and is never crossed.
std::vector<std::string> make_frames(size_t count, nanos venue_start) {
  std::vector<std::string> out;
  out.reserve(count);
  for (size_t k = 1; k <= count; ++k) {
    const auto shift = static_cast<int64_t>(k - 1);
    const int64_t best_bid = start_tick - 1 - shift;
    const int64_t best_ask = start_tick - shift;
    const auto levels = static_cast<int64_t>(book_levels);
    book_delta d;
    d.venue = bench_venue;
    d.symbol = bench_symbol;
    d.first_update_id = snapshot_id + k;
    d.last_update_id = snapshot_id + k;
    d.bids = {{tick_px(best_bid), quantity{}},
              {tick_px(best_bid - levels), quantity::from_units(5)}};
    d.asks = {{tick_px(best_ask - 1), quantity::from_units(1)},
              {tick_px(best_ask + levels - 1), quantity{}}};
    d.venue_time = venue_start + static_cast<nanos>(k) * ns_per_ms;
    out.push_back(sim::encode_depth(d));
  }
  return out;
}

/// What the driver measured; shared with the main thread (which only reads
/// it after `done`, or the atomics while running).
struct run_record {
  bool paced = false;          // frames come from the main thread
  size_t warmup = 0;           // events before measuring
  std::vector<std::string> frames;
  std::string snapshot_text;
  std::vector<int64_t> latencies_ns; // measured events only
  std::atomic<size_t> in_flight{0};  // index of the frame in flight
  std::atomic<bool> waiting{false};  // a frame is in flight
  std::atomic<int64_t> sent_ns{0};   // steady_clock of its send
  std::atomic<size_t> completed{0};  // frames finished (order or timeout)
  std::atomic<size_t> orders{0};     // orders in the measured phase
  std::atomic<size_t> timeouts{0};        // measured phase
  std::atomic<size_t> warmup_timeouts{0}; // expected: 1 (the window fills)
  std::atomic<size_t> late_orders{0};
  std::atomic<bool> done{false};
  steady::time_point measure_start;
  steady::time_point measure_end;
};

using record_ptr = std::shared_ptr<run_record>;

struct endpoint_state {
  record_ptr rec;
  caf::actor feed;
  size_t next = 0;
  static inline const char* name = "bench_endpoint";
};

using endpoint_actor = caf::stateful_actor<endpoint_state>;

void send_next(endpoint_actor* self) {
  auto& st = self->state;
  auto& rec = *st.rec;
  if (st.next == rec.warmup)
    rec.measure_start = steady::now();
  if (st.next == rec.frames.size()) {
    rec.measure_end = steady::now();
    rec.done = true;
    return;
  }
  wire_frame f{bench_venue, rec.frames[st.next], default_clock().now()};
  rec.in_flight = st.next;
  ++st.next;
  rec.waiting = true;
  rec.sent_ns = steady_ns();
  self->send(st.feed, std::move(f));
}

/// Finishes the event in flight and (closed loop) sends the next frame.
void complete(endpoint_actor* self) {
  auto& rec = *self->state.rec;
  ++rec.completed;
  if (!rec.paced)
    send_next(self);
}

caf::behavior endpoint_impl(endpoint_actor* self, record_ptr rec) {
  self->state.rec = std::move(rec);
  return caf::message_handler{
    [self](caf::connect_atom) {
      self->state.feed = caf::actor_cast<caf::actor>(self->current_sender());
      return std::vector<instrument_spec>{bench_spec()};
    },
    [](spec_atom) { return std::vector<instrument_spec>{bench_spec()}; },
    [self](const snapshot_request&) { return self->state.rec->snapshot_text; },
    [self](generate_atom) { send_next(self); },
    [self](submit_order& o) {
      auto arrived = steady_ns();
      auto& rec = *self->state.rec;
      auto gw = caf::actor_cast<caf::actor>(self->current_sender());
      auto now = default_clock().now();
      self->send(gw, order_rejected{o.cid, o.venue, o.symbol,
                                    reject_reason::post_only_would_cross,
                                    "bench endpoint", o.strategy, now, now});
      if (!rec.waiting.exchange(false)) {
        ++rec.late_orders;
        return;
      }
      const size_t index = rec.in_flight;
      if (index >= rec.warmup) {
        ++rec.orders;
        rec.latencies_ns.push_back(arrived - rec.sent_ns);
      }
      // The rejection goes gateway -> strategy. A request to the gateway
      // queued behind it (same sender, FIFO) answers only after the gateway
      // passed the rejection on, so the next frame's view reaches the
      // strategy after the rejection: the strategy is flat again.
      self->request(gw, std::chrono::seconds(5), stats_atom_v)
        .then([self](actor_stats&) { complete(self); },
              [self](caf::error&) { complete(self); });
    },
    [self](expire_atom, uint64_t index) {
      auto& rec = *self->state.rec;
      if (index == rec.in_flight && rec.waiting.exchange(false)) {
        if (index >= rec.warmup)
          ++rec.timeouts;
        else
          ++rec.warmup_timeouts;
        complete(self);
      }
    },
  }
    .or_else(endpoint_common_handlers(self, bench_venue));
}

/// The figures of one run.
struct run_result {
  std::string label;
  bool background = false;
  bool paced = false;
  journal_mode journal = journal_mode::off;
  std::string journal_detail; ///< The journal's stats at the end (journal on).
  size_t frames = 0;
  size_t orders = 0;
  size_t timeouts = 0;
  size_t warmup_timeouts = 0;
  size_t late = 0;
  int round = 0;
  int64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, max = 0;
  double mean_us = 0;
  double events_per_s = 0;
  double idle_cpu_pct = 0; ///< CPU of the whole process while idle, % of one core.
  bool ok = false;
  std::string error;
};

/// The paper config's sim venue (3 symbols, 100 ms steps) with its books and
/// strategies, in the same directory: the background load. Its gateway
/// journals when `journal`.
void spawn_background(bench_chain& chain, journal_mode journal) {
  auto& sys = chain.system();
  auto cfg = config::default_config();
  auto& vc = cfg.venues.at(0);
  const std::string vpath = venue_path(vc.name);
  sim::exchange_params ep;
  ep.venue = vc.name;
  ep.step_interval = vc.sim.step_interval;
  ep.latency = vc.sim.latency;
  ep.jitter = vc.sim.jitter;
  for (auto& s : vc.sim.symbols)
    ep.symbols.push_back(to_listing(vc.name, s, vc.sim.step_interval));
  chain.add_venue_child(vc.name, "exchange", "exchange",
                        sim::spawn_exchange(sys, vpath + "/exchange", std::move(ep)));
  gateway_params gp;
  gp.venue = vc.name;
  gp.endpoint_path = vpath + "/exchange";
  gp.directory = chain.directory();
  gp.orders_per_minute = cfg.gateway.orders_per_minute;
  gp.burst = static_cast<double>(cfg.gateway.burst);
  gp.journal = journal != journal_mode::off;
  gp.intent_dir = chain.intent_dir(vc.name);
  gp.reconcile_interval = 3'600 * ns_per_s;
  chain.add_venue_child(vc.name, "gateway", "gateway",
                        spawn_gateway(sys, vpath + "/gateway", std::move(gp)));
  sim::feed_params fp;
  fp.venue = vc.name;
  fp.exchange_path = vpath + "/exchange";
  fp.directory = chain.directory();
  chain.add_venue_child(vc.name, "feed", "feed",
                        sim::spawn_feed(sys, vpath + "/feed", std::move(fp)));
  for (auto& s : vc.sim.symbols) {
    book_params bp;
    bp.venue = vc.name;
    bp.symbol = s.symbol;
    bp.feed_path = vpath + "/feed";
    bp.directory = chain.directory();
    chain.add_venue_child(vc.name, book_name(s.symbol), "book",
                          spawn_book(sys, book_path(vc.name, s.symbol), std::move(bp)));
  }
  for (auto& sc : cfg.strategies) {
    strategy_params sp;
    sp.name = sc.name;
    sp.venue = sc.venue;
    sp.symbol = sc.symbol;
    sp.mode = sc.mode;
    sp.params = to_params(sc.mean_reversion);
    sp.directory = chain.directory();
    sp.cid_base = next_cid_base(0);
    auto path = "strategies/" + sc.name;
    auto strat = spawn_mean_reversion(sys, path, std::move(sp));
    chain.add(path, "strategy", "strategies", strat);
  }
}

/// Sends every frame from this (non-worker) thread, one at a time, `pace`
/// after the previous one finished (or timed out).
void drive_paced(caf::scoped_actor& self, run_record& rec,
                 const caf::actor& feed, const caf::actor& endpoint);

/// Closed loop: the endpoint actor sends the next frame as soon as the last
/// one is done. Paced: the main thread (outside the scheduler, like a venue's
/// I/O thread) sends each frame `pace` after the last one was done, so the
/// workers go idle between events.
constexpr size_t paced_warmup = 200;
constexpr size_t paced_events = 2'500; // 5'000 before the journal runs
constexpr auto pace = std::chrono::microseconds(300);

run_result run_one(const setting& set, bool background, bool paced, journal_mode journal,
                   const std::string& journal_path) {
  run_result res;
  res.label = set.label;
  res.background = background;
  res.paced = paced;
  res.journal = journal;
  const size_t warmup = paced ? paced_warmup : warmup_events;
  const size_t measured = paced ? paced_events : measured_events;
  bench_chain chain{set.sched};
  auto& sys = chain.system();
  auto& self = chain.self();
  auto rec = std::make_shared<run_record>();
  // Venue time runs ahead of the wall clock, one bar (1 ms) per frame, so
  // the strategy's wall-clock timer never closes a bar of its own.
  const nanos venue_start = (default_clock().now() / ns_per_ms + 1'000) * ns_per_ms;
  rec->paced = paced;
  rec->warmup = warmup;
  rec->frames = make_frames(warmup + measured, venue_start);
  rec->snapshot_text = sim::encode_snapshot(initial_book(venue_start));
  rec->latencies_ns.reserve(measured);

  if (!chain.start(journal, journal_path, &res.error))
    return res;
  const std::string vpath = venue_path(bench_venue);
  auto endpoint = sys.spawn(endpoint_impl, rec);
  chain.add_venue_child(bench_venue, "exchange", "exchange", endpoint);
  auto rp = bench_risk_params({bench_venue});
  if (background)
    rp.venues.push_back(venue_id{"sim"});
  chain.spawn_risk(std::move(rp));
  auto gw = chain.spawn_gateway(bench_venue);

  sim::feed_params fp;
  fp.venue = bench_venue;
  fp.exchange_path = vpath + "/exchange";
  fp.directory = chain.directory();
  fp.heartbeat_timeout = 600 * ns_per_s; // the bench drives frames itself
  auto feed = sim::spawn_feed(sys, vpath + "/feed", std::move(fp));
  chain.add_venue_child(bench_venue, "feed", "feed", feed);

  book_params bp;
  bp.venue = bench_venue;
  bp.symbol = bench_symbol;
  bp.feed_path = vpath + "/feed";
  bp.directory = chain.directory();
  auto book = spawn_book(sys, book_path(bench_venue, bench_symbol), std::move(bp));
  chain.add_venue_child(bench_venue, book_name(bench_symbol), "book", book);

  strategy_params sp;
  sp.name = spawned_strategy_name(bench_symbol);
  sp.venue = bench_venue;
  sp.symbol = bench_symbol;
  sp.mode = run_mode::paper;
  sp.params.window = 2;
  sp.params.entry_z = 0.5;
  sp.params.exit_z = 0.1;
  sp.params.bar_interval = 1 * ns_per_ms; // the wire carries milliseconds
  sp.params.order_notional = notional::from_units(100);
  sp.params.allow_short = false;
  sp.params.max_reprices = 0; // a crossing entry is given up at once: flat again
  sp.directory = chain.directory();
  sp.cid_base = next_cid_base(0);
  const auto strat_path = "strategies/" + sp.name;
  auto strat = spawn_mean_reversion(sys, strat_path, std::move(sp));
  chain.add(strat_path, "strategy", "strategies", strat);

  if (background)
    spawn_background(chain, journal);

  // Ready: the book is synced with the strategy subscribed, the strategy
  // and the gateway answer (both answer only after their start-up awaits).
  auto lim = std::chrono::seconds(10);
  bool ready
    = wait_for_stats(self, book,
                     [](const actor_stats& s) {
                       return s.state == "fresh"
                              && s.detail.find("subscribers=1")
                                   != std::string::npos;
                     },
                     lim)
      && wait_for_stats(self, strat, lim) && wait_for_stats(self, gw, lim);
  if (!ready) {
    res.error = "chain did not come up within 10 s";
  } else {
    if (paced)
      drive_paced(self, *rec, feed, endpoint);
    else
      self->send(endpoint, generate_atom_v);
    // Watchdog: an event with no order for `event_timeout` is given up.
    watch_run([&] { return rec->done.load(); }, [&] { return rec->completed.load(); },
              event_timeout, steady::now() + std::chrono::seconds(90), [&] {
                self->send(endpoint, expire_atom_v,
                           static_cast<uint64_t>(rec->in_flight.load()));
                return true;
              });
    if (!rec->done) {
      res.error = "run did not finish within 90 s";
    } else {
      // Idle CPU: nothing to do (background aside).
      res.idle_cpu_pct = idle_cpu_pct();
      auto lat = rec->latencies_ns;
      std::sort(lat.begin(), lat.end());
      res.frames = measured;
      res.orders = rec->orders;
      res.timeouts = rec->timeouts;
      res.warmup_timeouts = rec->warmup_timeouts;
      res.late = rec->late_orders;
      res.p50 = percentile(lat, 0.50);
      res.p90 = percentile(lat, 0.90);
      res.p99 = percentile(lat, 0.99);
      res.p999 = percentile(lat, 0.999);
      res.max = lat.empty() ? 0 : lat.back();
      double sum = 0;
      for (auto x : lat)
        sum += static_cast<double>(x);
      res.mean_us = lat.empty() ? 0 : sum / static_cast<double>(lat.size()) / 1e3;
      res.events_per_s
        = static_cast<double>(measured)
          / std::chrono::duration<double>(rec->measure_end - rec->measure_start)
              .count();
      res.ok = true;
    }
  }
  res.journal_detail = chain.stop();
  return res;
}

void drive_paced(caf::scoped_actor& self, run_record& rec,
                 const caf::actor& feed, const caf::actor& endpoint) {
  for (size_t i = 0; i < rec.frames.size(); ++i) {
    if (i == rec.warmup)
      rec.measure_start = steady::now();
    std::this_thread::sleep_for(pace);
    wire_frame f{bench_venue, rec.frames[i], default_clock().now()};
    rec.in_flight = i;
    rec.waiting = true;
    rec.sent_ns = steady_ns();
    caf::anon_send(feed, std::move(f));
    auto t0 = steady::now();
    while (rec.completed <= i) {
      if (steady::now() - t0 > event_timeout) {
        self->send(endpoint, expire_atom_v, static_cast<uint64_t>(i));
        t0 = steady::now();
      }
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }
  rec.measure_end = steady::now();
  rec.done = true;
}

const run_result* best_by_p99(const std::vector<run_result>& rs, bool paced,
                              bool background, bool allow_spin, journal_mode journal) {
  const run_result* best = nullptr;
  for (auto& r : rs) {
    if (!r.ok || r.paced != paced || r.background != background
        || r.journal != journal)
      continue;
    if (!allow_spin && r.label.find("busy") != std::string::npos)
      continue;
    if (!best || r.p99 < best->p99)
      best = &r;
  }
  return best;
}

} // namespace

int main() {
  if (!setup_bench_logging("pipeline_latency"))
    return 1;
  auto settings = default_settings();
  {
    setting s{"stealing x1 busy-poll", {}};
    s.sched.policy = "stealing";
    s.sched.max_threads = 1;
    s.sched.busy_poll = true;
    settings.push_back(s);
  }
  // PIPELINE_ONLY=TEXT: only the scheduler settings whose label contains it
  // (a quick look at one setting; the README's figures run them all).
  if (const char* only = std::getenv("PIPELINE_ONLY"))
    std::erase_if(settings, [&](const setting& s) {
      return std::string_view{s.label}.find(only) == std::string_view::npos;
    });
  std::printf("pipeline_latency: wire_frame -> feed (JSON parse) -> book -> "
              "strategy -> risk -> gateway -> order at the endpoint\n");
  std::printf("  closed loop: %zu warm-up + %zu measured events per run, the "
              "endpoint actor sends the next frame as soon as the last is "
              "done\n"
              "  paced: %zu warm-up + %zu measured events per run, sent from "
              "the main thread %lld us after the last is done (workers idle "
              "in between, as with a venue's I/O thread on a quiet market)\n"
              "  one event in flight; steady_clock send -> arrival; "
              "max_throughput 300; %d rounds of every setting, each with the "
              "journal off, sqlite-acked and intent-logged (sync=normal), interleaved; "
              "hardware threads: %u\n",
              warmup_events, measured_events, paced_warmup, paced_events,
              static_cast<long long>(pace.count()), rounds,
              std::thread::hardware_concurrency());
  {
    // The floor of the work alone: parsing one frame, no actors.
    auto frames = make_frames(20'000, 1'700'000'000 * ns_per_s);
    size_t ok = 0;
    auto t0 = steady::now();
    for (auto& f : frames)
      if (binance::parse_stream(f, binance::market::spot, bench_venue, 0))
        ++ok;
    auto t1 = steady::now();
    std::printf("  reference: binance::parse_stream alone %.2f us per frame (%zu "
                "bytes, %zu/%zu parsed)\n",
                std::chrono::duration<double, std::micro>(t1 - t0).count()
                  / static_cast<double>(frames.size()),
                frames.front().size(), ok, frames.size());
  }
  const journal_mode modes[] = {journal_mode::off, journal_mode::sqlite, journal_mode::intent};
  journal_dir journals{"pipeline_latency", "agora-pl-"};
  if (!journals.ok())
    return 1;
  std::vector<run_result> results;
  for (int round = 1; round <= rounds; ++round)
    for (bool paced : {false, true})
      for (bool bg : {false, true})
        for (auto& s : settings)
          for (auto journal : modes) {
            std::fprintf(stderr, "round %d: %s %s%s, journal %s ...\n", round,
                         paced ? "paced" : "closed", s.label,
                         bg ? " + background" : "", to_string(journal));
            const auto path = journals.next_path();
            results.push_back(run_one(s, bg, paced, journal, path));
            results.back().round = round;
            journal_dir::remove(path);
          }
  auto mode_of = [](bool paced) { return paced ? "paced" : "closed"; };
  auto journal_of = [](journal_mode j) { return to_string(j); };
  std::printf("\n  every run:\n  %-6s %-28s %-2s %-4s %-7s %8s %8s %8s %8s %9s %8s "
              "%9s %13s %8s\n",
              "mode", "scheduler", "#", "load", "journal", "p50 us", "p90 us", "p99 us",
              "p99.9 us", "max us", "mean us", "events/s", "orders/frames",
              "idle CPU");
  for (auto& r : results) {
    if (!r.ok) {
      std::printf("  %-6s %-28s %-2d %-4s %-7s FAILED: %s\n", mode_of(r.paced),
                  r.label.c_str(), r.round, r.background ? "bg" : "-",
                  journal_of(r.journal), r.error.c_str());
      continue;
    }
    std::printf("  %-6s %-28s %-2d %-4s %-7s %8.1f %8.1f %8.1f %8.1f %9.1f %8.1f "
                "%9.0f %6zu/%-6zu %7.0f%%\n",
                mode_of(r.paced), r.label.c_str(), r.round,
                r.background ? "bg" : "-", journal_of(r.journal), us(r.p50), us(r.p90),
                us(r.p99), us(r.p999), us(r.max), r.mean_us, r.events_per_s, r.orders,
                r.frames, r.idle_cpu_pct);
  }
  for (auto& r : results)
    if (r.ok && (r.timeouts != 0 || r.late != 0 || r.orders != r.frames
                 || r.warmup_timeouts != 1))
      std::printf("  note: %s %s #%d%s%s: order ratio %.4f, %zu timeouts (%zu "
                  "in warm-up, 1 expected), %zu late orders\n",
                  mode_of(r.paced), r.label.c_str(), r.round,
                  r.background ? " (bg)" : "",
                  r.journal != journal_mode::off ? " (journal)" : "",
                  static_cast<double>(r.orders) / static_cast<double>(r.frames),
                  r.timeouts, r.warmup_timeouts, r.late);
  std::printf("\n  journal at the end of each journal run (its stats):\n");
  for (auto& r : results)
    if (r.journal != journal_mode::off && !r.journal_detail.empty())
      std::printf("  %-6s %-28s %-2d %-4s %s\n", mode_of(r.paced), r.label.c_str(), r.round,
                  r.background ? "bg" : "-", r.journal_detail.c_str());
  // Medians over the rounds.
  std::vector<run_result> med;
  std::printf("\n  median of %d rounds (max: the largest of the rounds; "
              "orders/frames: summed):\n"
              "  %-6s %-28s %-4s %-7s %8s %8s %8s %8s %9s %9s %15s %8s\n",
              rounds, "mode", "scheduler", "load", "journal", "p50 us", "p90 us",
              "p99 us", "p99.9 us", "max us", "events/s", "orders/frames",
              "idle CPU");
  for (bool paced : {false, true})
    for (bool bg : {false, true})
      for (auto& s : settings)
        for (auto journal : modes) {
          std::vector<const run_result*> rs;
          for (auto& r : results)
            if (r.ok && r.paced == paced && r.background == bg && r.journal == journal
                && r.label == s.label)
              rs.push_back(&r);
          if (rs.empty())
            continue;
          auto mid = [&](auto field) { return median_of(rs, field); };
          run_result m;
          m.label = s.label;
          m.background = bg;
          m.paced = paced;
          m.journal = journal;
          m.ok = true;
          m.p50 = static_cast<int64_t>(mid([](auto& r) { return double(r.p50); }));
          m.p90 = static_cast<int64_t>(mid([](auto& r) { return double(r.p90); }));
          m.p99 = static_cast<int64_t>(mid([](auto& r) { return double(r.p99); }));
          m.p999
            = static_cast<int64_t>(mid([](auto& r) { return double(r.p999); }));
          for (auto* r : rs) {
            m.max = std::max(m.max, r->max);
            m.orders += r->orders;
            m.frames += r->frames;
          }
          m.events_per_s = mid([](auto& r) { return r.events_per_s; });
          m.idle_cpu_pct = mid([](auto& r) { return r.idle_cpu_pct; });
          std::printf("  %-6s %-28s %-4s %-7s %8.1f %8.1f %8.1f %8.1f %9.1f %9.0f "
                      "%7zu/%-7zu %7.0f%%\n",
                      mode_of(paced), m.label.c_str(), bg ? "bg" : "-",
                      journal_of(journal), us(m.p50), us(m.p90), us(m.p99), us(m.p999),
                      us(m.max), m.events_per_s, m.orders, m.frames, m.idle_cpu_pct);
          med.push_back(std::move(m));
        }
  // The journal's cost, side by side (medians).
  std::printf("\n  the journal's cost on tick-to-order (medians; +: journal on minus "
              "off):\n  %-6s %-28s %-4s %-7s %23s   %23s   %23s\n",
              "mode", "scheduler", "load", "journal", "off p50/p90/p99 us",
              "on p50/p90/p99 us", "+ p50/p90/p99 us");
  auto find_med = [&](bool paced, bool bg, const std::string& label,
                      journal_mode journal) -> const run_result* {
    for (auto& m : med)
      if (m.paced == paced && m.background == bg && m.label == label
          && m.journal == journal)
        return &m;
    return nullptr;
  };
  for (bool paced : {false, true})
    for (bool bg : {false, true})
      for (auto& s : settings)
        for (auto mode : {journal_mode::sqlite, journal_mode::intent}) {
          auto* off = find_med(paced, bg, s.label, journal_mode::off);
          auto* on = find_med(paced, bg, s.label, mode);
          if (!off || !on)
            continue;
          std::printf("  %-6s %-28s %-4s %-7s %7.1f/%7.1f/%7.1f   %7.1f/%7.1f/%7.1f   "
                      "%+7.1f/%+7.1f/%+7.1f\n",
                      mode_of(paced), s.label, bg ? "bg" : "-", to_string(mode), us(off->p50),
                      us(off->p90), us(off->p99), us(on->p50), us(on->p90), us(on->p99),
                      us(on->p50 - off->p50), us(on->p90 - off->p90),
                      us(on->p99 - off->p99));
        }
  std::printf("\n  events/s: with one event in flight; closed loop it "
              "includes the rejection and one gateway round trip per event, "
              "paced it is set by the pace.\n"
              "  idle CPU: the whole process over 0.5 s with no frames, in %% "
              "of one core.\n"
              "  bg: the sim exchange with the 3 paper symbols (100 ms "
              "steps), their books and strategies, in the same system.\n"
              "  journal sqlite: the journal actor (detached, SQLite, "
              "synchronous=NORMAL, WAL) on a fresh temp file; the gateways "
              "wait for its durable ack before an order leaves (the path "
              "before issue 12).\n"
              "  journal intent: the same journal behind each gateway's intent "
              "log: an order leaves once written there (one write(), in-line), "
              "SQLite follows (the service's path).\n");
  for (auto journal : modes)
    for (bool paced : {false, true}) {
      auto* best = best_by_p99(med, paced, false, true, journal);
      auto* calm = best_by_p99(med, paced, false, false, journal);
      if (!best || !calm)
        continue;
      std::printf("\n  %s, no load, journal %s: lowest median p99: %s (p50 %.1f us, "
                  "p99 %.1f us, idle CPU %.0f%%)\n",
                  mode_of(paced), journal_of(journal), best->label.c_str(),
                  us(best->p50), us(best->p99), best->idle_cpu_pct);
      std::printf("  %s, no load, journal %s: lowest median p99 without spinning: %s "
                  "(p50 %.1f us, p99 %.1f us, idle CPU %.0f%%)\n",
                  mode_of(paced), journal_of(journal), calm->label.c_str(),
                  us(calm->p50), us(calm->p99), calm->idle_cpu_pct);
    }
  return 0;
}
