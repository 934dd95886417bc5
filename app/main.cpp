// agora: the service (`agora run`) and its command-line client.

#include <csignal>
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

namespace {

volatile std::sig_atomic_t stop_requested = 0;

extern "C" void on_signal(int) { stop_requested = 1; }

using namespace agora;

int run_service(const std::string& config_path) {
  config::agora_config cfg = config::default_config();
  if (!config_path.empty()) {
    auto loaded = config::load_config_file(config_path);
    if (auto* e = std::get_if<config::config_error>(&loaded)) {
      std::fprintf(stderr, "agora: %s\n", config::to_string(*e).c_str());
      return 2;
    }
    cfg = std::get<config::agora_config>(loaded);
  }
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
    log->info("journal_ready path={} run={}", config::journal_file_path(cfg), run.run);
    auto h = start_service(sys, cfg, std::move(opts));
    caf::scoped_actor self{sys};
    self->monitor(h.root);
    bool running = true;
    while (running) {
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
    return run_service(config_path);
  }
  if (command == "exchange-sim")
    return agora::cli::run_exchange_sim(rest);
  if (command == "backtest")
    return agora::cli::run_backtest(rest, config_path);
  return agora::cli::run_client(command, rest, config_path);
}
