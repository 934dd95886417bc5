#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace agora {

/// Nanoseconds since the Unix epoch (UTC). Every market and order message
/// carries two: venue time (when the venue says it happened) and local time
/// (when we received or created it), both read from an injected clock.
using nanos = int64_t;

inline constexpr nanos ns_per_us = 1'000;
inline constexpr nanos ns_per_ms = 1'000'000;
inline constexpr nanos ns_per_s = 1'000'000'000;

/// The source of "now". Actors get one injected; none reads the system clock
/// directly, so replay and tests control time.
class clock_source {
public:
  virtual ~clock_source() = default;
  virtual nanos now() const noexcept = 0;
};

/// The real UTC clock.
class wall_clock final : public clock_source {
public:
  nanos now() const noexcept override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
  }
};

/// A clock that tests and replay move by hand. Thread-safe.
class manual_clock final : public clock_source {
public:
  explicit manual_clock(nanos start = 1'700'000'000 * ns_per_s) : now_(start) {}
  nanos now() const noexcept override { return now_.load(); }
  void set(nanos t) noexcept { now_.store(t); }
  void advance(nanos d) noexcept { now_.fetch_add(d); }

private:
  std::atomic<nanos> now_;
};

/// The process-wide wall clock instance (stateless, shared safely).
const clock_source& default_clock() noexcept;

} // namespace agora
