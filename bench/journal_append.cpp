// Durable appends to the real SQLite journal actor, closed loop:
//
//   K requester actors --(record_atom, submit_order)--> journal (detached,
//     group commit) --bool after the commit--> requester
//     --(record_atom, order_filled) same cid--> journal --bool--> requester
//     --> next order
//
// Each requester keeps one durable request in flight (K = 1, 4, 16 in
// flight in all), exactly as a gateway does per order: the order is written
// and acknowledged only after the commit that holds it, then its fill. Before
// each order it also sends one fire-and-forget signal_record (the stream of
// records nobody waits on). Field values are realistic: BTCUSDT limit buys
// around 65000.xx for 0.00153, maker fills with a 2 bp fee, a signal with z
// and rho.
//
// Two phases, each for sync=normal and sync=full:
// - alone: the journal actor on a fresh temp file per configuration, in an
//   actor system with Agora's default scheduler (sharing x1); the requesters
//   put it in CAF's registry as the supervisor would (and erase it before
//   the system shuts down).
// - with the service: the whole tree from start_service (sim venue with
//   BTCUSDT and ETHUSDT every 20 ms, a fast mean-reversion template so it
//   trades, risk with its journal on: it trades once the sim venue has
//   reconciled), the requesters writing to the service's own journal
//   (well_known(sys, journal_name)) under venue "jbench" so nothing the
//   service reconciles is touched. A row with K = 0 is the service alone.
//
// Each configuration: 300 ms warm-up, then a 3 s window. Reported per
// configuration: durable appends/s (acks received in the window), orders/s,
// request -> ack latency percentiles (steady_clock, both kinds of request
// together), commits/s and mean batch (writes / commits) from the deltas of
// the journal's stats_atom detail over the window, the largest batch (its
// running maximum: per configuration alone, since the service started with
// the service), the journal file per 100k orders (alone: the closed file of
// that configuration, orders + events + fills + signals; with the service:
// the closed file at the end, over every order in it), and (with the
// service) the orders and fills the service's own gateway journaled in the
// window (its submitted / fills counters: each passes the journal first).
// Prints figures only; asserts nothing about time.

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/after.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "bench/bench_journal.hpp"
#include "actors/journal/journal_actor.hpp"
#include "actors/journal/journal_db.hpp"
#include "actors/service/service.hpp"
#include "config/agora_config.hpp"
#include "config/config_loader.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"

using namespace agora;

namespace {

using steady = std::chrono::steady_clock;

constexpr auto warmup = std::chrono::milliseconds(300);
constexpr auto window = std::chrono::milliseconds(3'000);
constexpr auto request_timeout = std::chrono::seconds(10);
const std::vector<size_t> in_flight_levels{1, 4, 16};

const venue_id bench_venue{"jbench"};
const symbol_id bench_symbol{"BTCUSDT"};
const std::string bench_strategy = "mr:BTCUSDT";

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           steady::now().time_since_epoch())
    .count();
}

// -- realistic records ----------------------------------------------------------

/// A post-only limit buy of 0.00153 BTC at 65000.00 + (cid mod 200) ticks.
submit_order make_order(client_order_id cid, nanos now) {
  submit_order o;
  o.cid = cid;
  o.venue = bench_venue;
  o.symbol = bench_symbol;
  o.sd = side::buy;
  o.type = order_type::limit;
  o.tif = time_in_force::post_only;
  o.px = price::from_units(65'000) + price::from_raw(10'000'000).times(
                                        static_cast<int64_t>(cid.value % 200));
  o.qty = quantity::from_raw(153'000); // 0.00153
  o.reduce_only = false;
  o.strategy = bench_strategy;
  o.local_time = now;
  return o;
}

/// The order filled completely as maker, with a 2 bp fee.
order_filled make_fill(const submit_order& o, nanos now) {
  order_filled f;
  f.cid = o.cid;
  f.oid = order_id{8'000'000'000 + o.cid.value};
  f.venue = o.venue;
  f.symbol = o.symbol;
  f.sd = o.sd;
  f.tid = trade_id{4'000'000'000 + o.cid.value};
  f.fill_px = o.px;
  f.fill_qty = o.qty;
  f.cum_qty = o.qty;
  f.leaves_qty = quantity{};
  f.fee = mul(mul(o.px, o.qty), rate::from_raw(20'000));
  f.liq = liquidity::maker;
  f.strategy = o.strategy;
  f.venue_time = now - 2 * ns_per_ms;
  f.local_time = now;
  return f;
}

signal_record make_signal(client_order_id cid, nanos now) {
  const auto k = static_cast<double>(cid.value % 97);
  return signal_record{now,     bench_strategy, bench_venue, bench_symbol, "entry_long",
                       -1.25 - k / 100.0, 0.31 + k / 1000.0, true, ""};
}

// -- the requesters ---------------------------------------------------------------

/// What one requester measured. Written by its actor only; the main thread
/// reads it after `done` (acquire).
struct requester_record {
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  std::vector<std::pair<int64_t, int64_t>> acks; ///< (ack time, request -> ack), steady ns.
  uint64_t orders = 0;   ///< Orders sent (each followed by its fill).
  uint64_t signals = 0;
  uint64_t stale_fills = 0; ///< Fills answered false (must stay 0).
  uint64_t errors = 0;
  std::string first_error;
};

using record_ptr = std::shared_ptr<requester_record>;
using counter_ptr = std::shared_ptr<std::atomic<uint64_t>>;

struct requester_state {
  record_ptr rec;
  counter_ptr next_cid;
  caf::actor journal;
  static inline const char* name = "jbench_requester";
};

using requester_actor = caf::stateful_actor<requester_state>;

void finish(requester_actor* self) {
  self->state.rec->done.store(true, std::memory_order_release);
  self->quit();
}

void failed(requester_actor* self, const caf::error& err) {
  auto& rec = *self->state.rec;
  if (rec.errors++ == 0)
    rec.first_error = self->system().render(err);
  finish(self);
}

/// One order and its fill, each durable before the next step.
void place_next(requester_actor* self) {
  auto& st = self->state;
  if (st.rec->stop.load(std::memory_order_acquire)) {
    finish(self);
    return;
  }
  const auto now = default_clock().now();
  const client_order_id cid{st.next_cid->fetch_add(1)};
  ++st.rec->signals;
  self->send(st.journal, record_atom_v, make_signal(cid, now));
  auto order = make_order(cid, now);
  auto fill = make_fill(order, now + 3 * ns_per_ms);
  ++st.rec->orders;
  const auto sent = steady_ns();
  self->request(st.journal, request_timeout, record_atom_v, std::move(order))
    .then(
      [self, fill, sent](bool) {
        auto& st = self->state;
        const auto acked = steady_ns();
        st.rec->acks.emplace_back(acked, acked - sent);
        const auto fill_sent = steady_ns();
        self->request(st.journal, request_timeout, record_atom_v, fill)
          .then(
            [self, fill_sent](bool fresh) {
              auto& rec = *self->state.rec;
              const auto t = steady_ns();
              rec.acks.emplace_back(t, t - fill_sent);
              if (!fresh)
                ++rec.stale_fills;
              place_next(self);
            },
            [self](caf::error& err) { failed(self, err); });
      },
      [self](caf::error& err) { failed(self, err); });
}

caf::behavior requester_impl(requester_actor* self, record_ptr rec, counter_ptr next_cid,
                             caf::actor journal) {
  self->state.rec = std::move(rec);
  self->state.next_cid = std::move(next_cid);
  self->state.journal = std::move(journal);
  self->set_default_handler(caf::drop);
  place_next(self);
  return {
    [](stats_atom) { return actor_stats{"running", 0, 0, "jbench"}; },
  };
}

// -- figures ----------------------------------------------------------------------

/// The value of `key` in a "k1=v1 k2=v2" detail string; 0 when absent.
uint64_t detail_u64(const std::string& detail, const std::string& key) {
  std::istringstream in{detail};
  std::string tok;
  while (in >> tok) {
    auto eq = tok.find('=');
    if (eq == key.size() && tok.compare(0, eq, key) == 0)
      return std::strtoull(tok.c_str() + eq + 1, nullptr, 10);
  }
  return 0;
}

/// The stats detail of `who` ("" on error).
std::string detail_of(caf::scoped_actor& self, const caf::actor& who) {
  std::string out;
  if (!who)
    return out;
  self->request(who, std::chrono::seconds(10), stats_atom_v)
    .receive([&](actor_stats& s) { out = std::move(s.detail); }, [](caf::error&) {});
  return out;
}

int64_t percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

/// One configuration's figures.
struct result {
  std::string phase;   ///< "alone" or "service".
  std::string sync;
  size_t in_flight = 0;
  double seconds = 0;  ///< The measured window.
  uint64_t acks = 0;   ///< Durable acks in the window.
  uint64_t orders = 0; ///< Orders sent by the requesters (whole run, warm-up included).
  uint64_t signals = 0;
  int64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, p9999 = 0, max = 0;
  uint64_t wal_max = 0;   ///< Largest WAL file seen in the window (sampled every 5 ms).
  uint64_t commits = 0;   ///< In the window.
  uint64_t writes = 0;    ///< In the window (durable + fire-and-forget).
  uint64_t largest_batch = 0;
  double bytes_per_100k = 0;
  uint64_t service_orders = 0; ///< The service's gateway: submitted in the window.
  uint64_t service_fills = 0;
  uint64_t stale_fills = 0;
  uint64_t errors = 0;
  std::string first_error;
  bool ok = false;
};

/// Runs K requesters against `journal` for the warm-up and the window.
/// `gateway`: the service's gateway, whose counters are read around the
/// window (invalid when alone).
result measure(caf::actor_system& sys, const caf::actor& journal, size_t k,
               const caf::actor& gateway, const counter_ptr& next_cid,
               const std::string& db_path) {
  result r;
  r.in_flight = k;
  caf::scoped_actor self{sys};
  std::vector<record_ptr> recs;
  for (size_t i = 0; i < k; ++i) {
    recs.push_back(std::make_shared<requester_record>());
    sys.spawn(requester_impl, recs.back(), next_cid, journal);
  }
  std::this_thread::sleep_for(warmup);
  auto j0 = detail_of(self, journal);
  auto g0 = detail_of(self, gateway);
  const auto t0 = steady_ns();
  const auto end = steady::now() + window;
  uint64_t wal_max = 0;
  while (steady::now() < end) {
    std::error_code ec;
    auto n = std::filesystem::file_size(db_path + "-wal", ec);
    if (!ec)
      wal_max = std::max<uint64_t>(wal_max, n);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto t1 = steady_ns();
  auto j1 = detail_of(self, journal);
  auto g1 = detail_of(self, gateway);
  for (auto& rec : recs)
    rec->stop.store(true, std::memory_order_release);
  const auto deadline = steady::now() + std::chrono::seconds(30);
  for (auto& rec : recs)
    while (!rec->done.load(std::memory_order_acquire) && steady::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::vector<int64_t> lat;
  for (auto& rec : recs) {
    if (!rec->done.load(std::memory_order_acquire)) {
      ++r.errors;
      r.first_error = "a requester did not stop within 30 s";
      continue;
    }
    r.orders += rec->orders;
    r.signals += rec->signals;
    r.stale_fills += rec->stale_fills;
    if (rec->errors != 0 && r.errors == 0)
      r.first_error = rec->first_error;
    r.errors += rec->errors;
    for (auto& [at, l] : rec->acks)
      if (at >= t0 && at < t1)
        lat.push_back(l);
  }
  std::sort(lat.begin(), lat.end());
  r.seconds = static_cast<double>(t1 - t0) / 1e9;
  r.acks = lat.size();
  r.p50 = percentile(lat, 0.50);
  r.p90 = percentile(lat, 0.90);
  r.p99 = percentile(lat, 0.99);
  r.p999 = percentile(lat, 0.999);
  r.p9999 = percentile(lat, 0.9999);
  r.max = lat.empty() ? 0 : lat.back();
  r.wal_max = wal_max;
  r.commits = detail_u64(j1, "commits") - detail_u64(j0, "commits");
  r.writes = detail_u64(j1, "writes") - detail_u64(j0, "writes");
  r.largest_batch = detail_u64(j1, "largest_batch");
  r.service_orders = detail_u64(g1, "submitted") - detail_u64(g0, "submitted");
  r.service_fills = detail_u64(g1, "fills") - detail_u64(g0, "fills");
  r.ok = r.errors == 0 && !j0.empty() && !j1.empty();
  if (j0.empty() || j1.empty())
    r.first_error = "the journal did not answer stats";
  return r;
}

/// The journal's file and its WAL, in bytes.
uint64_t file_bytes(const std::string& path) {
  std::error_code ec;
  uint64_t n = 0;
  for (auto p : {path, path + "-wal"}) {
    auto s = std::filesystem::file_size(p, ec);
    if (!ec)
      n += s;
  }
  return n;
}

/// Rows of `table` in the (closed) journal at `path`; 0 on error.
uint64_t rows_of(const std::string& path, const std::string& table) {
  journal::open_options o;
  o.path = path;
  o.read_only = true;
  auto r = journal::db::open(o);
  if (!r.journal)
    return 0;
  try {
    auto c = r.journal->counts();
    auto i = c.find(table);
    return i == c.end() ? 0 : i->second;
  } catch (const journal::journal_error&) {
    return 0;
  }
}

journal::sync_mode sync_of(const std::string& s) {
  return s == "full" ? journal::sync_mode::full : journal::sync_mode::normal;
}

// -- phase 1: the journal alone ---------------------------------------------------------

result run_alone(caf::actor_system& sys, const std::string& dir, const std::string& sync,
                 size_t k, bool checkpointer = true) {
  const std::string path = dir + "/alone-" + sync + "-" + std::to_string(k)
                           + (checkpointer ? "" : "-self") + ".db";
  std::string error;
  auto j = spawn_bench_journal(sys, path, &error, sync_of(sync), journal_params{}.keep_bars,
                               checkpointer);
  if (!j) {
    result r;
    r.first_error = error;
    return r;
  }
  auto next_cid = std::make_shared<std::atomic<uint64_t>>(1);
  auto r = measure(sys, j, k, caf::actor{}, next_cid, path);
  // The detached journal must be gone (and out of the registry) before the
  // actor system shuts down.
  sys.registry().erase(journal_name);
  {
    caf::scoped_actor self{sys};
    self->monitor(j);
    self->send_exit(j, caf::exit_reason::user_shutdown);
    self->receive([](caf::down_msg&) {}, caf::after(std::chrono::seconds(10)) >> [] {});
  }
  const auto orders = rows_of(path, "orders");
  const auto bytes = file_bytes(path);
  r.bytes_per_100k = orders == 0 ? 0 : static_cast<double>(bytes) * 1e5 / static_cast<double>(orders);
  if (orders != r.orders && r.ok) {
    r.ok = false;
    r.first_error = "journal holds " + std::to_string(orders) + " orders, "
                    + std::to_string(r.orders) + " were acknowledged";
  }
  std::error_code ec;
  for (auto p : {path, path + "-wal", path + "-shm"})
    std::filesystem::remove(p, ec);
  r.phase = checkpointer ? "alone" : "self-ck";
  r.sync = sync;
  return r;
}

// -- phase 2: beside the running service ------------------------------------------------

const char* service_config = R"({
  "data_dir": "@DATA_DIR@",
  "log_level": "error",
  "status_interval_seconds": 60,
  "control": { "port": 0 },
  "journal": { "sync": "@SYNC@", "reconcile_interval_seconds": 30 },
  "supervision": { "max_restarts": 5, "within_seconds": 60, "backoff_initial_ms": 50, "backoff_max_ms": 400 },
  "risk": { "max_order_notional": "5000", "max_position_notional": "1000000", "max_gross_exposure": "1000000" },
  "gateway": { "orders_per_minute": 60000, "burst": 1000 },
  "venues": [ { "name": "sim", "kind": "sim", "sim": {
    "step_interval_ms": 20, "latency_us": 1000, "jitter_us": 500, "heartbeat_timeout_ms": 1000,
    "symbols": [
      { "symbol": "BTCUSDT", "start_price": "65000", "tick": "0.1", "lot": "0.00001", "min_notional": "0.5", "level_qty": "0.5", "seed": 1 },
      { "symbol": "ETHUSDT", "start_price": "3500", "tick": "0.01", "lot": "0.0001", "level_qty": "5", "seed": 2 }
    ] } } ],
  "strategies": [ { "symbol": "BTCUSDT" }, { "symbol": "ETHUSDT" } ],
  "strategy_template": { "window": 5, "bar_seconds": 0.1, "entry_z": 0.3, "exit_z": 0.1,
                         "time_stop_minutes": 0.05, "maker_lifetime_seconds": 1,
                         "order_notional": "100" }
})";

std::string replace_all(std::string text, const std::string& key, const std::string& value) {
  for (auto i = text.find(key); i != std::string::npos; i = text.find(key, i + value.size()))
    text.replace(i, key.size(), value);
  return text;
}

/// Polls until risk says ACTIVE (the sim venue reconciled with the journal)
/// and the journal is registered; false after `limit`.
bool wait_trading(caf::actor_system& sys, std::chrono::seconds limit) {
  caf::scoped_actor self{sys};
  auto deadline = steady::now() + limit;
  while (steady::now() < deadline) {
    bool active = false;
    if (auto risk = well_known(sys, risk_name))
      self->request(risk, std::chrono::seconds(1), status_atom_v)
        .receive([&](status_report& s) { active = s.state == trading_state::active; },
                 [](caf::error&) {});
    if (active && well_known(sys, journal_name))
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::vector<result> run_service(const std::string& sync, std::string* error,
                                std::string* scheduler, uint64_t* service_total_orders) {
  std::vector<result> out;
  std::string tmpl = (std::filesystem::temp_directory_path() / "agora-jbench-svc-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    *error = "cannot create a temporary directory";
    return out;
  }
  const std::string dir = tmpl;
  auto json = replace_all(replace_all(service_config, "@DATA_DIR@", dir), "@SYNC@", sync);
  auto parsed = config::parse_config(json);
  if (auto* e = std::get_if<config::config_error>(&parsed)) {
    *error = config::to_string(*e);
    std::filesystem::remove_all(dir);
    return out;
  }
  auto cfg = std::get<config::agora_config>(parsed);
  *scheduler = cfg.scheduler.policy + " x" + std::to_string(cfg.scheduler.max_threads);
  auto check = prepare_journal(cfg);
  if (!check.error.empty()) {
    *error = "journal: " + check.error;
    std::filesystem::remove_all(dir);
    return out;
  }
  const auto path = config::journal_file_path(cfg);
  {
    caf::actor_system_config sys_cfg;
    configure_actor_system(sys_cfg, cfg.scheduler);
    caf::actor_system sys{sys_cfg};
    auto handles = start_service(
      sys, cfg, service_options{"jbench-token-0123456789abcdef", "", nullptr, {}, check.run});
    if (!wait_trading(sys, std::chrono::seconds(20))) {
      *error = "the service did not start trading within 20 s";
    } else {
      caf::actor gateway;
      {
        caf::scoped_actor self{sys};
        self->request(handles.directory, std::chrono::seconds(5), lookup_atom_v,
                      std::string{"venue:sim/gateway"})
          .receive([&](caf::actor& a) { gateway = std::move(a); }, [](caf::error&) {});
      }
      // Cids far above anything else in the file (the venue differs anyway).
      auto next_cid = std::make_shared<std::atomic<uint64_t>>(900'000'000'000ULL);
      std::vector<size_t> levels{0};
      levels.insert(levels.end(), in_flight_levels.begin(), in_flight_levels.end());
      for (auto k : levels) {
        std::fprintf(stderr, "  service sync=%s K=%zu ...\n", sync.c_str(), k);
        auto j = well_known(sys, journal_name);
        auto r = measure(sys, j, k, gateway, next_cid, path);
        r.phase = "service";
        r.sync = sync;
        out.push_back(std::move(r));
      }
    }
    // Stop the tree as app/main.cpp does; the journal leaves the registry
    // itself on its way down.
    caf::scoped_actor self{sys};
    self->monitor(handles.root);
    self->send_exit(handles.root, caf::exit_reason::user_shutdown);
    self->receive([](caf::down_msg&) {}, caf::after(std::chrono::seconds(5)) >> [] {});
    self->send_exit(handles.directory, caf::exit_reason::user_shutdown);
    sys.registry().erase(journal_name);
  }
  const auto orders = rows_of(path, "orders");
  *service_total_orders = orders;
  const auto bytes = file_bytes(path);
  for (auto& r : out)
    r.bytes_per_100k
      = orders == 0 ? 0 : static_cast<double>(bytes) * 1e5 / static_cast<double>(orders);
  std::filesystem::remove_all(dir);
  return out;
}

double us(int64_t ns) { return static_cast<double>(ns) / 1e3; }

void print_header() {
  std::printf("  %-7s %-6s %3s %9s %8s %8s %8s %8s %8s %9s %9s %9s %9s %6s %7s %9s %7s %6s "
              "%6s\n",
              "phase", "sync", "K", "durable/s", "orders/s", "p50 us", "p90 us", "p99 us",
              "p99.9 us", "p99.99 us", "max us", "commits/s", "writes/s", "batch", "largest",
              "MB/100k", "WAL MB", "svc ord", "svc fil");
}

void print_row(const result& r) {
  if (!r.ok && r.acks == 0 && r.in_flight != 0) {
    std::printf("  %-7s %-6s %3zu FAILED: %s\n", r.phase.c_str(), r.sync.c_str(), r.in_flight,
                r.first_error.c_str());
    return;
  }
  const double secs = r.seconds > 0 ? r.seconds : 1;
  std::printf("  %-7s %-6s %3zu %9.0f %8.0f %8.1f %8.1f %8.1f %8.1f %9.1f %9.1f %9.1f %9.0f "
              "%6.1f %7llu %9.2f %7.1f %6llu %6llu\n",
              r.phase.c_str(), r.sync.c_str(), r.in_flight, static_cast<double>(r.acks) / secs,
              static_cast<double>(r.acks) / 2.0 / secs, us(r.p50), us(r.p90), us(r.p99),
              us(r.p999), us(r.p9999), us(r.max), static_cast<double>(r.commits) / secs,
              static_cast<double>(r.writes) / secs,
              r.commits == 0 ? 0.0
                             : static_cast<double>(r.writes) / static_cast<double>(r.commits),
              static_cast<unsigned long long>(r.largest_batch), r.bytes_per_100k / 1e6,
              static_cast<double>(r.wal_max) / 1e6, static_cast<unsigned long long>(r.service_orders),
              static_cast<unsigned long long>(r.service_fills));
  if (!r.ok || r.stale_fills != 0)
    std::printf("  note: %s %s K=%zu: %llu errors (%s), %llu fills answered 'already "
                "journaled'\n",
                r.phase.c_str(), r.sync.c_str(), r.in_flight,
                static_cast<unsigned long long>(r.errors), r.first_error.c_str(),
                static_cast<unsigned long long>(r.stale_fills));
}

} // namespace

int main() {
  std::string err;
  if (!setup_logging("warn", "", &err)) {
    std::fprintf(stderr, "journal_append: %s\n", err.c_str());
    return 1;
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "agora-jbench-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    std::fprintf(stderr, "journal_append: cannot create a temporary directory\n");
    return 1;
  }
  const std::string dir = tmpl;
  const std::vector<std::string> syncs{"normal", "full"};
  std::printf("journal_append: K requester actors, each one durable request in flight: "
              "(record_atom, submit_order) -> ack, then (record_atom, order_filled) of the "
              "same cid -> ack, plus one fire-and-forget signal_record per order\n"
              "  %lld ms warm-up + %lld ms window per configuration; latency: request -> "
              "ack (steady_clock), orders and fills together; temp dir %s; hardware "
              "threads: %u\n",
              static_cast<long long>(warmup.count()), static_cast<long long>(window.count()),
              dir.c_str(), std::thread::hardware_concurrency());
  std::vector<result> results;
  {
    caf::actor_system_config sys_cfg;
    configure_actor_system(sys_cfg, config::scheduler_config{});
    caf::actor_system sys{sys_cfg};
    for (auto& sync : syncs) {
      for (auto k : in_flight_levels) {
        std::fprintf(stderr, "  alone sync=%s K=%zu ...\n", sync.c_str(), k);
        results.push_back(run_alone(sys, dir, sync, k));
      }
      // The journal checkpointing itself (idle, or forced every 50,000
      // writes), as before the checkpointer: the stall it costs.
      std::fprintf(stderr, "  self-checkpointing sync=%s K=16 ...\n", sync.c_str());
      results.push_back(run_alone(sys, dir, sync, 16, false));
    }
  }
  std::filesystem::remove_all(dir);
  std::string scheduler;
  std::vector<std::pair<std::string, uint64_t>> service_orders;
  for (auto& sync : syncs) {
    std::string error;
    uint64_t total = 0;
    auto rs = run_service(sync, &error, &scheduler, &total);
    if (!error.empty())
      std::printf("  service sync=%s FAILED: %s\n", sync.c_str(), error.c_str());
    service_orders.emplace_back(sync, total);
    results.insert(results.end(), rs.begin(), rs.end());
  }
  std::printf("\n");
  print_header();
  for (auto& r : results)
    print_row(r);
  std::printf(
    "\n  alone: the journal actor alone in an actor system with Agora's default scheduler "
    "(sharing x1), a fresh file per row, its WAL checkpointed by the checkpointer actor; "
    "self-ck: the same with the journal checkpointing itself (when idle, and forced every "
    "50,000 writes), as before the checkpointer.\n"
    "  WAL MB: the largest WAL file seen in the window (sampled every 5 ms).\n"
    "  service: the whole service (scheduler %s; sim venue, BTCUSDT + ETHUSDT every 20 ms, "
    "two fast mean-reversion strategies) journaling to the same file; K = 0 is the service "
    "alone.\n"
    "  durable/s: acks received in the window (an order and its fill are two); orders/s "
    "half of it. commits/s, writes/s (durable + fire-and-forget, the service's own "
    "included) and batch (writes per commit) from the journal's stats over the window; "
    "largest: the journal's largest batch so far (service: since it started).\n"
    "  MB/100k: the closed journal file (WAL included) per 100k orders in it: alone, each "
    "order with its events, fill and one signal;",
    scheduler.c_str());
  for (auto& [sync, n] : service_orders)
    std::printf(" service %s: over all %llu orders in the file (ours and the service's, which "
                "also writes bars, signals, pnl)",
                sync.c_str(), static_cast<unsigned long long>(n));
  std::printf(".\n  svc ord / svc fil: orders and fills the service's gateway journaled "
              "(durably, before sending / acting) in the window.\n");
  return 0;
}
