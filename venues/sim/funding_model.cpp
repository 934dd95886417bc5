#include "venues/sim/funding_model.hpp"

#include <algorithm>

namespace agora::sim {

namespace {

__extension__ typedef __int128 int128;

/// floor(a / b) for b > 0.
int64_t floor_div(int64_t a, int64_t b) noexcept {
  auto q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

/// `x` limited to the range of a fixed-point raw value.
int64_t saturate(int128 x) noexcept {
  return static_cast<int64_t>(std::clamp<int128>(x, -fixed_max_raw, fixed_max_raw));
}

} // namespace

funding_model::funding_model(funding_params params) noexcept : params_(params) {
  funding_params defaults;
  if (params_.interval <= 0)
    params_.interval = defaults.interval;
  if (params_.sample_interval <= 0)
    params_.sample_interval = defaults.sample_interval;
}

funding_estimate funding_model::update(price mark, price index,
                                       nanos now) noexcept {
  if (!started_ || now >= interval_end_) {
    started_ = true;
    interval_end_ = next_funding_time(now, params_.interval);
    samples_ = 0;
    weighted_sum_ = 0;
    weight_total_ = 0;
  }
  funding_estimate out;
  out.mark = mark;
  out.index = index;
  out.premium = premium(mark, index);
  auto slot = floor_div(now, params_.sample_interval);
  if (samples_ == 0 || slot > last_slot_) {
    ++samples_;
    auto k = static_cast<int128>(samples_);
    weighted_sum_ += k * out.premium.raw();
    weight_total_ += k;
    last_slot_ = slot;
  }
  out.average_premium = average_premium();
  out.funding_rate = funding_rate(out.average_premium, params_);
  out.next_funding_time = interval_end_;
  return out;
}

rate funding_model::average_premium() const noexcept {
  if (weight_total_ == 0)
    return rate::zero();
  // |average| <= max |premium|, so it fits in 64 bits.
  return rate::from_raw(static_cast<int64_t>(weighted_sum_ / weight_total_));
}

rate funding_model::premium(price mark, price index) noexcept {
  if (!index.is_positive())
    return rate::zero();
  auto r = (static_cast<int128>(mark.raw()) - index.raw()) * fixed_scale
           / index.raw();
  return rate::from_raw(saturate(r));
}

rate funding_model::funding_rate(rate average_premium,
                                 const funding_params& p) noexcept {
  // In 128 bits: no sum of two in-range rates overflows there.
  int128 c = p.interest_clamp.abs().raw();
  int128 cap = p.cap.abs().raw();
  int128 avg = average_premium.raw();
  int128 f = avg + std::clamp<int128>(p.interest.raw() - avg, -c, c);
  return rate::from_raw(saturate(std::clamp<int128>(f, -cap, cap)));
}

nanos funding_model::next_funding_time(nanos now, nanos interval) noexcept {
  return (floor_div(now, interval) + 1) * interval;
}

} // namespace agora::sim
