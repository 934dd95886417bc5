#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace agora {

/// Rolling z-score of the last `window` values: `(last - mean) / std` with
/// the sample standard deviation (ddof = 1) over the window including the
/// last value.
///
/// O(1) per push (amortized): mean and sum of squared deviations are updated
/// in place (Welford's update, extended to replace the evicted value), and
/// recomputed exactly from the ring (two passes, O(window)) every `window`
/// pushes so rounding cannot drift, and also whenever one push shrinks the
/// sum of squared deviations more than 64-fold (an outlier leaving the
/// window), where the running value would lose relative precision.
/// Analytics only, hence `double`.
class rolling_zscore {
public:
  /// Creates an empty window; a `window` below 2 is treated as 2.
  explicit rolling_zscore(size_t window);

  /// Appends `x`, evicting the oldest value once the window is full.
  void push(double x);

  /// True once the window is full (`size() == window()`).
  bool ready() const noexcept { return size_ == ring_.size(); }

  /// The z-score of the last value; `std::nullopt` until the window is full,
  /// or when the values are all equal (std zero, within rounding:
  /// std <= 1e-12 x max(1, |mean|)).
  std::optional<double> zscore() const noexcept;

  /// Mean of the values held (0 when empty).
  double mean() const noexcept { return mean_; }

  /// Sample standard deviation (ddof = 1) of the values held; 0 below 2.
  double stddev() const noexcept;

  /// Number of values held (at most `window()`).
  size_t size() const noexcept { return size_; }

  size_t window() const noexcept { return ring_.size(); }

  /// The values held, oldest first (for persisting state).
  std::vector<double> values() const;

  /// Drops every value.
  void clear() noexcept;

private:
  void recompute() noexcept;

  std::vector<double> ring_;
  size_t head_ = 0;  ///< Index of the oldest value once full; next write slot.
  size_t size_ = 0;
  double last_ = 0;
  double mean_ = 0;
  double m2_ = 0;    ///< Sum of squared deviations from the mean.
  size_t since_recompute_ = 0;
};

} // namespace agora
