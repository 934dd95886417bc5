#pragma once

#include <optional>
#include <string>
#include <vector>

#include "actors/backtest/backtest_report.hpp"
#include "config/agora_config.hpp"

namespace agora::backtest {

/// `agora backtest`'s exit codes.
enum exit_code : int {
  ok = 0,
  bad_arguments = 2, ///< Bad arguments or configuration.
  bad_data = 3,      ///< No usable recording (missing, unreadable, empty, wrong market).
  write_failed = 4,  ///< The journal or the report could not be written.
  failed = 1,        ///< The actor tree gave up (a bug): the log says why.
};

struct backtest_options {
  std::vector<std::string> data; ///< "PATH" or "VENUE=PATH".
  nanos from = 0;                ///< Trading starts here; earlier data warms books and bars up.
  nanos to = 0;                  ///< Data after this is not played (0: to the end).
  std::string report_dir;        ///< "" : no files but the journal in a temporary folder.
  double speed = 0;              ///< 0: as fast as possible; N: N x the recorded pace.
  nanos settle = 2 * ns_per_s;   ///< Virtual time played after the last message (orders in flight).
  nanos mark_interval = 1 * ns_per_s; ///< Book mids sampled for the equity curve.
};

struct backtest_result {
  int code = ok;
  std::string error;           ///< Why, when code != ok.
  report_inputs inputs;
  report result;
  double wall_seconds = 0;
  double frames_per_second = 0;
  std::string journal_path;
};

/// Makes `cfg` a backtest's: every venue must be of kind "replay"; every
/// mode becomes PAPER; alert sinks are dropped (a backtest sends nothing);
/// the journal is `journal_path`. The error names the offending key.
std::optional<std::string> prepare_backtest_config(config::agora_config& cfg,
                                                   const std::string& journal_path);

/// Runs a backtest: the service's own tree (books, strategies, risk,
/// gateways, journal) on CAF's deterministic single-threaded scheduler,
/// with the recorded files played through each replay venue's feed and
/// every clock (the injected clock and CAF's timers) driven by the recorded
/// receive times. Writes the journal (and, with a report_dir, report.json,
/// equity.csv, trades.csv, perf.json) and returns the figures.
backtest_result run_backtest(config::agora_config cfg, const backtest_options& opts);

} // namespace agora::backtest
