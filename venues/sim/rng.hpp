#pragma once

#include <cmath>
#include <cstdint>
#include <random>

namespace agora::sim {

/// The sim's seeded random source. Built on `std::mt19937_64`, whose output
/// sequence the standard fixes, with the conversions to uniform, normal and
/// Poisson draws written out here (the standard library's distributions are
/// implementation-defined), so the same seed gives the same market on every
/// platform and compiler.
class rng {
public:
  explicit rng(uint64_t seed) noexcept : engine_(seed) {}

  /// 64 uniform random bits.
  uint64_t next() noexcept { return engine_(); }

  /// Uniform in [0, 1) with 53 bits of resolution.
  double uniform() noexcept {
    return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
  }

  /// Uniform integer in [0, n); 0 if n is 0. Unbiased (rejection sampling).
  uint64_t below(uint64_t n) noexcept {
    if (n == 0)
      return 0;
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x = engine_();
    while (x >= limit)
      x = engine_();
    return x % n;
  }

  /// True with probability `p`.
  bool chance(double p) noexcept { return uniform() < p; }

  /// Standard normal draw (Box-Muller, one of the pair).
  double normal() noexcept {
    double u1 = 1.0 - uniform(); // (0, 1]: log stays finite
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

  /// Poisson draw with mean `lambda` (Knuth; fine for the small means the
  /// sim uses). 0 for lambda <= 0; capped at 1000.
  uint32_t poisson(double lambda) noexcept {
    if (!(lambda > 0.0))
      return 0;
    double limit = std::exp(-lambda);
    double p = uniform();
    uint32_t k = 0;
    while (p > limit && k < 1000) {
      ++k;
      p *= uniform();
    }
    return k;
  }

private:
  std::mt19937_64 engine_;
};

} // namespace agora::sim
