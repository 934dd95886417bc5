#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>

#include "messages/system.hpp"

namespace agora {

/// One alert waiting for a sink, with the repeat count it carries.
struct queued_alert {
  alert_raised alert;
  uint64_t repeats = 0;
};

/// A sink's bounded FIFO of alerts waiting to be sent (pure).
///
/// Alerts leave in arrival order, whatever their level. When a push takes
/// the queue past its limit, the oldest alert of the lowest level present
/// is dropped (possibly the one just pushed, when it is the only one of the
/// lowest level) and counted: a flood of INFO never pushes out a CRITICAL.
class sink_queue {
public:
  explicit sink_queue(size_t limit) : limit_(limit) {}

  /// Appends `a`; returns true when that dropped an alert.
  bool push(queued_alert a);

  /// The next alert to send. Precondition: !empty().
  const queued_alert& front() const;

  /// Removes and returns front(). Precondition: !empty().
  queued_alert pop();

  bool empty() const noexcept { return size_ == 0; }
  size_t size() const noexcept { return size_; }
  size_t limit() const noexcept { return limit_; }

  /// Alerts dropped so far.
  uint64_t dropped() const noexcept { return dropped_; }

private:
  struct entry {
    uint64_t seq = 0; ///< Arrival order across levels.
    queued_alert item;
  };

  /// The level queue holding the oldest alert overall.
  std::deque<entry>& oldest();
  const std::deque<entry>& oldest() const;

  size_t limit_;
  size_t size_ = 0;
  uint64_t next_seq_ = 0;
  uint64_t dropped_ = 0;
  std::array<std::deque<entry>, 4>
      by_level_; ///< Index: alert_level (0: unknown).
};

} // namespace agora
