#include "config/config_loader.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <variant>

using namespace agora;
using namespace agora::config;

namespace {

const std::string file = std::string{AGORA_SOURCE_DIR} + "/config/backtest-eth.json";

agora_config load_with(const std::vector<config_override>& o) {
  auto r = load_config_file(file, o);
  if (auto* e = std::get_if<config_error>(&r))
    FAIL(to_string(*e));
  return std::get<agora_config>(r);
}

} // namespace

TEST_CASE("overrides change a config's values before validation", "[config]") {
  auto base = load_with({});
  auto c = load_with({{"strategy_template.entry_z", "1.5"},
                      {"strategies[1].mean_reversion.window", "30"},
                      {"venues[0].replay.taker_fee", "0.00075"}});
  CHECK(c.strategy_template.entry_z == 1.5);
  CHECK(c.strategies[0].mean_reversion.entry_z == 1.5); // the template fills the strategies
  CHECK(c.strategies[1].mean_reversion.window == 30);
  CHECK(c.venues[0].replay.taker_fee == *rate::parse("0.00075")); // stays a decimal string
  CHECK(base.strategy_template.entry_z == 1.25);
}

TEST_CASE("a bad override is refused naming its key", "[config]") {
  auto unknown = load_config_file(file, {{"strategy_template.entry_zz", "1"}});
  REQUIRE(std::holds_alternative<config_error>(unknown));
  CHECK(std::get<config_error>(unknown).path.find("entry_zz") != std::string::npos);
  auto range = load_config_file(file, {{"strategies[9].mean_reversion.window", "3"}});
  REQUIRE(std::holds_alternative<config_error>(range));
  CHECK(std::get<config_error>(range).message.find("no such element") != std::string::npos);
  auto invalid = load_config_file(file, {{"strategy_template.window", "1"}});
  REQUIRE(std::holds_alternative<config_error>(invalid)); // window >= 2
}
