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

namespace {

/// The hand-made market of the fills test: which levels show in each state.
/// A: bids 2600.00 x 2, 2599.99 x 3 / asks 2600.01 x 2, 2600.02 x 3
/// B: one tick higher; D: the drop (bids 2590.00 x 5, 2589.99 x 5 / asks
/// 2590.01 x 1, 2590.02 x 1); E: D after trades took the bid to 0.02; F:
/// the bid at 2590.00 refilled to 3.
std::string levels(char state, bool bids) {
  struct level {
    const char* px;
    const char* a;
    const char* b;
    const char* d;
    const char* e;
    const char* f;
  };
  static const level bid_levels[] = {{"2600.01", "0", "2", "0", "0", "0"},
                                     {"2600.00", "2", "3", "0", "0", "0"},
                                     {"2599.99", "3", "0", "0", "0", "0"},
                                     {"2590.00", "0", "0", "5", "0.02", "3"},
                                     {"2589.99", "0", "0", "5", "5", "5"}};
  static const level ask_levels[] = {{"2600.01", "2", "0", "0", "0", "0"},
                                     {"2600.02", "3", "2", "0", "0", "0"},
                                     {"2600.03", "0", "3", "0", "0", "0"},
                                     {"2590.01", "0", "0", "1", "1", "1"},
                                     {"2590.02", "0", "0", "1", "1", "1"}};
  std::string out = "[";
  for (const auto& l : bids ? bid_levels : ask_levels) {
    const char* q = state == 'A'   ? l.a
                    : state == 'B' ? l.b
                    : state == 'D' ? l.d
                    : state == 'E' ? l.e
                                   : l.f;
    out += std::string{out.size() > 1 ? "," : ""} + "[\"" + l.px + "\",\"" + q + "\"]";
  }
  return out + "]";
}

std::string state_diff(nanos t, uint64_t id, char state) {
  return std::to_string(t) + " {\"stream\":\"ethusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":"
         + std::to_string(t / ns_per_ms) + ",\"s\":\"ETHUSDT\",\"U\":" + std::to_string(id)
         + ",\"u\":" + std::to_string(id) + ",\"b\":" + levels(state, true)
         + ",\"a\":" + levels(state, false) + "}}\n";
}

std::string trade(nanos t, uint64_t id, const char* px, const char* qty) {
  return std::to_string(t) + " {\"stream\":\"ethusdt@trade\",\"data\":{\"e\":\"trade\",\"E\":"
         + std::to_string(t / ns_per_ms) + ",\"s\":\"ETHUSDT\",\"t\":" + std::to_string(id)
         + ",\"p\":\"" + px + "\",\"q\":\"" + qty + "\",\"T\":" + std::to_string(t / ns_per_ms)
         + ",\"m\":true}}\n";
}

} // namespace

TEST_CASE("hand-computed fills: a queued maker entry, a time stop in virtual time, taken "
          "liquidity held until the venue shows more",
          "[backtest]") {
  // 12 s of a quiet market alternating one tick (the z-score warms up on
  // 1-second bars, window 10), then a drop with bids heavier than asks:
  // z about -2.85 < -1.25 and rho > 0, so the strategy bids post-only at
  // 2590.00 for floor(100 / 2590.00, lot 0.0001) = 0.0386, behind the 5.0
  // shown there. Two sells at 2590.00 (3.0 at 14.01 s, 2.5 at 14.11 s) eat
  // that queue and fill the order with 0.5 to spare. The time stop (3 s)
  // closes the position on the first book view 3 s after that fill (17.2 s;
  // the z-score would not exit before 8 bars after the drop): an IOC sell at
  // the best bid, which shows only 0.02 by then. The 0.02 it took stays
  // taken while the venue keeps showing 0.02, so the remainder's re-sends
  // find nothing, until the venue shows 3 there (17.3 s) and the rest
  // (0.0186) fills at 2590.00.
  auto dir = scratch("fills");
  std::string rec = std::to_string(t0) + " {\"lastUpdateId\":100,\"bids\":[[\"2600.00\",\"2\"],"
                    "[\"2599.99\",\"3\"]],\"asks\":[[\"2600.01\",\"2\"],[\"2600.02\",\"3\"]]}\n";
  uint64_t id = 101;
  const nanos tick = 100 * ns_per_ms;
  for (nanos t = t0 + tick; t <= t0 + 20 * ns_per_s; t += tick) {
    auto second = (t - t0) / ns_per_s;
    char state = second < 12                    ? (second % 2 == 0 ? 'A' : 'B')
                 : t < t0 + 14'200 * ns_per_ms ? 'D'
                 : t < t0 + 17'300 * ns_per_ms ? 'E'
                                               : 'F';
    rec += state_diff(t, id++, state);
    if (t == t0 + 14 * ns_per_s)
      rec += trade(t + 10 * ns_per_ms, 1, "2590.00", "3.0");
    if (t == t0 + 14'100 * ns_per_ms)
      rec += trade(t + 10 * ns_per_ms, 2, "2590.00", "2.5");
  }
  auto cfg = parse(R"({
    "log_level": "warn",
    "venues": [ { "name": "rec", "kind": "replay",
                  "replay": { "market": "spot", "maker_fee": "0.001", "taker_fee": "0.001", "symbols": [
                    { "symbol": "ETHUSDT", "tick": "0.01", "lot": "0.0001", "min_notional": "5" } ] } } ],
    "strategies": [ { "name": "mr:ETHUSDT", "venue": "rec", "symbol": "ETHUSDT" } ],
    "strategy_template": { "bar_seconds": 1, "window": 10, "order_notional": "100",
                           "time_stop_minutes": 0.05, "time_stop_off_hours_minutes": 0.05 }
  })");
  backtest_options o;
  o.data = {gz_write(dir / "fills.gz", rec)};
  o.report_dir = dir.string();
  auto r = run_backtest(cfg, o);
  REQUIRE(r.code == ok);
  REQUIRE(r.inputs.books.size() == 1);
  CHECK(r.inputs.books[0].gaps == 0);
  const auto& fills = r.inputs.fills;
  REQUIRE(fills.size() == 3);
  // The maker entry, filled by the second trade once the queue was eaten.
  CHECK(fills[0].sd == side::buy);
  CHECK(fills[0].fill_px == *price::parse("2590.00"));
  CHECK(fills[0].fill_qty == *quantity::parse("0.0386"));
  CHECK(fills[0].liq == liquidity::maker);
  CHECK(fills[0].fee == *notional::parse("0.099974"));
  CHECK(fills[0].local_time == t0 + 14'110 * ns_per_ms);
  // The time stop's IOC at 17.2 s takes the 0.02 shown; the rest fills once
  // the venue shows more.
  CHECK(fills[1].sd == side::sell);
  CHECK(fills[1].fill_px == *price::parse("2590.00"));
  CHECK(fills[1].fill_qty == *quantity::parse("0.02"));
  CHECK(fills[1].liq == liquidity::taker);
  CHECK(fills[1].fee == *notional::parse("0.0518"));
  CHECK(fills[1].local_time >= fills[0].local_time + 3 * ns_per_s);
  CHECK(fills[1].local_time < t0 + 17'300 * ns_per_ms);
  CHECK(fills[2].sd == side::sell);
  CHECK(fills[2].fill_px == *price::parse("2590.00"));
  CHECK(fills[2].fill_qty == *quantity::parse("0.0186"));
  CHECK(fills[2].fee == *notional::parse("0.048174"));
  CHECK(fills[2].local_time > t0 + 17'300 * ns_per_ms);
  CHECK(fills[2].local_time < t0 + 17'400 * ns_per_ms);
  bool time_stop = false;
  for (const auto& s : r.inputs.signals)
    time_stop = time_stop || (s.name == "time_stop" && s.acted);
  CHECK(time_stop);
  // One round trip, flat in price, losing its three fees.
  REQUIRE(r.result.trips.size() == 1);
  CHECK(r.result.trips[0].pnl == Approx(0).margin(1e-9));
  CHECK(r.result.trips[0].fees == Approx(0.099974 + 0.0518 + 0.048174).epsilon(1e-9));
  CHECK(r.result.strategies[0].round_trips == 1);
  CHECK(r.result.strategies[0].wins == 0);
}

namespace {

constexpr nanos t8 = 1'723'190'400'000'000'000; // 2024-08-09T08:00:00Z, a USD-M funding time

std::string levels_json(std::initializer_list<std::pair<const char*, const char*>> ls) {
  std::string out = "[";
  for (const auto& [px, q] : ls)
    out += std::string{out.size() > 1 ? "," : ""} + "[\"" + px + "\",\"" + q + "\"]";
  return out + "]";
}

} // namespace

TEST_CASE("hand-computed basis trade: IOC legs walking two levels, a funding payment in "
          "virtual time",
          "[backtest]") {
  // Spot asks 2600.00 x 0.2, 2600.10 x 1; the perpetual bids 2620.00 x 0.2,
  // 2619.90 x 1: gross about 76 bp, net about 46 bp after 27 bp of fees and
  // the 3 bp buffer, above the 10 bp entry. 1000 USDT of spot walks both
  // ask levels: 0.2 + floor(480 / 2600.10, lot 0.001) = 0.384; the perp
  // sells the same 0.384 into both bid levels. The position is held through
  // 08:00:00 (funding: the short perp receives 0.384 x 2620.05 x 0.0001),
  // then the perpetual converges to spot and the closing side (spot bids
  // 2599.90 x 0.3, 2599.80 x 1; perp asks 2600.10 x 0.3, 2600.20 x 1) nets
  // below the 1 bp exit: both legs close, again walking two levels.
  auto dir = scratch("basis");
  const nanos start = t8 - 10 * ns_per_s;
  const nanos converge = t8 + 3 * ns_per_s;
  const nanos tick = 100 * ns_per_ms;
  auto spot_book = [&](nanos t) {
    return t < converge ? std::pair{levels_json({{"2599.90", "1"}, {"2599.80", "1"}}),
                                    levels_json({{"2600.00", "0.2"}, {"2600.10", "1"}})}
                        : std::pair{levels_json({{"2599.90", "0.3"}, {"2599.80", "1"}}),
                                    levels_json({{"2600.00", "0.2"}, {"2600.10", "1"}})};
  };
  auto perp_book = [&](nanos t) {
    return t < converge
             ? std::pair{levels_json({{"2620.00", "0.2"}, {"2619.90", "1"}, {"2600.00", "0"}}),
                         levels_json({{"2620.10", "1"}, {"2620.20", "1"}, {"2600.10", "0"},
                                      {"2600.20", "0"}})}
             : std::pair{levels_json({{"2620.00", "0"}, {"2619.90", "0"}, {"2600.00", "1"}}),
                         levels_json({{"2620.10", "0"}, {"2620.20", "0"}, {"2600.10", "0.3"},
                                      {"2600.20", "1"}})};
  };
  auto ms = [](nanos t) { return std::to_string(t / ns_per_ms); };
  auto [sb, sa] = spot_book(start);
  std::string spot = std::to_string(start) + " {\"lastUpdateId\":100,\"bids\":" + sb
                     + ",\"asks\":" + sa + "}\n";
  auto [pb, pa] = perp_book(start);
  std::string perp = std::to_string(start + ns_per_ms)
                     + " {\"lastUpdateId\":500,\"E\":" + ms(start) + ",\"T\":" + ms(start)
                     + ",\"bids\":" + pb + ",\"asks\":" + pa + "}\n";
  uint64_t sid = 101, pid = 501;
  for (nanos t = start + tick; t <= t8 + 8 * ns_per_s; t += tick) {
    auto [b, a] = spot_book(t);
    spot += std::to_string(t) + " {\"stream\":\"ethusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\","
            "\"E\":" + ms(t) + ",\"s\":\"ETHUSDT\",\"U\":" + std::to_string(sid) + ",\"u\":"
            + std::to_string(sid) + ",\"b\":" + b + ",\"a\":" + a + "}}\n";
    ++sid;
    nanos tp = t + 2 * ns_per_ms;
    auto [b2, a2] = perp_book(t);
    perp += std::to_string(tp) + " {\"stream\":\"ethusdt@depth@0ms\",\"data\":{\"e\":\"depthUpdate\","
            "\"E\":" + ms(t) + ",\"T\":" + ms(t) + ",\"s\":\"ETHUSDT\",\"U\":" + std::to_string(pid)
            + ",\"u\":" + std::to_string(pid) + ",\"pu\":" + std::to_string(pid - 1) + ",\"b\":" + b2
            + ",\"a\":" + a2 + "}}\n";
    ++pid;
    if ((t - start) % ns_per_s == 0) {
      bool before = t < t8;
      perp += std::to_string(tp + ns_per_ms)
              + " {\"stream\":\"ethusdt@markPrice@1s\",\"data\":{\"e\":\"markPriceUpdate\",\"E\":"
              + ms(t) + ",\"s\":\"ETHUSDT\",\"p\":\"" + (before ? "2620.05" : "2610.00")
              + "\",\"i\":\"2600.00\",\"P\":\"2615.00\",\"r\":\"" + (before ? "0.00010000" : "0.00005000")
              + "\",\"T\":" + ms(before ? t8 : t8 + 8 * 3600 * ns_per_s) + "}}\n";
    }
  }
  auto cfg = parse(R"({
    "log_level": "warn",
    "risk": { "max_order_notional": "5000", "max_position_notional": "20000",
              "max_gross_exposure": "50000", "equity": "10000" },
    "venues": [
      { "name": "spot", "kind": "replay",
        "replay": { "market": "spot", "maker_fee": "0.001", "taker_fee": "0.001", "symbols": [
          { "symbol": "ETHUSDT", "tick": "0.01", "lot": "0.0001", "min_notional": "5" } ] } },
      { "name": "perp", "kind": "replay",
        "replay": { "market": "usdm", "maker_fee": "0.0002", "taker_fee": "0.0005", "symbols": [
          { "symbol": "ETHUSDT", "tick": "0.01", "lot": "0.001", "min_notional": "20" } ] } } ],
    "strategies": [ { "name": "basis:ETHUSDT", "kind": "basis",
      "basis": { "spot": { "venue": "spot", "symbol": "ETHUSDT" },
                 "perp": { "venue": "perp", "symbol": "ETHUSDT" },
                 "trade_notional": "1000", "entry_threshold_bps": 10, "exit_threshold_bps": 1,
                 "safety_buffer_bps": 3 } } ]
  })");
  backtest_options o;
  o.data = {"spot=" + gz_write(dir / "spot.gz", spot), "perp=" + gz_write(dir / "perp.gz", perp)};
  o.report_dir = dir.string();
  auto r = run_backtest(cfg, o);
  REQUIRE(r.code == ok);
  struct expected {
    const char* venue;
    side sd;
    const char* px;
    const char* qty;
    const char* fee;
  };
  // Each IOC takes its two levels as two fills; taker fees 0.1% spot, 0.05% perp.
  const expected want[] = {
    {"spot", side::buy, "2600.00", "0.2", "0.52"},      {"perp", side::sell, "2620.00", "0.2", "0.262"},
    {"spot", side::buy, "2600.10", "0.184", "0.4784184"}, {"perp", side::sell, "2619.90", "0.184", "0.2410308"},
    {"spot", side::sell, "2599.90", "0.3", "0.77997"},  {"perp", side::buy, "2600.10", "0.3", "0.390015"},
    {"spot", side::sell, "2599.80", "0.084", "0.2183832"}, {"perp", side::buy, "2600.20", "0.084", "0.1092084"}};
  const auto& fills = r.inputs.fills;
  REQUIRE(fills.size() == 8);
  for (size_t i = 0; i < 8; ++i) {
    INFO("fill " << i);
    CHECK(fills[i].venue == venue_id{want[i].venue});
    CHECK(fills[i].sd == want[i].sd);
    CHECK(fills[i].fill_px == *price::parse(want[i].px));
    CHECK(fills[i].fill_qty == *quantity::parse(want[i].qty));
    CHECK(fills[i].fee == *notional::parse(want[i].fee));
    CHECK(fills[i].liq == liquidity::taker);
  }
  CHECK(fills[3].local_time < t8);                           // opened before 08:00
  CHECK(fills[4].local_time > converge);                     // closed after it converged
  CHECK(fills[7].local_time < converge + 200 * ns_per_ms);
  // One funding time passed (08:00), with the perpetual short 0.384.
  REQUIRE(r.inputs.feeds.size() == 2);
  CHECK(r.inputs.funding_data);
  REQUIRE(r.inputs.funding.size() == 1);
  CHECK(r.inputs.funding[0].time == t8);
  CHECK(r.inputs.funding[0].mark == *price::parse("2620.05"));
  // Spot: 998.3532 - 998.4184; perp: 1006.0616 - 998.4468. Fees: the sum of
  // the eight. Funding: 0.384 x 2620.05 x 0.0001.
  REQUIRE(r.result.trips.size() == 1);
  const auto& trip = r.result.trips[0];
  CHECK(trip.pnl == Approx(-0.0652 + 7.6148).epsilon(1e-12));
  CHECK(trip.fees == Approx(2.9990258).epsilon(1e-12));
  CHECK(trip.funding == Approx(0.10060992).epsilon(1e-12));
  CHECK(trip.net() == Approx(7.5496 - 2.9990258 + 0.10060992).epsilon(1e-12));
  const auto& m = r.result.strategies[0];
  CHECK(m.funding == Approx(0.10060992).epsilon(1e-12));
  CHECK(m.funding_payments == 1);
  CHECK(m.wins == 1);
  auto json = slurp(dir / "report.json");
  CHECK(json.find("\"funding\": 0.10060992,") != std::string::npos);
  CHECK(slurp(dir / "trades.csv").find(",7.54960000,2.99902580,0.10060992,4.65118412") != std::string::npos);
}
