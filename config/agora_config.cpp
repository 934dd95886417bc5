#include "config/agora_config.hpp"

#include <filesystem>
#include <utility>

namespace agora::config {

namespace {

/// Parses a decimal literal known at compile time to be valid.
template <class Fixed>
Fixed dec(std::string_view text) {
  return Fixed::parse(text).value_or(Fixed{});
}

sim_symbol_config sim_symbol(std::string_view symbol, std::string_view start,
                             std::string_view tick, std::string_view lot,
                             std::string_view level_qty, std::string_view taker,
                             bool perpetual, uint64_t seed) {
  sim_symbol_config s;
  s.symbol = symbol_id{symbol};
  s.start_price = dec<price>(start);
  s.tick = dec<price>(tick);
  s.lot = dec<quantity>(lot);
  s.min_notional = dec<notional>("5");
  s.maker_fee = dec<rate>("0.0002");
  s.taker_fee = dec<rate>(taker);
  s.perpetual = perpetual;
  s.seed = seed;
  s.level_qty = dec<quantity>(level_qty);
  return s;
}

/// The paper demo's strategy settings: one-second bars so that a paper
/// session trades within minutes.
mean_reversion_config paper_mean_reversion() {
  mean_reversion_config m;
  m.window = 60;
  m.bar_interval = 1 * ns_per_s;
  m.time_stop = 5 * 60 * ns_per_s;
  m.time_stop_off_hours = 10 * 60 * ns_per_s;
  m.order_notional = notional::from_units(200);
  m.maker_lifetime = 20 * ns_per_s;
  return m;
}

strategy_config mean_reversion_on(std::string_view symbol, bool allow_short) {
  strategy_config s;
  s.name = "mr:" + std::string{symbol};
  s.kind = "mean_reversion";
  s.venue = venue_id{"sim"};
  s.symbol = symbol_id{symbol};
  s.mode = run_mode::paper;
  s.mean_reversion = paper_mean_reversion();
  s.mean_reversion.allow_short = allow_short;
  return s;
}

} // namespace

agora_config default_config() {
  agora_config c;
  c.data_dir = "var";
  c.log_level = "info";
  c.status_interval = 10 * ns_per_s;
  c.mode = run_mode::paper;
  c.control.address = "127.0.0.1";
  c.control.port = 8787;

  venue_config sim;
  sim.name = venue_id{"sim"};
  sim.kind = "sim";
  sim.sim.step_interval = 100 * ns_per_ms;
  sim.sim.default_symbol = sim_symbol_config{};
  sim.sim.symbols.push_back(sim_symbol("BTCUSDT", "65000", "0.1", "0.00001", "0.5",
                                       "0.0004", false, 1));
  sim.sim.symbols.push_back(sim_symbol("ETHUSDT", "3500", "0.01", "0.0001", "5",
                                       "0.0004", false, 2));
  sim.sim.symbols.push_back(sim_symbol("BTCUSDT-PERP", "65010", "0.1", "0.001", "0.5",
                                       "0.0005", true, 3));
  auto eth_perp = sim_symbol("ETHUSDT-PERP", "3507", "0.01", "0.001", "5", "0.0005", true, 4);
  eth_perp.index_symbol = symbol_id{"ETHUSDT"};
  eth_perp.basis_bps = 20;
  eth_perp.basis_volatility_bps = 0.3;
  eth_perp.basis_half_life = 60 * ns_per_s;
  sim.sim.symbols.push_back(std::move(eth_perp));
  c.venues.push_back(std::move(sim));

  // One group holding every paper symbol (a cap of 4 never binds here: it
  // shows the setting; a tighter cap can refuse one leg of a basis trade).
  for (auto s : {"BTCUSDT", "ETHUSDT", "BTCUSDT-PERP", "ETHUSDT-PERP"})
    c.risk.symbol_groups[s] = "majors";
  c.risk.max_open_positions_per_group["majors"] = 4;

  c.strategies.push_back(mean_reversion_on("BTCUSDT", false));
  c.strategies.push_back(mean_reversion_on("ETHUSDT", false));
  c.strategies.push_back(mean_reversion_on("BTCUSDT-PERP", true));
  strategy_config basis;
  basis.name = "basis:ETHUSDT";
  basis.kind = "basis";
  basis.venue = venue_id{"sim"};
  basis.symbol = symbol_id{"ETHUSDT-PERP"};
  basis.mode = run_mode::paper;
  basis.basis.spot = instrument_ref{venue_id{"sim"}, symbol_id{"ETHUSDT"}};
  basis.basis.perp = instrument_ref{venue_id{"sim"}, symbol_id{"ETHUSDT-PERP"}};
  c.strategies.push_back(std::move(basis));
  c.strategy_template = paper_mean_reversion();
  return c;
}

std::string journal_file_path(const agora_config& c) {
  if (!c.journal.path.empty())
    return c.journal.path;
  return (std::filesystem::path{c.data_dir} / "journal.db").string();
}

std::string intent_dir_path(const agora_config& c, const venue_id& venue) {
  std::filesystem::path base = c.journal.intent_dir;
  if (base.empty())
    base = std::filesystem::path{journal_file_path(c)}.parent_path() / "intents";
  return (base / venue.str()).string();
}

std::string token_file_path(const agora_config& c) {
  if (!c.control.token_file.empty())
    return c.control.token_file;
  return (std::filesystem::path{c.data_dir} / "control.token").string();
}

} // namespace agora::config
