// agora: the service (`agora run`) and its command-line client.

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <utility>
#include <cstdio>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include "actors/control/control_actor.hpp"
#include "actors/service/service.hpp"
#include "app/cli.hpp"
#include "config/config_loader.hpp"
#include "messages/type_ids.hpp"
#include "venues/common/actor_support.hpp"
#include "venues/common/logging.hpp"
#include "venues/replay/recorder_actor.hpp"

namespace {

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void on_signal(int) { stop_requested = 1; }

using namespace agora;

/// What `agora record` adds to running the service.
struct record_mode {
  bool on = false;
  nanos seconds = 0;                 ///< Stop after this long (0: at a signal).
  nanos first_data = 15 * ns_per_s;  ///< No frame recorded by then: exit 3.
};

std::optional<config::agora_config> load_config(const std::string& config_path) {
  config::agora_config cfg = config::default_config();
  if (!config_path.empty()) {
    auto loaded = config::load_config_file(config_path);
    if (auto* e = std::get_if<config::config_error>(&loaded)) {
      std::fprintf(stderr, "agora: %s\n", config::to_string(*e).c_str());
      return std::nullopt;
    }
    cfg = std::get<config::agora_config>(loaded);
  }
  return cfg;
}

/// The recorder's lines written and whether it is failing (its stats).
std::pair<uint64_t, std::string> recorder_progress(caf::actor_system& sys,
                                                   caf::scoped_actor& self) {
  std::pair<uint64_t, std::string> out{0, ""};
  if (auto rec = well_known(sys, replay::recorder_name))
    self->request(rec, std::chrono::seconds(1), stats_atom_v)
      .receive(
        [&](actor_stats& s) {
          out.first = s.processed;
          if (s.state == "failing")
            out.second = s.detail;
        },
        [](caf::error&) {});
  return out;
}

int run_service(config::agora_config cfg, const record_mode& rec = {}) {
  for (const auto& v : cfg.venues)
    if (v.kind == "replay") {
      std::fprintf(stderr,
                   "agora: venue '%s' is of kind \"replay\": recorded data plays only under "
                   "`agora backtest` (see agora backtest --help)\n",
                   v.name.str().c_str());
      return 2;
    }
  std::string error;
  if (!setup_logging(cfg.log_level, cfg.log_file, &error)) {
    std::fprintf(stderr, "agora: %s\n", error.c_str());
    return 2;
  }
  auto log = logger("service");
  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec) {
    std::fprintf(stderr, "agora: cannot create data_dir '%s': %s\n",
                 cfg.data_dir.c_str(), ec.message().c_str());
    return 2;
  }
  std::string token;
  if (!load_or_create_token(config::token_file_path(cfg), &token, &error)) {
    std::fprintf(stderr, "agora: %s\n", error.c_str());
    return 2;
  }
  auto credentials = load_venue_credentials(cfg);
  if (!credentials) {
    std::fprintf(stderr, "agora: %s\n", caf::to_string(credentials.error()).c_str());
    return 2;
  }
  // No amnesia: a journal that cannot be opened and written stops the
  // service here, before anything could trade.
  if (auto bad = check_risk_calendar(cfg)) {
    std::fprintf(stderr, "agora: refusing to start: %s\n", bad->c_str());
    return 2;
  }
  auto run = prepare_journal(cfg);
  if (!run.error.empty()) {
    std::fprintf(stderr, "agora: refusing to start: %s\n", run.error.c_str());
    return 2;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  caf::actor_system_config sys_cfg;
  configure_actor_system(sys_cfg, cfg.scheduler);
  int exit_code = 0;
  {
    caf::actor_system sys{sys_cfg};
    log->info("service_starting mode={} venues={} strategies={} data_dir={} "
              "scheduler={} threads={} control={}:{}",
              cfg.mode, cfg.venues.size(), cfg.strategies.size(), cfg.data_dir,
              cfg.scheduler.policy, cfg.scheduler.max_threads,
              cfg.control.address, cfg.control.port);
    service_options opts;
    opts.token = token;
    opts.port_file = cfg.data_dir + "/control.port";
    opts.credentials = std::move(*credentials);
    opts.run = run.run;
    opts.intent_warnings = run.intent_warnings;
    log->info("journal_ready path={} run={} intents_replayed_orders={} "
              "intents_replayed_fills={}",
              config::journal_file_path(cfg), run.run, run.replayed_orders, run.replayed_fills);
    auto h = start_service(sys, cfg, std::move(opts));
    caf::scoped_actor self{sys};
    self->monitor(h.root);
    bool running = true;
    auto started = default_clock().now();
    nanos last_check = started;
    while (running) {
      if (rec.on && default_clock().now() - last_check >= ns_per_s) {
        last_check = default_clock().now();
        auto [lines, failing] = recorder_progress(sys, self);
        auto elapsed = last_check - started;
        if (!failing.empty()) {
          std::fprintf(stderr, "agora record: recording failed: %s\n", failing.c_str());
          exit_code = 4;
        } else if (lines == 0 && elapsed >= rec.first_data) {
          std::fprintf(stderr,
                       "agora record: no market data from any venue in %lld s: check the "
                       "venues' URLs (and that they are reachable)\n",
                       static_cast<long long>(elapsed / ns_per_s));
          exit_code = 3;
        } else if (rec.seconds > 0 && elapsed >= rec.seconds) {
          std::printf("agora record: %llu messages recorded into %s\n",
                      static_cast<unsigned long long>(lines), cfg.record.dir.c_str());
          stop_requested = 1;
        }
        if (exit_code != 0) {
          self->demonitor(h.root);
          graceful_shutdown(sys, h);
          break;
        }
      }
      self->receive(
        [&](caf::down_msg& msg) {
          log->critical("service_failed reason=\"{}\": the supervision tree "
                        "gave up; exiting for the service manager to restart",
                        sys.render(msg.reason));
          exit_code = 1;
          running = false;
        },
        caf::after(std::chrono::milliseconds(200)) >> [&] {
          if (stop_requested) {
            log->info("service_stopping signal received");
            self->demonitor(h.root);
            graceful_shutdown(sys, h);
            running = false;
          }
        });
    }
    if (exit_code != 0)
      self->send_exit(h.directory, caf::exit_reason::user_shutdown);
    log->info("service_stopped exit_code={}", exit_code);
    flush_logs();
  }
  flush_logs();
  return exit_code;
}

} // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args{argv + 1, argv + argc};
  std::string config_path;
  std::vector<std::string> rest;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config") {
      if (i + 1 >= args.size()) {
        std::fprintf(stderr, "agora: --config needs a file\n");
        return 2;
      }
      config_path = args[++i];
    } else if (args[i].rfind("--config=", 0) == 0) {
      config_path = args[i].substr(9);
    } else {
      rest.push_back(args[i]);
    }
  }
  if (rest.empty() || rest[0] == "--help" || rest[0] == "-h"
      || rest[0] == "help") {
    agora::cli::print_usage();
    return rest.empty() ? 2 : 0;
  }
  if (rest[0] == "--version") {
    std::printf("agora 0.1.0\n");
    return 0;
  }
  auto command = rest[0];
  rest.erase(rest.begin());
  if (command == "record") {
    record_mode rec;
    rec.on = true;
    std::string out, rotate;
    for (size_t i = 0; i < rest.size(); ++i) {
      const auto& a = rest[i];
      auto value = [&]() -> const std::string* {
        if (i + 1 >= rest.size()) {
          std::fprintf(stderr, "agora record: %s needs a value (see agora record --help)\n",
                       a.c_str());
          return nullptr;
        }
        return &rest[++i];
      };
      if (a == "--help" || a == "-h") {
        std::printf(
          "usage: agora [--config FILE] record [--out DIR] [--rotate hour|day] [--seconds N]\n\n"
          "Records every venue's raw market data (each frame as received, and every REST\n"
          "depth snapshot a book fetched) into gzip files DIR/<venue>-YYYYMMDD-HH.gz, one\n"
          "line \"<receive ns> <raw JSON>\" a message, flushed every second: what\n"
          "`agora backtest` replays. Runs the config's venues with no strategy; Binance\n"
          "venues read public streams only (no key). Stops at SIGINT/SIGTERM or after N s.\n"
          "Without --config: the embedded sim venue. DIR defaults to the config's\n"
          "record.dir, else \"recordings\".\n\n"
          "exit codes: 0 stopped, 1 the tree gave up, 2 bad arguments or configuration,\n"
          "3 no market data from any venue within 15 s, 4 the folder cannot be written\n"
          "(unwritable, full disk)\n");
        return 0;
      } else if (a == "--out") {
        auto v = value();
        if (!v)
          return 2;
        out = *v;
      } else if (a == "--rotate") {
        auto v = value();
        if (!v)
          return 2;
        if (*v != "hour" && *v != "day") {
          std::fprintf(stderr, "agora record: --rotate: expected hour or day, got '%s'\n",
                       v->c_str());
          return 2;
        }
        rotate = *v;
      } else if (a == "--seconds") {
        auto v = value();
        if (!v)
          return 2;
        char* end = nullptr;
        double secs = std::strtod(v->c_str(), &end);
        if (end == v->c_str() || *end != '\0' || !(secs > 0) || secs > 1e7) {
          std::fprintf(stderr, "agora record: --seconds: expected a number > 0, got '%s'\n",
                       v->c_str());
          return 2;
        }
        rec.seconds = static_cast<nanos>(secs * ns_per_s);
      } else {
        std::fprintf(stderr, "agora record: unknown argument '%s' (see agora record --help)\n",
                     a.c_str());
        return 2;
      }
    }
    auto cfg = load_config(config_path);
    if (!cfg)
      return 2;
    if (!out.empty())
      cfg->record.dir = out;
    if (cfg->record.dir.empty())
      cfg->record.dir = "recordings";
    if (!rotate.empty())
      cfg->record.rotate = rotate;
    // Recording only: no strategy trades, and Binance venues need no key.
    cfg->strategies.clear();
    cfg->mode = run_mode::paper;
    for (auto& v : cfg->venues)
      if (v.kind == "binance") {
        v.binance.orders = "paper";
        v.binance.live = false;
      }
    std::error_code ec;
    std::filesystem::create_directories(cfg->record.dir, ec);
    auto probe = std::filesystem::path{cfg->record.dir} / ".agora-write-test";
    std::FILE* f = ec ? nullptr : std::fopen(probe.c_str(), "wb");
    if (f == nullptr) {
      std::fprintf(stderr, "agora record: cannot write into '%s': %s\n", cfg->record.dir.c_str(),
                   ec ? ec.message().c_str() : std::strerror(errno));
      return 4;
    }
    std::fclose(f);
    std::filesystem::remove(probe, ec);
    return run_service(std::move(*cfg), rec);
  }
  if (command == "run") {
    if (rest.size() == 1 && (rest[0] == "--help" || rest[0] == "-h")) {
      std::printf("usage: agora [--config FILE] run\n\n"
                  "Runs the service in the foreground (SIGINT/SIGTERM stop it gracefully).\n"
                  "Without --config: paper trading on the embedded sim exchange.\n"
                  "exit codes: 0 stopped, 1 the supervision tree gave up, 2 bad configuration\n"
                  "or a journal, token or calendar that cannot be used\n");
      return 0;
    }
    if (!rest.empty()) {
      std::fprintf(stderr, "agora: 'run' takes no arguments besides --config\n");
      return 2;
    }
    auto cfg = load_config(config_path);
    if (!cfg)
      return 2;
    return run_service(std::move(*cfg));
  }
  if (command == "exchange-sim")
    return agora::cli::run_exchange_sim(rest);
  if (command == "backtest")
    return agora::cli::run_backtest(rest, config_path);
  return agora::cli::run_client(command, rest, config_path);
}
