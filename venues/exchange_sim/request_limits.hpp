#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace agora::xsim {

/// Binance's rate-limit accounting, by fixed wall-clock intervals as the
/// docs describe them: a 1-minute interval starts at every whole minute, a
/// 10-second one at :00, :10, ..., a day at 00:00 UTC. Request weight is
/// counted for one "IP" (every client of the sim comes from 127.0.0.1);
/// orders per account.
class request_limits {
public:
  /// Order counts of one account in the current intervals.
  struct order_counts {
    uint32_t ten_s = 0;
    uint32_t one_m = 0;
    uint32_t one_d = 0;
  };

  request_limits(size_t accounts, uint32_t weight_limit_1m,
                 uint32_t order_limit_10s);

  /// Adds `weight` to the current minute at `wall_ms`; returns the total.
  uint32_t add_weight(uint32_t weight, int64_t wall_ms);

  /// The weight used in the minute of `wall_ms`.
  uint32_t used_weight(int64_t wall_ms) const noexcept;

  /// True if the weight used in the minute of `wall_ms` is over the limit.
  bool weight_exceeded(int64_t wall_ms) const noexcept;

  /// Counts one new order of `account`; returns the counts after it.
  order_counts add_order(size_t account, int64_t wall_ms);

  /// The counts of `account` at `wall_ms`.
  order_counts orders(size_t account, int64_t wall_ms) const noexcept;

  /// True if `account` may not place another order in this 10 s interval.
  bool orders_exhausted(size_t account, int64_t wall_ms) const noexcept;

  uint32_t weight_limit() const noexcept { return weight_limit_; }
  uint32_t order_limit() const noexcept { return order_limit_; }

  /// Whole seconds (at least 1) until the interval of `interval_ms`
  /// containing `wall_ms` ends: the Retry-After of a 429.
  static int64_t seconds_to_next(int64_t wall_ms, int64_t interval_ms) noexcept;

private:
  /// A count inside one fixed interval.
  struct window {
    int64_t start = -1;
    uint32_t count = 0;

    uint32_t at(int64_t wall_ms, int64_t len) const noexcept;
    uint32_t add(int64_t wall_ms, int64_t len, uint32_t n) noexcept;
  };

  struct account_windows {
    window ten_s;
    window one_m;
    window one_d;
  };

  uint32_t weight_limit_;
  uint32_t order_limit_;
  window weight_;
  std::vector<account_windows> accounts_;
};

} // namespace agora::xsim
