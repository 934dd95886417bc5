#include <catch2/catch.hpp>

#include <cmath>
#include <deque>
#include <random>
#include <vector>

#include "actors/strategy/rolling_zscore.hpp"

using namespace agora;

namespace {

/// Mean, sample std (ddof = 1) and z of the last value, the obvious way.
struct naive_stats {
  double mean = 0;
  double sd = 0;
  double z = 0;
};

naive_stats naive(const std::deque<double>& xs) {
  naive_stats s;
  double sum = 0;
  for (double x : xs)
    sum += x;
  s.mean = sum / static_cast<double>(xs.size());
  double ss = 0;
  for (double x : xs)
    ss += (x - s.mean) * (x - s.mean);
  s.sd = std::sqrt(ss / static_cast<double>(xs.size() - 1));
  s.z = (xs.back() - s.mean) / s.sd;
  return s;
}

bool close_rel(double a, double b, double rel) {
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b));
}

} // namespace

TEST_CASE("rolling z-score matches a hand-computed value with the sample std") {
  rolling_zscore z{5};
  for (double x : {1.0, 2.0, 3.0, 4.0, 10.0})
    z.push(x);
  // mean 4; squared deviations 9+4+1+0+36 = 50; var = 50/4 = 12.5;
  // z = (10-4)/sqrt(12.5) = 1.2 * sqrt(2).
  REQUIRE(z.ready());
  CHECK(z.mean() == Approx(4.0).epsilon(1e-15));
  CHECK(z.stddev() == Approx(std::sqrt(12.5)).epsilon(1e-15));
  REQUIRE(z.zscore().has_value());
  CHECK(*z.zscore() == Approx(1.6970562748477141).epsilon(1e-14));
}

TEST_CASE("rolling z-score is not ready before the window is full") {
  rolling_zscore z{5};
  for (double x : {1.0, 2.0, 3.0, 4.0}) {
    z.push(x);
    CHECK_FALSE(z.ready());
    CHECK_FALSE(z.zscore().has_value());
  }
  CHECK(z.size() == 4);
  CHECK(z.window() == 5);
  CHECK(z.mean() == Approx(2.5));
  z.push(10);
  CHECK(z.ready());
  CHECK(z.zscore().has_value());
}

TEST_CASE("rolling z-score evicts the oldest value") {
  rolling_zscore z{3};
  for (double x : {100.0, 1.0, 2.0, 3.0})
    z.push(x);
  CHECK(z.size() == 3);
  CHECK(z.values() == std::vector<double>{1.0, 2.0, 3.0});
  CHECK(z.mean() == Approx(2.0).epsilon(1e-15));
  CHECK(z.stddev() == Approx(1.0).epsilon(1e-15));
  CHECK(*z.zscore() == Approx(1.0).epsilon(1e-15));
  z.push(-3);
  CHECK(z.values() == std::vector<double>{2.0, 3.0, -3.0});
  // mean 2/3; deviations 4/3, 7/3, -11/3; ss = (16+49+121)/9 = 186/9;
  // var = 93/9; z = (-11/3) / sqrt(93/9) = -11/sqrt(93).
  CHECK(*z.zscore() == Approx(-11.0 / std::sqrt(93.0)).epsilon(1e-14));
}

TEST_CASE("rolling z-score has no value when the window is constant") {
  rolling_zscore z{4};
  for (int i = 0; i < 10; ++i)
    z.push(65000.1);
  CHECK(z.ready());
  CHECK(z.stddev() == 0.0);
  CHECK_FALSE(z.zscore().has_value());
}

TEST_CASE("rolling z-score treats a window below two as two") {
  rolling_zscore z{0};
  CHECK(z.window() == 2);
  z.push(1);
  z.push(3);
  CHECK(*z.zscore() == Approx(1.0 / std::sqrt(2.0)));
}

TEST_CASE("rolling z-score stays within 1e-9 of a naive recompute over a million pushes") {
  constexpr size_t window = 60;
  rolling_zscore z{window};
  std::mt19937_64 rng{20240611};
  std::normal_distribution<double> step{0.0, 3.0};
  std::deque<double> ring;
  double px = 65000.0;
  size_t checked = 0;
  for (size_t i = 0; i < 1'000'000; ++i) {
    px += step(rng) - 0.001 * (px - 65000.0);
    z.push(px);
    ring.push_back(px);
    if (ring.size() > window)
      ring.pop_front();
    // Check at every offset within the recompute cycle, not only right after it.
    if (i % 997 != 0 || ring.size() < window)
      continue;
    const auto want = naive(ring);
    INFO("push " << i);
    REQUIRE(close_rel(z.mean(), want.mean, 1e-9));
    REQUIRE(close_rel(z.stddev(), want.sd, 1e-9));
    REQUIRE(z.zscore().has_value());
    REQUIRE(std::fabs(*z.zscore() - want.z) <= 1e-9 * std::max(1.0, std::fabs(want.z)));
    ++checked;
  }
  CHECK(checked > 1000);
  CHECK(z.values() == std::vector<double>(ring.begin(), ring.end()));
}
