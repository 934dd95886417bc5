// Integration: Agora against `agora exchange-sim`, a separate process that
// serves the sim exchange over Binance's spot and USD-M protocol with TLS on
// 127.0.0.1. The service trades end to end over TLS, survives every fault
// the exchange can inject, and never writes a secret to its logs.

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include "harness.hpp"

#include "venues/common/https_client.hpp"
#include "venues/common/url.hpp"

extern char** environ;

using namespace agora;
using namespace agora::itest;

namespace {

std::string agora_binary() { return std::string{AGORA_BINARY_DIR} + "/app/agora"; }

std::string read_file(const std::string& path) {
  std::ifstream in{path};
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A child process with stdout and stderr going to `log`; SIGKILLed by the
/// destructor if still running.
class child_process {
public:
  child_process(std::vector<std::string> argv, const std::string& log) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(a.data());
    args.push_back(nullptr);
    int rc = posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
      FAIL("posix_spawn " << argv[0] << ": " << std::strerror(rc));
  }

  ~child_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  /// Sends `sig` and waits (bounded) for the exit; returns the exit code,
  /// or -1 if it had to be killed.
  int stop(int sig = SIGTERM, milliseconds bound = 10s) {
    if (pid_ <= 0)
      return -1;
    ::kill(pid_, sig);
    int status = 0;
    auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(20ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return -1;
  }

  bool running() {
    if (pid_ <= 0)
      return false;
    if (::waitpid(pid_, nullptr, WNOHANG) == 0)
      return true;
    pid_ = -1; // reaped
    return false;
  }

private:
  pid_t pid_ = -1;
};

/// `agora exchange-sim` on ephemeral ports in its own directory.
class exchange_sim {
public:
  explicit exchange_sim(const std::string& dir, const std::string& listen_key_ttl_s = "3600")
    : dir_(dir),
      proc_({agora_binary(), "exchange-sim", "--data-dir", dir, "--spot-port", "0",
             "--usdm-port", "0", "--step-ms", "50", "--listen-key-ttl-s", listen_key_ttl_s},
            dir + "/exchange-sim.log") {
    REQUIRE(poll_until([&] { return std::filesystem::exists(dir_ + "/ports.json"); }));
    auto ports = parse_json(read_file(dir_ + "/ports.json"));
    REQUIRE(ports->ok);
    spot_port = static_cast<uint16_t>(json::get_u64(ports->doc, "spot").value_or(0));
    usdm_port = static_cast<uint16_t>(json::get_u64(ports->doc, "usdm").value_or(0));
    REQUIRE(spot_port != 0);
    REQUIRE(usdm_port != 0);
    auto creds = parse_json(read_file(dir_ + "/credentials.json"));
    REQUIRE(creds->ok);
    keys.api_key = std::string{json::get_string(creds->doc, "api_key").value_or("")};
    keys.secret = std::string{json::get_string(creds->doc, "secret").value_or("")};
    REQUIRE(keys.api_key.size() >= 32);
  }

  /// Injects a fault through the CLI, as a user would.
  std::string fault(const std::string& market, const std::string& kind,
                    const std::string& arg = "") {
    auto out = dir_ + "/fault.out";
    std::filesystem::remove(out);
    std::vector<std::string> argv{agora_binary(), "exchange-sim", "fault", kind};
    if (!arg.empty())
      argv.push_back(arg);
    for (auto a : {"--market", market.c_str(), "--data-dir", dir_.c_str()})
      argv.emplace_back(a);
    child_process p{argv, out};
    CHECK(p.stop(0, 10s) == 0); // signal 0: just wait for it
    return read_file(out);
  }

  std::string cert() const { return dir_ + "/cert.pem"; }

  /// An exchange that died under a test is a failure of its own, with its
  /// log in the test output (the directory is removed afterwards).
  ~exchange_sim() {
    if (!proc_.running()) {
      auto log = read_file(dir_ + "/exchange-sim.log");
      if (log.size() > 8000)
        log = log.substr(log.size() - 8000);
      FAIL_CHECK("agora exchange-sim exited during the test; its log ends:\n" << log);
    }
  }

  /// A service config with one spot and one USD-M venue on this exchange.
  std::string config(const std::string& extra_top = "") const {
    auto venue = [&](const char* name, const char* market, uint16_t port,
                     const char* symbols) {
      auto base = "127.0.0.1:" + std::to_string(port);
      return std::string{R"({ "name": ")"} + name + R"(", "kind": "binance", "binance": {
          "market": ")" + market + R"(", "network": "local",
          "rest_url": "https://)" + base + R"(", "ws_url": "wss://)" + base + R"(",
          "ws_api_url": "wss://)" + base + R"(/ws-api/v3", "ca_file": ")" + cert() + R"(",
          "credentials_file": ")" + dir_ + R"(/credentials.json",
          "heartbeat_timeout_ms": 1500, "ping_interval_ms": 300,
          "reconcile_interval_seconds": 1, "symbols": )" + symbols + " } }";
    };
    return R"({ "data_dir": "@DATA_DIR@", "log_level": "warn", )" + extra_top + R"(
      "control": { "address": "127.0.0.1", "port": 0 },
      "supervision": { "max_restarts": 20, "within_seconds": 60, "backoff_initial_ms": 50,
                       "backoff_max_ms": 500 },
      "gateway": { "orders_per_minute": 600, "burst": 50 },
      "venues": [ )" + venue("bn-spot", "spot", spot_port, R"(["BTCUSDT", "ETHUSDT"])") + ", "
           + venue("bn-usdm", "usdm", usdm_port, R"(["BTCUSDT"])") + R"( ],
      "strategies": [ { "venue": "bn-spot", "symbol": "BTCUSDT" } ],
      "strategy_template": { "window": 5, "entry_z": 10, "exit_z": 5, "bar_seconds": 0.1,
                             "order_notional": "100", "entry_timeout_seconds": 1 } })";
  }

  std::map<std::string, binance::credentials> credentials() const {
    return {{"bn-spot", keys}, {"bn-usdm", keys}};
  }

  uint16_t spot_port = 0;
  uint16_t usdm_port = 0;
  binance::credentials keys;

private:
  std::string dir_;
  child_process proc_;
};

uint64_t restarts_of(service_fixture& f, const std::string& name) {
  auto n = f.node(name);
  return n ? n->restarts : 0;
}

} // namespace

TEST_CASE("the service trades spot and USD-M end to end over TLS against exchange-sim") {
  temp_dir xdir;
  exchange_sim x{xdir.path()};
  service_fixture f{x.config(), x.credentials()};
  REQUIRE(f.wait_ready(20s));
  trader t{f};

  // Spot: an IOC buy 1% through the best ask fills.
  auto view = f.first_view("BTCUSDT", 10s, "bn-spot");
  REQUIRE(view);
  auto ioc = t.order("BTCUSDT", side::buy, time_in_force::ioc,
                     shifted(view->asks.front().px, 1), qty_of("0.001"), "bn-spot");
  t.submit(ioc);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(ioc.cid); }));
  REQUIRE(t.events.accepted_of(ioc.cid));
  CHECK_FALSE(t.events.rejected_of(ioc.cid));
  REQUIRE(t.events.last_fill_of(ioc.cid));
  CHECK(t.events.filled_qty(ioc.cid) == t.events.last_fill_of(ioc.cid)->cum_qty);
  // Fills come from the user-data stream, with the venue's trade ids.
  for (auto& fl : t.events.filled)
    if (fl.cid == ioc.cid)
      CHECK(fl.tid.valid());

  // Spot: a post-only buy 5% under the bid rests (LIMIT_MAKER), then is
  // cancelled.
  auto rest = t.order("BTCUSDT", side::buy, time_in_force::post_only,
                      shifted(view->bids.front().px, -5), qty_of("0.001"), "bn-spot");
  t.submit(rest);
  REQUIRE(t.wait([&](const order_events& e) { return e.accepted_of(rest.cid) || e.done(rest.cid); }));
  REQUIRE(t.events.accepted_of(rest.cid));
  t.cancel(rest);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(rest.cid); }));
  REQUIRE(t.events.canceled_of(rest.cid));

  // Spot: a post-only buy through the ask is a plain rejection.
  auto cross = t.order("BTCUSDT", side::buy, time_in_force::post_only,
                       shifted(view->asks.front().px, 1), qty_of("0.001"), "bn-spot");
  t.submit(cross);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(cross.cid); }));
  REQUIRE(t.events.rejected_of(cross.cid));
  CHECK(t.events.rejected_of(cross.cid)->reason == reject_reason::post_only_would_cross);

  // The account as the venue sees it (signed GET account): spot balances.
  {
    caf::scoped_actor self{f.sys()};
    std::optional<positions_report> acct;
    self->request(f.lookup("venue:bn-spot/order-entry"), 10s, positions_atom_v)
      .receive([&](positions_report& r) { acct = std::move(r); }, [](caf::error&) {});
    REQUIRE(acct);
    bool usdt = false;
    for (auto& p : acct->positions)
      usdt = usdt || (p.symbol == symbol_id{"USDT"} && p.qty.raw() > 0);
    CHECK(usdt);
  }

  // USD-M: an IOC buy fills; the position shows it.
  auto perp = f.first_view("BTCUSDT", 10s, "bn-usdm");
  REQUIRE(perp);
  auto long_ioc = t.order("BTCUSDT", side::buy, time_in_force::ioc,
                          shifted(perp->asks.front().px, 1), qty_of("0.002"), "bn-usdm");
  t.submit(long_ioc);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(long_ioc.cid); }));
  REQUIRE(t.events.last_fill_of(long_ioc.cid));
  {
    caf::scoped_actor self{f.sys()};
    std::optional<positions_report> acct;
    self->request(f.lookup("venue:bn-usdm/order-entry"), 10s, positions_atom_v)
      .receive([&](positions_report& r) { acct = std::move(r); }, [](caf::error&) {});
    REQUIRE(acct);
    quantity held;
    for (auto& p : acct->positions)
      if (p.symbol == symbol_id{"BTCUSDT"})
        held = p.qty;
    CHECK(held == t.events.filled_qty(long_ioc.cid));
  }

  // USD-M: a GTX (post-only) buy through the ask is rejected as post-only.
  auto gtx = t.order("BTCUSDT", side::buy, time_in_force::post_only,
                     shifted(perp->asks.front().px, 1), qty_of("0.002"), "bn-usdm");
  t.submit(gtx);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(gtx.cid); }));
  REQUIRE(t.events.rejected_of(gtx.cid));
  CHECK(t.events.rejected_of(gtx.cid)->reason == reject_reason::post_only_would_cross);
}

TEST_CASE("every market-data fault of exchange-sim is survived: feeds restart, books resync") {
  temp_dir xdir;
  exchange_sim x{xdir.path()};
  service_fixture f{x.config(), x.credentials()};
  REQUIRE(f.wait_ready(20s));

  // Dropped connections: both feeds are restarted and their books resync.
  auto spot_before = restarts_of(f, "venue:bn-spot/feed");
  auto usdm_before = restarts_of(f, "venue:bn-usdm/feed");
  CHECK(x.fault("spot", "drop").find("dropped") != std::string::npos);
  CHECK(x.fault("usdm", "drop").find("dropped") != std::string::npos);
  CHECK(poll_until([&] { return restarts_of(f, "venue:bn-spot/feed") > spot_before; }));
  CHECK(poll_until([&] { return restarts_of(f, "venue:bn-usdm/feed") > usdm_before; }));
  CHECK(f.wait_ready(20s));

  // A skipped sequence id: the spot book detects the gap and resyncs (the
  // USD-M book by its pu chain).
  CHECK_FALSE(x.fault("spot", "seq_gap", "BTCUSDT").empty());
  CHECK_FALSE(x.fault("usdm", "seq_gap", "BTCUSDT").empty());
  CHECK(f.wait_ready(20s));

  // Malformed frames are dropped and counted; the feed goes on.
  auto restarts = restarts_of(f, "venue:bn-spot/feed");
  CHECK_FALSE(x.fault("spot", "malformed", "3").empty());
  CHECK(poll_until([&] {
    auto n = f.node("venue:bn-spot/feed");
    return n && detail_u64(n->detail, "malformed") >= 1;
  }));
  CHECK(restarts_of(f, "venue:bn-spot/feed") == restarts);

  // A stall longer than the heartbeat timeout: the silent feed is restarted.
  CHECK_FALSE(x.fault("spot", "stall", "3").empty());
  CHECK(poll_until([&] { return restarts_of(f, "venue:bn-spot/feed") > restarts; }, 15s));
  CHECK(f.wait_ready(20s));
}

TEST_CASE("order-entry faults of exchange-sim are survived: 429, 418 and unknown outcomes") {
  temp_dir xdir;
  exchange_sim x{xdir.path()};
  service_fixture f{x.config(), x.credentials()};
  REQUIRE(f.wait_ready(20s));
  trader t{f};
  auto view = f.first_view("BTCUSDT", 10s, "bn-spot");
  REQUIRE(view);
  auto resting_buy = [&] {
    auto o = t.order("BTCUSDT", side::buy, time_in_force::gtc,
                     shifted(view->bids.front().px, -5), qty_of("0.001"), "bn-spot");
    t.submit(o);
    return o;
  };
  // Orders pass again: a resting buy is accepted (then cancelled).
  auto accepted_again = [&] {
    auto o = resting_buy();
    if (!t.wait([&](const order_events& e) { return e.accepted_of(o.cid) || e.done(o.cid); }))
      return false;
    if (!t.events.accepted_of(o.cid))
      return false;
    t.cancel(o);
    return true;
  };

  // Unknown outcome (503 after the order was placed): the order is queried
  // and found, never taken as failed.
  CHECK_FALSE(x.fault("spot", "503", "1").empty());
  auto unknown = resting_buy();
  REQUIRE(t.wait([&](const order_events& e) { return e.accepted_of(unknown.cid) || e.done(unknown.cid); }));
  CHECK(t.events.accepted_of(unknown.cid));
  CHECK_FALSE(t.events.rejected_of(unknown.cid));
  t.cancel(unknown);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(unknown.cid); }));
  CHECK(t.events.canceled_of(unknown.cid));

  // 429: the order is rejected RATE_LIMITED; after Retry-After orders pass.
  CHECK_FALSE(x.fault("spot", "429", "1").empty());
  auto limited = resting_buy();
  REQUIRE(t.wait([&](const order_events& e) { return e.done(limited.cid); }));
  REQUIRE(t.events.rejected_of(limited.cid));
  CHECK(t.events.rejected_of(limited.cid)->reason == reject_reason::rate_limited);
  CHECK(poll_until(accepted_again, 15s, 200ms));

  // 418: every request refused; the order is rejected VENUE_UNAVAILABLE and
  // nothing is sent until the ban ends.
  CHECK_FALSE(x.fault("spot", "418", "2").empty());
  auto banned = resting_buy();
  REQUIRE(t.wait([&](const order_events& e) { return e.done(banned.cid); }));
  REQUIRE(t.events.rejected_of(banned.cid));
  auto reason = t.events.rejected_of(banned.cid)->reason;
  CHECK((reason == reject_reason::venue_unavailable || reason == reject_reason::rate_limited));
  CHECK(poll_until(accepted_again, 20s, 500ms));

  // The tree never went down.
  for (auto& n : f.graph().nodes)
    CHECK(n.state != "down");
}

TEST_CASE("an expired USD-M listenKey is replaced and fills keep arriving on the stream") {
  temp_dir xdir;
  exchange_sim x{xdir.path(), "2"};
  service_fixture f{x.config(), x.credentials()};
  REQUIRE(f.wait_ready(20s));
  // The key expires 2 s after it was created: the stream is closed by the
  // venue and the order entry opens a new one with a new key.
  CHECK(poll_until(
    [&] {
      auto n = f.node("venue:bn-usdm/order-entry");
      return n && detail_u64(n->detail, "reconnects") >= 1 && n->state == "connected";
    },
    15s, 100ms));
  trader t{f};
  auto perp = f.first_view("BTCUSDT", 10s, "bn-usdm");
  REQUIRE(perp);
  auto ioc = t.order("BTCUSDT", side::buy, time_in_force::ioc,
                     shifted(perp->asks.front().px, 1), qty_of("0.002"), "bn-usdm");
  t.submit(ioc);
  REQUIRE(t.wait([&](const order_events& e) { return e.done(ioc.cid); }));
  auto* fill = t.events.last_fill_of(ioc.cid);
  REQUIRE(fill);
  // From the stream: the venue's trade id, not a fill recovered by a query.
  CHECK(fill->tid.valid());
}

TEST_CASE("agora run against agora exchange-sim: faults survived, clean stop, no secret logged") {
  temp_dir xdir;
  temp_dir sdir;
  exchange_sim x{xdir.path()};
  auto log_file = sdir.path() + "/agora.log";
  auto cfg_text = with_data_dir(x.config(R"("log_file": ")" + log_file + R"(",)"), sdir.path());
  // Debug level: the most the service ever writes.
  auto pos = cfg_text.find(R"("log_level": "warn")");
  REQUIRE(pos != std::string::npos);
  cfg_text.replace(pos, 19, R"("log_level": "debug")");
  auto cfg_path = sdir.path() + "/agora.json";
  std::ofstream{cfg_path} << cfg_text;
  child_process service{{agora_binary(), "--config", cfg_path, "run"},
                        sdir.path() + "/stderr.log"};

  REQUIRE(poll_until([&] { return std::filesystem::exists(sdir.path() + "/control.port"); },
                     20s));
  std::string token = read_file(sdir.path() + "/control.token");
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r'))
    token.pop_back();
  uint16_t port = 0;
  REQUIRE(poll_until([&] {
    auto text = read_file(sdir.path() + "/control.port");
    port = static_cast<uint16_t>(std::atoi(text.c_str()));
    return port != 0;
  }));
  auto books_fresh = [&] {
    auto r = net::http_call("127.0.0.1", port, "GET", "/v1/graph", "", token, 5s);
    if (!r.ok || r.status != 200)
      return false;
    auto d = parse_json(r.body);
    auto* nodes = d->ok ? json::get_array(d->doc, "nodes") : nullptr;
    if (!nodes)
      return false;
    int fresh = 0;
    for (auto& n : nodes->GetArray())
      if (json::get_string(n, "kind").value_or("") == "book"
          && json::get_string(n, "state").value_or("") == "fresh")
        ++fresh;
    return fresh == 3;
  };
  REQUIRE(poll_until(books_fresh, 20s));
  x.fault("spot", "drop");
  x.fault("usdm", "seq_gap", "BTCUSDT");
  x.fault("spot", "malformed", "2");
  CHECK(poll_until(books_fresh, 20s));
  CHECK(service.running());
  CHECK(service.stop(SIGTERM, 15s) == 0);

  auto logs = read_file(log_file) + read_file(sdir.path() + "/stderr.log");
  CHECK(logs.find("order_entry_starting") != std::string::npos);
  CHECK(logs.find(x.keys.secret) == std::string::npos);
  CHECK(logs.find(x.keys.api_key) == std::string::npos);
}
