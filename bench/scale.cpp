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

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
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
    // (a) until every book is fresh and every strategy started.
    const auto limit = std::chrono::seconds(n >= 10'000 ? 100 : 60);
    double books_s = -1;
    double strategies_s = -1;
    graph_counts g;
    size_t polls = 0;
    while (steady::now() - t0 < limit) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      g = look(self, h.directory);
      ++polls;
      if (!g.ok)
        continue;
      if (books_s < 0 && g.books == n && g.books_fresh == n)
        books_s = secs_since(t0);
      if (strategies_s < 0 && g.strategies == n && g.strategies_started == n)
        strategies_s = secs_since(t0);
      if (books_s >= 0 && strategies_s >= 0)
        break;
    }
    const double ready_s = secs_since(t0);
    const long rss_ready = rss_kib();
    std::printf("  (a) start_service returned after %.3f s\n", spawn_s);
    if (books_s >= 0 && strategies_s >= 0) {
      std::printf("      every book fresh after %.2f s, every strategy started "
                  "after %.2f s (graph polled %zu times; the last poll took "
                  "%.3f s)\n",
                  books_s, strategies_s, polls, g.took_s);
    } else {
      std::printf("      NOT READY after %.1f s: books %zu/%zu fresh, "
                  "strategies %zu/%zu started, %zu unresponsive\n",
                  ready_s, g.books_fresh, n, g.strategies_started, n,
                  g.unresponsive);
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
    // (rest_for_one) restarts the feed and every book; strategies find the
    // new books through the directory.
    {
      caf::actor exchange;
      self->request(h.directory, std::chrono::seconds(10), lookup_atom_v,
                    std::string{"venue:sim/exchange"})
        .receive([&](caf::actor& a) { exchange = a; }, [](caf::error&) {});
      if (exchange) {
        const auto tf = steady::now();
        self->request(exchange, std::chrono::seconds(10),
                      inject_fault{"feed-drop", symbol_id{}, 0})
          .receive([](std::string&) {}, [](caf::error&) {});
        const auto before = g.restarts;
        graph_counts gr;
        bool back = false;
        const double limit_s = n >= 10'000 ? 60.0 : 30.0;
        while (secs_since(tf) < limit_s) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
          gr = look(self, h.directory);
          if (gr.ok && gr.restarts >= before + n + 1 && gr.books == n
              && gr.books_fresh == n) {
            back = true;
            break;
          }
        }
        const double took = secs_since(tf);
        if (back)
          std::printf("  (e) feed-drop: feed + %zu books restarted and every "
                      "book fresh again after %.2f s (restarts %llu; backoff "
                      "200 ms included; last graph poll %.3f s)\n",
                      n, took,
                      static_cast<unsigned long long>(gr.restarts - before),
                      gr.took_s);
        else
          std::printf("  (e) feed-drop: NOT recovered after %.1f s: books "
                      "%zu/%zu fresh, restarts %llu, %zu unresponsive, "
                      "largest mailbox %llu (%s)\n",
                      took, gr.books_fresh, n,
                      static_cast<unsigned long long>(gr.restarts - before),
                      gr.unresponsive,
                      static_cast<unsigned long long>(gr.max_mailbox),
                      gr.max_mailbox_name.c_str());
        print_singletons(gr);
      }
    }
    // (c) halt: risk broadcasts; every strategy and gateway acknowledges.
    if (auto risk = well_known(sys, risk_name)) {
      const auto th = steady::now();
      std::string answer;
      self->request(risk, std::chrono::seconds(10),
                    halt_trading{"scale bench", "bench"})
        .receive([&](std::string& s) { answer = s; },
                 [&](caf::error& e) { answer = "error: " + sys.render(e); });
      const double answered_s = secs_since(th);
      status_report r;
      bool done = false;
      while (secs_since(th) < 20.0) {
        self->request(risk, std::chrono::seconds(10), status_atom_v)
          .receive([&](status_report& x) { r = x; }, [](caf::error&) {});
        if (r.state_epoch >= 1 && r.pending_acks == 0 && r.last_ack_latency > 0) {
          done = true;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      const double observed_s = secs_since(th);
      if (done) {
        std::printf("  (c) halt: risk answered \"%s\" after %.2f ms; every "
                    "strategy and gateway acknowledged: risk's broadcast -> "
                    "last ack = %.2f ms (observed by polling: %.2f ms)\n",
                    answer.c_str(), answered_s * 1e3,
                    static_cast<double>(r.last_ack_latency) / 1e6,
                    observed_s * 1e3);
      } else {
        std::printf("  (c) halt: NOT all acknowledged after %.1f s (answer "
                    "\"%s\", epoch %llu, pending_acks %llu, last_ack_latency "
                    "%lld ns; risk gives up on acks after 3 s)\n",
                    observed_s, answer.c_str(),
                    static_cast<unsigned long long>(r.state_epoch),
                    static_cast<unsigned long long>(r.pending_acks),
                    static_cast<long long>(r.last_ack_latency));
        rc = 2;
      }
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
