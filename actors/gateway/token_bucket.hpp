#pragma once

#include "messages/time.hpp"

namespace agora {

/// An order-rate limiter: holds up to `capacity` tokens and gains
/// `refill_per_second` of them per second of elapsed time.
///
/// Time comes in as arguments (no clock is read). Time going backwards adds
/// no tokens and takes none away; the bucket refills again once time passes
/// the latest instant it has seen.
///
/// Numerics: capacity, rate and token requests are rounded to 1e-9 (of a
/// token, of a token per second) and capped at 1e15; tokens are counted
/// exactly in integer units of 1e-18 token, so one nanosecond at a rate of
/// r tokens/s adds exactly r x 1e-9 tokens. Waiting exactly `time_until` is
/// always enough and one nanosecond less never is, and rounding never
/// accumulates over any number of takes.
class token_bucket {
public:
  /// Makes a full bucket at time `start`. Negative (or NaN) capacity and rate
  /// count as zero.
  token_bucket(double capacity, double refill_per_second, nanos start = 0);

  /// Refills by the time elapsed since the latest instant seen (never above
  /// capacity), then takes `n` tokens if that many are there. Returns whether
  /// it took them; a refusal takes nothing. A negative or NaN `n` is refused.
  bool try_take(nanos now, double n = 1.0);

  /// Tokens there would be at `now` (no state changes).
  double available(nanos now) const;

  /// Nanoseconds from `now` until `n` tokens are there; 0 if they are now.
  /// Returns the largest `nanos` value if they never will be (`n` above the
  /// capacity, or no refill).
  nanos time_until(nanos now, double n = 1.0) const;

  /// The most tokens the bucket holds.
  double capacity() const noexcept;

  /// Tokens gained per second.
  double refill_per_second() const noexcept;

private:
  __extension__ typedef __int128 units; ///< 1e-18 token.

  units level(nanos now) const noexcept;

  units capacity_;
  units per_ns_; ///< Units gained per nanosecond (= nano-tokens per second).
  units tokens_; ///< As of last_.
  nanos last_;   ///< The latest instant seen.
};

} // namespace agora
