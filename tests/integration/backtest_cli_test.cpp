// `agora backtest` as a user runs it: help, bad arguments, a parameter sweep.

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "harness.hpp"
#include "processes.hpp"

using namespace agora;
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

TEST_CASE("agora record against exchange-sim writes what agora backtest replays", "[backtest]") {
  temp_dir xdir;
  temp_dir run;
  exchange_sim x{xdir.path()};
  auto cfg_path = run.path() + "/record.json";
  {
    std::ofstream f(cfg_path);
    f << with_data_dir(x.config("", "[]"), run.path() + "/data");
  }
  auto rec_dir = run.path() + "/rec";
  std::string out;
  int code = run_agora({"--config", cfg_path, "record", "--out", rec_dir, "--seconds", "4"}, &out,
                       60s);
  INFO(out);
  REQUIRE(code == 0);
  CHECK(out.find("messages recorded into") != std::string::npos);
  std::vector<std::string> data;
  for (const auto& e : fs::directory_iterator(rec_dir)) {
    auto name = e.path().filename().string();
    auto dash = name.find('-', 3); // bn-spot-YYYYMMDD-HH.gz
    REQUIRE(dash != std::string::npos);
    data.push_back(name.substr(0, dash) + "=" + e.path().string());
  }
  REQUIRE(data.size() == 2); // bn-spot and bn-usdm, one hour each
  auto bt = run.path() + "/backtest.json";
  {
    std::ofstream f(bt);
    f << R"({ "log_level": "warn", "data_dir": ")" << run.path() << R"(/bt",
      "venues": [
        { "name": "bn-spot", "kind": "replay", "replay": { "market": "spot", "symbols": [
          { "symbol": "BTCUSDT", "tick": "0.01", "lot": "0.00001", "min_notional": "5" },
          { "symbol": "ETHUSDT", "tick": "0.01", "lot": "0.0001", "min_notional": "5" } ] } },
        { "name": "bn-usdm", "kind": "replay", "replay": { "market": "usdm", "symbols": [
          { "symbol": "BTCUSDT", "tick": "0.1", "lot": "0.001", "min_notional": "100" } ] } } ],
      "strategies": [ { "venue": "bn-spot", "symbol": "BTCUSDT" } ] })";
  }
  std::vector<std::string> args{"--config", bt, "backtest", "--data"};
  args.insert(args.end(), data.begin(), data.end());
  args.insert(args.end(), {"--report", run.path() + "/report"});
  code = run_agora(args, &out, 60s);
  INFO(out);
  REQUIRE(code == 0);
  auto report = read_file(run.path() + "/report/report.json");
  auto doc = parse_json(report);
  REQUIRE(doc->ok);
  auto* books = json::get_array(doc->doc, "books");
  REQUIRE(books);
  REQUIRE(books->Size() == 3);
  for (const auto& b : books->GetArray()) {
    INFO(report);
    CHECK(json::get_u64(b, "resyncs").value_or(0) >= 1); // a recorded snapshot synced it
    CHECK(json::get_u64(b, "diffs_applied").value_or(0) > 10);
    // In sync when the data ended: a gap the live feed saw (a loaded
    // machine) was repaired from the snapshot it fetched and recorded.
    CHECK(std::string{json::get_string(b, "stale_reason").value_or("")}.rfind("feed_lost", 0) == 0);
    CHECK(json::get_u64(b, "gaps").value_or(99) < json::get_u64(b, "resyncs").value_or(0));
  }
}

TEST_CASE("agora record answers --help and refuses an unwritable folder and bad arguments",
          "[backtest]") {
  std::string out;
  CHECK(run_agora({"record", "--help"}, &out) == 0);
  CHECK(out.find("exit codes") != std::string::npos);
  CHECK(run_agora({"record", "--out", "/proc/agora-no"}, &out) == 4);
  CHECK(out.find("/proc/agora-no") != std::string::npos);
  CHECK(run_agora({"record", "--seconds", "x"}, &out) == 2);
}
