#pragma once

#include <cstddef>
#include <cstdint>

#include "messages/fixed_point.hpp"
#include "messages/time.hpp"

namespace agora::sim {

/// Binance USD-M's funding rules for one perpetual. Defaults are Binance's:
/// funding every 8 h on the UTC clock, interest 0.01% per interval, the
/// interest term held within +/-0.05% of the premium, the rate capped at
/// +/-0.75%, and the premium sampled every 5 s.
struct funding_params {
  /// Funding happens at every whole multiple of `interval` since the Unix
  /// epoch: 00:00, 08:00 and 16:00 UTC for 8 h. Must be > 0.
  nanos interval = 8 * 3600 * ns_per_s;
  /// At most one premium sample per slot of this length (slots are
  /// multiples since the epoch). Must be > 0.
  nanos sample_interval = 5 * ns_per_s;
  rate interest = rate::from_raw(10'000);   ///< 0.0001 = 0.01% per interval.
  rate interest_clamp = rate::from_raw(50'000); ///< 0.0005: |interest - premium| limit.
  rate cap = rate::from_raw(750'000);       ///< 0.0075: |funding rate| limit.
};

/// What one mark-price publication carries (Binance markPriceUpdate).
struct funding_estimate {
  price mark;
  price index;
  rate premium;            ///< (mark - index) / index at this update.
  rate average_premium;    ///< Time-weighted average over the interval so far.
  rate funding_rate;       ///< Estimated rate of the next funding.
  nanos next_funding_time = 0;
};

/// The funding of one perpetual under Binance's formula, fed with the mark
/// and index prices as time passes.
///
/// - premium = (mark - index) / index, truncated toward zero to 1e-8
///   (Binance uses impact bid/ask prices; the sim's mark is its mid);
/// - the average premium P over the current funding interval is Binance's
///   time-weighted average of the samples taken so far,
///   (1 x p1 + 2 x p2 + ... + n x pn) / (1 + 2 + ... + n), truncated toward
///   zero; the first update in each `sample_interval` slot takes a sample;
/// - funding rate = clamp(P + clamp(interest - P, -interest_clamp,
///   +interest_clamp), -cap, +cap);
/// - the next funding time is the first interval boundary strictly after
///   now; when `now` reaches it, the interval's samples are dropped and a new
///   interval begins.
///
/// Pure and deterministic: time comes in as arguments.
class funding_model {
public:
  /// A non-positive interval or sample interval is taken as the default.
  explicit funding_model(funding_params params = {}) noexcept;

  /// Takes a premium sample at `now` (if none was taken in its slot yet)
  /// and returns the estimate a markPriceUpdate at `now` publishes.
  funding_estimate update(price mark, price index, nanos now) noexcept;

  /// Premium samples taken in the current interval.
  size_t samples() const noexcept { return samples_; }

  /// The time-weighted average premium of the current interval (0 before
  /// the first sample).
  rate average_premium() const noexcept;

  const funding_params& params() const noexcept { return params_; }

  /// (mark - index) / index, truncated toward zero (saturating at the
  /// fixed-point range); 0 if index <= 0.
  static rate premium(price mark, price index) noexcept;

  /// Binance's funding rate for an average premium under `p`.
  static rate funding_rate(rate average_premium,
                           const funding_params& p) noexcept;

  /// The first multiple of `interval` (> 0) strictly after `now`.
  static nanos next_funding_time(nanos now, nanos interval) noexcept;

private:
  funding_params params_;
  bool started_ = false;
  nanos interval_end_ = 0;  ///< The funding time that closes this interval.
  int64_t last_slot_ = 0;   ///< Sample slot of the latest sample.
  size_t samples_ = 0;
  /// sum of k x premium_k (raw), and sum of k, over this interval's samples.
  __extension__ __int128 weighted_sum_ = 0;
  __extension__ __int128 weight_total_ = 0;
};

} // namespace agora::sim
