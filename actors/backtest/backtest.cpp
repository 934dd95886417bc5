#include "actors/backtest/backtest.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>

#include "actors/backtest/player.hpp"
#include "actors/backtest/report_charts.hpp"
#include "actors/service/service.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"

namespace agora::backtest {

namespace fs = std::filesystem;

std::optional<std::string> prepare_backtest_config(config::agora_config& cfg,
                                                   const std::string& journal_path) {
  if (cfg.venues.empty())
    return std::string{"venues: a backtest needs at least one venue of kind \"replay\" "
                       "(see config/backtest-eth.json)"};
  for (size_t i = 0; i < cfg.venues.size(); ++i)
    if (cfg.venues[i].kind != "replay")
      return "venues[" + std::to_string(i) + "].kind: a backtest replays recorded data, so every "
             "venue must be of kind \"replay\", got \"" + cfg.venues[i].kind + "\" (venue \""
             + cfg.venues[i].name.str() + "\"; see config/backtest-eth.json)";
  cfg.mode = run_mode::paper;
  for (auto& s : cfg.strategies)
    s.mode = run_mode::paper;
  cfg.alerts.sinks.clear();
  cfg.journal.path = journal_path;
  cfg.journal.sync = "off"; // a rerun rebuilds it exactly: no fsync
  return std::nullopt;
}

namespace {

using coordinator = caf::scheduler::test_coordinator;

/// Drives the tree: CAF's test coordinator runs every actor on this thread;
/// its clock and the injected clock move together, to the next recorded
/// message or the next due timer, whichever comes first.
class driver {
public:
  driver(caf::actor_system& sys, manual_clock& clock, nanos t0)
    : sched_(dynamic_cast<coordinator&>(sys.scheduler())),
      clock_(clock),
      self_(sys),
      t0_(t0),
      tp0_(sched_.clock().current_time) {}

  caf::scoped_actor& self() { return self_; }

  /// Runs every actor until none has a message.
  void run_idle() {
    while (sched_.try_run_once())
      ++events_;
  }

  nanos now() const { return clock_.now(); }

  /// Plays every timer due up to `t`, each at its own time, then moves to `t`.
  void advance_to(nanos t) {
    auto& c = sched_.clock();
    for (size_t guard = 0; guard < 10'000'000; ++guard) {
      const auto& due = c.schedule();
      if (due.empty())
        break;
      auto at = t0_ + (due.begin()->first - tp0_).count();
      if (at > t)
        break;
      set_time(std::max(at, now()));
      run_idle();
    }
    set_time(t);
    run_idle();
  }

  /// Delivers whatever replies reached the scoped actor.
  template <class... Fs>
  void drain(Fs... fs) {
    for (;;) {
      if (self_->mailbox().empty())
        return;
      bool got = false;
      self_->receive(
        [&](fs_arg_t<Fs> x) {
          got = true;
          fs(x);
        }...,
        [&](actor_replaced& r) {
          got = true;
          replaced.push_back(std::move(r));
        },
        [&](caf::actor&) { got = true; }, [&](std::string&) { got = true; },
        [&](uint64_t) { got = true; },
        [&](caf::error&) { got = true; }, caf::after(std::chrono::seconds(0)) >> [] {});
      if (!got)
        return;
    }
  }

  std::vector<actor_replaced> replaced;
  uint64_t events() const noexcept { return events_; }

private:
  template <class F>
  struct arg_of;
  template <class F>
  using fs_arg_t = typename arg_of<decltype(&F::operator())>::type;
  template <class C, class A>
  struct arg_of<void (C::*)(A) const> {
    using type = A;
  };

  void set_time(nanos t) {
    if (t < now())
      t = now();
    clock_.set(t);
    auto& c = sched_.clock();
    auto target = tp0_ + std::chrono::nanoseconds(t - t0_);
    c.advance_time(target > c.current_time ? target - c.current_time
                                           : caf::actor_clock::duration_type::zero());
  }

  coordinator& sched_;
  manual_clock& clock_;
  caf::scoped_actor self_;
  nanos t0_;
  caf::actor_clock::time_point tp0_;
  uint64_t events_ = 0;
};

std::vector<actor_entry> list_kind(driver& d, const caf::actor& directory, const std::string& kind) {
  std::vector<actor_entry> out;
  d.self()->send(directory, list_atom_v, kind);
  d.run_idle();
  d.drain([&](std::vector<actor_entry>& x) { out = std::move(x); });
  return out;
}

bool write_file(const fs::path& p, const std::string& body, std::string* error) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(body.data(), static_cast<std::streamsize>(body.size()));
  f.close();
  if (!f) {
    *error = p.string() + ": cannot write";
    return false;
  }
  return true;
}

} // namespace

backtest_result run_backtest(config::agora_config cfg, const backtest_options& opts) {
  backtest_result res;
  auto log = logger("backtest");
  auto fail = [&](int code, std::string why) {
    res.code = code;
    res.error = std::move(why);
    return res;
  };
  // -- the journal: a fresh one per run ------------------------------------
  fs::path journal_dir;
  std::error_code ec;
  if (!opts.report_dir.empty()) {
    journal_dir = opts.report_dir;
  } else {
    static std::atomic<uint64_t> runs{0};
    journal_dir = fs::temp_directory_path(ec)
                  / fmt::format("agora-backtest-{}-{}", ::getpid(), ++runs);
  }
  fs::create_directories(journal_dir, ec);
  if (ec)
    return fail(write_failed, journal_dir.string() + ": cannot create: " + ec.message());
  auto journal_path = (journal_dir / "journal.db").string();
  for (auto suffix : {"", "-wal", "-shm"})
    fs::remove(journal_path + suffix, ec);
  if (auto bad = prepare_backtest_config(cfg, journal_path))
    return fail(bad_arguments, *bad);
  if (auto bad = check_risk_calendar(cfg))
    return fail(bad_arguments, *bad);
  // -- the data --------------------------------------------------------------
  auto assigned = assign_sources(opts.data, cfg);
  if (auto* e = std::get_if<std::string>(&assigned))
    return fail(bad_data, *e);
  std::string error;
  auto play = player::open(std::get<std::vector<data_source>>(assigned), &error);
  if (!play)
    return fail(bad_data, error);
  // Data before --from is played with trading halted (books and bars warm up).
  frame f;
  bool have = play->next(f);
  if (have && opts.to != 0 && f.time > opts.to)
    have = false;
  if (!have)
    return fail(bad_data, "no recorded message in the selected window");
  const nanos t0 = f.time;
  const nanos trading_from = std::max(opts.from, t0);
  uint64_t run_id = 0;
  {
    journal::open_options o;
    o.path = journal_path;
    o.sync = journal::sync_mode::off;
    auto r = journal::db::open(o);
    if (!r.journal)
      return fail(write_failed, r.error);
    try {
      run_id = r.journal->start_run(t0, 0, "agora backtest");
    } catch (const journal::journal_error& e) {
      return fail(write_failed, journal_path + ": cannot start a run: " + e.what());
    }
  }
  res.journal_path = journal_path;
  // -- the tree, on the deterministic scheduler ----------------------------
  manual_clock clock{t0};
  caf::actor_system_config sys_cfg;
  configure_actor_system(sys_cfg, cfg.scheduler);
  sys_cfg.set("scheduler.policy", caf::atom("testing"));
  auto wall_start = std::chrono::steady_clock::now();
  uint64_t frames = 0;
  std::vector<book_report> books;
  std::vector<feed_report> feeds;
  std::vector<mark> marks;
  nanos last_time = t0;
  {
    caf::actor_system sys{sys_cfg};
    sys.await_actors_before_shutdown(false);
    driver d{sys, clock, t0};
    service_options so;
    so.clock = &clock;
    so.run = run_id;
    so.backtest = true;
    auto h = start_service(sys, cfg, so);
    d.run_idle();
    std::map<venue_id, caf::actor> feed_of;
    std::map<std::string, venue_id> feed_names;
    for (auto& v : cfg.venues) {
      auto name = venue_child_path(v.name, "feed");
      feed_names[name] = v.name;
      d.self()->send(h.directory, caf::subscribe_atom_v, name);
    }
    d.run_idle();
    for (auto& e : list_kind(d, h.directory, "feed"))
      if (auto i = feed_names.find(e.name); i != feed_names.end())
        feed_of[i->second] = e.handle;
    d.drain();
    auto risk = well_known(sys, risk_name);
    bool halted_for_warmup = trading_from > t0;
    if (halted_for_warmup && risk) {
      d.self()->send(risk, halt_trading{"backtest warm-up until " + iso_time(trading_from),
                                        "backtest", trading_scope{}});
      d.run_idle();
    }
    auto sample_marks = [&](nanos t) {
      for (auto& b : list_kind(d, h.directory, "book")) {
        d.self()->send(b.handle, caf::get_atom_v);
        d.run_idle();
        d.drain([&](top_of_book& tob) {
          marks.push_back(mark{t, tob.venue, tob.symbol,
                               price::from_raw((tob.bid.px.raw() + tob.ask.px.raw()) / 2)});
        });
      }
    };
    nanos next_mark = t0;
    auto advance = [&](nanos t) {
      while (next_mark <= t) {
        d.advance_to(next_mark);
        if (halted_for_warmup && next_mark >= trading_from && risk) {
          d.self()->send(risk, resume_trading{"backtest", trading_scope{}});
          d.run_idle();
          halted_for_warmup = false;
        }
        sample_marks(next_mark);
        next_mark += opts.mark_interval;
      }
      d.advance_to(t);
    };
    for (;;) {
      if (opts.speed > 0) {
        auto due = wall_start + std::chrono::nanoseconds(static_cast<int64_t>(
                                  static_cast<double>(f.time - t0) / opts.speed));
        std::this_thread::sleep_until(due);
      }
      advance(f.time);
      if (halted_for_warmup && f.time >= trading_from && risk) {
        d.self()->send(risk, resume_trading{"backtest", trading_scope{}});
        d.run_idle();
        halted_for_warmup = false;
      }
      auto feed = feed_of.find(f.venue);
      if (feed != feed_of.end() && feed->second) {
        caf::anon_send(feed->second, wire_frame{f.venue, std::move(f.text), f.time});
        d.run_idle();
        if (play->venue_done(f.venue)) {
          // Its books are no longer fed: they go stale, nothing trades on them.
          caf::anon_send(feed->second, stop_atom_v, f.time);
          d.run_idle();
        }
      }
      ++frames;
      last_time = f.time;
      if (!d.replaced.empty()) {
        for (auto& r : d.replaced)
          if (auto i = feed_names.find(r.name); i != feed_names.end())
            feed_of[i->second] = r.handle;
        d.replaced.clear();
      }
      d.drain();
      if (!play->next(f) || (opts.to != 0 && f.time > opts.to))
        break;
    }
    // Orders in flight settle, resting orders are cancelled, then the
    // books and feeds report.
    advance(last_time + opts.settle);
    for (auto& g : list_kind(d, h.directory, "gateway"))
      d.self()->send(g.handle, cancel_all_atom_v);
    advance(clock.now() + ns_per_s);
    d.drain();
    for (auto& b : list_kind(d, h.directory, "book")) {
      d.self()->send(b.handle, report_atom_v);
      d.run_idle();
      d.drain([&](book_report& r) { books.push_back(std::move(r)); });
    }
    for (auto& [v, feed] : feed_of) {
      d.self()->send(feed, report_atom_v);
      d.run_idle();
      d.drain([&](feed_report& r) { feeds.push_back(std::move(r)); });
    }
    d.self()->send_exit(h.root, caf::exit_reason::user_shutdown);
    d.run_idle();
    d.self()->send_exit(h.directory, caf::exit_reason::user_shutdown);
    d.run_idle();
    d.advance_to(clock.now() + 10 * ns_per_s); // timers of the dead, delivered to nobody
    d.drain();
  }
  res.wall_seconds =
    std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  res.frames_per_second = res.wall_seconds > 0 ? static_cast<double>(frames) / res.wall_seconds : 0;
  // -- the report, from the journal ------------------------------------------
  auto& in = res.inputs;
  for (auto& s : cfg.strategies)
    in.strategies.push_back(s.name);
  for (auto& v : cfg.venues)
    for (auto& s : v.replay.symbols)
      in.lots[{v.name, s.symbol}] = s.lot;
  in.equity = cfg.risk.equity.to_double();
  std::sort(books.begin(), books.end(), [](const book_report& a, const book_report& b) {
    return std::tie(a.venue, a.symbol) < std::tie(b.venue, b.symbol);
  });
  in.books = std::move(books);
  for (const auto& f : feeds) {
    in.funding_data = in.funding_data || f.funding_updates > 0;
    in.funding.insert(in.funding.end(), f.funding.begin(), f.funding.end());
  }
  std::stable_sort(in.funding.begin(), in.funding.end(),
                   [](const funding_event& a, const funding_event& b) { return a.time < b.time; });
  in.feeds = std::move(feeds);
  in.files = play->stats();
  in.marks = std::move(marks);
  in.frames = frames;
  in.start = t0;
  in.end = last_time;
  in.trading_from = trading_from;
  {
    journal::open_options o;
    o.path = journal_path;
    o.read_only = true;
    auto r = journal::db::open(o);
    if (!r.journal)
      return fail(write_failed, r.error);
    try {
      in.fills = r.journal->all_fills();
      journal::query q;
      q.limit = 0;
      in.orders = r.journal->orders(q);
      std::reverse(in.orders.begin(), in.orders.end());
      in.rejections = r.journal->rejections();
      in.signals = r.journal->signals(q);
      std::reverse(in.signals.begin(), in.signals.end());
    } catch (const journal::journal_error& e) {
      return fail(write_failed, journal_path + ": " + e.what());
    }
  }
  res.result = compute_report(in);
  if (opts.report_dir.empty()) {
    fs::remove_all(journal_dir, ec); // nobody asked to keep it
    res.journal_path.clear();
  }
  if (!opts.report_dir.empty()) {
    fs::path dir{opts.report_dir};
    auto perf = fmt::format("{{\n  \"frames\": {},\n  \"wall_seconds\": {:.6f},\n  "
                            "\"frames_per_second\": {:.0f},\n  \"events\": null\n}}\n",
                            frames, res.wall_seconds, res.frames_per_second);
    if (!write_file(dir / "report.json", to_json(res.result, in), &error)
        || !write_file(dir / "equity.csv", equity_csv(res.result), &error)
        || !write_file(dir / "trades.csv", trades_csv(res.result), &error)
        || !write_file(dir / "perf.json", perf, &error))
      return fail(write_failed, error);
    if (auto e = write_charts(res.result, in, dir.string()); !e.empty())
      return fail(write_failed, e);
  }
  log->info("backtest_done frames={} wall_s={:.3f} frames_per_s={:.0f} fills={}", frames,
            res.wall_seconds, res.frames_per_second, in.fills.size());
  return res;
}

} // namespace agora::backtest
