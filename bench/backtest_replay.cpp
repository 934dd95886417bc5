// Backtest throughput on the sample recording (tests/data/recorded/: Binance
// ETHUSDT spot, two files, and USD-M, 154,399 messages over 651 s).
//
// Three figures per round, all on the same files:
//   read     gzip decompression and line splitting alone (recording_reader);
//   ceiling  read + the Binance codec (parse_stream / parse_depth_snapshot)
//            + order_book apply per symbol, no actors: what the engine
//            could at best do with one core;
//   backtest `agora backtest`'s whole path: read, the replay feeds (same
//            codec), book actors, 4 strategies (mean reversion on spot, two
//            thresholds; on the perpetual; basis arbitrage across them), risk,
//            gateways, paper entries (the matcher) and the journal (SQLite,
//            sync normal), on CAF's deterministic scheduler and a virtual clock.
// Prints frames/s and the backtest's share of the ceiling, median of the
// rounds (argument 1, default 3), and max RSS. Asserts nothing about time.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "actors/backtest/backtest.hpp"
#include "actors/book/order_book.hpp"
#include "config/config_loader.hpp"
#include "venues/binance/codec.hpp"
#include "venues/common/logging.hpp"
#include "venues/replay/recording.hpp"

using namespace agora;

namespace {

using clock_type = std::chrono::steady_clock;

struct sample_file {
  std::string path;
  binance::market m;
};

std::vector<sample_file> sample_files() {
  std::string dir = std::string{AGORA_SOURCE_DIR} + "/tests/data/recorded/";
  return {{dir + "spot_ethusdt_20240808.gz", binance::market::spot},
          {dir + "spot_ethusdt_20240809.gz", binance::market::spot},
          {dir + "usdm_ethusdt_20240808.gz", binance::market::usdm}};
}

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

/// Reads every file; with `apply`, parses each line and keeps one book per
/// market as the replay feed and book actors would. Returns frames.
struct market_book {
  order_book book;
  std::vector<book_delta> buffered;
  bool synced = false;
};

uint64_t read_files(bool apply, uint64_t* applied) {
  uint64_t frames = 0;
  std::map<binance::market, market_book> books; // spot's two files continue one book
  for (const auto& f : sample_files()) {
    std::string error;
    auto r = replay::recording_reader::open(f.path, &error);
    if (!r) {
      std::fprintf(stderr, "backtest_replay: %s\n", error.c_str());
      std::exit(1);
    }
    auto& [book, buffered, synced] = books[f.m];
    venue_id venue{binance::to_string(f.m)};
    symbol_id symbol{"ETHUSDT"};
    replay::recorded_line l;
    while (r->next(l) == replay::read_status::line) {
      ++frames;
      if (!apply)
        continue;
      if (replay::classify(l.text).kind == replay::line_kind::snapshot) {
        if (synced)
          continue;
        auto snap = binance::parse_depth_snapshot(l.text, venue, symbol, l.local_time);
        if (!snap)
          continue;
        book.load(*snap);
        synced = true;
        for (auto& d : buffered)
          *applied += book.apply(d) == apply_status::applied ? 1 : 0;
        buffered.clear();
        continue;
      }
      auto e = binance::parse_stream(l.text, f.m, venue, l.local_time);
      if (!e)
        continue;
      if (auto* d = std::get_if<book_delta>(&*e)) {
        if (!synced)
          buffered.push_back(std::move(*d));
        else
          *applied += book.apply(*d) == apply_status::applied ? 1 : 0;
      }
    }
  }
  return frames;
}

config::agora_config bench_config() {
  auto loaded = config::load_config_file(std::string{AGORA_SOURCE_DIR}
                                         + "/config/backtest-eth.json");
  if (auto* e = std::get_if<config::config_error>(&loaded)) {
    std::fprintf(stderr, "backtest_replay: %s\n", config::to_string(*e).c_str());
    std::exit(1);
  }
  auto cfg = std::get<config::agora_config>(loaded);
  // A fourth strategy: mean reversion on spot with a lower entry threshold.
  auto extra = cfg.strategies.front();
  extra.name = "mr-fast:spot:ETHUSDT";
  extra.mean_reversion.entry_z = 1.0;
  cfg.strategies.push_back(extra);
  return cfg;
}

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  std::string error;
  setup_logging("error", "", &error);
  auto cfg = bench_config();
  auto dir = std::filesystem::temp_directory_path() / "agora-bench-backtest";
  std::vector<double> read_fps, ceiling_fps, backtest_fps;
  uint64_t frames = 0, applied = 0, fills = 0;
  for (int i = 0; i < rounds; ++i) {
    auto t = clock_type::now();
    frames = read_files(false, &applied);
    read_fps.push_back(static_cast<double>(frames) / seconds_since(t));
    applied = 0;
    t = clock_type::now();
    read_files(true, &applied);
    ceiling_fps.push_back(static_cast<double>(frames) / seconds_since(t));
    backtest::backtest_options o;
    for (const auto& f : sample_files())
      o.data.push_back(f.path);
    o.report_dir = dir.string();
    auto r = backtest::run_backtest(cfg, o);
    if (r.code != backtest::ok) {
      std::fprintf(stderr, "backtest_replay: %s\n", r.error.c_str());
      return 1;
    }
    backtest_fps.push_back(r.frames_per_second);
    fills = r.inputs.fills.size();
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double ceiling = median(ceiling_fps);
  double whole = median(backtest_fps);
  std::printf("backtest_replay: %llu frames (%llu diffs applied), %zu strategies, journal on, "
              "%d rounds, medians\n",
              static_cast<unsigned long long>(frames), static_cast<unsigned long long>(applied),
              cfg.strategies.size(), rounds);
  std::printf("  read (gunzip + lines)          %10.0f frames/s\n", median(read_fps));
  std::printf("  ceiling (read + parse + apply) %10.0f frames/s\n", ceiling);
  std::printf("  backtest (whole tree)          %10.0f frames/s  = %.1f%% of the ceiling, "
              "%llu fills\n",
              whole, 100.0 * whole / ceiling, static_cast<unsigned long long>(fills));
  std::printf("  max RSS: %ld KiB\n", ru.ru_maxrss);
  return 0;
}
