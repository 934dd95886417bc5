// `agora backtest`'s engine end to end: the service's tree on recorded
// data (the sample Binance recording and small hand-made ones), a virtual
// clock and CAF's deterministic scheduler.

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>
#include <zlib.h>

#include "actors/backtest/backtest.hpp"
#include "config/config_loader.hpp"

using namespace agora;
using namespace agora::backtest;

namespace {

namespace fs = std::filesystem;

std::string sample(const char* name) {
  return std::string{AGORA_SOURCE_DIR} + "/tests/data/recorded/" + name;
}

fs::path scratch(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("agora-backtest-test-" + std::to_string(::getpid()))
             / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

config::agora_config load(const std::string& path) {
  auto loaded = config::load_config_file(path);
  if (auto* e = std::get_if<config::config_error>(&loaded))
    FAIL(config::to_string(*e));
  return std::get<config::agora_config>(loaded);
}

config::agora_config parse(const std::string& text) {
  auto parsed = config::parse_config(text);
  if (auto* e = std::get_if<config::config_error>(&parsed))
    FAIL(config::to_string(*e));
  return std::get<config::agora_config>(parsed);
}

/// One spot replay venue "rec" with ETHUSDT and one mean-reversion strategy.
const char* small_config = R"({
  "log_level": "warn",
  "venues": [ { "name": "rec", "kind": "replay",
                "replay": { "market": "spot", "symbols": [
                  { "symbol": "ETHUSDT", "tick": "0.01", "lot": "0.0001", "min_notional": "5" } ] } } ],
  "strategies": [ { "name": "mr:ETHUSDT", "venue": "rec", "symbol": "ETHUSDT" } ],
  "strategy_template": { "bar_seconds": 1, "window": 10 }
})";

std::string gz_write(const fs::path& p, const std::string& text) {
  gzFile f = gzopen(p.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size()));
  gzclose(f);
  return p.string();
}

constexpr nanos t0 = 1'723'161'254'000'000'000;

std::string depth(nanos t, uint64_t first, uint64_t last, const char* bid, const char* ask) {
  return std::to_string(t) + " {\"stream\":\"ethusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":"
         + std::to_string(t / ns_per_ms) + ",\"s\":\"ETHUSDT\",\"U\":" + std::to_string(first)
         + ",\"u\":" + std::to_string(last) + ",\"b\":[[\"" + bid + "\",\"1.0\"]],\"a\":[[\"" + ask
         + "\",\"1.0\"]]}}\n";
}

std::string snapshot(nanos t, uint64_t id) {
  return std::to_string(t) + " {\"lastUpdateId\":" + std::to_string(id)
         + ",\"bids\":[[\"2600.00\",\"2.0\"],[\"2599.99\",\"3.0\"]],"
           "\"asks\":[[\"2600.01\",\"2.0\"],[\"2600.02\",\"3.0\"]]}\n";
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("replaying the sample recording reports no gap and every ticker check agreeing",
          "[backtest]") {
  auto cfg = load(std::string{AGORA_SOURCE_DIR} + "/config/backtest-eth.json");
  backtest_options o;
  o.data = {sample("spot_ethusdt_20240808.gz"), sample("spot_ethusdt_20240809.gz"),
            sample("usdm_ethusdt_20240808.gz")};
  o.report_dir = scratch("sample").string();
  auto r = run_backtest(cfg, o);
  REQUIRE(r.code == ok);
  CHECK(r.inputs.frames == 33618 + 46126 + 74655);
  REQUIRE(r.inputs.books.size() == 2);
  for (const auto& b : r.inputs.books) {
    INFO(b.venue.str() << "/" << b.symbol.str());
    CHECK(b.gaps == 0);
    CHECK(b.crossed == 0);
    CHECK(b.resyncs == 1);
    CHECK(b.diffs_applied > 6000);
    CHECK(b.ticker_checked > 500);
    CHECK(b.ticker_agreed == b.ticker_checked);
    CHECK(b.stale_reason.find("feed_lost") == 0); // its recording ended
  }
  for (const auto& f : r.inputs.feeds) {
    CHECK(f.malformed == 0);
    CHECK(f.snapshots_served == 1);
  }
  // The strategies traded, through the journal.
  CHECK(r.result.total.fill_count > 0);
  CHECK(r.result.total.fill_count == r.inputs.fills.size());
  for (auto file : {"report.json", "equity.csv", "trades.csv", "perf.json", "journal.db"})
    CHECK(fs::exists(fs::path{o.report_dir} / file));
}

TEST_CASE("the same data and config give a byte-identical report", "[backtest]") {
  auto cfg = load(std::string{AGORA_SOURCE_DIR} + "/config/backtest-eth.json");
  backtest_options o;
  // Four minutes of both markets, spot's files given out of time order.
  o.data = {sample("spot_ethusdt_20240809.gz"), sample("usdm_ethusdt_20240808.gz"),
            sample("spot_ethusdt_20240808.gz")};
  o.to = t0 + 240 * ns_per_s;
  auto first = scratch("first");
  auto second = scratch("second");
  o.report_dir = first.string();
  auto a = run_backtest(cfg, o);
  REQUIRE(a.code == ok);
  o.report_dir = second.string();
  auto b = run_backtest(cfg, o);
  REQUIRE(b.code == ok);
  CHECK(a.inputs.frames == b.inputs.frames);
  CHECK(a.inputs.fills.size() == b.inputs.fills.size());
  auto ja = slurp(first / "report.json");
  auto jb = slurp(second / "report.json");
  REQUIRE_FALSE(ja.empty());
  CHECK(ja == jb);
  CHECK(equity_csv(a.result) == equity_csv(b.result));
  CHECK(trades_csv(a.result) == trades_csv(b.result));
}

TEST_CASE("a sequence gap with no later snapshot leaves the book stale, counted", "[backtest]") {
  auto dir = scratch("gap");
  std::string rec = depth(t0, 100, 101, "2600.00", "2600.01") + snapshot(t0 + ns_per_ms, 100)
                    + depth(t0 + 100 * ns_per_ms, 102, 103, "2600.00", "2600.01")
                    + depth(t0 + 200 * ns_per_ms, 110, 111, "2599.99", "2600.02")
                    + depth(t0 + 300 * ns_per_ms, 112, 113, "2599.98", "2600.02");
  backtest_options o;
  o.data = {gz_write(dir / "gap.gz", rec)};
  auto r = run_backtest(parse(small_config), o);
  REQUIRE(r.code == ok);
  REQUIRE(r.inputs.books.size() == 1);
  const auto& b = r.inputs.books[0];
  CHECK(b.gaps == 1);
  CHECK(b.resyncs == 1);
  CHECK(b.diffs_applied == 2);
  CHECK_FALSE(b.fresh);
  CHECK(b.stale_reason.find("sequence_gap") == 0);
  CHECK(r.inputs.fills.empty());
}

TEST_CASE("malformed lines and frames are counted and skipped", "[backtest]") {
  auto dir = scratch("malformed");
  std::string rec = depth(t0, 100, 101, "2600.00", "2600.01") + snapshot(t0 + ns_per_ms, 100)
                    + "not a line\n" + std::to_string(t0 + 2 * ns_per_ms)
                    + " {\"stream\":\"ethusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\"}}\n"
                    + depth(t0 + 100 * ns_per_ms, 102, 103, "2600.00", "2600.01")
                    + depth(t0 + 50 * ns_per_ms, 104, 105, "2600.00", "2600.01"); // backwards
  backtest_options o;
  o.data = {gz_write(dir / "bad.gz", rec)};
  auto r = run_backtest(parse(small_config), o);
  REQUIRE(r.code == ok);
  REQUIRE(r.inputs.files.size() == 1);
  CHECK(r.inputs.files[0].malformed == 1);
  CHECK(r.inputs.files[0].out_of_order == 1);
  CHECK(r.inputs.files[0].problem.find("line 3") != std::string::npos);
  REQUIRE(r.inputs.feeds.size() == 1);
  CHECK(r.inputs.feeds[0].malformed == 1);
  CHECK(r.inputs.feeds[0].first_malformed.find("missing") != std::string::npos);
  REQUIRE(r.inputs.books.size() == 1);
  CHECK(r.inputs.books[0].gaps == 0);
  CHECK(r.inputs.books[0].diffs_applied == 3);
}

TEST_CASE("a truncated recording plays up to where it was cut", "[backtest]") {
  auto dir = scratch("truncated");
  auto whole = slurp(sample("spot_ethusdt_20240808.gz"));
  auto cut = dir / "cut.gz";
  {
    std::ofstream out(cut, std::ios::binary);
    out.write(whole.data(), static_cast<std::streamsize>(whole.size() / 4));
  }
  backtest_options o;
  o.data = {cut.string()};
  auto cfg = parse(small_config);
  auto r = run_backtest(cfg, o);
  REQUIRE(r.code == ok);
  REQUIRE(r.inputs.files.size() == 1);
  CHECK(r.inputs.files[0].problem.find("truncated") != std::string::npos);
  CHECK(r.inputs.frames > 1000);
  CHECK(r.inputs.frames < 33618);
  REQUIRE(r.inputs.books.size() == 1);
  CHECK(r.inputs.books[0].gaps == 0);
  CHECK(r.inputs.books[0].ticker_agreed == r.inputs.books[0].ticker_checked);
}

TEST_CASE("unusable data and configs are refused with the cause", "[backtest]") {
  auto dir = scratch("refused");
  backtest_options o;
  o.data = {(dir / "missing.gz").string()};
  auto r = run_backtest(parse(small_config), o);
  CHECK(r.code == bad_data);
  CHECK(r.error.find("missing.gz") != std::string::npos);

  // A USD-M file and a config with a spot venue only.
  o.data = {sample("usdm_ethusdt_20240808.gz")};
  r = run_backtest(parse(small_config), o);
  CHECK(r.code == bad_data);
  CHECK(r.error.find("usdm") != std::string::npos);
  CHECK(r.error.find("VENUE=") != std::string::npos);

  // An empty recording: its market cannot be told, and named, it has nothing.
  auto empty = gz_write(dir / "empty.gz", "");
  o.data = {empty};
  r = run_backtest(parse(small_config), o);
  CHECK(r.code == bad_data);
  CHECK(r.error.find("cannot tell its market") != std::string::npos);
  o.data = {"rec=" + empty};
  r = run_backtest(parse(small_config), o);
  CHECK(r.code == bad_data);
  CHECK(r.error.find("no readable line") != std::string::npos);

  // A config whose venue is not a replay venue.
  o.data = {sample("spot_ethusdt_20240808.gz")};
  r = run_backtest(config::default_config(), o);
  CHECK(r.code == bad_arguments);
  CHECK(r.error.find("replay") != std::string::npos);
}
