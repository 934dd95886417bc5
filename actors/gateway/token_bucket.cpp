#include "actors/gateway/token_bucket.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace agora {

namespace {

constexpr nanos never = std::numeric_limits<nanos>::max();

/// Units (1e-18) per nano-token (1e-9).
constexpr int64_t per_nano = 1'000'000'000;

/// Largest capacity, rate or request, in tokens.
constexpr double max_tokens = 1e15;

/// `x` rounded to whole nano-tokens, clamped to [0, max_tokens]; NaN -> 0.
int64_t nano_tokens(double x) noexcept {
  if (!(x > 0.0))
    return 0;
  return static_cast<int64_t>(std::llround(std::min(x, max_tokens) * 1e9));
}

} // namespace

token_bucket::token_bucket(double capacity, double refill_per_second,
                           nanos start)
  : capacity_(static_cast<units>(nano_tokens(capacity)) * per_nano),
    per_ns_(nano_tokens(refill_per_second)),
    tokens_(capacity_),
    last_(start) {
  // nop
}

token_bucket::units token_bucket::level(nanos now) const noexcept {
  if (now <= last_ || per_ns_ == 0 || tokens_ >= capacity_)
    return tokens_;
  auto elapsed = static_cast<units>(static_cast<uint64_t>(now)
                                    - static_cast<uint64_t>(last_));
  // Compare before multiplying: elapsed x per_ns_ could exceed 128 bits.
  auto room = capacity_ - tokens_;
  if (elapsed >= room / per_ns_ + 1)
    return capacity_;
  return std::min(capacity_, tokens_ + elapsed * per_ns_);
}

bool token_bucket::try_take(nanos now, double n) {
  tokens_ = level(now);
  last_ = std::max(last_, now);
  if (std::isnan(n) || n < 0.0)
    return false;
  if (n > max_tokens)
    return false;
  auto want = static_cast<units>(nano_tokens(n)) * per_nano;
  if (tokens_ < want)
    return false;
  tokens_ -= want;
  return true;
}

double token_bucket::available(nanos now) const {
  return static_cast<double>(level(now)) / 1e18;
}

nanos token_bucket::time_until(nanos now, double n) const {
  if (std::isnan(n))
    return never;
  if (n > max_tokens)
    return never;
  auto want = static_cast<units>(nano_tokens(n)) * per_nano;
  if (want > capacity_)
    return never;
  if (level(now) >= want)
    return 0;
  if (per_ns_ == 0)
    return never;
  // Refilling starts from the latest instant seen, not an earlier `now`.
  auto base = std::max(now, last_);
  auto deficit = want - level(base);
  units wait = (deficit + per_ns_ - 1) / per_ns_; // ceil
  units total = wait + (static_cast<units>(base) - now);
  return total > never ? never : static_cast<nanos>(total);
}

double token_bucket::capacity() const noexcept {
  return static_cast<double>(capacity_) / 1e18;
}

double token_bucket::refill_per_second() const noexcept {
  return static_cast<double>(per_ns_) / 1e9;
}

} // namespace agora
