#include <catch2/catch.hpp>

#include <string>
#include <variant>

#include "config/config_loader.hpp"

using namespace agora;
using namespace agora::config;

namespace {

std::string with_venue(const std::string& binance, const std::string& top = "",
                       const std::string& strategies = "[]") {
  return R"({ )" + top + R"( "venues": [ { "name": "bn", "kind": "binance", "binance": )"
         + binance + R"( } ], "strategies": )" + strategies + " }";
}

config_error error_of(const std::string& text) {
  auto r = parse_config(text);
  REQUIRE(std::holds_alternative<config_error>(r));
  return std::get<config_error>(r);
}

agora_config config_of(const std::string& text) {
  auto r = parse_config(text);
  if (auto* e = std::get_if<config_error>(&r))
    FAIL(to_string(*e));
  return std::get<agora_config>(r);
}

} // namespace

TEST_CASE("a binance testnet venue gets Binance's documented testnet endpoints", "[config]") {
  auto c = config_of(with_venue(R"({ "market": "spot", "symbols": ["BTCUSDT"] })"));
  REQUIRE(c.venues.size() == 1);
  const auto& b = c.venues[0].binance;
  CHECK(c.venues[0].kind == "binance");
  CHECK(b.network == "testnet");
  CHECK(b.rest_url == "https://testnet.binance.vision");
  CHECK(b.ws_url == "wss://stream.testnet.binance.vision");
  CHECK(b.ws_api_url == "wss://ws-api.testnet.binance.vision/ws-api/v3");
  CHECK(b.maker_fee == rate::from_raw(100'000));
  CHECK(b.verify_tls);
  auto f = config_of(with_venue(R"({ "market": "usdm", "symbols": ["BTCUSDT"] })"));
  CHECK(f.venues[0].binance.rest_url == "https://testnet.binancefuture.com");
  CHECK(f.venues[0].binance.taker_fee == rate::from_raw(50'000));
}

TEST_CASE("a local binance venue must spell out the exchange-sim's addresses", "[config]") {
  auto e = error_of(with_venue(R"({ "market": "spot", "network": "local", "symbols": ["BTCUSDT"],
                                    "rest_url": "https://127.0.0.1:9443" })"));
  CHECK(e.path == "venues[0].binance");
  CHECK(e.message.find("ws_url") != std::string::npos);
  e = error_of(with_venue(R"({ "market": "spot", "symbols": ["BTCUSDT"], "rest_url": "ftp://x" })"));
  CHECK(e.path == "venues[0].binance.rest_url");
}

TEST_CASE("mainnet refuses to trade unless live is set at both levels", "[config]") {
  auto e = error_of(with_venue(R"({ "market": "spot", "network": "mainnet", "symbols": ["BTCUSDT"] })"));
  CHECK(e.path == "venues[0].binance.live");
  e = error_of(with_venue(
    R"({ "market": "spot", "network": "mainnet", "live": true, "symbols": ["BTCUSDT"] })"));
  CHECK(e.path == "mode");
  e = error_of(with_venue(R"({ "market": "spot", "network": "mainnet", "live": true,
                               "verify_tls": false, "symbols": ["BTCUSDT"] })",
                          R"("mode": "live",)"));
  CHECK(e.path == "venues[0].binance.verify_tls");
  e = error_of(with_venue(R"({ "market": "spot", "live": true, "symbols": ["BTCUSDT"] })"));
  CHECK(e.path == "venues[0].binance.live");
  auto ok = config_of(with_venue(
    R"({ "market": "spot", "network": "mainnet", "live": true, "symbols": ["BTCUSDT"] })",
    R"("mode": "live",)"));
  CHECK(ok.venues[0].binance.rest_url == "https://api.binance.com");
}

TEST_CASE("paper orders on a binance venue send nothing and are refused in live mode", "[config]") {
  auto c = config_of(with_venue(R"({ "market": "spot", "symbols": ["BTCUSDT"] })"));
  CHECK(c.venues[0].binance.orders == "venue");
  CHECK(c.venues[0].binance.paper_latency == 10 * ns_per_ms);
  CHECK(c.venues[0].binance.paper_jitter == 2 * ns_per_ms);
  // Mainnet market data, paper fills: no live flag, no live mode needed.
  auto p = config_of(with_venue(R"({ "market": "usdm", "network": "mainnet", "orders": "paper",
                                     "paper_latency_ms": 25, "paper_jitter_ms": 0,
                                     "symbols": ["BTCUSDT"] })"));
  CHECK(p.venues[0].binance.orders == "paper");
  CHECK(p.venues[0].binance.paper_latency == 25 * ns_per_ms);
  CHECK(p.venues[0].binance.paper_jitter == 0);
  CHECK(p.venues[0].binance.rest_url == "https://fapi.binance.com");
  auto e = error_of(with_venue(R"({ "market": "spot", "network": "mainnet", "orders": "paper",
                                    "live": true, "symbols": ["BTCUSDT"] })"));
  CHECK(e.path == "venues[0].binance.live");
  e = error_of(with_venue(R"({ "market": "spot", "network": "mainnet", "orders": "paper",
                               "verify_tls": false, "symbols": ["BTCUSDT"] })"));
  CHECK(e.path == "venues[0].binance.verify_tls");
  e = error_of(with_venue(R"({ "market": "spot", "network": "mainnet", "orders": "paper",
                               "symbols": ["BTCUSDT"] })",
                          R"("mode": "live",)"));
  CHECK(e.path == "venues[0].binance.orders");
  CHECK(e.message == R"(expected "venue": the top-level mode is "live", got "paper")");
  e = error_of(with_venue(R"({ "market": "spot", "orders": "simulated", "symbols": ["BTCUSDT"] })"));
  CHECK(e.path == "venues[0].binance.orders");
  e = error_of(with_venue(R"({ "market": "spot", "paper_latency_ms": -1, "symbols": ["BTCUSDT"] })"));
  CHECK(e.path == "venues[0].binance.paper_latency_ms");
  // The mainnet refusal names the paper way out.
  e = error_of(with_venue(R"({ "market": "spot", "network": "mainnet", "symbols": ["BTCUSDT"] })"));
  CHECK(e.message.find(R"("orders": "paper")") != std::string::npos);
}

TEST_CASE("strategies on a binance venue name one of its symbols", "[config]") {
  auto e = error_of(with_venue(R"({ "market": "spot", "symbols": ["BTCUSDT"] })", "",
                               R"([{ "symbol": "ETHUSDT" }])"));
  CHECK(e.path == "strategies[0].symbol");
  e = error_of(with_venue(R"({ "market": "spot", "symbols": ["BTCUSDT"] })", "",
                          R"([{ "symbol": "BTCUSDT", "mean_reversion": { "allow_short": true } }])"));
  CHECK(e.path == "strategies[0].mean_reversion.allow_short");
  auto c = config_of(with_venue(R"({ "market": "usdm", "symbols": ["BTCUSDT"] })", "",
                                R"([{ "symbol": "BTCUSDT", "mean_reversion": { "allow_short": true } }])"));
  CHECK(c.strategies[0].venue == venue_id{"bn"});
}

TEST_CASE("binance venue settings are checked key by key", "[config]") {
  CHECK(error_of(with_venue(R"({ "market": "coinm", "symbols": ["BTCUSDT"] })")).path
        == "venues[0].binance.market");
  CHECK(error_of(with_venue(R"({ "market": "spot", "symbols": [] })")).path
        == "venues[0].binance.symbols");
  CHECK(error_of(with_venue(R"({ "market": "spot", "symbols": ["BTC USDT"] })")).path
        == "venues[0].binance.symbols[0]");
  CHECK(error_of(with_venue(R"({ "market": "spot", "symbols": ["BTCUSDT", "BTCUSDT"] })")).path
        == "venues[0].binance.symbols[1]");
  CHECK(error_of(with_venue(R"({ "market": "spot", "symbols": ["BTCUSDT"], "recv_window_ms": 70000 })"))
          .path
        == "venues[0].binance.recv_window_ms");
  CHECK(error_of(with_venue(R"({ "market": "spot", "symbols": ["BTCUSDT"], "api_key": "x" })")).path
        == "venues[0].binance.api_key");
  CHECK(error_of(R"({ "venues": [ { "kind": "binance" } ] })").path == "venues[0].binance");
  CHECK(error_of(R"({ "venues": [ { "kind": "binance", "sim": {}, "binance": {} } ] })").path
        == "venues[0].sim");
}

TEST_CASE("the example binance configs load", "[config]") {
  for (auto name : {"exchange-sim.json", "binance-testnet.json", "binance-mainnet.json",
                    "binance-paper.json"}) {
    auto r = load_config_file(std::string{AGORA_SOURCE_DIR} + "/config/" + name);
    if (auto* e = std::get_if<config_error>(&r))
      FAIL(name << ": " << to_string(*e));
  }
}
