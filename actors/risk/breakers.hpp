#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/orders.hpp"
#include "messages/system.hpp"
#include "messages/time.hpp"

namespace agora {

/// Circuit-breaker settings. Fractions are of the equity at the day's start.
struct breaker_settings {
  /// The configured starting equity (quote currency); equity is this plus
  /// all realized and unrealized PnL.
  notional equity = notional::from_units(10'000);
  /// Trips when equity falls below the day's start equity by more than this
  /// fraction of it.
  double daily_loss_limit = 0.02;
  /// Trips when equity falls below the day's peak equity by more than this
  /// fraction of the day's start equity.
  double daily_drawdown_limit = 0.02;
};

/// One breaker crossing its limit.
struct breaker_trip {
  std::string which;  ///< "daily_loss" or "daily_drawdown".
  /// The numbers, e.g. "loss 210 > limit 200 (1 x 2% of day start equity
  /// 10000), equity 9790".
  std::string detail;
  nanos at = 0;
};

/// Daily loss limit and daily drawdown breakers, and the day's figures for
/// the daily summary. Pure: time comes in as arguments.
///
/// Days are UTC: the first update (or fill) at or after 00:00 UTC starts a
/// new day, whose start equity is the equity at that update and whose peak
/// restarts there. Limits are strict: a loss of exactly the limit does not
/// trip.
///
/// At that rollover the closing day's figures are kept (as they stood after
/// the last update or fill before midnight) for the daily summary, which
/// reports the last closed day. A day without any update closes with no
/// fills and the equity it started with.
///
/// Re-arming: a breaker trips at most once per limit step per day. After its
/// first trip at 1x its limit, it trips again the same day only when the
/// loss (or drawdown) exceeds 2x the limit, then 3x, and so on; a new day
/// re-arms it at 1x.
///
/// Numerics: thresholds are notional x rate (the fractions are converted to
/// `rate` once, rounded to 1e-8), truncated toward zero.
class breakers {
public:
  explicit breakers(breaker_settings settings);

  /// Feeds the current totals (realized net of fees, unrealized at mark,
  /// over all positions). Rolls the day when `now` is in a later UTC day
  /// than the last update. Returns the breakers that crossed a new limit
  /// step with this update (empty: none), loss first.
  std::vector<breaker_trip> update(nanos now, notional realized_total,
                                   notional unrealized_total);

  /// Counts one execution for the day's figures: `before` and `after` are
  /// the fill's position as the position book had it just before and after
  /// applying the fill (a default `before` for a first fill). The fee is
  /// after.fees - before.fees. A round trip closes when the position
  /// returns to exactly zero or flips through it (the position book is
  /// exact, it does not round to lots); it is a win when the realized PnL of
  /// its fills (net of their fees) is positive. Rolls the day like
  /// `update` (without evaluating limits).
  void on_fill(nanos now, const position_view& before,
               const position_view& after);

  /// The daily summary as of `now`: the last UTC day closed before `now`'s
  /// day (not partial), also when no update has rolled the day yet (a
  /// request at 00:00:00 reports the day that just ended, not an empty one).
  /// Before any day has closed since the first update (or fill), the day so
  /// far, `partial`. `taken` is `now`.
  daily_summary summary(nanos now) const;

  /// `now`'s day so far (always `partial`): the current figures when the
  /// last update or fill was in that day, else no fills and the last known
  /// equity. `taken` is `now`; unrealized and equity as of the last `update`.
  daily_summary day_so_far(nanos now) const;

  /// The day the last rollover closed, as kept then (`taken` is the time of
  /// the rollover); empty until a day rolls over.
  const std::optional<daily_summary>& last_closed() const noexcept {
    return closed_;
  }

  /// 00:00 UTC of the day `t` falls in.
  static nanos day_of(nanos t) noexcept;

  /// Equity as of the last update: configured equity + realized + unrealized.
  notional equity() const noexcept { return equity_; }

  /// Equity when the day started.
  notional day_start_equity() const noexcept { return start_equity_; }

  /// Highest equity seen since the day started.
  notional peak_equity() const noexcept { return peak_; }

  /// Trips so far today of "daily_loss" / "daily_drawdown".
  uint64_t trips_today(const std::string& which) const;

  const breaker_settings& settings() const noexcept { return settings_; }

private:
  using key = std::pair<venue_id, symbol_id>;

  void roll(nanos now);

  /// The current day's figures (day `day_`), taken at `taken`.
  daily_summary figures(nanos taken, bool partial) const;

  /// `day` (00:00 UTC) with no update in it: no fills, no PnL, the last
  /// known equity throughout.
  daily_summary quiet_day(nanos day, nanos taken, bool partial) const;

  /// The day before `day` (00:00 UTC), closed: the current figures when
  /// that is the current day, else a quiet day.
  daily_summary closed_before(nanos day, nanos taken) const;

  breaker_settings settings_;
  rate loss_rate_;
  rate drawdown_rate_;
  bool started_ = false;
  nanos day_ = 0;
  notional realized_; ///< Last realized total.
  notional unrealized_;
  notional equity_;
  notional start_equity_;
  notional start_realized_;
  notional peak_;
  notional fees_;
  uint64_t fills_ = 0;
  uint64_t round_trips_ = 0;
  uint64_t wins_ = 0;
  uint64_t loss_trips_ = 0;
  uint64_t drawdown_trips_ = 0;
  std::map<key, notional>
      open_trips_; ///< Realized PnL of each open round trip so far.
  std::optional<daily_summary> closed_; ///< Kept at the last rollover.
};

} // namespace agora
