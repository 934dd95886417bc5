#pragma once

// Processes integration tests start: `agora exchange-sim` (a venue that
// outlives the service) and `agora run` itself.

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include "harness.hpp"

extern char** environ;

namespace agora::itest {


inline std::string agora_binary() { return std::string{AGORA_BINARY_DIR} + "/app/agora"; }

inline std::string read_file(const std::string& path) {
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
  /// `weight_limit`: request weight per minute ("" keeps Binance's).
  explicit exchange_sim(const std::string& dir, const std::string& listen_key_ttl_s = "3600",
                        const std::string& weight_limit = "")
    : dir_(dir),
      proc_(args(dir, listen_key_ttl_s, weight_limit), dir + "/exchange-sim.log") {
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

  static std::vector<std::string> args(const std::string& dir, const std::string& ttl,
                                       const std::string& weight_limit) {
    std::vector<std::string> a{agora_binary(), "exchange-sim", "--data-dir", dir, "--spot-port",
                               "0", "--usdm-port", "0", "--step-ms", "50",
                               "--listen-key-ttl-s", ttl};
    if (!weight_limit.empty()) {
      a.push_back("--weight-limit");
      a.push_back(weight_limit);
    }
    return a;
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
  /// `strategies` / `strategy_template`: JSON values for those keys.
  std::string config(const std::string& extra_top = "",
                     const std::string& strategies
                     = R"([ { "venue": "bn-spot", "symbol": "BTCUSDT" } ])",
                     const std::string& strategy_template
                     = R"({ "window": 5, "entry_z": 10, "exit_z": 5, "bar_seconds": 0.1,
                            "order_notional": "100", "maker_lifetime_seconds": 1 })") const {
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
      "strategies": )" + strategies + R"(,
      "strategy_template": )" + strategy_template + " }";
  }

  std::map<std::string, binance::credentials> credentials() const {
    return {{"bn-spot", keys}, {"bn-usdm", keys}};
  }

  const std::string& dir() const noexcept { return dir_; }
  bool running() { return proc_.running(); }

  uint16_t spot_port = 0;
  uint16_t usdm_port = 0;
  binance::credentials keys;

private:
  std::string dir_;
  child_process proc_;
};

} // namespace agora::itest
