// Crash recovery against a venue that outlives the service: `agora run` is
// killed with SIGKILL at random moments while it trades spot and USD-M on
// `agora exchange-sim` (a separate process), restarted, and after every
// restart the journal is checked against the venue's own records: every
// order the venue knows is in the journal, every fill is counted exactly
// once, and holdings equal baseline + our fills. A trade made on the venue
// while the service is down locks trading until an operator accepts it; a
// journal that is not a database, locked, or read-only stops the service
// before it trades.

#include <sqlite3.h>
#include <sys/stat.h>

#include <random>
#include <set>
#include <sstream>

#include "actors/journal/journal_db.hpp"
#include "../integration/processes.hpp"
#include "../integration/venue_probe.hpp"
#include "venues/binance/client_ids.hpp"
#include "venues/common/http_client.hpp"

using namespace agora;
using namespace agora::itest;

namespace {

/// `agora run` on a config file, with its control API read from its data
/// directory.
class service_process {
public:
  service_process(const std::string& config_file, const std::string& data_dir,
                  const std::string& log)
    : data_dir_(data_dir),
      log_(log),
      proc_({agora_binary(), "--config", config_file, "run"}, log) {}

  /// The end of what the process wrote (stderr, and its log file).
  std::string output() const {
    auto tail = [](std::string s) { return s.size() > 6000 ? s.substr(s.size() - 6000) : s; };
    return "--- output:\n" + tail(read_file(log_)) + "\n--- agora.log:\n"
           + tail(read_file(data_dir_ + "/agora.log"));
  }

  /// The control API answers (port file written, token readable).
  bool wait_api(milliseconds bound = 30s) {
    return poll_until(
      [&] {
        if (!proc_.running())
          return false;
        auto port = read_file(data_dir_ + "/control.port");
        auto token = read_file(data_dir_ + "/control.token");
        while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
          token.pop_back();
        if (port.empty() || token.empty())
          return false;
        port_ = static_cast<uint16_t>(std::stoul(port));
        token_ = token;
        return call("GET", "/v1/status").ok;
      },
      bound, 50ms);
  }

  net::http_result call(const std::string& method, const std::string& target,
                        const std::string& body = "") {
    return net::http_call("127.0.0.1", port_, method, target, body, token_, 10s);
  }

  /// The trading state ("ACTIVE", "HALTED", ...) and its reason.
  std::pair<std::string, std::string> state() {
    auto r = call("GET", "/v1/status");
    if (!r.ok || r.status != 200)
      return {"", r.error};
    auto doc = parse_json(r.body);
    if (!doc->ok)
      return {"", "unreadable status"};
    return {std::string{json::get_string(doc->doc, "state").value_or("")},
            std::string{json::get_string(doc->doc, "state_reason").value_or("")}};
  }

  bool wait_state(const std::string& want, milliseconds bound = 40s) {
    return poll_until([&] { return state().first == want; }, bound, 100ms);
  }

  bool running() { return proc_.running(); }
  void kill() { proc_.stop(SIGKILL, 10s); }
  int stop() { return proc_.stop(SIGTERM, 30s); }

private:
  std::string data_dir_;
  std::string log_;
  child_process proc_;
  uint16_t port_ = 0;
  std::string token_;
};

/// Runs `agora ARGS...` to completion; returns its exit code, output in *out.
int run_cli(std::vector<std::string> args, const std::string& out_file, std::string* out) {
  std::filesystem::remove(out_file);
  args.insert(args.begin(), agora_binary());
  child_process p{args, out_file};
  int rc = p.stop(0, 60s);
  *out = read_file(out_file);
  return rc;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream f{path};
  f << text;
}

/// The last `max` lines of `file` that contain `venue` and one of `words`:
/// what a failed check prints of the service's log (CI keeps no files).
std::string log_lines(const std::string& file, const std::string& venue,
                      const std::vector<std::string>& words, size_t max = 120) {
  std::istringstream in{read_file(file)};
  std::vector<std::string> kept;
  for (std::string line; std::getline(in, line);) {
    if (line.find("journal_ready") != std::string::npos) { // a start: where runs begin
      kept.push_back(line);
      continue;
    }
    if (line.find(venue) == std::string::npos)
      continue;
    for (auto& w : words)
      if (line.find(w) != std::string::npos) {
        kept.push_back(line.size() > 400 ? line.substr(0, 400) : line);
        break;
      }
  }
  if (kept.size() > max)
    kept.erase(kept.begin(), kept.end() - static_cast<std::ptrdiff_t>(max));
  std::string out;
  for (auto& l : kept)
    out += l + "\n";
  return out;
}

/// The journal and the venue agree: every Agora order the venue knows is
/// journaled with the venue's executed quantity, every venue trade of ours
/// is one journal fill, holdings equal baseline + fills + adjustments.
/// Returns what disagrees (empty: all agrees).
std::string disagreements_now(const std::string& journal_file, exchange_sim& x);

std::string disagreements(const std::string& journal_file, exchange_sim& x) {
  try {
    return disagreements_now(journal_file, x);
  } catch (const std::exception& e) {
    // E.g. the venue's request-weight limit: ask again on the next poll.
    return std::string{"venue: "} + e.what();
  }
}

std::string disagreements_now(const std::string& journal_file, exchange_sim& x) {
  journal::open_options o;
  o.path = journal_file;
  o.read_only = true;
  auto opened = journal::db::open(o);
  if (!opened.journal)
    return "journal: " + opened.error;
  auto& db = *opened.journal;
  std::string out;
  auto note = [&](const std::string& s) { out += s + "\n"; };
  struct market_case {
    const char* venue;
    bool usdm;
    uint16_t port;
    const char* key;
  };
  for (auto m : {market_case{"bn-spot", false, x.spot_port, "BTC"},
                 market_case{"bn-usdm", true, x.usdm_port, "BTCUSDT"}}) {
    venue_probe probe{"https://127.0.0.1:" + std::to_string(m.port), m.usdm, x.keys.api_key,
                      x.keys.secret, x.cert()};
    venue_id venue{m.venue};
    auto orders = probe.all_orders("BTCUSDT");
    auto trades = probe.trades("BTCUSDT");
    std::map<uint64_t, std::vector<probe_trade>> trades_of;
    for (auto& t : trades)
      trades_of[t.order_id].push_back(t);
    journal::query q;
    q.venue = venue;
    q.limit = 0;
    std::map<uint64_t, std::vector<order_filled>> fills_of; // by cid
    for (auto& f : db.fills(q))
      fills_of[f.cid.value].push_back(f);
    for (auto& vo : orders) {
      auto cid = binance::decode_client_id(vo.client_id);
      if (!cid)
        continue; // not placed by Agora (the manual-trade test's own)
      auto row = db.order(venue, *cid);
      if (!row) {
        note(std::string{m.venue} + ": venue order " + vo.client_id + " (" + vo.status
             + ") is not in the journal");
        continue;
      }
      if (row->view.cum_qty != vo.executed_qty)
        note(std::string{m.venue} + ": " + vo.client_id + " journal cum "
             + row->view.cum_qty.to_string() + " venue executed " + vo.executed_qty.to_string());
      quantity sum;
      for (auto& f : fills_of[cid->value])
        sum = sum + f.fill_qty;
      if (sum != vo.executed_qty)
        note(std::string{m.venue} + ": " + vo.client_id + " journal fills sum "
             + sum.to_string() + " venue executed " + vo.executed_qty.to_string());
      auto& vt = trades_of[vo.order_id];
      quantity vsum;
      for (auto& t : vt)
        vsum = vsum + t.qty;
      if (vsum != vo.executed_qty)
        note(std::string{m.venue} + ": venue trades of " + vo.client_id + " sum "
             + vsum.to_string());
      // Exactly once: one journal fill per venue trade (a fill recovered by a
      // query may stand for several trades, never the other way round).
      if (fills_of[cid->value].size() > vt.size())
        note(std::string{m.venue} + ": " + vo.client_id + " has "
             + std::to_string(fills_of[cid->value].size()) + " journal fills for "
             + std::to_string(vt.size()) + " venue trades");
    }
    // Every journal fill is of an order the venue has (a fill of an order
    // that never reached it would move the journal's holdings alone).
    std::set<uint64_t> venue_cids;
    for (auto& vo : orders)
      if (auto cid = binance::decode_client_id(vo.client_id))
        venue_cids.insert(cid->value);
    for (auto& [cid, fs] : fills_of)
      if (venue_cids.count(cid) == 0)
        for (auto& f : fs)
          note(std::string{m.venue} + ": journal fill of cid " + std::to_string(cid) + " ("
               + std::string{to_string(f.sd)} + " " + f.fill_qty.to_string() + ", tid "
               + std::to_string(f.tid.value) + ") has no venue order");
    // Holdings: baseline + our net fills + accepted adjustments.
    auto baselines = db.baselines(venue);
    auto adjustments = db.adjustments(venue);
    auto net = db.net_fills(venue);
    quantity expected = baselines[m.key] + net[symbol_id{"BTCUSDT"}] + adjustments["BTCUSDT"];
    auto held = probe.holdings();
    quantity actual = held.count(m.key) ? held[m.key] : quantity{};
    if (expected != actual)
      note(std::string{m.venue} + ": " + m.key + " journal expects " + expected.to_string()
           + ", venue holds " + actual.to_string());
  }
  return out;
}

/// A config that trades often on both markets.
std::string busy_config(exchange_sim& x, const std::string& data_dir) {
  auto cfg = x.config(
    R"("log_file": ")" + data_dir + R"(/agora.log", "journal": { "reconcile_interval_seconds": 3 },)",
    R"([ { "venue": "bn-spot", "symbol": "BTCUSDT" },
         { "venue": "bn-usdm", "symbol": "BTCUSDT", "name": "mr-perp",
           "mean_reversion": { "allow_short": true } } ])",
    R"({ "window": 3, "entry_z": 0.2, "exit_z": 0.1, "bar_seconds": 0.05,
         "order_notional": "150", "maker_lifetime_seconds": 0.3 })");
  return with_data_dir(cfg, data_dir);
}

} // namespace

TEST_CASE("SIGKILL at random moments: after every restart the journal agrees with the venue") {
  temp_dir xdir;
  temp_dir sdir;
  // 23 starts a minute (each reads snapshots, exchangeInfo, the account and
  // open orders) plus the test's own reads of the venue are more request
  // weight than Binance's 6000 a minute: the venue allows more here.
  exchange_sim x{xdir.path(), "3600", "60000"};
  auto cfg_file = sdir.path() + "/agora.json";
  write_file(cfg_file, busy_config(x, sdir.path()));
  auto journal_file = sdir.path() + "/journal.db";
  std::mt19937 rng{20261123};
  constexpr int kills = 22;
  int killed_trading = 0;
  int killed_recovering = 0;
  for (int i = 0; i <= kills; ++i) {
    INFO("run " << i << " (log " << sdir.path() << "/agora.log)");
    service_process s{cfg_file, sdir.path(), sdir.path() + "/run.out"};
    // Every fourth kill lands during start-up and recovery.
    if (i < kills && i % 4 == 3) {
      std::this_thread::sleep_for(milliseconds{std::uniform_int_distribution<int>{50, 900}(rng)});
      s.kill();
      ++killed_recovering;
      continue;
    }
    if (!s.wait_api())
    FAIL(s.output());
    // Recovery finished with every venue reconciled (no mismatch: nothing
    // but Agora trades on this account).
    auto ok = s.wait_state("ACTIVE");
    if (!ok) {
      auto [st, why] = s.state();
      FAIL("not ACTIVE after restart " << i << ": " << st << " (" << why << ")\n"
                                         << read_file(sdir.path() + "/run.out"));
    }
    // Halt, let resting orders be cancelled, then compare with the venue.
    REQUIRE(s.call("POST", "/v1/halt", R"({"reason":"crash test check"})").status == 200);
    std::string problems;
    bool agrees = poll_until(
      [&] {
        problems = disagreements(journal_file, x);
        return problems.empty();
      },
      20s, 1s);
    INFO(problems);
    REQUIRE(agrees);
    if (i == kills) {
      CHECK(s.stop() == 0);
      break;
    }
    REQUIRE(s.call("POST", "/v1/resume").status == 200);
    REQUIRE(s.wait_state("ACTIVE", 10s));
    // Trade for a while, then die without warning.
    std::this_thread::sleep_for(milliseconds{std::uniform_int_distribution<int>{300, 1800}(rng)});
    REQUIRE(s.running());
    s.kill();
    ++killed_trading;
  }
  CHECK(killed_trading + killed_recovering == kills);
  // It traded: the checks above were not about an empty journal.
  journal::open_options o;
  o.path = journal_file;
  o.read_only = true;
  auto opened = journal::db::open(o);
  REQUIRE(opened.journal);
  auto counts = opened.journal->counts();
  INFO("orders " << counts["orders"] << " fills " << counts["fills"] << " runs " << counts["runs"]);
  CHECK(counts["orders"] >= 20);
  CHECK(counts["fills"] >= 5);
  // Every run that got past opening the journal counted once (a kill very
  // early in start-up may come before that).
  CHECK(counts["runs"] >= static_cast<uint64_t>(killed_trading + 1));
  CHECK(counts["runs"] <= static_cast<uint64_t>(kills + 1));
  std::printf("crash test: %d SIGKILLs (%d while trading, %d during recovery), %llu orders, "
              "%llu fills journaled\n",
              kills, killed_trading, killed_recovering,
              static_cast<unsigned long long>(counts["orders"]),
              static_cast<unsigned long long>(counts["fills"]));
}

TEST_CASE("SIGKILL at each write point of the intent log: nothing acknowledged is lost") {
  // The in-line durable path has four places a crash can fall: before an
  // order or fill is written to the gateway's intent log, between the write
  // and the send (or the fill being acted on), between that and SQLite's
  // catch-up, and while a restart hands the log's tail to SQLite. Each is
  // hit exactly (AGORA_CRASH_AT, venues/common/crash_point.hpp); after each
  // the next clean start must agree with the venue.
  temp_dir xdir;
  temp_dir sdir;
  exchange_sim x{xdir.path(), "3600", "60000"};
  auto cfg_file = sdir.path() + "/agora.json";
  write_file(cfg_file, busy_config(x, sdir.path()));
  auto journal_file = sdir.path() + "/journal.db";
  std::mt19937 rng{20261207};
  struct unset_on_exit {
    ~unset_on_exit() { ::unsetenv("AGORA_CRASH_AT"); }
  } unset;
  std::map<std::string, int> kills;
  int runs = 0;
  // Started with AGORA_CRASH_AT=point:n: true once it died there (bounded).
  auto dies_at = [&](const std::string& point, int n, milliseconds bound) {
    ::setenv("AGORA_CRASH_AT", (point + ":" + std::to_string(n)).c_str(), 1);
    service_process s{cfg_file, sdir.path(), sdir.path() + "/run.out"};
    ::unsetenv("AGORA_CRASH_AT");
    ++runs;
    bool died = poll_until([&] { return !s.running(); }, bound, 20ms);
    if (died)
      ++kills[point];
    return died;
  };
  for (int round = 0; round < 9; ++round) {
    const char* points[] = {"before_log", "after_log", "after_send"};
    std::string point = points[round % 3];
    int n = std::uniform_int_distribution<int>{1, 4}(rng);
    INFO("round " << round << ": " << point << ":" << n << " (log " << sdir.path()
                  << "/agora.log)");
    // It trades once recovery allows: the point is reached.
    REQUIRE(dies_at(point, n, 90s));
    // The next start hands what SQLite had not confirmed over first: die
    // there too (when there is anything to hand over).
    dies_at("replay", 1, 8s);
    service_process s{cfg_file, sdir.path(), sdir.path() + "/run.out"};
    ++runs;
    if (!s.wait_api())
      FAIL(s.output());
    if (!s.wait_state("ACTIVE")) {
      auto [st, why] = s.state();
      FAIL("not ACTIVE after " << point << ": " << st << " (" << why << ")\n" << s.output());
    }
    REQUIRE(s.call("POST", "/v1/halt", R"({"reason":"crash point check"})").status == 200);
    std::string problems;
    bool agrees = poll_until(
      [&] {
        problems = disagreements(journal_file, x);
        return problems.empty();
      },
      20s, 1s);
    INFO(problems);
    if (!agrees)
      UNSCOPED_INFO("agora.log (bn-usdm: orders, fills, intents, recovery):\n"
                    << log_lines(sdir.path() + "/agora.log", "bn-usdm",
                                 {"order_", "fill", "intent", "recover", "reconcil",
                                  "adopt"}));
    REQUIRE(agrees);
    CHECK(s.stop() == 0);
  }
  CHECK(kills["before_log"] == 3);
  CHECK(kills["after_log"] == 3);
  CHECK(kills["after_send"] == 3);
  // A kill after the send leaves at least that record for the next start.
  CHECK(kills["replay"] >= 3);
  int total = 0;
  for (auto& [p, k] : kills)
    total += k;
  std::printf("crash points: %d SIGKILLs (before_log %d, after_log %d, after_send %d, "
              "replay %d) over %d starts\n",
              total, kills["before_log"], kills["after_log"], kills["after_send"],
              kills["replay"], runs);
}

TEST_CASE("a trade made on the venue while the service is down locks trading until accepted") {
  temp_dir xdir;
  temp_dir sdir;
  exchange_sim x{xdir.path()};
  auto cfg_file = sdir.path() + "/agora.json";
  write_file(cfg_file, busy_config(x, sdir.path()));
  {
    service_process s{cfg_file, sdir.path(), sdir.path() + "/run.out"};
    if (!s.wait_api())
    FAIL(s.output());
    REQUIRE(s.wait_state("ACTIVE"));
    std::this_thread::sleep_for(500ms);
    s.kill();
  }
  // Someone buys on the venue directly (the website, another bot).
  venue_probe spot{"https://127.0.0.1:" + std::to_string(x.spot_port), false, x.keys.api_key,
                   x.keys.secret, x.cert()};
  auto manual = spot.place("BTCUSDT", "BUY", "MARKET", "0.003", "", "manual-1");
  REQUIRE(manual.executed_qty == qty_of("0.003"));

  service_process s{cfg_file, sdir.path(), sdir.path() + "/run.out"};
  if (!s.wait_api())
    FAIL(s.output());
  // Recovery finds the difference: trading stays HALTED, with why.
  if (!poll_until([&] { return s.state().second.find("mismatch") != std::string::npos; }, 40s,
                  100ms))
    FAIL("no mismatch found: " << s.state().first << " (" << s.state().second << ")\n"
                               << s.output());
  CHECK(s.state().first == "HALTED");
  std::string out;
  CHECK(run_cli({"--config", cfg_file, "reconcile"}, sdir.path() + "/cli.out", &out) == 5);
  CHECK(out.find("MISMATCH") != std::string::npos);
  CHECK(out.find("BTC") != std::string::npos);
  // An operator's resume is refused while the venue differs.
  auto resumed = s.call("POST", "/v1/resume");
  CHECK(resumed.body.find("refused") != std::string::npos);
  CHECK(s.state().first == "HALTED");
  // Accepting adopts the venue's holdings (audited), and trading resumes.
  CHECK(run_cli({"--config", cfg_file, "reconcile", "--accept"}, sdir.path() + "/cli.out", &out)
        == 0);
  INFO(out);
  CHECK(s.wait_state("ACTIVE", 20s));
  s.call("POST", "/v1/halt", R"({"reason":"check"})");
  std::string problems;
  CHECK(poll_until(
    [&] {
      problems = disagreements(sdir.path() + "/journal.db", x);
      return problems.empty();
    },
    15s, 300ms));
  INFO(problems);
  journal::open_options o;
  o.path = sdir.path() + "/journal.db";
  o.read_only = true;
  auto opened = journal::db::open(o);
  REQUIRE(opened.journal);
  journal::query q;
  q.limit = 0;
  bool mismatch = false;
  bool accepted = false;
  for (auto& r : opened.journal->reconciles(q)) {
    mismatch = mismatch || (r.action == "mismatch" && r.key == "BTC");
    accepted = accepted || (r.action == "accepted" && r.key == "BTC" && r.by == "cli");
  }
  CHECK(mismatch);
  CHECK(accepted);
  CHECK(s.stop() == 0);
}

TEST_CASE("a journal that is not a database, locked or read-only stops the service before it trades") {
  temp_dir dir;
  auto cfg_file = dir.path() + "/agora.json";
  auto journal_file = dir.path() + "/journal.db";
  write_file(cfg_file, with_data_dir(standard_config, dir.path()));
  std::string out;
  SECTION("not a database") {
    write_file(journal_file, "these are not the bytes of a SQLite database, but long enough "
                             "to have a header: 0123456789abcdef0123456789abcdef\n");
    CHECK(run_cli({"--config", cfg_file, "run"}, dir.path() + "/run.out", &out) == 2);
    CHECK(out.find("refusing to start") != std::string::npos);
    CHECK(out.find("not a SQLite database") != std::string::npos);
    CHECK(out.find(journal_file) != std::string::npos);
  }
  SECTION("locked by another process") {
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(journal_file.c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "CREATE TABLE t(x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);",
                         nullptr, nullptr, nullptr)
            == SQLITE_OK);
    CHECK(run_cli({"--config", cfg_file, "run"}, dir.path() + "/run.out", &out) == 2);
    CHECK(out.find("locked") != std::string::npos);
    sqlite3_exec(other, "ROLLBACK;", nullptr, nullptr, nullptr);
    sqlite3_close(other);
  }
  SECTION("read-only") {
    // A journal from a run, then made read-only by an operator.
    journal::open_options o;
    o.path = journal_file;
    REQUIRE(journal::db::open(o).journal);
    REQUIRE(::chmod(journal_file.c_str(), 0444) == 0);
    CHECK(run_cli({"--config", cfg_file, "run"}, dir.path() + "/run.out", &out) == 2);
    CHECK(out.find("read-only") != std::string::npos);
    ::chmod(journal_file.c_str(), 0644);
  }
  SECTION("corrupt") {
    {
      journal::open_options o;
      o.path = journal_file;
      auto j = journal::db::open(o);
      REQUIRE(j.journal);
      for (int i = 0; i < 300; ++i)
        j.journal->signal(signal_record{i, "mr:BTCUSDT", venue_id{"sim"}, symbol_id{"BTCUSDT"},
                                        "entry_long", -1.5, 0.2, false,
                                        "a long enough reason to fill some pages " + std::to_string(i)});
    }
    // Damage the pages after the header page.
    std::fstream f{journal_file, std::ios::in | std::ios::out | std::ios::binary};
    f.seekp(4096 + 100);
    std::string junk(8192, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    f.close();
    CHECK(run_cli({"--config", cfg_file, "run"}, dir.path() + "/run.out", &out) == 2);
    CHECK((out.find("corrupt") != std::string::npos
           || out.find("not a SQLite database") != std::string::npos));
  }
  INFO(out);
}
