// Cost of one basis evaluation: basis_arb::on_perp_book with a fresh spot view.
//
// A fixed seed generates 1,024 varied perp views (mid random-walking around
// 65000, basis -20..+20 bp so no entry ever fires, 1-10 ticks between levels,
// random sizes) with 20 and with 100 levels a side, and a spot view of the
// same depth. Scenario "closed" prices the entry (walk 1000 USDT of spot asks,
// the same quantity of perp bids); scenario "open" (restored position of
// 0.5 BTC, basis 20..60 bp so no exit fires) prices the closing side. Each
// run calls on_perp_book in batches of 1,000 views and times every batch
// with steady_clock; prints evaluations per second over the run, ns per
// evaluation at the batch p50 and p99, and heap allocations per evaluation
// (counted by a replaced global operator new). Prints figures only; asserts
// nothing about time.

#include "actors/strategy/basis_arb.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <random>
#include <vector>

namespace {

std::atomic<uint64_t> allocations{0};

} // namespace

void* operator new(std::size_t n) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n))
    return p;
  throw std::bad_alloc{};
}

void operator delete(void* p) noexcept {
  std::free(p);
}

void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

using namespace agora;

namespace {

constexpr uint64_t seed = 0xba515'eed;
constexpr size_t view_count = 1'024;
constexpr size_t batch = 1'000;
constexpr nanos t0 = 1'700'000'000 * ns_per_s;
constexpr int64_t tick_raw = 1'000'000; // 0.01

instrument_spec make_spec(const char* symbol, bool perpetual) {
  instrument_spec s;
  s.venue = venue_id{"sim"};
  s.symbol = symbol_id{symbol};
  s.tick = price::from_raw(tick_raw);
  s.lot = quantity::from_raw(perpetual ? 100'000 : 1'000); // 0.001 / 0.00001
  s.min_notional = notional::from_units(5);
  s.maker_fee = rate::from_raw(20'000); // 2 bp
  s.taker_fee = rate::from_raw(40'000); // 4 bp
  s.perpetual = perpetual;
  return s;
}

/// One side of `levels` levels starting at `top_tick`, moving away by 1-10
/// ticks per level (down for bids), sizes 0.001-2 BTC.
std::vector<book_level> side_levels(std::mt19937_64& rng, int64_t top_tick,
                                    size_t levels, bool bid) {
  std::uniform_int_distribution<int64_t> gap(1, 10);
  std::uniform_int_distribution<int64_t> size(100'000, 200'000'000);
  std::vector<book_level> out;
  out.reserve(levels);
  int64_t tick = top_tick;
  for (size_t i = 0; i < levels; ++i) {
    out.push_back({price::from_raw(tick * tick_raw), quantity::from_raw(size(rng))});
    tick += bid ? -gap(rng) : gap(rng);
  }
  return out;
}

book_view make_view(const instrument_spec& spec, std::mt19937_64& rng,
                    int64_t bid_tick, size_t levels) {
  book_view v;
  v.venue = spec.venue;
  v.symbol = spec.symbol;
  std::uniform_int_distribution<int64_t> spread(1, 3);
  v.bids = side_levels(rng, bid_tick, levels, true);
  v.asks = side_levels(rng, bid_tick + spread(rng), levels, false);
  v.mid = price::from_raw((v.bids.front().px.raw() + v.asks.front().px.raw()) / 2);
  v.venue_time = t0;
  v.local_time = t0;
  return v;
}

struct scenario {
  const char* name;
  size_t levels;
  bool open;
  double basis_lo_bps;
  double basis_hi_bps;
  size_t calls;
};

void run(const scenario& sc) {
  std::mt19937_64 rng(seed + sc.levels + (sc.open ? 1 : 0));
  const auto spot_spec = make_spec("BTCUSDT", false);
  const auto perp_spec = make_spec("BTCUSDT-PERP", true);
  const int64_t spot_bid_tick = 6'500'000; // 65000.00
  const auto spot = make_view(spot_spec, rng, spot_bid_tick, sc.levels);

  // Perp views: the basis over the spot mid drawn per view.
  std::uniform_real_distribution<double> basis(sc.basis_lo_bps, sc.basis_hi_bps);
  std::vector<book_view> views;
  views.reserve(view_count);
  for (size_t i = 0; i < view_count; ++i) {
    const double b = basis(rng) / 1e4;
    const auto tick = static_cast<int64_t>(static_cast<double>(spot_bid_tick) * (1 + b));
    views.push_back(make_view(perp_spec, rng, tick, sc.levels));
  }

  basis_arb arb(basis_params{}, spot_spec, perp_spec);
  if (sc.open) {
    order_filled buy;
    buy.venue = spot_spec.venue;
    buy.symbol = spot_spec.symbol;
    buy.sd = side::buy;
    buy.fill_qty = quantity::from_raw(50'000'000); // 0.5
    order_filled sell = buy;
    sell.symbol = perp_spec.symbol;
    sell.sd = side::sell;
    arb.restore_position({buy, sell});
  }
  arb.on_spot_book(spot);
  // Warm-up: sizes the reused buffers, settles the decisions.
  uint64_t acted = 0;
  for (auto& v : views)
    acted += arb.on_perp_book(v).trade ? 1 : 0;

  const size_t batches = sc.calls / batch;
  std::vector<double> per_eval;
  per_eval.reserve(batches);
  uint64_t signals = 0;
  size_t k = 0;
  const uint64_t allocs_before = allocations.load();
  const uint64_t evals_before = arb.evaluations();
  const auto start = std::chrono::steady_clock::now();
  for (size_t b = 0; b < batches; ++b) {
    const auto s = std::chrono::steady_clock::now();
    for (size_t i = 0; i < batch; ++i) {
      auto& v = views[k];
      k = (k + 1) % view_count;
      v.venue_time = t0 + static_cast<nanos>(i) * ns_per_us;
      auto a = arb.on_perp_book(v);
      signals += a.signals.size();
      acted += a.trade ? 1 : 0;
    }
    const auto e = std::chrono::steady_clock::now();
    per_eval.push_back(
      static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(e - s).count())
      / static_cast<double>(batch));
  }
  const auto end = std::chrono::steady_clock::now();
  const uint64_t allocs = allocations.load() - allocs_before;
  const uint64_t evals = arb.evaluations() - evals_before;
  const double secs = std::chrono::duration<double>(end - start).count();
  std::sort(per_eval.begin(), per_eval.end());
  auto pct = [&](double p) {
    return per_eval[std::min(per_eval.size() - 1,
                             static_cast<size_t>(p * static_cast<double>(per_eval.size())))];
  };
  std::printf("%-6s %3zu levels: %9.0f evals/s  ns/eval p50 %7.1f  p99 %7.1f  "
              "allocs/eval %.4f  (evals %llu, signals %llu, trades %llu, state %s)\n",
              sc.name, sc.levels, static_cast<double>(evals) / secs, pct(0.50), pct(0.99),
              static_cast<double>(allocs) / static_cast<double>(evals),
              static_cast<unsigned long long>(evals), static_cast<unsigned long long>(signals),
              static_cast<unsigned long long>(acted), arb.state_name().c_str());
}

} // namespace

int main() {
  std::printf("basis_eval: on_perp_book with a fresh spot view, batches of %zu, seed %#llx\n",
              batch, static_cast<unsigned long long>(seed));
  const scenario runs[] = {
    {"closed", 20, false, -20, 20, 2'000'000},
    {"closed", 100, false, -20, 20, 1'000'000},
    {"open", 20, true, 20, 60, 2'000'000},
    {"open", 100, true, 20, 60, 1'000'000},
  };
  for (const auto& sc : runs)
    run(sc);
  return 0;
}
