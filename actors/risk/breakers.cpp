#include "actors/risk/breakers.hpp"

#include <cmath>

namespace agora {

namespace {

__extension__ typedef __int128 int128;

notional add(notional x, notional y) noexcept {
  int128 r = static_cast<int128>(x.raw()) + y.raw();
  if (r > fixed_max_raw)
    return notional::max();
  if (r < -fixed_max_raw)
    return -notional::max();
  return notional::from_raw(static_cast<int64_t>(r));
}

rate to_rate(double fraction) noexcept {
  if (!(fraction > 0.0))
    return rate{};
  return rate::from_raw(static_cast<int64_t>(
      std::llround(fraction * static_cast<double>(fixed_scale))));
}

/// "2%" for a rate of 0.02 (up to 6 decimals of a percent, trailing zeros cut).
std::string percent(rate r) {
  auto p = rate::from_raw(r.raw() * 100).to_string();
  return p + "%";
}

} // namespace

breakers::breakers(breaker_settings settings)
    : settings_(settings),
      loss_rate_(to_rate(settings.daily_loss_limit)),
      drawdown_rate_(to_rate(settings.daily_drawdown_limit)),
      equity_(settings.equity),
      start_equity_(settings.equity),
      peak_(settings.equity) {
  // nop
}

nanos breakers::day_of(nanos t) noexcept {
  constexpr nanos day = 86'400 * ns_per_s;
  auto d = t / day;
  if (t < 0 && d * day != t)
    --d;
  return d * day;
}

void breakers::roll(nanos now) {
  auto day = day_of(now);
  if (started_ && day <= day_)
    return;
  // The figures are still the closing day's: keep them for the summary.
  if (started_)
    closed_ = closed_before(day, now);
  started_ = true;
  day_ = day;
  start_equity_ = equity_;
  start_realized_ = realized_;
  peak_ = equity_;
  fees_ = notional{};
  fills_ = 0;
  round_trips_ = 0;
  wins_ = 0;
  loss_trips_ = 0;
  drawdown_trips_ = 0;
}

std::vector<breaker_trip> breakers::update(nanos now, notional realized_total,
                                           notional unrealized_total) {
  std::vector<breaker_trip> out;
  // Equity before the roll is the previous day's close: the new day starts
  // from it, then moves to this update's figures.
  roll(now);
  realized_ = realized_total;
  unrealized_ = unrealized_total;
  equity_ = add(add(settings_.equity, realized_total), unrealized_total);
  if (equity_ > peak_)
    peak_ = equity_;
  auto base = start_equity_.is_positive() ? start_equity_ : notional{};
  auto loss = start_equity_ - equity_;
  auto loss_step = mul(base, loss_rate_);
  if (loss_rate_.is_positive() && loss_step.is_positive()
      && loss > loss_step.times(static_cast<int64_t>(loss_trips_ + 1))) {
    ++loss_trips_;
    auto limit = loss_step.times(static_cast<int64_t>(loss_trips_));
    out.push_back(breaker_trip{
        "daily_loss",
        "loss " + loss.to_string() + " > limit " + limit.to_string() + " ("
            + std::to_string(loss_trips_) + " x " + percent(loss_rate_)
            + " of day start equity " + start_equity_.to_string() + "), equity "
            + equity_.to_string(),
        now});
  }
  auto drawdown = peak_ - equity_;
  auto dd_step = mul(base, drawdown_rate_);
  if (drawdown_rate_.is_positive() && dd_step.is_positive()
      && drawdown > dd_step.times(static_cast<int64_t>(drawdown_trips_ + 1))) {
    ++drawdown_trips_;
    auto limit = dd_step.times(static_cast<int64_t>(drawdown_trips_));
    out.push_back(breaker_trip{
        "daily_drawdown",
        "drawdown " + drawdown.to_string() + " from peak " + peak_.to_string()
            + " > limit " + limit.to_string() + " ("
            + std::to_string(drawdown_trips_) + " x " + percent(drawdown_rate_)
            + " of day start equity " + start_equity_.to_string() + "), equity "
            + equity_.to_string(),
        now});
  }
  return out;
}

void breakers::on_fill(nanos now, const position_view& before,
                       const position_view& after) {
  roll(now);
  ++fills_;
  fees_ = add(fees_, after.fees - before.fees);
  auto k = key{after.venue, after.symbol};
  auto realized = after.realized_pnl - before.realized_pnl;
  auto& trip = open_trips_[k];
  if (before.qty.is_zero())
    trip = notional{};
  trip = add(trip, realized);
  bool closed = !before.qty.is_zero()
                && (after.qty.is_zero()
                    || after.qty.is_positive() != before.qty.is_positive());
  if (!closed)
    return;
  ++round_trips_;
  if (trip.is_positive())
    ++wins_;
  // A flip opens a new trip with the rest; the flip fill's PnL and fee
  // belong to the trip it closed.
  if (after.qty.is_zero())
    open_trips_.erase(k);
  else
    trip = notional{};
}

daily_summary breakers::figures(nanos taken, bool partial) const {
  daily_summary s;
  s.day_start = day_;
  s.taken = taken;
  s.realized_pnl = realized_ - start_realized_;
  s.unrealized_pnl = unrealized_;
  s.fees = fees_;
  s.fills = fills_;
  s.round_trips = round_trips_;
  s.wins = wins_;
  s.equity = equity_;
  s.peak_equity = peak_;
  s.partial = partial;
  return s;
}

daily_summary breakers::quiet_day(nanos day, nanos taken, bool partial) const {
  daily_summary s;
  s.day_start = day;
  s.taken = taken;
  s.unrealized_pnl = unrealized_;
  s.equity = equity_;
  s.peak_equity = equity_;
  s.partial = partial;
  return s;
}

daily_summary breakers::closed_before(nanos day, nanos taken) const {
  constexpr nanos one_day = 86'400 * ns_per_s;
  auto previous = day - one_day;
  return started_ && day_ == previous ? figures(taken, false)
                                      : quiet_day(previous, taken, false);
}

daily_summary breakers::summary(nanos now) const {
  auto today = day_of(now);
  if (started_ && today > day_)
    // The current figures' day has ended; no update has rolled it yet.
    return closed_before(today, now);
  if (closed_) {
    auto s = *closed_;
    s.taken = now;
    return s;
  }
  return day_so_far(now);
}

daily_summary breakers::day_so_far(nanos now) const {
  auto today = day_of(now);
  if (started_ && today == day_)
    return figures(now, true);
  return quiet_day(today, now, true);
}

uint64_t breakers::trips_today(const std::string& which) const {
  if (which == "daily_loss")
    return loss_trips_;
  if (which == "daily_drawdown")
    return drawdown_trips_;
  return 0;
}

} // namespace agora
