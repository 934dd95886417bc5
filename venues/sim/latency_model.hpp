#pragma once

#include <cstdint>

#include "messages/time.hpp"
#include "venues/sim/rng.hpp"

namespace agora::sim {

/// One-way latency between us and the sim venue: `base` plus a uniform
/// jitter in [0, jitter), drawn from a seeded source so runs repeat exactly.
class latency_model {
public:
  /// A negative `base` or `jitter` counts as 0.
  latency_model(uint64_t seed, nanos base, nanos jitter) noexcept;

  /// The next latency draw, in [base, base + jitter); exactly `base` when
  /// jitter is 0.
  nanos sample() noexcept;

  nanos base() const noexcept { return base_; }
  nanos jitter() const noexcept { return jitter_; }

private:
  rng rng_;
  nanos base_;
  nanos jitter_;
};

} // namespace agora::sim
