#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "actors/journal/journal_db.hpp"
#include "messages/journal.hpp"
#include "messages/orders.hpp"
#include "messages/system.hpp"

// The backtest report: trading metrics from what the backtest's journal
// holds (fills, orders, rejections, signals) and the book marks the player
// sampled, plus the data checks of the books and feeds. Pure: no actors,
// no clock; the same inputs give byte-identical output.

namespace agora::backtest {

/// A book's mid at a virtual time (sampled by the player once a second).
struct mark {
  nanos time = 0;
  venue_id venue;
  symbol_id symbol;
  price mid;
};

/// What one recorded file gave.
struct file_stats {
  std::string path;
  venue_id venue;
  uint64_t lines = 0;
  uint64_t malformed = 0;
  uint64_t out_of_order = 0;   ///< Lines older than the one before (played at that one's time).
  nanos first = 0;
  nanos last = 0;
  std::string problem;         ///< Truncated or unreadable tail; first malformed line.
};

struct report_inputs {
  std::vector<std::string> strategies;   ///< Configured names (in config order).
  std::vector<order_filled> fills;       ///< Oldest first.
  std::vector<journal::order_row> orders;
  std::vector<std::pair<std::string, std::string>> rejections; ///< (strategy, "REASON: detail").
  std::vector<signal_record> signals;
  std::vector<mark> marks;               ///< Time order.
  /// Funding times the perpetuals' data passed, time order: each charges
  /// the positions held then (fills before or at it).
  std::vector<funding_event> funding;
  bool funding_data = false;             ///< The data had funding updates (else funding is null).
  /// Lot of each instrument: residuals below one lot count as flat.
  std::map<std::pair<venue_id, symbol_id>, quantity> lots;
  double equity = 10'000;                ///< Starting capital (risk.equity): returns and % drawdown.
  std::vector<book_report> books;
  std::vector<feed_report> feeds;
  std::vector<file_stats> files;
  uint64_t frames = 0;                   ///< Recorded messages played.
  nanos start = 0;                       ///< Virtual time of the first frame played.
  nanos end = 0;                         ///< ... of the last.
  nanos trading_from = 0;                ///< Trading resumed here (--from); = start otherwise.
  nanos return_interval = 60 * ns_per_s; ///< Sharpe / Sortino sampling.
};

/// One round trip: a strategy flat on all its instruments, then not, then
/// flat again.
struct round_trip {
  std::string strategy;
  nanos opened = 0;
  nanos closed = 0;
  uint64_t fills = 0;
  double pnl = 0;   ///< Realized, before fees.
  double fees = 0;
  double funding = 0; ///< Received (+) or paid (-) while it was open.
  double net() const noexcept { return pnl - fees + funding; }
};

struct equity_point {
  nanos time = 0;
  std::vector<double> equity; ///< Per strategy (report order), then the total.
  std::vector<double> position_notional; ///< Per strategy: signed, at the mark.
};

struct strategy_metrics {
  std::string name;
  uint64_t round_trips = 0;
  uint64_t wins = 0;
  double gross_wins = 0;
  double gross_losses = 0;   ///< Positive.
  double realized = 0;       ///< Realized PnL before fees (closed quantity).
  double fees = 0;
  double funding = 0;        ///< Funding received (+) or paid (-).
  uint64_t funding_payments = 0; ///< Funding times at which a position was held.
  double unrealized = 0;     ///< Open position at the last mark.
  double max_drawdown = 0;   ///< Of the equity curve (realized - fees + funding + unrealized).
  double max_drawdown_pct = 0;
  std::optional<double> sharpe;   ///< Per return interval.
  std::optional<double> sortino;
  uint64_t returns = 0;      ///< Return intervals sampled.
  double time_in_market = 0; ///< Fraction of the trading span with a position.
  double turnover = 0;       ///< Sum of |px x qty| of fills.
  uint64_t fill_count = 0;
  uint64_t orders_sent = 0;
  uint64_t orders_filled = 0;      ///< With any fill.
  uint64_t orders_fully_filled = 0;
  std::map<std::string, uint64_t> rejected;   ///< By reason.
  uint64_t signals_acted = 0;
  std::map<std::string, uint64_t> blocked;    ///< By reason.
};

struct report {
  std::vector<strategy_metrics> strategies;
  strategy_metrics total;
  std::vector<round_trip> trips;
  std::vector<equity_point> equity;
};

report compute_report(const report_inputs& in);

/// report.json: deterministic (fixed key order, decimals rounded to 8 places).
std::string to_json(const report& r, const report_inputs& in);
/// equity.csv: time_iso, time_ns, one column per strategy, total.
std::string equity_csv(const report& r);
/// trades.csv: one row per round trip.
std::string trades_csv(const report& r);
/// The summary printed on stdout.
std::string summary_text(const report& r, const report_inputs& in);

/// "2024-08-08T23:54:14.024Z".
std::string iso_time(nanos t);

} // namespace agora::backtest
