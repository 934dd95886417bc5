#include "venues/sim/latency_model.hpp"

namespace agora::sim {

latency_model::latency_model(uint64_t seed, nanos base, nanos jitter) noexcept
  : rng_(seed), base_(base < 0 ? 0 : base), jitter_(jitter < 0 ? 0 : jitter) {
  // nop
}

nanos latency_model::sample() noexcept {
  if (jitter_ == 0)
    return base_;
  return base_ + static_cast<nanos>(rng_.below(static_cast<uint64_t>(jitter_)));
}

} // namespace agora::sim
