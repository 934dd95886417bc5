#pragma once

#include <cstddef>
#include <vector>

#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/market_data.hpp"
#include "messages/time.hpp"

namespace agora {

/// Builds OHLC bars of a fixed interval from price observations (mid or
/// trade prices) in event time.
///
/// Bars are aligned to multiples of the interval since the epoch: the bar
/// that holds time `t` opens at `floor(t / interval) * interval`. A bar is
/// complete once time reaches its end (`now >= open_time + interval`).
/// Intervals without any observation produce flat bars (O=H=L=C=previous
/// close, volume 0), so consumers see one bar per interval of wall time.
/// Pure: no clock, no I/O; time comes only from the arguments.
class bar_builder {
public:
  /// Default for `max_gap_bars`: about 69 days of 1-minute bars.
  static constexpr size_t default_max_gap_bars = 100'000;

  /// Creates a builder for one instrument. An `interval` below 1 ns is
  /// treated as 1 ns. `max_gap_bars` bounds how many flat bars one call may
  /// return across a gap: beyond it only the most recent `max_gap_bars` flat
  /// bars are returned (a guard against a corrupt timestamp far in the
  /// future; consumers only ever need the latest window).
  bar_builder(venue_id venue, symbol_id symbol, nanos interval,
              size_t max_gap_bars = default_max_gap_bars);

  /// Feeds a price observation at event time `t`; `vol` may be zero. Returns
  /// every bar completed by this observation, oldest first: when `t` enters a
  /// later interval the open bar closes, and intervals with no observation in
  /// between come out as flat bars. Observations older than the open bar's
  /// start (or than the last completed bar's end) are ignored.
  std::vector<bar> update(price px, quantity vol, nanos t);

  /// Closes the open bar if `now` is at or past its end (a timer tick with no
  /// data), and emits flat bars for every further interval that ended by
  /// `now`. Same return as `update`.
  std::vector<bar> flush(nanos now);

  /// Continues after a bar built elsewhere (history, recovery): the next
  /// observation's interval follows `last`, with flat bars across any gap.
  /// Returns false (and changes nothing) while a bar is open or when `last`
  /// is not after what this builder already covers.
  bool resume_after(const bar& last);

  /// The bar length.
  nanos interval() const noexcept { return interval_; }

  /// True while a bar is open (has at least one observation).
  bool has_open_bar() const noexcept { return has_open_; }

  /// The open (incomplete) bar; meaningful only if `has_open_bar()`.
  const bar& open_bar() const noexcept { return open_; }

  /// Start of the interval `t` falls in (floor, also for negative `t`).
  nanos align(nanos t) const noexcept;

private:
  void close_open_bar(std::vector<bar>& out);
  void emit_flat_until(nanos start, std::vector<bar>& out);
  void open_at(nanos start, price px, quantity vol);

  venue_id venue_;
  symbol_id symbol_;
  nanos interval_;
  size_t max_gap_bars_;
  bool has_open_ = false;  ///< `open_` holds an open bar.
  bool has_close_ = false; ///< A bar was completed; `last_close_` is valid.
  bar open_;
  price last_close_;
  nanos next_open_ = 0;    ///< Start of the first interval not yet emitted.
};

} // namespace agora
