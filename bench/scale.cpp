// The whole service at scale: one sim venue with N symbols (S00001.., 10
// levels per side, a slow market step) and one mean-reversion strategy per
// symbol, started with start_service, for N = 1,000 and N = 10,000.
//
// Each N runs in its own child process (so RSS figures do not carry over)
// and prints:
//   (a) seconds from start until every book is fresh and every strategy is
//       started (polled through the directory's live graph),
//   (b) RSS before, after, and per symbol; steady-state CPU while idle
//       between market steps (the per-step work of exchange, feed, books and
//       strategies),
//   (c) the time for a halt to reach every strategy (and gateway): risk's
//       own broadcast -> last acknowledgement latency,
//   (d) the time to shut the tree down, and to tear the actor system down.
//
// Usage: scale                      runs N = 1000 and N = 10000
//        scale N [step_ms] [policy threads]   one run in this process
// Prints figures only; asserts nothing about time.

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/service/service.hpp"
#include "config/agora_config.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"

using namespace agora;

namespace {

using steady = std::chrono::steady_clock;

double secs_since(steady::time_point t0) {
  return std::chrono::duration<double>(steady::now() - t0).count();
}

/// VmRSS of this process in KiB (0 if unreadable).
long rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0)
      return std::strtol(line.c_str() + 6, nullptr, 10);
  return 0;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
         + static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string symbol_name(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "S%05zu", i);
  return buf;
}

config::agora_config make_config(size_t n, nanos step, const std::string& dir,
                                 const config::scheduler_config& sched) {
  auto paper = config::default_config();
  config::agora_config c;
  c.data_dir = dir;
  c.log_level = "warn";
  c.status_interval = 3'600 * ns_per_s;
  c.mode = run_mode::paper;
  c.scheduler = sched;
  c.control.port = 0;
  c.gateway = paper.gateway;
  c.risk = paper.risk;
  c.strategy_template = paper.strategy_template;
  config::venue_config v;
  v.name = venue_id{"sim"};
  v.kind = "sim";
  v.sim.step_interval = step;
  v.sim.default_symbol.depth = 10;
  v.sim.symbols.reserve(n);
  for (size_t i = 1; i <= n; ++i) {
    auto s = v.sim.default_symbol;
    s.symbol = symbol_id{symbol_name(i)};
    s.seed = i;
    v.sim.symbols.push_back(std::move(s));
  }
  c.venues.push_back(std::move(v));
  c.strategies.reserve(n);
  for (size_t i = 1; i <= n; ++i) {
    config::strategy_config sc;
    sc.name = "mr:" + symbol_name(i);
    sc.venue = venue_id{"sim"};
    sc.symbol = symbol_id{symbol_name(i)};
    sc.mode = run_mode::paper;
    sc.mean_reversion = c.strategy_template;
    c.strategies.push_back(std::move(sc));
  }
  return c;
}

/// What one look at the live graph says.
struct graph_counts {
  bool ok = false;
  size_t nodes = 0;
  size_t books = 0;
  size_t books_fresh = 0;
  uint64_t min_feeds = 0; ///< The fewest feed incarnations a book has followed.
  size_t strategies = 0;
  size_t strategies_started = 0; ///< Answered stats (their core exists).
  size_t strategies_halted = 0;
  size_t unresponsive = 0;
  uint64_t restarts = 0;
  uint64_t max_mailbox = 0;
  std::string max_mailbox_name;
  std::map<std::string, graph_node> singletons; ///< feed, exchange, gateway, risk, directory.
  double took_s = 0;
};

graph_counts look(caf::scoped_actor& self, const caf::actor& dir) {
  graph_counts c;
  auto t0 = steady::now();
  self->request(dir, std::chrono::seconds(30), graph_atom_v)
    .receive(
      [&](graph_report& g) {
        c.ok = true;
        c.nodes = g.nodes.size();
        for (auto& n : g.nodes) {
          c.restarts += n.restarts;
          if (n.mailbox > c.max_mailbox) {
            c.max_mailbox = n.mailbox;
            c.max_mailbox_name = n.name;
          }
          if (n.state == "unresponsive")
            ++c.unresponsive;
          if (n.kind == "book") {
            auto at = n.detail.find("feeds=");
            uint64_t feeds = at == std::string::npos
                               ? 0
                               : std::strtoull(n.detail.c_str() + at + 6, nullptr, 10);
            c.min_feeds = c.books == 0 ? feeds : std::min(c.min_feeds, feeds);
            ++c.books;
            if (n.state == "fresh")
              ++c.books_fresh;
          } else if (n.kind == "strategy") {
            ++c.strategies;
            if (n.state != "unresponsive" && n.state != "down")
              ++c.strategies_started;
            if (n.detail.find("trading=HALTED") != std::string::npos)
              ++c.strategies_halted;
          } else if (n.kind == "feed" || n.kind == "exchange"
                     || n.kind == "gateway" || n.kind == "risk"
                     || n.kind == "directory") {
            c.singletons[n.kind] = n;
          }
        }
      },
      [](caf::error&) {});
  c.took_s = secs_since(t0);
  return c;
}

/// Of the actors of a kind the directory lists, how many are ready.
struct ready_count {
  size_t listed = 0;
  size_t ready = 0;
};

std::vector<caf::actor> listed(caf::scoped_actor& self, const caf::actor& dir,
                               const std::string& kind) {
  std::vector<caf::actor> hs;
  self->request(dir, std::chrono::seconds(10), list_atom_v, kind)
    .receive(
      [&](std::vector<actor_entry>& es) {
        for (auto& e : es)
          hs.push_back(e.handle);
      },
      [](caf::error&) {});
  return hs;
}

/// Takes the answers of books (book_report) and strategies (actor_stats) to
/// plain sends, in arrival order (a request each would make every receive
/// scan the others), until `expected` of them counted (a handler returns
/// whether its answer counts) or 2 s pass without one.
void gather(caf::scoped_actor& self, size_t expected,
            const std::function<bool(book_report&)>& on_book,
            const std::function<bool(actor_stats&)>& on_stats) {
  bool timed_out = false;
  for (size_t got = 0; got < expected && !timed_out;)
    self->receive([&](book_report& r) { got += on_book(r) ? 1 : 0; },
                  [&](actor_stats& a) { got += on_stats(a) ? 1 : 0; },
                  caf::after(std::chrono::seconds(2)) >> [&] { timed_out = true; });
}

/// Asks every listed book for its report and every listed strategy for its
/// stats at once (see gather): books fresh, strategies whose core exists
/// (not "starting"). `want_books` and `want_strategies` pick what is asked.
std::pair<ready_count, ready_count> poll_ready(caf::scoped_actor& self, const caf::actor& dir,
                                               bool want_books, bool want_strategies) {
  ready_count books;
  ready_count strategies;
  size_t expected = 0;
  auto ask = [&](const char* kind, auto what, ready_count& c) {
    auto hs = listed(self, dir, kind);
    c.listed = hs.size();
    for (auto& h : hs)
      self->send(h, what);
    expected += hs.size();
  };
  if (want_books)
    ask("book", report_atom_v, books);
  if (want_strategies)
    ask("strategy", stats_atom_v, strategies);
  gather(
    self, expected,
    [&](book_report& r) {
      books.ready += r.fresh ? 1 : 0;
      return true;
    },
    [&](actor_stats& a) {
      strategies.ready += a.state != "starting" ? 1 : 0;
      return true;
    });
  return {books, strategies};
}

void print_singletons(const graph_counts& g) {
  for (auto& [kind, n] : g.singletons)
    std::printf("      %-9s state=%s mailbox=%llu processed=%llu %s\n",
                kind.c_str(), n.state.c_str(),
                static_cast<unsigned long long>(n.mailbox),
                static_cast<unsigned long long>(n.processed), n.detail.c_str());
}

int run_one(size_t n, nanos step, const config::scheduler_config& sched) {
  std::string err;
  if (!setup_logging("warn", "", &err)) {
    std::fprintf(stderr, "scale: %s\n", err.c_str());
    return 1;
  }
  char tmpl[] = "/tmp/agora-scale-XXXXXX";
  const char* tmp = mkdtemp(tmpl);
  if (!tmp) {
    std::fprintf(stderr, "scale: cannot create a temp dir\n");
    return 1;
  }
  const std::string data_dir = tmp;
  auto cfg = make_config(n, step, data_dir, sched);
  std::printf("N = %zu symbols + %zu strategies (depth 10, step %lld ms, "
              "scheduler %s x%zu%s)\n",
              n, n, static_cast<long long>(step / ns_per_ms),
              sched.policy.c_str(), sched.max_threads,
              sched.busy_poll ? " busy-poll" : "");
  const long rss_config = rss_kib();
  int rc = 0;
  steady::time_point teardown_start;
  {
    caf::actor_system_config sys_cfg;
    configure_actor_system(sys_cfg, cfg.scheduler);
    caf::actor_system sys{sys_cfg};
    caf::scoped_actor self{sys};
    const long rss_before = rss_kib();
    const auto t0 = steady::now();
    auto h = start_service(sys, cfg, service_options{"scale-bench-token", "", nullptr, {}});
    const double spawn_s = secs_since(t0);
    // (a) until every book is fresh and every strategy started, asked of
    // the books and strategies directly (the live graph, which asks every
    // actor and formats its details, takes about a second at 10,000).
    const auto limit = std::chrono::seconds(n >= 10'000 ? 100 : 60);
    double books_s = -1;
    double strategies_s = -1;
    ready_count bc;
    ready_count sc;
    size_t polls = 0;
    while (steady::now() - t0 < limit) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      ++polls;
      auto [b, st] = poll_ready(self, h.directory, books_s < 0, strategies_s < 0);
      if (books_s < 0) {
        bc = b;
        if (bc.listed == n && bc.ready == n)
          books_s = secs_since(t0);
      }
      if (strategies_s < 0) {
        sc = st;
        if (sc.listed == n && sc.ready == n)
          strategies_s = secs_since(t0);
      }
      if (books_s >= 0 && strategies_s >= 0)
        break;
    }
    const double ready_s = secs_since(t0);
    const long rss_ready = rss_kib();
    auto g = look(self, h.directory);
    std::printf("  (a) start_service returned after %.3f s\n", spawn_s);
    if (books_s >= 0 && strategies_s >= 0) {
      std::printf("      every book fresh after %.2f s, every strategy started "
                  "after %.2f s (%zu polls of every book and strategy; the "
                  "live graph then took %.3f s)\n",
                  books_s, strategies_s, polls, g.took_s);
    } else {
      std::printf("      NOT READY after %.1f s: books %zu/%zu fresh, "
                  "strategies %zu/%zu started\n",
                  ready_s, bc.ready, n, sc.ready, n);
      rc = 2;
    }
    std::printf("      graph: %zu nodes, restarts so far %llu, largest "
                "mailbox %llu (%s)\n",
                g.nodes, static_cast<unsigned long long>(g.restarts),
                static_cast<unsigned long long>(g.max_mailbox),
                g.max_mailbox_name.c_str());
    print_singletons(g);
    // (b) memory, and the steady-state cost of the market steps.
    std::printf("  (b) RSS: %.1f MiB with the config built, %.1f MiB with the "
                "actor system up, %.1f MiB when ready: +%.1f MiB = %.1f KiB per "
                "symbol (book + strategy + sim market)\n",
                static_cast<double>(rss_config) / 1024.0,
                static_cast<double>(rss_before) / 1024.0,
                static_cast<double>(rss_ready) / 1024.0,
                static_cast<double>(rss_ready - rss_before) / 1024.0,
                static_cast<double>(rss_ready - rss_before)
                  / static_cast<double>(n));
    {
      const int steps = 5;
      auto window = std::chrono::nanoseconds(step) * steps;
      auto c0 = cpu_seconds();
      auto w0 = steady::now();
      std::this_thread::sleep_for(window);
      auto c1 = cpu_seconds();
      double wall = secs_since(w0);
      double cpu = c1 - c0;
      std::printf("      steady state over %d steps (%.1f s): CPU %.1f%% of one "
                  "core = %.1f ms of CPU per market step = %.2f us per symbol "
                  "per step (exchange step + frame + parse + book + view + "
                  "strategy)\n",
                  steps, wall, 100.0 * cpu / wall,
                  1e3 * cpu / static_cast<double>(steps),
                  1e6 * cpu / static_cast<double>(steps) / static_cast<double>(n));
      auto g2 = look(self, h.directory);
      std::printf("      after that: restarts %llu, largest mailbox %llu (%s), "
                  "graph took %.3f s\n",
                  static_cast<unsigned long long>(g2.restarts),
                  static_cast<unsigned long long>(g2.max_mailbox),
                  g2.max_mailbox_name.c_str(), g2.took_s);
      print_singletons(g2);
    }
    // (e) the market-data connection drops: the feed fails, its supervisor
    // restarts it (alone), and every book follows the new feed (through
    // the directory) and resyncs from a snapshot. Done when every book is
    // fresh with one more snapshot than before, asked of the books directly
    // (the live graph costs about a second itself at 10,000 symbols).
    {
      caf::actor exchange;
      self->request(h.directory, std::chrono::seconds(10), lookup_atom_v,
                    std::string{"venue:sim/exchange"})
        .receive([&](caf::actor& a) { exchange = a; }, [](caf::error&) {});
      auto books = listed(self, h.directory, "book");
      // Every book's (fresh, resyncs), asked at once (see poll_ready).
      auto reports = [&] {
        std::map<std::string, std::pair<bool, uint64_t>> out;
        for (auto& b : books)
          self->send(b, report_atom_v);
        gather(
          self, books.size(),
          [&](book_report& r) {
            out[r.symbol.str()] = {r.fresh, r.resyncs};
            return true;
          },
          [](actor_stats&) { return false; }); // a late answer of an earlier poll
        return out;
      };
      if (exchange && books.size() == n) {
        auto before = reports();
        const auto restarts_before = g.restarts;
        const auto tf = steady::now();
        self->request(exchange, std::chrono::seconds(10),
                      inject_fault{"feed-drop", symbol_id{}, 0})
          .receive([](std::string&) {}, [](caf::error&) {});
        bool back = false;
        size_t polls = 0;
        size_t fresh_again = 0;
        const double limit_s = n >= 10'000 ? 60.0 : 30.0;
        while (secs_since(tf) < limit_s) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          auto now = reports();
          ++polls;
          fresh_again = 0;
          for (auto& [sym, r] : now) {
            auto b = before.find(sym);
            if (r.first && b != before.end() && r.second > b->second.second)
              ++fresh_again;
          }
          if (fresh_again == n) {
            back = true;
            break;
          }
        }
        const double took = secs_since(tf);
        auto gr = look(self, h.directory);
        if (back)
          std::printf("  (e) feed-drop: every one of %zu books followed the new "
                      "feed and is fresh again after %.3f s (backoff 200 ms "
                      "included; %zu polls of every book; restarts %llu, books "
                      "following their 2nd feed %s)\n",
                      n, took, polls,
                      static_cast<unsigned long long>(gr.restarts - restarts_before),
                      gr.min_feeds >= 2 ? "all" : "NOT all");
        else
          std::printf("  (e) feed-drop: NOT recovered after %.1f s: books "
                      "%zu/%zu fresh again, restarts %llu, %zu unresponsive, "
                      "largest mailbox %llu (%s)\n",
                      took, fresh_again, n,
                      static_cast<unsigned long long>(gr.restarts - restarts_before),
                      gr.unresponsive,
                      static_cast<unsigned long long>(gr.max_mailbox),
                      gr.max_mailbox_name.c_str());
        print_singletons(gr);
      }
    }
    // (c) halt: risk broadcasts; every strategy and gateway acknowledges.
    // Five halts (each resumed before the next), at moments spread over the
    // market step: one that lands while a step's work is queued waits for
    // the scheduler to get through it (one FIFO of ready actors).
    if (auto risk = well_known(sys, risk_name)) {
      // Until risk has no change left unacknowledged (directory listings
      // included): the last change's broadcast -> last ack, or -1.
      auto settle = [&](double bound_s) -> double {
        const auto t = steady::now();
        status_report r;
        while (secs_since(t) < bound_s) {
          self->request(risk, std::chrono::seconds(10), status_atom_v)
            .receive([&](status_report& x) { r = x; }, [](caf::error&) {});
          if (r.pending_acks == 0 && r.last_ack_latency > 0)
            return static_cast<double>(r.last_ack_latency) / 1e6;
          std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        return -1;
      };
      std::vector<double> acks;
      std::vector<double> answers;
      std::mt19937 rng{42};
      for (int k = 0; k < 5; ++k) {
        std::this_thread::sleep_for(std::chrono::milliseconds(
          std::uniform_int_distribution<int>{0, static_cast<int>(step / ns_per_ms)}(rng)));
        const auto th = steady::now();
        self->request(risk, std::chrono::seconds(10), halt_trading{"scale bench", "bench"})
          .receive([](std::string&) {}, [](caf::error&) {});
        answers.push_back(secs_since(th) * 1e3);
        acks.push_back(settle(20.0));
        if (acks.back() < 0)
          break;
        self->request(risk, std::chrono::seconds(10), resume_trading{"bench"})
          .receive([](std::string&) {}, [](caf::error&) {});
        if (settle(20.0) < 0)
          break;
      }
      std::string line;
      bool all = acks.size() == 5;
      for (size_t k = 0; k < acks.size(); ++k) {
        all = all && acks[k] >= 0;
        char buf[64];
        std::snprintf(buf, sizeof(buf), "%s%.1f", k ? ", " : "", acks[k]);
        line += buf;
      }
      auto sorted = acks;
      std::sort(sorted.begin(), sorted.end());
      if (all)
        std::printf("  (c) halt x5: risk's broadcast -> last ack of every strategy and "
                    "gateway = %s ms (min %.1f, median %.1f, max %.1f; risk answered the "
                    "halt within %.1f ms at most)\n",
                    line.c_str(), sorted.front(), sorted[2], sorted.back(),
                    *std::max_element(answers.begin(), answers.end()));
      else {
        std::printf("  (c) halt: NOT all acknowledged within 20 s (%s ms)\n", line.c_str());
        rc = 2;
      }
      // The last halt stays: the tree shuts down halted.
      self->request(risk, std::chrono::seconds(10), halt_trading{"scale bench", "bench"})
        .receive([](std::string&) {}, [](caf::error&) {});
      settle(20.0);
      auto g3 = look(self, h.directory);
      std::printf("      strategies reporting trading=halted: %zu/%zu\n",
                  g3.strategies_halted, n);
    } else {
      std::printf("  (c) halt: risk is not in the registry\n");
      rc = 2;
    }
    // (d) shut down the way `agora run` does (graceful_shutdown: halt,
    // cancel everything, stop the root, stop the directory), then destroy
    // the actor system (waits until every actor is gone).
    {
      const auto ts = steady::now();
      graceful_shutdown(sys, h);
      std::printf("  (d) shutdown: graceful_shutdown returned after %.1f ms\n",
                  secs_since(ts) * 1e3);
    }
    teardown_start = steady::now();
  }
  const double teardown_s = secs_since(teardown_start);
  std::printf("      actor system destroyed (every actor gone, threads joined) "
              "%.1f ms later; RSS after teardown %.1f MiB\n",
              teardown_s * 1e3, static_cast<double>(rss_kib()) / 1024.0);
  std::error_code ec;
  std::filesystem::remove_all(data_dir, ec);
  flush_logs();
  return rc;
}

/// Runs `self_path args...` as a child process; returns its exit status.
int run_child(const std::vector<std::string>& args) {
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status))
    return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

} // namespace

int main(int argc, char** argv) {
  config::scheduler_config sched; // Agora's default: sharing, one thread
  nanos step = 1'000 * ns_per_ms;
  if (argc >= 2) {
    size_t n = std::strtoull(argv[1], nullptr, 10);
    if (argc >= 3)
      step = std::strtoll(argv[2], nullptr, 10) * ns_per_ms;
    if (argc >= 5) {
      sched.policy = argv[3];
      sched.max_threads = std::strtoull(argv[4], nullptr, 10);
    }
    if (n == 0 || step <= 0 || sched.max_threads == 0) {
      std::fprintf(stderr, "usage: scale [N [step_ms [policy threads]]]\n");
      return 2;
    }
    return run_one(n, step, sched);
  }
  std::printf("scale: the whole service (start_service) on one sim venue; "
              "each N in its own process\n\n");
  for (size_t n : {size_t{1'000}, size_t{10'000}}) {
    const auto t0 = steady::now();
    int rc = run_child({argv[0], std::to_string(n)});
    std::printf("  -> N = %zu: child exit status %d, %.1f s in all\n\n", n, rc,
                secs_since(t0));
  }
  return 0;
}
