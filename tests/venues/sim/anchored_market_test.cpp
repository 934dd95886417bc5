#include <catch2/catch.hpp>

#include <cmath>

#include "venues/sim/sim_market.hpp"

using namespace agora;
using namespace agora::sim;

namespace {

constexpr nanos t0 = 1'700'000'000 * ns_per_s;
constexpr nanos step_ns = 100 * ns_per_ms;

instrument_spec spec_of(const char* symbol, bool perpetual) {
  instrument_spec s;
  s.venue = venue_id{"sim"};
  s.symbol = symbol_id{symbol};
  s.tick = *price::parse("0.1");
  s.lot = *quantity::parse("0.001");
  s.min_notional = *notional::parse("5");
  s.maker_fee = *rate::parse("0.0002");
  s.taker_fee = *rate::parse("0.0004");
  s.perpetual = perpetual;
  return s;
}

market_params params_of(uint64_t seed) {
  market_params p;
  p.seed = seed;
  p.start_price = *price::parse("65000");
  p.level_qty = *quantity::parse("0.5");
  p.burst_probability = 0;
  return p;
}

} // namespace

TEST_CASE("an anchored perpetual follows its index at the configured basis", "[sim]") {
  sim_market spot{venue_id{"sim"}, spec_of("BTCUSDT", false), params_of(1)};
  auto pp = params_of(2);
  pp.anchored = true;
  pp.basis_mean = 0.002;       // 20 bps
  pp.basis_reversion = 0.5;
  pp.basis_volatility = 0;     // no noise: the basis stays at its mean
  sim_market perp{venue_id{"sim"}, spec_of("BTCUSDT-PERP", true), pp};
  for (int i = 1; i <= 200; ++i) {
    spot.step(t0 + i * step_ns);
    perp.set_index(spot.fair());
    perp.step(t0 + i * step_ns);
    // fair = index x e^0.002, to the 1e-8 of the fixed-point price.
    CHECK(std::abs(perp.fair().to_double() - spot.fair().to_double() * std::exp(0.002)) < 1e-6);
  }
  CHECK(perp.basis() == Approx(0.002));
  // The published books keep the basis too: mids within a few ticks of it.
  auto gap = perp.mid().to_double() / spot.mid().to_double() - 1;
  CHECK(gap == Approx(0.002).margin(0.00002));
}

TEST_CASE("an anchored basis mean-reverts with noise and is not a random walk", "[sim]") {
  sim_market spot{venue_id{"sim"}, spec_of("BTCUSDT", false), params_of(1)};
  auto pp = params_of(3);
  pp.anchored = true;
  pp.basis_mean = 0.002;
  pp.basis_reversion = 0.01;    // half-life ~69 steps
  pp.basis_volatility = 0.0001; // stationary sd = 1e-4 / sqrt(2 x 0.01 - 0.01^2) ~ 7.1 bps
  sim_market perp{venue_id{"sim"}, spec_of("BTCUSDT-PERP", true), pp};
  double sum = 0, sum2 = 0;
  int n = 0;
  for (int i = 1; i <= 20000; ++i) {
    spot.step(t0 + i * step_ns);
    perp.set_index(spot.fair());
    perp.step(t0 + i * step_ns);
    if (i > 1000) {
      sum += perp.basis();
      sum2 += perp.basis() * perp.basis();
      ++n;
    }
  }
  auto mean = sum / n;
  auto sd = std::sqrt(sum2 / n - mean * mean);
  CHECK(mean == Approx(0.002).margin(0.0003));
  CHECK(sd == Approx(0.000709).epsilon(0.25));
}

TEST_CASE("a market that is not anchored ignores an index", "[sim]") {
  sim_market a{venue_id{"sim"}, spec_of("BTCUSDT", false), params_of(5)};
  sim_market b{venue_id{"sim"}, spec_of("BTCUSDT", false), params_of(5)};
  for (int i = 1; i <= 50; ++i) {
    a.step(t0 + i * step_ns);
    b.set_index(*price::parse("1000"));
    b.step(t0 + i * step_ns);
    CHECK(a.fair() == b.fair());
  }
  CHECK(b.basis() == 0);
}
