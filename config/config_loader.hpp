#pragma once

#include <string>
#include <vector>
#include <string_view>
#include <variant>

#include "config/agora_config.hpp"

// The JSON form of agora_config, read strictly.
//
// Keys are the struct's field names in snake_case, except durations, which
// are JSON numbers with the unit in the key name:
//   status_interval_seconds; supervision.within_seconds, backoff_initial_ms,
//   backoff_max_ms; venues[].sim.step_interval_ms, latency_us, jitter_us,
//   heartbeat_timeout_ms; mean_reversion.bar_seconds, time_stop_minutes,
//   time_stop_off_hours_minutes, maker_lifetime_seconds,
//   reprice_min_interval_seconds.
// Prices, quantities, notionals and fees are decimal STRINGS ("65000",
// "0.00001"), parsed exactly with fixed::parse, never through double. Modes
// are "paper", "shadow" or "live". Any object may carry a "_comment" string.
//
// Defaults: every missing key takes the struct's default, with three
// chains that keep configs short:
//   - a key missing from venues[i].sim.symbols[j] takes the value of that
//     venue's `default_symbol` (whose own missing keys take the struct
//     defaults); `symbol` itself is required there and absent from
//     `default_symbol`;
//   - a key missing from strategies[i].mean_reversion takes the value of
//     the top-level `strategy_template`;
//   - strategies[i].mode defaults to the top-level `mode`, .name to
//     "mr:<symbol>", and .venue to the only venue when exactly one is
//     configured; venues[i].name defaults to its kind.
//
// Validation is strict and stops at the first error: unknown or duplicate
// keys, wrong JSON types, values out of range, duplicate venue names,
// symbols or strategy names, a strategy naming a venue or symbol that is
// not configured, allow_short on a spot symbol, an order_notional outside
// [symbol min_notional, risk.max_order_notional], and live mode on a sim
// venue (or a live strategy in a non-live service).

namespace agora::config {

/// Where a config is wrong and what was expected.
struct config_error {
  /// Key path, e.g. "venues[0].sim.symbols[1].tick". Special values:
  /// "<file>" (unreadable file), "<json>" (malformed JSON), "" (the root).
  std::string path;
  /// What was expected and what was found, e.g.
  /// `expected a decimal string > 0, got "-1"`.
  std::string message;

  friend bool operator==(const config_error&, const config_error&) = default;
};

/// "config error at <path>: <message>" ("config error: <message>" at the root).
std::string to_string(const config_error& e);

/// Parses and validates a JSON config. Never throws on bad input.
std::variant<agora_config, config_error> parse_config(std::string_view json_text);

/// Reads and parses a config file; an unreadable file gives path "<file>".
std::variant<agora_config, config_error> load_config_file(const std::string& path);

/// One setting to change before validation: a key path as errors name it
/// ("strategy_template.entry_z", "strategies[1].mean_reversion.window") and
/// its value as text. A member that holds a string (decimals such as fees)
/// gets the text as a string; otherwise a number, true or false is read as
/// such and anything else as a string. Missing members are created, so an
/// unknown key fails validation with the usual message.
struct config_override {
  std::string path;
  std::string value;
};

/// Reads a config file and applies `overrides` before validating it (the
/// parameter sweep of `agora backtest --set`). A path that runs into a
/// non-object or a missing array element is an error naming it.
std::variant<agora_config, config_error> load_config_file(const std::string& path,
                                                          const std::vector<config_override>& overrides);

} // namespace agora::config
