#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "messages/time.hpp"

namespace agora::binance {

/// Estimates the offset between the local clock and Binance's server clock
/// from GET /time round trips, for the "timestamp" of signed requests.
///
/// Each sample gives offset = server_time - (sent + received) / 2; the
/// estimate is the sample with the smallest round trip among the last 8
/// (the least delayed one bounds the error best). Pure: times are arguments.
class clock_sync {
public:
  /// Records one round trip: `sent` and `received` on the local clock,
  /// `server_ms` the answer's serverTime. Samples with received < sent are
  /// ignored.
  void on_sample(nanos sent, nanos received, int64_t server_ms) noexcept;

  /// The server's time in milliseconds at local time `local_now` (the local
  /// time itself, truncated to ms, before the first sample).
  int64_t now_ms(nanos local_now) const noexcept;

  /// server - local, in nanoseconds (0 before the first sample).
  nanos offset() const noexcept;

  bool has_sample() const noexcept;

  /// How many samples are kept.
  static constexpr size_t window = 8;

private:
  struct sample {
    nanos rtt = 0;
    nanos offset = 0;
  };

  std::array<sample, window> samples_{};
  size_t count_ = 0; ///< Samples seen, capped at window.
  size_t next_ = 0;  ///< Ring position of the next sample.
  nanos offset_ = 0; ///< Offset of the best kept sample.
};

} // namespace agora::binance
