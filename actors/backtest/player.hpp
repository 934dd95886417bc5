#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "actors/backtest/backtest_report.hpp"
#include "config/agora_config.hpp"
#include "venues/replay/recording.hpp"

namespace agora::backtest {

/// A recorded file and the replay venue it is played into.
struct data_source {
  std::string path;
  venue_id venue;
};

/// The Binance market a recording's streams are in, from its first lines
/// (up to `scan_lines`): "usdm" when a depth diff carries "pu", a
/// bookTicker carries "e" or a markPriceUpdate appears; "spot" for a diff
/// without "pu" or an unstamped bookTicker; "" when the file shows neither.
std::string detect_market(const std::string& path, std::string* error, size_t scan_lines = 5000);

/// Assigns each `--data` argument ("PATH", or "VENUE=PATH") to a replay
/// venue of `cfg`: a named one, else the only replay venue of the file's
/// market. The error names the file and what to write instead.
std::variant<std::vector<data_source>, std::string>
assign_sources(const std::vector<std::string>& args, const config::agora_config& cfg);

/// One recorded message, with the virtual time it is played at.
struct frame {
  venue_id venue;
  nanos time = 0;
  std::string text;
};

/// Plays several recordings merged by receive time (ties: argument order),
/// so spot and perpetual of one underlying, or two venues, interleave as
/// they were received. Files may be given in any order. A line older than
/// the one before it in the same file is played at that one's time and
/// counted (`out_of_order`). Malformed lines are skipped and counted; a
/// truncated file ends early with its problem noted. Holds one line per
/// file.
class player {
public:
  /// Opens every file; nullptr with `*error` naming a file that cannot be
  /// opened or holds no readable line.
  static std::unique_ptr<player> open(const std::vector<data_source>& sources,
                                      std::string* error);

  /// The next message; false when every file is done.
  bool next(frame& out);
  /// Every file of `venue` has been played.
  bool venue_done(const venue_id& venue) const;

  std::vector<file_stats> stats() const;

private:
  struct file {
    data_source source;
    std::unique_ptr<replay::recording_reader> reader;
    bool has_line = false;
    replay::recorded_line line;
    file_stats stats;
  };
  void advance(file& f);
  file* earliest();

  std::vector<file> files_;
};

} // namespace agora::backtest
