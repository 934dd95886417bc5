#include <catch2/catch.hpp>

#include <vector>

#include "venues/sim/latency_model.hpp"

using namespace agora;
using namespace agora::sim;

TEST_CASE("latency samples stay within base plus jitter and repeat per seed") {
  latency_model a{42, 2 * ns_per_ms, 500 * ns_per_us};
  latency_model b{42, 2 * ns_per_ms, 500 * ns_per_us};
  latency_model c{43, 2 * ns_per_ms, 500 * ns_per_us};
  bool differs = false;
  double sum = 0;
  constexpr int n = 10'000;
  for (int i = 0; i < n; ++i) {
    auto x = a.sample();
    auto y = b.sample();
    auto z = c.sample();
    CHECK(x == y);
    differs = differs || x != z;
    REQUIRE(x >= 2 * ns_per_ms);
    REQUIRE(x < 2 * ns_per_ms + 500 * ns_per_us);
    sum += static_cast<double>(x);
  }
  CHECK(differs);
  // Uniform jitter: the mean is base + jitter / 2 = 2.25 ms (within 1%).
  CHECK(sum / n == Approx(2.25e6).epsilon(0.01));
}

TEST_CASE("latency without jitter is exactly the base") {
  latency_model m{1, 750 * ns_per_us, 0};
  for (int i = 0; i < 100; ++i)
    CHECK(m.sample() == 750 * ns_per_us);
  latency_model neg{1, -5, -5};
  CHECK(neg.sample() == 0);
}
