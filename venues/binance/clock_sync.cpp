#include "venues/binance/clock_sync.hpp"

#include <limits>

namespace agora::binance {

void clock_sync::on_sample(nanos sent, nanos received,
                           int64_t server_ms) noexcept {
  if (received < sent || server_ms < 0
      || server_ms > std::numeric_limits<nanos>::max() / ns_per_ms)
    return;
  sample s;
  s.rtt = received - sent;
  s.offset = server_ms * ns_per_ms - (sent + s.rtt / 2);
  samples_[next_] = s;
  next_ = (next_ + 1) % window;
  if (count_ < window)
    ++count_;
  // The newest sample wins ties: walk from the newest back.
  size_t best = (next_ + window - 1) % window;
  for (size_t i = 1; i < count_; ++i) {
    auto j = (next_ + window - 1 - i) % window;
    if (samples_[j].rtt < samples_[best].rtt)
      best = j;
  }
  offset_ = samples_[best].offset;
}

int64_t clock_sync::now_ms(nanos local_now) const noexcept {
  auto t = local_now + offset_;
  auto ms = t / ns_per_ms;
  if (t % ns_per_ms < 0)
    --ms;
  return ms;
}

nanos clock_sync::offset() const noexcept {
  return offset_;
}

bool clock_sync::has_sample() const noexcept {
  return count_ > 0;
}

} // namespace agora::binance
