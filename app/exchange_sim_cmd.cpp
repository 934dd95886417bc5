// `agora exchange-sim`: the Binance-protocol sim exchange as its own process,
// and `agora exchange-sim fault ...` to disturb a running one.

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <rapidjson/document.h>

#include "app/cli.hpp"
#include "venues/common/https_client.hpp"
#include "venues/common/json.hpp"
#include "venues/common/url.hpp"
#include "venues/exchange_sim/server.hpp"

namespace agora::cli {

namespace {

volatile std::sig_atomic_t sim_stop = 0;

extern "C" void on_sim_signal(int) { sim_stop = 1; }

void fail(const std::string& s) { std::fprintf(stderr, "agora exchange-sim: %s\n", s.c_str()); }

bool parse_u64(const std::string& text, uint64_t max, uint64_t& out) {
  if (text.empty() || text.size() > 19
      || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  auto v = std::stoull(text);
  if (v > max)
    return false;
  out = v;
  return true;
}

int serve(const std::vector<std::string>& args) {
  xsim::server_options opts;
  for (size_t i = 0; i < args.size(); ++i) {
    auto need = [&](const char* what) -> const std::string* {
      if (i + 1 >= args.size()) {
        fail(args[i] + " needs " + what);
        return nullptr;
      }
      return &args[++i];
    };
    uint64_t n = 0;
    const auto& a = args[i];
    if (a == "--data-dir") {
      auto v = need("a directory");
      if (!v)
        return 2;
      opts.data_dir = *v;
    } else if (a == "--spot-port" || a == "--usdm-port") {
      auto v = need("a port number (0 = any free port)");
      if (!v)
        return 2;
      if (!parse_u64(*v, 65535, n)) {
        fail(a + ": expected a port in 0..65535, got '" + *v + "'");
        return 2;
      }
      (a == "--spot-port" ? opts.spot_port : opts.usdm_port) = static_cast<uint16_t>(n);
    } else if (a == "--step-ms") {
      auto v = need("milliseconds");
      if (!v)
        return 2;
      if (!parse_u64(*v, 60'000, n) || n == 0) {
        fail("--step-ms: expected 1..60000, got '" + *v + "'");
        return 2;
      }
      opts.step_interval = static_cast<nanos>(n) * ns_per_ms;
    } else if (a == "--seed") {
      auto v = need("a number");
      if (!v)
        return 2;
      if (!parse_u64(*v, UINT64_MAX / 2, n)) {
        fail("--seed: expected a number, got '" + *v + "'");
        return 2;
      }
      opts.seed = n;
    } else if (a == "--listen-key-ttl-s") {
      auto v = need("seconds");
      if (!v)
        return 2;
      if (!parse_u64(*v, 86'400, n) || n == 0) {
        fail("--listen-key-ttl-s: expected 1..86400, got '" + *v + "'");
        return 2;
      }
      opts.listen_key_ttl = static_cast<nanos>(n) * ns_per_s;
    } else if (a == "--weight-limit") {
      auto v = need("weight per minute");
      if (!v)
        return 2;
      if (!parse_u64(*v, 10'000'000, n) || n == 0) {
        fail("--weight-limit: expected 1..10000000, got '" + *v + "'");
        return 2;
      }
      opts.weight_limit_1m = static_cast<uint32_t>(n);
    } else {
      fail("unknown argument '" + a + "' (see agora --help)");
      return 2;
    }
  }
  struct sigaction sa {};
  sa.sa_handler = on_sim_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  xsim::exchange_server server{opts};
  std::string error;
  if (!server.start(&error)) {
    fail(error);
    return 1;
  }
  std::printf("exchange-sim ready: spot https://127.0.0.1:%u usdm https://127.0.0.1:%u "
              "(WebSocket on the same ports)\n"
              "  certificate: %s\n  credentials: %s/credentials.json (mode 0600)\n",
              server.port(binance::market::spot), server.port(binance::market::usdm),
              server.cert_file().c_str(), opts.data_dir.c_str());
  std::fflush(stdout);
  while (!sim_stop)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.stop();
  std::printf("exchange-sim stopped\n");
  return 0;
}

int fault(const std::vector<std::string>& args) {
  std::string data_dir = "var/exchange-sim";
  std::string market = "spot";
  std::vector<std::string> positional;
  for (size_t i = 0; i < args.size(); ++i) {
    if ((args[i] == "--data-dir" || args[i] == "--market") && i + 1 < args.size()) {
      (args[i] == "--data-dir" ? data_dir : market) = args[i + 1];
      ++i;
    } else if (args[i].rfind("--", 0) == 0) {
      fail("unknown or incomplete option '" + args[i] + "'");
      return 2;
    } else {
      positional.push_back(args[i]);
    }
  }
  if (positional.empty() || positional.size() > 2) {
    fail("usage: agora exchange-sim fault KIND [ARG] [--market spot|usdm] [--data-dir D]");
    return 2;
  }
  if (market != "spot" && market != "usdm") {
    fail("--market: expected spot or usdm, got '" + market + "'");
    return 2;
  }
  std::ifstream f{data_dir + "/ports.json"};
  std::stringstream text;
  text << f.rdbuf();
  rapidjson::Document doc;
  doc.Parse(text.str().c_str());
  auto port = doc.HasParseError() ? std::nullopt : json::get_u64(doc, market);
  if (!f || !port) {
    fail("no running exchange-sim found (cannot read " + data_dir + "/ports.json)");
    return 1;
  }
  net::https_options ho;
  std::string error;
  auto base = net::parse_url("https://127.0.0.1:" + std::to_string(*port), &error);
  ho.base = *base;
  ho.tls.ca_file = data_dir + "/cert.pem";
  ho.max_connections = 1;
  net::https_client client{ho};
  net::https_request req;
  req.method = "POST";
  req.target = "/agora/fault?kind=" + positional[0]
               + (positional.size() > 1 ? "&arg=" + positional[1] : "");
  auto r = client.call(std::move(req));
  if (r.outcome != net::send_outcome::complete) {
    fail("fault not delivered: " + r.error);
    return 1;
  }
  std::printf("%s\n", r.body.c_str());
  return r.status == 200 ? 0 : 1;
}

} // namespace

int run_exchange_sim(const std::vector<std::string>& args) {
  if (!args.empty() && args[0] == "fault")
    return fault({args.begin() + 1, args.end()});
  return serve(args);
}

} // namespace agora::cli
