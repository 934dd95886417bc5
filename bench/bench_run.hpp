#pragma once

// What the latency benches share around their measurements: the clock and
// statistics, the scheduler settings, the temp files, and the chain of real
// actors one run builds (directory, journal, endpoint, risk, gateway) and
// ends.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/gateway/gateway_actor.hpp"
#include "actors/risk/risk_actor.hpp"
#include "actors/service/service.hpp"
#include "actors/supervision/directory.hpp"
#include "bench/bench_journal.hpp"
#include "config/agora_config.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"

namespace agora::bench {

using steady = std::chrono::steady_clock;

/// steady_clock's now in nanoseconds.
inline int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
           steady::now().time_since_epoch())
    .count();
}

/// Nanoseconds in microseconds, for printing.
inline double us(int64_t ns) {
  return static_cast<double>(ns) / 1e3;
}

/// The value at fraction `p` of `sorted` (nearest rank); 0 when empty.
inline int64_t percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

/// The median of `field(*r)` over `rs` (not empty); with an even count the
/// upper of the middle two.
template <class Result, class Field>
double median_of(const std::vector<const Result*>& rs, Field field) {
  std::vector<double> v;
  for (auto* r : rs)
    v.push_back(field(*r));
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// CPU time (user + system) of the whole process so far, in seconds.
inline double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
         + static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/// CPU of the whole process over half a second with nothing to do, in % of
/// one core.
inline double idle_cpu_pct() {
  auto c0 = cpu_seconds();
  auto w0 = steady::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  auto c1 = cpu_seconds();
  auto w1 = steady::now();
  return 100.0 * (c1 - c0) / std::chrono::duration<double>(w1 - w0).count();
}

/// One scheduler setting to measure.
struct setting {
  const char* label;
  config::scheduler_config sched;
};

/// The settings every latency bench measures: Agora's default (sharing, one
/// worker) and work stealing on two workers.
inline std::vector<setting> default_settings() {
  std::vector<setting> out;
  {
    setting s{"sharing x1 (Agora default)", {}};
    s.sched.policy = "sharing";
    s.sched.max_threads = 1;
    out.push_back(s);
  }
  {
    setting s{"stealing x2", {}};
    s.sched.policy = "stealing";
    s.sched.max_threads = 2;
    out.push_back(s);
  }
  return out;
}

/// Logs warnings and worse to stderr; false (said on stderr, naming
/// `bench`) if logging could not be set up.
inline bool setup_bench_logging(const char* bench) {
  std::string err;
  if (!setup_logging("warn", "", &err)) {
    std::fprintf(stderr, "%s: %s\n", bench, err.c_str());
    return false;
  }
  return true;
}

/// How a run journals: not at all; each order and fill waiting for
/// SQLite's commit (the durable path before the intent log, still what a
/// backtest uses); or through each gateway's intent log with SQLite behind
/// it (the service's path since issue 12).
enum class journal_mode { off, sqlite, intent };

inline const char* to_string(journal_mode m) {
  switch (m) {
    case journal_mode::off: return "off";
    case journal_mode::sqlite: return "sqlite";
    case journal_mode::intent: return "intent";
  }
  return "?";
}

/// A fresh temporary directory for the runs' journal files, removed with
/// everything in it when this goes.
class journal_dir {
public:
  /// Makes `<temp>/<prefix>XXXXXX`; on failure `ok()` is false (said on
  /// stderr, naming `bench`).
  journal_dir(const char* bench, const std::string& prefix) {
    std::string tmpl
      = (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      std::fprintf(stderr, "%s: cannot create a temporary directory\n", bench);
    else
      path_ = tmpl;
  }

  ~journal_dir() {
    std::error_code ec;
    if (ok())
      std::filesystem::remove_all(path_, ec);
  }

  journal_dir(const journal_dir&) = delete;
  journal_dir& operator=(const journal_dir&) = delete;

  bool ok() const noexcept { return !path_.empty(); }

  /// The path of the next run's journal database (a new file each time).
  std::string next_path() {
    return path_ + "/journal-" + std::to_string(++runs_) + ".db";
  }

  /// Removes one run's journal database, its WAL and shared-memory files
  /// and its intent logs.
  static void remove(const std::string& path) {
    std::error_code ec;
    for (auto f : {path, path + "-wal", path + "-shm"})
      std::filesystem::remove(f, ec);
    std::filesystem::remove_all(path + ".intents", ec);
  }

private:
  std::string path_;
  int runs_ = 0;
};

/// Sends `(register_atom, entry, 0)` to the directory, as a supervisor does.
inline void register_entry(caf::scoped_actor& self, const caf::actor& dir,
                           std::string name, std::string kind, std::string parent,
                           const caf::actor& handle) {
  self->send(dir, register_atom_v,
             actor_entry{std::move(name), std::move(kind), std::move(parent), handle},
             uint64_t{0});
}

/// Asks `who` for stats until `ok(stats)` or the deadline; false on timeout.
template <class Pred>
bool wait_for_stats(caf::scoped_actor& self, const caf::actor& who, Pred ok,
                    std::chrono::seconds limit) {
  auto deadline = steady::now() + limit;
  while (steady::now() < deadline) {
    bool good = false;
    self->request(who, std::chrono::seconds(1), stats_atom_v)
      .receive([&](actor_stats& s) { good = ok(s); }, [](caf::error&) {});
    if (good)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

/// Asks `who` for stats until it answers or the deadline; false on timeout.
inline bool wait_for_stats(caf::scoped_actor& self, const caf::actor& who,
                           std::chrono::seconds limit) {
  return wait_for_stats(self, who, [](const actor_stats&) { return true; }, limit);
}

/// Watches a run from the main thread until `done()` or `deadline`,
/// looking every 10 ms. When `completed()` (a count of finished events) has
/// not moved for `stall`, calls `on_stall()`: true waits on (the stall is
/// counted afresh), false stops watching.
template <class Done, class Completed, class OnStall>
void watch_run(Done done, Completed completed, steady::duration stall,
               steady::time_point deadline, OnStall on_stall) {
  size_t last_completed = 0;
  auto last_progress = steady::now();
  while (!done() && steady::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    size_t c = completed();
    if (c != last_completed) {
      last_completed = c;
      last_progress = steady::now();
    } else if (steady::now() - last_progress > stall) {
      if (!on_stall())
        return;
      last_progress = steady::now();
    }
  }
}

/// Limits no bench run reaches (1e9 USDT each) for `venues`.
inline risk_params bench_risk_params(std::vector<venue_id> venues) {
  risk_params rp;
  rp.limits = risk_limits{notional::from_units(1'000'000'000),
                          notional::from_units(1'000'000'000),
                          notional::from_units(1'000'000'000)};
  rp.venues = std::move(venues);
  return rp;
}

/// One bench run: its own actor system (scheduled as `sched`), a scoped
/// actor to drive it from the main thread, and the real actors spawned and
/// registered as the supervisor would: a directory (also in CAF's
/// registry), the journal when asked for (see spawn_bench_journal), then
/// what the bench adds. `stop` ends them all, last spawned first; the
/// system waits for them when this goes.
class bench_chain {
public:
  explicit bench_chain(const config::scheduler_config& sched)
    : sys_(configured(cfg_, sched)), self_(sys_) {
  }

  bench_chain(const bench_chain&) = delete;
  bench_chain& operator=(const bench_chain&) = delete;

  /// Spawns the directory and, when `journal`, the journal on a fresh file
  /// at `journal_path`. False if the journal did not start (`error` says
  /// why); the directory is stopped again.
  bool start(bool journal, const std::string& journal_path, std::string* error) {
    return start(journal ? journal_mode::intent : journal_mode::off, journal_path, error);
  }

  /// As above; with `journal_mode::intent` each gateway also writes an
  /// intent log, in `<journal_path>.intents/<venue>`.
  bool start(journal_mode mode, const std::string& journal_path, std::string* error) {
    directory_ = spawn_directory(sys_, nullptr);
    spawned_.push_back(directory_);
    sys_.registry().put(directory_name, caf::actor_cast<caf::strong_actor_ptr>(directory_));
    if (mode == journal_mode::off)
      return true;
    if (mode == journal_mode::intent)
      intents_ = journal_path + ".intents";
    journal_ = spawn_bench_journal(sys_, journal_path, error);
    if (!journal_) {
      sys_.registry().erase(directory_name);
      exit_all();
      return false;
    }
    add("journal", "journal", "agora", journal_);
    return true;
  }

  /// Registers `handle` in the directory as `name` (a `kind` under
  /// `parent`) and keeps it to stop it at the end.
  void add(std::string name, std::string kind, std::string parent,
           const caf::actor& handle) {
    register_entry(self_, directory_, std::move(name), std::move(kind), std::move(parent),
                   handle);
    spawned_.push_back(handle);
  }

  /// Registers `handle` as `venue`'s child `child` (e.g. "exchange", "feed",
  /// "book:BTCUSDT") of kind `kind`.
  void add_venue_child(const venue_id& venue, const std::string& child, std::string kind,
                       const caf::actor& handle) {
    add(venue_child_path(venue, child), std::move(kind), venue_path(venue), handle);
  }

  /// Spawns risk over `rp` with this directory and a status report only
  /// once an hour, in CAF's registry as the supervisor would.
  caf::actor spawn_risk(risk_params rp) {
    rp.directory = directory_;
    rp.status_interval = 3'600 * ns_per_s;
    auto risk = agora::spawn_risk(sys_, "risk", std::move(rp));
    sys_.registry().put(risk_name, caf::actor_cast<caf::strong_actor_ptr>(risk));
    add("risk", "risk", "agora", risk);
    return risk;
  }

  /// Spawns `venue`'s gateway in front of its "exchange" child: no rate
  /// limit that a bench reaches, journaling when the journal runs, the
  /// periodic reconciliation only once an hour (never inside a measurement).
  caf::actor spawn_gateway(const venue_id& venue) {
    gateway_params gp;
    gp.venue = venue;
    gp.endpoint_path = venue_child_path(venue, "exchange");
    gp.directory = directory_;
    gp.orders_per_minute = 6e10;
    gp.burst = 1e9;
    gp.journal = static_cast<bool>(journal_);
    gp.intent_dir = intent_dir(venue);
    gp.reconcile_interval = 3'600 * ns_per_s;
    auto gw = agora::spawn_gateway(sys_, venue_child_path(venue, "gateway"), std::move(gp));
    add_venue_child(venue, "gateway", "gateway", gw);
    return gw;
  }

  /// Ends the run: takes the journal's stats (journal on), clears CAF's
  /// registry (the detached journal must leave it before the system shuts
  /// down) and ends every actor, last spawned first. Returns the journal's
  /// stats detail (empty with the journal off or silent).
  std::string stop() {
    std::string journal_detail;
    if (journal_) {
      self_->request(journal_, std::chrono::seconds(5), stats_atom_v)
        .receive([&](actor_stats& s) { journal_detail = s.detail; }, [](caf::error&) {});
      sys_.registry().erase(journal_name);
    }
    sys_.registry().erase(risk_name);
    sys_.registry().erase(directory_name);
    exit_all();
    return journal_detail;
  }

  caf::actor_system& system() noexcept { return sys_; }

  /// `venue`'s gateway's intent log directory ("" without one).
  std::string intent_dir(const venue_id& venue) const {
    return intents_.empty() ? std::string{} : intents_ + "/" + venue.str();
  }

  /// The main thread's actor in this system.
  caf::scoped_actor& self() noexcept { return self_; }

  const caf::actor& directory() const noexcept { return directory_; }

private:
  static caf::actor_system_config& configured(caf::actor_system_config& cfg,
                                              const config::scheduler_config& sched) {
    configure_actor_system(cfg, sched);
    return cfg;
  }

  void exit_all() {
    for (auto i = spawned_.rbegin(); i != spawned_.rend(); ++i)
      self_->send_exit(*i, caf::exit_reason::user_shutdown);
  }

  caf::actor_system_config cfg_;
  caf::actor_system sys_;
  caf::scoped_actor self_;
  caf::actor directory_;
  caf::actor journal_;
  std::string intents_; ///< The intent logs' parent directory (journal_mode::intent).
  std::vector<caf::actor> spawned_;
};

} // namespace agora::bench
