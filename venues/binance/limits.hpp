#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "messages/time.hpp"
#include "venues/common/http_header.hpp"

namespace agora::binance {

/// Tracks Binance's request-weight and order-count usage from response
/// headers, and the back-off after a 429 or a ban (418). Pure: time comes in
/// as arguments.
///
/// Request weight is counted per calendar minute (UTC): when the last seen
/// X-MBX-USED-WEIGHT-1M reaches 90 % of the limit, sending pauses until the
/// next minute starts.
class rate_limits {
public:
  /// `weight_limit_per_minute`: 6000 on spot, 2400 on USD-M futures.
  explicit rate_limits(uint32_t weight_limit_per_minute = 6000);

  /// Reads X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S, X-MBX-ORDER-COUNT-1D
  /// (spot) and X-MBX-ORDER-COUNT-1M (USD-M); names are case-insensitive,
  /// values that are not decimal integers are ignored.
  void on_headers(const std::vector<net::http_header>& headers,
                  nanos now);

  /// A 429: no request until now + retry_after.
  void on_rate_limited(std::chrono::milliseconds retry_after, nanos now);

  /// A 418: banned until now + retry_after (and blocked as well).
  void on_banned(std::chrono::milliseconds retry_after, nanos now);

  /// False while backed off or banned, or while the used weight of the
  /// current minute is at or above 90 % of the limit.
  bool can_send(nanos now) const noexcept;

  /// The time before which can_send() is false (0 when never blocked).
  nanos blocked_until() const noexcept;

  /// True while an IP ban lasts.
  bool banned(nanos now) const noexcept;

  /// The last X-MBX-USED-WEIGHT-1M seen.
  uint32_t used_weight() const noexcept;

  /// The last X-MBX-ORDER-COUNT-10S seen (spot).
  uint32_t order_count_10s() const noexcept;

  /// The last X-MBX-ORDER-COUNT-1D seen (spot).
  uint32_t order_count_1d() const noexcept;

  /// The last X-MBX-ORDER-COUNT-1M seen (USD-M).
  uint32_t order_count_1m() const noexcept;

  uint32_t weight_limit() const noexcept;

private:
  uint32_t weight_limit_;
  uint32_t used_weight_ = 0;
  uint32_t order_count_10s_ = 0;
  uint32_t order_count_1d_ = 0;
  uint32_t order_count_1m_ = 0;
  nanos backoff_until_ = 0;
  nanos banned_until_ = 0;
  nanos weight_block_until_ = 0;
};

} // namespace agora::binance
