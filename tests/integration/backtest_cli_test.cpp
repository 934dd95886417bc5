// `agora backtest` as a user runs it: help, bad arguments, a parameter sweep.

#include <filesystem>
#include <string>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "harness.hpp"
#include "processes.hpp"

using namespace agora::itest;

namespace {

namespace fs = std::filesystem;

/// Runs `agora ARGS...` to its end (bounded); the exit code and its output.
int run_agora(std::vector<std::string> args, std::string* output, milliseconds bound = 60s) {
  auto dir = fs::temp_directory_path() / ("agora-backtest-cli-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto log = (dir / "out.log").string();
  fs::remove(log);
  args.insert(args.begin(), agora_binary());
  int code = 0;
  {
    child_process p{args, log};
    code = p.stop(0, bound); // signal 0: only wait for it
  }
  *output = read_file(log);
  return code;
}

const std::string source = AGORA_SOURCE_DIR;

} // namespace

TEST_CASE("agora backtest --help answers with its usage and exit codes", "[backtest]") {
  std::string out;
  CHECK(run_agora({"backtest", "--help"}, &out) == 0);
  CHECK(out.find("usage: agora --config FILE backtest") != std::string::npos);
  CHECK(out.find("exit codes") != std::string::npos);
  CHECK(run_agora({"backtest", "--speed", "fast"}, &out) == 2);
  CHECK(out.find("--speed") != std::string::npos);
  CHECK(run_agora({"backtest", "--data", "x.gz"}, &out) == 2); // no --config
  CHECK(out.find("--config") != std::string::npos);
  CHECK(run_agora({"--config", source + "/config/backtest-eth.json", "backtest", "--data",
                   "/nonexistent/x.gz"},
                  &out)
        == 3);
  CHECK(out.find("/nonexistent/x.gz") != std::string::npos);
  CHECK(run_agora({"--config", source + "/config/paper.json", "run", "--help"}, &out) == 0);
}

TEST_CASE("a parameter sweep runs every point and prints one sorted table", "[backtest]") {
  auto dir = fs::temp_directory_path() / ("agora-sweep-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string out;
  int code = run_agora({"--config", source + "/config/backtest-eth.json", "backtest", "--data",
                        source + "/tests/data/recorded/spot_ethusdt_20240808.gz", "--to",
                        "2024-08-08T23:56:30Z", "--set", "strategy_template.entry_z=1.0,1.5",
                        "--set", "strategy_template.window=30", "--jobs", "2", "--report",
                        dir.string()},
                       &out, 120s);
  INFO(out);
  REQUIRE(code == 0);
  CHECK(out.find("sweep of 2 points") != std::string::npos);
  CHECK(out.find("strategy_template.entry_z=1.0,strategy_template.window=30") != std::string::npos);
  CHECK(out.find("strategy_template.entry_z=1.5,strategy_template.window=30") != std::string::npos);
  CHECK(out.find("sorted by net_pnl") != std::string::npos);
  for (auto point : {"strategy_template.entry_z=1.0,strategy_template.window=30",
                     "strategy_template.entry_z=1.5,strategy_template.window=30"})
    for (auto file : {"report.json", "report.html", "equity.png", "journal.db"})
      CHECK(fs::exists(dir / point / file));
  // A key the config does not have is refused before anything runs.
  CHECK(run_agora({"--config", source + "/config/backtest-eth.json", "backtest", "--data",
                   source + "/tests/data/recorded/spot_ethusdt_20240808.gz", "--set",
                   "strategy_template.no_such_key=1"},
                  &out)
        == 2);
  CHECK(out.find("no_such_key") != std::string::npos);
  fs::remove_all(dir);
}
