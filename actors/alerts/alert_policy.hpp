#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "actors/alerts/alert_settings.hpp"
#include "messages/system.hpp"

namespace agora {

/// What the router does with one alert.
struct alert_decision {
  bool deliver = false;
  /// When delivering: identical alerts suppressed since the previous
  /// delivery of this one ("(+N repeats)").
  uint64_t repeats = 0;
};

/// The router's pure core: throttles identical alerts and schedules the
/// daily summary.
///
/// Two alerts are identical when their level, source and de-duplication
/// key (the text when `key` is empty) match. An alert is delivered unless
/// an identical one was delivered less than the level's throttle ago; then
/// it is counted, and the count rides with the next delivery of that alert.
///
/// Memory is bounded: at most `max_keys` alerts are remembered. Past that,
/// those whose window has passed are forgotten first, then the least
/// recently delivered, down to three quarters of `max_keys` (a forgotten
/// alert is delivered again at once; its pending repeat count is lost).
class alert_policy {
public:
  explicit alert_policy(const alert_settings& settings, size_t max_keys = 4096);

  /// Decides about `a` arriving at `now`, and counts it.
  alert_decision on_alert(const alert_raised& a, nanos now);

  /// The first summary_hour_utc boundary strictly after `now` (UTC); 0 when
  /// summaries are off (summary_hour_utc outside 0..23).
  nanos next_summary_after(nanos now) const noexcept;

  /// The throttle window of `level`.
  nanos throttle(alert_level level) const noexcept;

  /// Alerts of `level` delivered so far.
  uint64_t delivered(alert_level level) const noexcept;

  /// Alerts of `level` suppressed as repeats so far.
  uint64_t suppressed(alert_level level) const noexcept;

  /// Alerts delivered so far, every level.
  uint64_t delivered_total() const noexcept;

  /// Alerts suppressed so far, every level.
  uint64_t suppressed_total() const noexcept;

  /// Distinct alerts remembered now (bounded by max_keys).
  size_t tracked() const noexcept { return recent_.size(); }

  /// "CRITICAL|risk|halted: daily loss": what makes two alerts identical.
  static std::string key_of(const alert_raised& a);

private:
  struct recent {
    nanos last = 0;       ///< Last delivery.
    nanos window = 0;     ///< The throttle that applies to it.
    uint64_t repeats = 0; ///< Suppressed since `last`.
  };

  void prune(nanos now);

  std::array<nanos, 4> throttle_{};
  int summary_hour_ = -1;
  size_t max_keys_;
  std::unordered_map<std::string, recent> recent_;
  std::array<uint64_t, 4> delivered_{};
  std::array<uint64_t, 4> suppressed_{};
};

} // namespace agora
