#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <variant>

#include "config/agora_config.hpp"
#include "config/config_loader.hpp"

using namespace agora;
using namespace agora::config;

namespace {

const std::string config_dir = std::string{AGORA_SOURCE_DIR} + "/config";

agora_config parsed(std::string_view json) {
  auto r = parse_config(json);
  if (auto* e = std::get_if<config_error>(&r))
    FAIL(to_string(*e));
  return std::get<agora_config>(r);
}

config_error error_of(std::string_view json) {
  auto r = parse_config(json);
  REQUIRE(std::holds_alternative<config_error>(r));
  return std::get<config_error>(r);
}

/// A config with one sim venue "sim" holding `symbols` and the given strategies.
std::string with_sim(std::string symbols, std::string strategies = "[]",
                     std::string extra = "") {
  return R"({)" + extra + R"("venues": [{"name": "sim", "kind": "sim", "sim": {"symbols": )"
         + symbols + R"(}}], "strategies": )" + strategies + "}";
}

const std::string btc_and_perp = R"([
  {"symbol": "BTCUSDT", "start_price": "65000", "tick": "0.1", "lot": "0.00001"},
  {"symbol": "BTCUSDT-PERP", "start_price": "65010", "tick": "0.1", "lot": "0.001",
   "perpetual": true}])";

} // namespace

TEST_CASE("paper.json parses and equals the default config", "[config]") {
  auto r = load_config_file(config_dir + "/paper.json");
  if (auto* e = std::get_if<config_error>(&r))
    FAIL(to_string(*e));
  auto c = std::get<agora_config>(r);
  const auto d = default_config();

  CHECK(c.data_dir == "var");
  CHECK(c.mode == run_mode::paper);
  CHECK(c.control.port == 8787);
  CHECK(c.control.address == "127.0.0.1");
  REQUIRE(c.venues.size() == 1);
  CHECK(c.venues[0].name == venue_id{"sim"});
  CHECK(c.venues[0].kind == "sim");
  CHECK(c.venues[0].sim.step_interval == 100 * ns_per_ms);
  REQUIRE(c.venues[0].sim.symbols.size() == 4);
  const auto& btc = c.venues[0].sim.symbols[0];
  CHECK(btc.symbol == symbol_id{"BTCUSDT"});
  CHECK(btc.start_price.raw() == 6'500'000'000'000);
  CHECK(btc.tick.raw() == 10'000'000);
  CHECK(btc.lot.raw() == 1'000);
  CHECK(btc.min_notional.raw() == 500'000'000);
  CHECK(btc.maker_fee.raw() == 20'000);
  CHECK(btc.taker_fee.raw() == 40'000);
  CHECK(btc.level_qty.raw() == 50'000'000);
  CHECK(btc.seed == 1);
  CHECK_FALSE(btc.perpetual);
  const auto& eth = c.venues[0].sim.symbols[1];
  CHECK(eth.symbol == symbol_id{"ETHUSDT"});
  CHECK(eth.start_price.raw() == 350'000'000'000);
  CHECK(eth.tick.raw() == 1'000'000);
  CHECK(eth.lot.raw() == 10'000);
  CHECK(eth.level_qty.raw() == 500'000'000);
  CHECK(eth.seed == 2);
  const auto& perp = c.venues[0].sim.symbols[2];
  CHECK(perp.symbol == symbol_id{"BTCUSDT-PERP"});
  CHECK(perp.start_price.raw() == 6'501'000'000'000);
  CHECK(perp.perpetual);
  CHECK(perp.lot.raw() == 100'000);
  CHECK(perp.taker_fee.raw() == 50'000);
  CHECK(perp.seed == 3);
  const auto& tmpl = c.venues[0].sim.default_symbol;
  CHECK(tmpl.symbol.str().empty());
  CHECK(tmpl.start_price == price::from_units(100));
  CHECK(tmpl.tick.raw() == 1'000'000);
  CHECK(tmpl.lot.raw() == 100'000);
  CHECK(tmpl.level_qty == quantity::from_units(50));

  const auto& eth_perp = c.venues[0].sim.symbols[3];
  CHECK(eth_perp.index_symbol == symbol_id{"ETHUSDT"});
  CHECK(eth_perp.basis_bps == 20);

  REQUIRE(c.strategies.size() == 4);
  CHECK(c.strategies[3].kind == "basis");
  CHECK(c.strategies[3].basis.spot.symbol == symbol_id{"ETHUSDT"});
  c.strategies.pop_back();
  CHECK(c.strategies[0].name == "mr:BTCUSDT");
  CHECK(c.strategies[1].name == "mr:ETHUSDT");
  CHECK(c.strategies[2].name == "mr:BTCUSDT-PERP");
  CHECK(c.strategies[2].symbol == symbol_id{"BTCUSDT-PERP"});
  CHECK_FALSE(c.strategies[0].mean_reversion.allow_short);
  CHECK_FALSE(c.strategies[1].mean_reversion.allow_short);
  CHECK(c.strategies[2].mean_reversion.allow_short);
  for (const auto& s : c.strategies) {
    CHECK(s.venue == venue_id{"sim"});
    CHECK(s.mode == run_mode::paper);
    CHECK(s.mean_reversion.window == 60);
    CHECK(s.mean_reversion.bar_interval == 1 * ns_per_s);
    CHECK(s.mean_reversion.order_notional == notional::from_units(200));
    CHECK(s.mean_reversion.maker_lifetime == 20 * ns_per_s);
    CHECK(s.mean_reversion.time_stop == 300 * ns_per_s);
  }
  CHECK(c.strategy_template == d.strategy_template);

  // Everything else too: default_config() is paper.json, field for field,
  // except the macro calendar, which only the file names (read from the
  // file's directory).
  CHECK(c.venues == d.venues);
  CHECK(c.strategies == std::vector<strategy_config>(d.strategies.begin(), d.strategies.end() - 1));
  CHECK(c.risk.calendar_file == config_dir + "/macro-calendar.json");
  auto full = std::get<agora_config>(r);
  full.risk.calendar_file.clear();
  CHECK(full == d);
}

TEST_CASE("example-test.json binds the control API to an ephemeral port", "[config]") {
  auto r = load_config_file(config_dir + "/example-test.json");
  if (auto* e = std::get_if<config_error>(&r))
    FAIL(to_string(*e));
  const auto& c = std::get<agora_config>(r);
  CHECK(c.control.port == 0);
  REQUIRE(c.venues.size() == 1);
  REQUIRE(c.strategies.size() == 1);
  CHECK(c.strategies[0].venue == venue_id{"sim"});
  CHECK(c.strategies[0].mean_reversion.bar_interval == 100 * ns_per_ms);
}

TEST_CASE("an empty object gives the struct defaults", "[config]") {
  CHECK(parsed("{}") == agora_config{});
  CHECK(parsed(R"({"_comment": "nothing else"})") == agora_config{});
}

TEST_CASE("decimals are parsed exactly from strings, never through double", "[config]") {
  auto c = parsed(with_sim(R"([{"symbol": "X", "start_price": "65000.12345678",
    "tick": "0.00000001", "lot": "0.1", "maker_fee": "-0.0001", "taker_fee": "0.0004",
    "min_notional": "0", "level_qty": "0.3"}])"));
  const auto& s = c.venues[0].sim.symbols[0];
  CHECK(s.start_price.raw() == 6'500'012'345'678);
  CHECK(s.tick.raw() == 1);
  CHECK(s.lot.raw() == 10'000'000);
  CHECK(s.maker_fee.raw() == -10'000);
  CHECK(s.taker_fee.raw() == 40'000);
  CHECK(s.min_notional.raw() == 0);
  CHECK(s.level_qty.raw() == 30'000'000); // 0.3 is not exact in binary; here it is
}

TEST_CASE("durations carry their unit in the key name", "[config]") {
  auto c = parsed(R"({"status_interval_seconds": 2,
    "supervision": {"within_seconds": 30, "backoff_initial_ms": 50, "backoff_max_ms": 2000},
    "strategy_template": {"bar_seconds": 0.5, "time_stop_minutes": 3,
      "time_stop_off_hours_minutes": 7, "maker_lifetime_seconds": 15},
    "venues": [{"name": "sim", "sim": {"step_interval_ms": 20, "latency_us": 300,
      "jitter_us": 100, "heartbeat_timeout_ms": 1500}}]})");
  CHECK(c.status_interval == 2 * ns_per_s);
  CHECK(c.supervision.within == 30 * ns_per_s);
  CHECK(c.supervision.backoff_initial == 50 * ns_per_ms);
  CHECK(c.supervision.backoff_max == 2000 * ns_per_ms);
  CHECK(c.strategy_template.bar_interval == 500 * ns_per_ms);
  CHECK(c.strategy_template.time_stop == 180 * ns_per_s);
  CHECK(c.strategy_template.time_stop_off_hours == 420 * ns_per_s);
  CHECK(c.strategy_template.maker_lifetime == 15 * ns_per_s);
  const auto& sim = c.venues[0].sim;
  CHECK(sim.step_interval == 20 * ns_per_ms);
  CHECK(sim.latency == 300 * ns_per_us);
  CHECK(sim.jitter == 100 * ns_per_us);
  CHECK(sim.heartbeat_timeout == 1500 * ns_per_ms);
}

TEST_CASE("listed symbols take missing keys from the venue's default_symbol", "[config]") {
  auto c = parsed(R"({"venues": [{"name": "sim", "sim": {
    "default_symbol": {"tick": "0.5", "lot": "1", "depth": 7, "volatility": 0.001},
    "symbols": [{"symbol": "ABC", "start_price": "10", "seed": 9}]}}]})");
  const auto& s = c.venues[0].sim.symbols.at(0);
  CHECK(s.symbol == symbol_id{"ABC"});
  CHECK(s.start_price == price::from_units(10));
  CHECK(s.tick.raw() == 50'000'000);
  CHECK(s.lot == quantity::from_units(1));
  CHECK(s.depth == 7);
  CHECK(s.volatility == 0.001);
  CHECK(s.seed == 9);
  CHECK(s.level_qty == quantity::from_units(50)); // struct default, via the template
  CHECK(c.venues[0].sim.default_symbol.symbol.str().empty());
}

TEST_CASE("strategies default to the template, the top-level mode and the only venue",
          "[config]") {
  auto c = parsed(with_sim(btc_and_perp, R"([{"symbol": "BTCUSDT-PERP",
    "mean_reversion": {"allow_short": true}}])",
                           R"("mode": "shadow",
    "strategy_template": {"window": 30, "order_notional": "150"},)"));
  REQUIRE(c.strategies.size() == 1);
  const auto& s = c.strategies[0];
  CHECK(s.name == "mr:BTCUSDT-PERP");
  CHECK(s.kind == "mean_reversion");
  CHECK(s.venue == venue_id{"sim"});
  CHECK(s.mode == run_mode::shadow);
  CHECK(s.mean_reversion.window == 30);
  CHECK(s.mean_reversion.order_notional == notional::from_units(150));
  CHECK(s.mean_reversion.allow_short);
  CHECK(s.mean_reversion.entry_z == 1.25);
}

TEST_CASE("token file defaults to control.token in the data dir", "[config]") {
  agora_config c;
  c.data_dir = "/var/lib/agora";
  CHECK(token_file_path(c) == "/var/lib/agora/control.token");
  c.data_dir = "var/";
  CHECK(token_file_path(c) == "var/control.token");
  c.control.token_file = "/etc/agora/token";
  CHECK(token_file_path(c) == "/etc/agora/token");
  CHECK(token_file_path(default_config()) == "var/control.token");
}

TEST_CASE("errors print the key path and what was expected", "[config]") {
  auto e = error_of(with_sim(R"([{"symbol": "A", "tick": "0.1"},
                                 {"symbol": "B", "tick": "-1"}])"));
  CHECK(e.path == "venues[0].sim.symbols[1].tick");
  CHECK(to_string(e)
        == R"(config error at venues[0].sim.symbols[1].tick: expected a decimal string > 0, got "-1")");
  CHECK(to_string(config_error{"", "x"}) == "config error: x");
}

TEST_CASE("unknown keys are errors that list the expected keys", "[config]") {
  auto e = error_of(R"({"data_dri": "x"})");
  CHECK(e.path == "data_dri");
  CHECK(e.message
        == "unknown key, expected one of: data_dir, log_level, log_file, "
           "status_interval_seconds, mode, scheduler, control, journal, supervision, risk, gateway, "
           "alerts, record, venues, strategies, strategy_template");

  e = error_of(with_sim(R"([{"symbol": "A"}, {"symbol": "B", "tik": "0.1"}])"));
  CHECK(e.path == "venues[0].sim.symbols[1].tik");
  CHECK(e.message
        == "unknown key, expected one of: symbol, start_price, tick, lot, min_notional, "
           "maker_fee, taker_fee, perpetual, volatility, seed, depth, level_qty, "
                     "index_symbol, basis_bps, basis_volatility_bps, basis_half_life_seconds");

  e = error_of(R"({"venues": [{"sim": {"default_symbol": {"symbol": "X"}}}]})");
  CHECK(e.path == "venues[0].sim.default_symbol.symbol");
  CHECK(e.message.rfind("unknown key, expected one of: start_price,", 0) == 0);

  e = error_of(R"({"risk": {"max_order_notional": "1", "max_order_notional": "2"}})");
  CHECK(e.path == "risk.max_order_notional");
  CHECK(e.message == "duplicate key");

  e = error_of(R"({"_comment": 5})");
  CHECK(e.path == "_comment");
  CHECK(e.message == "expected a string, got 5");
}

TEST_CASE("wrong JSON types are errors", "[config]") {
  auto e = error_of(R"({"control": {"port": "8787"}})");
  CHECK(e.path == "control.port");
  CHECK(e.message == R"(expected a port in 1..65535, or 0 for an ephemeral port, got "8787")");

  e = error_of(R"({"risk": {"max_order_notional": 5000}})");
  CHECK(e.path == "risk.max_order_notional");
  CHECK(e.message == "expected a decimal string > 0, got 5000");

  e = error_of(R"({"scheduler": {"busy_poll": "yes"}})");
  CHECK(e.path == "scheduler.busy_poll");
  CHECK(e.message == R"(expected true or false, got "yes")");

  e = error_of(R"({"gateway": []})");
  CHECK(e.path == "gateway");
  CHECK(e.message == "expected an object, got an array");

  e = error_of(R"({"venues": {}})");
  CHECK(e.path == "venues");
  CHECK(e.message == "expected an array of venue objects, got an object");

  e = error_of(R"({"strategy_template": {"window": 60.5}})");
  CHECK(e.path == "strategy_template.window");
  CHECK(e.message == "expected an integer in 2..100000, got 60.5");

  e = error_of(R"({"venues": [{"sim": {"latency_us": null}}]})");
  CHECK(e.path == "venues[0].sim.latency_us");
  CHECK(e.message == "expected a number of microseconds >= 0, got null");
}

TEST_CASE("out-of-range values are errors", "[config]") {
  auto e = error_of(R"({"control": {"port": 70000}})");
  CHECK(e.path == "control.port");
  CHECK(e.message == "expected a port in 1..65535, or 0 for an ephemeral port, got 70000");
  CHECK(error_of(R"({"control": {"port": -1}})").path == "control.port");

  e = error_of(R"({"strategy_template": {"window": 1}})");
  CHECK(e.path == "strategy_template.window");
  CHECK(e.message == "expected an integer in 2..100000, got 1");

  e = error_of(with_sim(R"([{"symbol": "A", "lot": "0"}])"));
  CHECK(e.path == "venues[0].sim.symbols[0].lot");
  CHECK(e.message == R"(expected a decimal string > 0, got "0")");

  e = error_of(with_sim(R"([{"symbol": "A", "lot": "0.000000001"}])"));
  CHECK(e.path == "venues[0].sim.symbols[0].lot");
  CHECK(e.message == R"(expected a decimal string > 0, got "0.000000001" (too_precise))");

  e = error_of(with_sim(R"([{"symbol": "A", "start_price": "1e3"}])"));
  CHECK(e.path == "venues[0].sim.symbols[0].start_price");
  CHECK(e.message == R"(expected a decimal string > 0, got "1e3" (bad_character))");

  e = error_of(with_sim(R"([{"symbol": "A", "start_price": "100.05", "tick": "0.1"}])"));
  CHECK(e.path == "venues[0].sim.symbols[0].start_price");
  CHECK(e.message == R"(expected a multiple of tick 0.1, got "100.05")");

  e = error_of(with_sim(R"([{"symbol": "A", "taker_fee": "0.02"}])"));
  CHECK(e.path == "venues[0].sim.symbols[0].taker_fee");
  CHECK(e.message == R"(expected a decimal string in [-0.01, 0.01], got "0.02")");

  e = error_of(R"({"strategy_template": {"entry_z": 0}})");
  CHECK(e.path == "strategy_template.entry_z");
  CHECK(e.message == "expected a number > 0, got 0");

  e = error_of(R"({"strategy_template": {"exit_z": 1.5}})");
  CHECK(e.path == "strategy_template.exit_z");
  CHECK(e.message == "expected exit_z < entry_z, got 1.5 >= 1.25");

  e = error_of(R"({"strategy_template": {"stop_loss": 1}})");
  CHECK(e.path == "strategy_template.stop_loss");

  e = error_of(R"({"strategy_template": {"off_hours_end_utc": 24}})");
  CHECK(e.path == "strategy_template.off_hours_end_utc");
  CHECK(e.message == "expected an hour in 0..23, got 24");

  e = error_of(R"({"scheduler": {"max_threads": 0}})");
  CHECK(e.path == "scheduler.max_threads");
  CHECK(e.message == "expected an integer in 1..1024, got 0");

  e = error_of(R"({"scheduler": {"policy": "fair"}})");
  CHECK(e.path == "scheduler.policy");
  CHECK(e.message == R"(expected one of: sharing, stealing, got "fair")");

  e = error_of(R"({"log_level": "verbose"})");
  CHECK(e.path == "log_level");
  CHECK(e.message
        == "expected one of: trace, debug, info, warn, warning, err, error, critical, off, "
           "got \"verbose\"");
  CHECK(parsed(R"({"log_level": "warning"})").log_level == "warning");

  e = error_of(R"({"mode": "demo"})");
  CHECK(e.path == "mode");
  CHECK(e.message == R"(expected one of: paper, shadow, live, got "demo")");

  e = error_of(R"({"control": {"address": "0.0.0.0"}})");
  CHECK(e.path == "control.address");
  CHECK(e.message == R"(expected a loopback address literal (127.x.x.x or ::1), got "0.0.0.0")");
  CHECK(error_of(R"({"control": {"address": "localhost"}})").path == "control.address");
  CHECK(error_of(R"({"control": {"address": "127.0.0.256"}})").path == "control.address");
  CHECK(parsed(R"({"control": {"address": "127.1.2.3"}})").control.address == "127.1.2.3");
  CHECK(parsed(R"({"control": {"address": "::1"}})").control.address == "::1");

  e = error_of(R"({"supervision": {"backoff_initial_ms": 500, "backoff_max_ms": 100}})");
  CHECK(e.path == "supervision.backoff_max_ms");
  CHECK(e.message == "expected backoff_max_ms >= backoff_initial_ms, got 100 < 500");

  e = error_of(R"({"venues": [{"sim": {"latency_us": 100, "jitter_us": 200}}]})");
  CHECK(e.path == "venues[0].sim.jitter_us");
  CHECK(e.message == "expected at most latency_us (100), got 200");

  e = error_of(R"({"venues": [{"sim": {"heartbeat_timeout_ms": 100}}]})");
  CHECK(e.path == "venues[0].sim.heartbeat_timeout_ms");
  CHECK(e.message == "expected more than step_interval_ms (100), got 100");

  e = error_of(R"({"data_dir": ""})");
  CHECK(e.path == "data_dir");
  CHECK(e.message == R"(expected a non-empty path, got "")");
}

TEST_CASE("a strategy must name a configured venue and symbol", "[config]") {
  auto e = error_of(with_sim(btc_and_perp, R"([{"venue": "sim", "symbol": "ETHUSDT"}])"));
  CHECK(e.path == "strategies[0].symbol");
  CHECK(e.message
        == R"(unknown symbol "ETHUSDT" on venue "sim", expected one of: BTCUSDT, BTCUSDT-PERP)");

  e = error_of(with_sim(btc_and_perp, R"([{"venue": "binance", "symbol": "BTCUSDT"}])"));
  CHECK(e.path == "strategies[0].venue");
  CHECK(e.message == R"(unknown venue "binance", expected one of: sim)");

  e = error_of(with_sim(btc_and_perp, R"([{"venue": "sim"}])"));
  CHECK(e.path == "strategies[0].symbol");
  CHECK(e.message
        == R"(missing key, expected one of the symbols of venue "sim": BTCUSDT, BTCUSDT-PERP)");

  e = error_of(R"({"strategies": [{"symbol": "BTCUSDT"}]})");
  CHECK(e.path == "strategies[0].venue");
  CHECK(e.message == "missing key, expected a configured venue (none is configured)");

  e = error_of(with_sim(R"([{"tick": "0.1"}])"));
  CHECK(e.path == "venues[0].sim.symbols[0].symbol");
  CHECK(e.message == "missing key, expected a symbol name");

  e = error_of(with_sim(btc_and_perp, R"([{"symbol": "BTCUSDT", "kind": "grid"}])"));
  CHECK(e.path == "strategies[0].kind");
  CHECK(e.message == R"(expected one of: mean_reversion, basis, got "grid")");
}

TEST_CASE("maker watchdog settings: liquidity picks the defaults, explicit keys override", "[config]") {
  auto c = parsed(with_sim(btc_and_perp, R"([
    {"symbol": "BTCUSDT", "mean_reversion": {"liquidity": "thin"}},
    {"symbol": "BTCUSDT-PERP", "mean_reversion": {"liquidity": "thin", "max_reprices": 7,
      "reprice_threshold": 0.002, "reprice_min_interval_seconds": 3}}])"));
  REQUIRE(c.strategies.size() == 2);
  auto& thin = c.strategies[0].mean_reversion;
  CHECK(thin.maker_lifetime == 120 * ns_per_s);
  CHECK(thin.max_reprices == 15);
  CHECK(thin.reprice_threshold == 0.001);
  CHECK(thin.reprice_min_interval == 2 * ns_per_s);
  auto& tuned = c.strategies[1].mean_reversion;
  CHECK(tuned.maker_lifetime == 120 * ns_per_s);
  CHECK(tuned.max_reprices == 7);
  CHECK(tuned.reprice_threshold == 0.002);
  CHECK(tuned.reprice_min_interval == 3 * ns_per_s);
  auto e = error_of(with_sim(btc_and_perp, R"([{"symbol": "BTCUSDT", "mean_reversion": {"liquidity": "deep"}}])"));
  CHECK(e.path == "strategies[0].mean_reversion.liquidity");
  e = error_of(with_sim(btc_and_perp, R"([{"symbol": "BTCUSDT", "mean_reversion": {"max_reprices": 300}}])"));
  CHECK(e.path == "strategies[0].mean_reversion.max_reprices");
}

TEST_CASE("a basis strategy names a spot and a perpetual leg and takes its defaults", "[config]") {
  auto c = parsed(with_sim(btc_and_perp, R"([{"kind": "basis", "basis": {
    "spot": {"venue": "sim", "symbol": "BTCUSDT"},
    "perp": {"venue": "sim", "symbol": "BTCUSDT-PERP"},
    "entry_threshold_bps": 12, "leg_deadline_ms": 800}}])"));
  REQUIRE(c.strategies.size() == 1);
  auto& s = c.strategies[0];
  CHECK(s.kind == "basis");
  CHECK(s.name == "basis:BTCUSDT");
  CHECK(s.venue == venue_id{"sim"});
  CHECK(s.symbol == symbol_id{"BTCUSDT-PERP"});
  CHECK(s.basis.spot.symbol == symbol_id{"BTCUSDT"});
  CHECK(s.basis.entry_threshold_bps == 12);
  CHECK(s.basis.exit_threshold_bps == 1);
  CHECK(s.basis.safety_buffer_bps == 3);
  CHECK(s.basis.leg_deadline == 800 * ns_per_ms);
  CHECK(s.basis.trade_notional == notional::from_units(1000));
  CHECK(s.basis.cooldown == 60 * ns_per_s);
  CHECK(s.basis.max_unwind_attempts == 3);
  CHECK_FALSE(s.basis.allow_reverse);
}

TEST_CASE("a basis strategy with swapped legs, no hysteresis or stray keys is refused", "[config]") {
  auto legs = [](const std::string& spot, const std::string& perp, const std::string& more = "") {
    return R"([{"kind": "basis", "basis": {"spot": {"venue": "sim", "symbol": ")" + spot
           + R"("}, "perp": {"venue": "sim", "symbol": ")" + perp + "\"}" + more + "}}]";
  };
  auto e = error_of(with_sim(btc_and_perp, legs("BTCUSDT-PERP", "BTCUSDT")));
  CHECK(e.path == "strategies[0].basis.spot.symbol");
  CHECK(e.message == R"(expected a spot symbol, got the perpetual "BTCUSDT-PERP")");

  e = error_of(with_sim(btc_and_perp, legs("BTCUSDT", "ETHUSDT")));
  CHECK(e.path == "strategies[0].basis.perp.symbol");
  CHECK(e.message.rfind(R"(unknown symbol "ETHUSDT" on venue "sim")", 0) == 0);

  e = error_of(with_sim(btc_and_perp, legs("BTCUSDT", "BTCUSDT-PERP",
                                           R"(, "entry_threshold_bps": 2, "exit_threshold_bps": 2)")));
  CHECK(e.path == "strategies[0].basis.exit_threshold_bps");
  CHECK(e.message == "expected exit_threshold_bps < entry_threshold_bps (hysteresis), got 2 >= 2");

  e = error_of(with_sim(btc_and_perp, legs("BTCUSDT", "BTCUSDT-PERP",
                                           R"(, "trade_notional": "6000")")));
  CHECK(e.path == "strategies[0].basis.trade_notional");

  e = error_of(with_sim(btc_and_perp, R"([{"kind": "basis", "symbol": "BTCUSDT"}])"));
  CHECK(e.path == "strategies[0].symbol");

  e = error_of(with_sim(btc_and_perp, R"([{"kind": "basis"}])"));
  CHECK(e.path == "strategies[0].basis");
}

TEST_CASE("duplicate venues, symbols and strategy names are errors", "[config]") {
  auto e = error_of(R"({"venues": [{"name": "sim"}, {"name": "x"}, {"name": "sim"}]})");
  CHECK(e.path == "venues[2].name");
  CHECK(e.message == R"(duplicate venue name "sim" (also venues[0]))");

  e = error_of(R"({"venues": [{}, {}]})"); // both default to their kind's name
  CHECK(e.path == "venues[1].name");

  e = error_of(with_sim(R"([{"symbol": "A"}, {"symbol": "A"}])"));
  CHECK(e.path == "venues[0].sim.symbols[1].symbol");
  CHECK(e.message == R"(duplicate symbol "A" (also venues[0].sim.symbols[0]))");

  e = error_of(with_sim(btc_and_perp, R"([{"symbol": "BTCUSDT"},
    {"symbol": "BTCUSDT-PERP", "name": "mr:BTCUSDT"}])"));
  CHECK(e.path == "strategies[1].name");
  CHECK(e.message == R"(duplicate strategy name "mr:BTCUSDT" (also strategies[0]))");
}

TEST_CASE("live mode on a sim venue is refused as contradictory", "[config]") {
  auto e = error_of(with_sim(btc_and_perp, "[]", R"("mode": "live",)"));
  CHECK(e.path == "mode");
  CHECK(e.message
        == R"(expected paper or shadow: venue "sim" (venues[0]) is not a mainnet venue and cannot trade live, got "live")");

  e = error_of(with_sim(btc_and_perp, R"([{"symbol": "BTCUSDT", "mode": "live"}])"));
  CHECK(e.path == "strategies[0].mode");
  CHECK(e.message == R"(expected paper or shadow when the top-level mode is paper, got "live")");
}

TEST_CASE("strategy settings must agree with the symbol and risk limits", "[config]") {
  auto e = error_of(
    with_sim(btc_and_perp, R"([{"symbol": "BTCUSDT", "mean_reversion": {"allow_short": true}}])"));
  CHECK(e.path == "strategies[0].mean_reversion.allow_short");
  CHECK(e.message == R"(expected false: "BTCUSDT" on venue "sim" is spot and cannot be shorted)");

  e = error_of(with_sim(btc_and_perp,
                        R"([{"symbol": "BTCUSDT", "mean_reversion": {"order_notional": "6000"}}])"));
  CHECK(e.path == "strategies[0].mean_reversion.order_notional");
  CHECK(e.message == R"(expected at most risk.max_order_notional (5000), got "6000")");

  e = error_of(with_sim(btc_and_perp,
                        R"([{"symbol": "BTCUSDT", "mean_reversion": {"order_notional": "1"}}])"));
  CHECK(e.path == "strategies[0].mean_reversion.order_notional");
  CHECK(e.message == R"(expected at least the min_notional of "BTCUSDT" (5), got "1")");

  e = error_of(with_sim(btc_and_perp,
                        R"([{"symbol": "BTCUSDT", "mean_reversion": {"windw": 3}}])"));
  CHECK(e.path == "strategies[0].mean_reversion.windw");
}

TEST_CASE("malformed JSON is reported with its byte offset", "[config]") {
  auto e = error_of(R"({"data_dir": "var",})");
  CHECK(e.path == "<json>");
  CHECK(e.message == "invalid JSON at byte offset 19: Missing a name for object member.");

  e = error_of(R"({"a": 1} x)");
  CHECK(e.path == "<json>");
  CHECK(e.message.rfind("invalid JSON at byte offset 9: ", 0) == 0);

  e = error_of("");
  CHECK(e.path == "<json>");
  CHECK(e.message.rfind("invalid JSON at byte offset 0: ", 0) == 0);

  e = error_of("[]");
  CHECK(e.path.empty());
  CHECK(to_string(e) == "config error: expected a JSON object at the top level, got an array");
}

TEST_CASE("an unreadable file is an error at <file>", "[config]") {
  auto r = load_config_file(config_dir + "/does-not-exist.json");
  REQUIRE(std::holds_alternative<config_error>(r));
  const auto& e = std::get<config_error>(r);
  CHECK(e.path == "<file>");
  CHECK(e.message.find("does-not-exist.json") != std::string::npos);
  CHECK(e.message.find("No such file or directory") != std::string::npos);

  auto dir = load_config_file(config_dir);
  REQUIRE(std::holds_alternative<config_error>(dir));
  CHECK(std::get<config_error>(dir).path == "<file>");
}

TEST_CASE("alert sinks are read with their defaults and refused when incomplete", "[config]") {
  auto c = parsed(R"({"alerts": {"throttle_critical_seconds": 5, "summary_hour_utc": -1, "sinks": [
    {"kind": "telegram", "chat_id": "-100123"},
    {"kind": "webhook", "name": "pager", "base_url": "https://hooks.example.com/x",
     "token_env": "PAGER_AUTH", "min_level": "critical", "timeout_ms": 2000}]}})");
  CHECK(c.alerts.throttle_critical == 5 * ns_per_s);
  CHECK(c.alerts.throttle_warning == 60 * ns_per_s);
  CHECK(c.alerts.summary_hour_utc == -1);
  REQUIRE(c.alerts.sinks.size() == 2);
  auto& tg = c.alerts.sinks[0];
  CHECK(tg.name == "telegram");
  CHECK(tg.base_url == "https://api.telegram.org");
  CHECK(tg.token_env == "TELEGRAM_BOT_TOKEN");
  CHECK(tg.min_level == alert_level::warning);
  auto& wh = c.alerts.sinks[1];
  CHECK(wh.name == "pager");
  CHECK(wh.token_env == "PAGER_AUTH");
  CHECK(wh.min_level == alert_level::critical);
  CHECK(wh.timeout == 2 * ns_per_s);
  CHECK(wh.max_attempts == 3);

  auto e = error_of(R"({"alerts": {"sinks": [{"kind": "telegram"}]}})");
  CHECK(e.path == "alerts.sinks[0].chat_id");
  e = error_of(R"({"alerts": {"sinks": [{"kind": "webhook"}]}})");
  CHECK(e.path == "alerts.sinks[0].base_url");
  e = error_of(R"({"alerts": {"sinks": [{"kind": "webhook", "base_url": "http://plain.example.com"}]}})");
  CHECK(e.path == "alerts.sinks[0].base_url");
  CHECK(e.message.rfind("expected an https:// URL", 0) == 0);
  e = error_of(R"({"alerts": {"sinks": [{"kind": "sms"}]}})");
  CHECK(e.path == "alerts.sinks[0].kind");
  e = error_of(R"({"alerts": {"summary_hour_utc": 24}})");
  CHECK(e.path == "alerts.summary_hour_utc");
}

TEST_CASE("the daily summary hour defaults to midnight UTC and stays configurable", "[config]") {
  CHECK(agora_config{}.alerts.summary_hour_utc == 0);
  CHECK(parsed(R"({"alerts": {}})").alerts.summary_hour_utc == 0);
  CHECK(parsed(R"({"alerts": {"summary_hour_utc": 23}})").alerts.summary_hour_utc == 23);
  CHECK(parsed(R"({"alerts": {"summary_hour_utc": -1}})").alerts.summary_hour_utc == -1);
  auto e = error_of(R"({"alerts": {"summary_hour_utc": -2}})");
  CHECK(e.path == "alerts.summary_hour_utc");
  CHECK(e.message.find("expected an hour in 0..23, or -1 for no summary") != std::string::npos);
}

TEST_CASE("risk breakers, groups and the calendar are read and checked", "[config]") {
  auto c = parsed(R"({"risk": {"equity": "25000", "daily_loss_limit": 0.01,
    "groups": {"majors": {"symbols": ["BTCUSDT", "ETHUSDT"], "max_open_positions": 1}},
    "calendar": {"file": "/etc/agora/macro.json", "before_minutes": 5, "impacts": ["high", "medium"]}}})");
  CHECK(c.risk.equity == notional::from_units(25000));
  CHECK(c.risk.daily_loss_limit == 0.01);
  CHECK(c.risk.daily_drawdown_limit == 0.02);
  CHECK(c.risk.symbol_groups.at("ETHUSDT") == "majors");
  CHECK(c.risk.max_open_positions_per_group.at("majors") == 1);
  CHECK(c.risk.calendar_file == "/etc/agora/macro.json");
  CHECK(c.risk.macro_before == 5 * 60 * ns_per_s);
  CHECK(c.risk.macro_after == 15 * 60 * ns_per_s);
  CHECK(c.risk.macro_impacts == std::vector<std::string>{"high", "medium"});

  auto e = error_of(R"({"risk": {"daily_loss_limit": 2}})");
  CHECK(e.path == "risk.daily_loss_limit");
  e = error_of(R"({"risk": {"groups": {"a": {"symbols": ["X"], "max_open_positions": 1},
                                        "b": {"symbols": ["X"], "max_open_positions": 1}}}})");
  CHECK(e.path == "risk.groups.b.symbols[0]");
  CHECK(e.message == R"(symbol "X" is already in group "a")");
  e = error_of(R"({"risk": {"groups": {"a": {"symbols": ["X"]}}}})");
  CHECK(e.path == "risk.groups.a.max_open_positions");
  e = error_of(R"({"risk": {"calendar": {"before_minutes": 5}}})");
  CHECK(e.path == "risk.calendar.file");
  e = error_of(R"({"risk": {"calendar": {"file": "x.json", "impacts": ["huge"]}}})");
  CHECK(e.path == "risk.calendar.impacts[0]");
}
