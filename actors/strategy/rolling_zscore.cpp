#include "actors/strategy/rolling_zscore.hpp"

#include <algorithm>
#include <cmath>

namespace agora {

namespace {

/// When one push shrinks the sum of squared deviations by more than this
/// factor, the sums are recomputed from the ring.
constexpr double collapse_ratio = 64;

} // namespace

rolling_zscore::rolling_zscore(size_t window)
  : ring_(std::max<size_t>(window, 2), 0.0) {
}

void rolling_zscore::push(double x) {
  last_ = x;
  if (size_ < ring_.size()) {
    ring_[head_] = x;
    head_ = (head_ + 1) % ring_.size();
    ++size_;
    const double d = x - mean_;
    mean_ += d / static_cast<double>(size_);
    m2_ += d * (x - mean_);
  } else {
    const double old = ring_[head_];
    ring_[head_] = x;
    head_ = (head_ + 1) % ring_.size();
    const double d = x - old;
    const double new_mean = mean_ + d / static_cast<double>(size_);
    const double old_m2 = m2_;
    m2_ += d * ((x - new_mean) + (old - mean_));
    mean_ = new_mean;
    // An outlier leaving the window collapses m2 and with it the relative
    // precision of the running value: recompute exactly then.
    if (m2_ < old_m2 / collapse_ratio) {
      recompute();
      return;
    }
  }
  if (++since_recompute_ >= ring_.size())
    recompute();
}

std::optional<double> rolling_zscore::zscore() const noexcept {
  if (!ready())
    return std::nullopt;
  const double sd = stddev();
  if (!(sd > 1e-12 * std::max(1.0, std::fabs(mean_))))
    return std::nullopt;
  return (last_ - mean_) / sd;
}

double rolling_zscore::stddev() const noexcept {
  if (size_ < 2 || m2_ <= 0)
    return 0;
  return std::sqrt(m2_ / static_cast<double>(size_ - 1));
}

std::vector<double> rolling_zscore::values() const {
  std::vector<double> out;
  out.reserve(size_);
  const size_t first = size_ < ring_.size() ? 0 : head_;
  for (size_t i = 0; i < size_; ++i)
    out.push_back(ring_[(first + i) % ring_.size()]);
  return out;
}

void rolling_zscore::clear() noexcept {
  head_ = 0;
  size_ = 0;
  last_ = 0;
  mean_ = 0;
  m2_ = 0;
  since_recompute_ = 0;
}

void rolling_zscore::recompute() noexcept {
  since_recompute_ = 0;
  if (size_ == 0)
    return;
  // Two passes, the second correcting the mean for the first's rounding.
  double sum = 0;
  for (size_t i = 0; i < size_; ++i)
    sum += ring_[i];
  const double n = static_cast<double>(size_);
  double mean = sum / n;
  double corr = 0;
  double m2 = 0;
  for (size_t i = 0; i < size_; ++i) {
    const double d = ring_[i] - mean;
    corr += d;
    m2 += d * d;
  }
  mean += corr / n;
  m2 -= corr * corr / n;
  mean_ = mean;
  m2_ = std::max(m2, 0.0);
}

} // namespace agora
