#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "messages/time.hpp"

namespace agora {

/// How a supervisor reacts when one child fails.
enum class restart_strategy : uint8_t {
  one_for_one = 1,  ///< Restart only the failed child.
  rest_for_one = 2, ///< Restart the failed child and every child started after it.
};

/// When a child is restarted.
enum class restart_type : uint8_t {
  permanent = 1, ///< Always, whatever the exit reason.
  transient = 2, ///< Only after an abnormal exit (a crash, not a clean stop).
};

/// Restart intensity and backoff: at most `max_restarts` restarts within
/// `within`, then the supervisor gives up and escalates to its parent.
/// Delays grow exponentially per child: initial, 2x, 4x, ... capped.
struct restart_params {
  size_t max_restarts = 5;
  nanos within = 60 * ns_per_s;
  nanos backoff_initial = 200 * ns_per_ms;
  nanos backoff_max = 10 * ns_per_s;
};

/// The outcome of a failure.
struct restart_decision {
  bool escalate = false; ///< Intensity exceeded: the supervisor must fail.
  nanos delay = 0;       ///< Backoff before restarting (when !escalate).
};

/// Pure bookkeeping of a supervisor's restart intensity (shared by all its
/// children, as in OTP) and of each child's backoff.
class restart_policy {
public:
  explicit restart_policy(restart_params params);

  /// Records a failure of a child that has failed `child_recent_failures`
  /// times (including this one) within the window, at time `now`.
  restart_decision on_failure(nanos now, size_t child_recent_failures);

  /// The backoff for the n-th consecutive failure (n >= 1).
  nanos backoff(size_t n) const noexcept;

  /// Restarts counted inside the window ending at `now`.
  size_t recent(nanos now);

  const restart_params& params() const noexcept { return params_; }

private:
  void expire(nanos now);

  restart_params params_;
  std::deque<nanos> restarts_;
};

/// Per-child failure history, for backoff.
class failure_window {
public:
  /// Records a failure at `now`; returns the failures within `within`.
  size_t record(nanos now, nanos within);

private:
  std::deque<nanos> times_;
};

/// True if an exit with this reason should restart a child of this type.
/// `abnormal` is false for a normal exit or an explicit shutdown.
constexpr bool should_restart(restart_type type, bool abnormal) noexcept {
  return type == restart_type::permanent || abnormal;
}

} // namespace agora
