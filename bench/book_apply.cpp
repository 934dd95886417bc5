// Throughput and latency of order_book::apply on a realistic book.
//
// Builds a book of 1,000 levels per side around 65000 (tick 0.1), then applies
// 2,000,000 pre-generated, in-sequence deltas: 1-10 level changes each, 90%
// within 20 ticks of the top, about 20% removals balanced by inserts. Pass 1
// times the whole run; pass 2 reloads the same snapshot, replays the same
// deltas and times every 16th apply with steady_clock for percentiles.
// Prints figures only; asserts nothing about time.

#include "actors/book/order_book.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

using namespace agora;

namespace {

constexpr int64_t levels_per_side = 1'000;
constexpr int64_t center_tick = 650'000; // 65000.0 at tick 0.1
constexpr int64_t tick_raw = 10'000'000; // 0.1 in 1e-8 units
constexpr size_t delta_count = 2'000'000;
constexpr size_t sample_every = 16;
constexpr uint64_t seed = 0x5eed'b00c;

price tick_px(int64_t tick) {
  return price::from_raw(tick * tick_raw);
}

/// The generator's view of the book: quantities by tick over a wide window,
/// plus the best ticks and the level counts.
class shadow_book {
public:
  static constexpr int64_t window = 200'000; // ticks either side of center

  shadow_book() : bid_(2 * window, 0), ask_(2 * window, 0) {}

  int64_t& bid(int64_t tick) { return bid_[index(tick)]; }
  int64_t& ask(int64_t tick) { return ask_[index(tick)]; }
  static bool in_window(int64_t tick) {
    return tick > center_tick - window + 1 && tick < center_tick + window - 1;
  }

  int64_t best_bid = 0;
  int64_t best_ask = 0;
  int64_t bid_count = 0;
  int64_t ask_count = 0;

private:
  static size_t index(int64_t tick) {
    return static_cast<size_t>(tick - (center_tick - window));
  }

  std::vector<int64_t> bid_;
  std::vector<int64_t> ask_;
};

/// Generates the deltas against a shadow book so they stay realistic and
/// never cross.
class delta_generator {
public:
  explicit delta_generator(shadow_book& book) : book_(book), rng_(seed) {}

  /// Fills `d` with 1-10 level changes on random sides; returns how many.
  size_t fill(book_delta& d) {
    const int k = changes_(rng_);
    d.bids.reserve(static_cast<size_t>(k));
    d.asks.reserve(static_cast<size_t>(k));
    for (int c = 0; c < k; ++c) {
      const bool bid = coin_(rng_) == 0;
      change(bid, bid ? d.bids : d.asks);
    }
    return static_cast<size_t>(k);
  }

private:
  /// One level change on `bid` side, appended to `out` and to the shadow.
  void change(bool bid, std::vector<book_level>& out) {
    const int64_t dist = near_(rng_) < 90 ? near_dist_(rng_) : far_dist_(rng_);
    const int64_t count = bid ? book_.bid_count : book_.ask_count;
    int op = op_(rng_); // 0-19 remove, 20-39 insert, 40-99 update
    if (op < 20 && count <= levels_per_side - 50)
      op = 20;
    else if (op >= 20 && op < 40 && count >= levels_per_side + 50)
      op = 0;
    if (op < 20)
      remove(bid, dist, out);
    else if (op < 40)
      insert(bid, dist, out);
    else
      update(bid, dist, out);
  }

  int64_t best(bool bid) const { return bid ? book_.best_bid : book_.best_ask; }
  /// The tick `dist` places away from the top, inward into the side.
  static int64_t away(bool bid, int64_t top, int64_t dist) {
    return bid ? top - dist : top + dist;
  }
  int64_t& at(bool bid, int64_t tick) {
    return bid ? book_.bid(tick) : book_.ask(tick);
  }

  /// The nearest existing level at or beyond `tick` going away from the top,
  /// looking at most `max_scan` ticks; `none` if there is none.
  static constexpr int64_t none = -1;
  static constexpr int64_t max_scan = 4'096;
  int64_t existing_from(bool bid, int64_t tick) {
    for (int64_t i = 0; i < max_scan && shadow_book::in_window(tick); ++i) {
      if (at(bid, tick) != 0)
        return tick;
      tick = away(bid, tick, 1);
    }
    return none;
  }

  /// An existing level about `dist` from the top, else the top itself.
  int64_t existing_near(bool bid, int64_t dist) {
    const int64_t tick = existing_from(bid, away(bid, best(bid), dist));
    return tick == none ? best(bid) : tick;
  }

  void set(bool bid, int64_t tick, int64_t q, std::vector<book_level>& out) {
    int64_t& cell = at(bid, tick);
    int64_t& count = bid ? book_.bid_count : book_.ask_count;
    if (cell == 0 && q > 0)
      ++count;
    else if (cell > 0 && q == 0)
      --count;
    cell = q;
    if (bid) {
      if (q > 0 && tick > book_.best_bid)
        book_.best_bid = tick;
      else if (q == 0 && tick == book_.best_bid)
        book_.best_bid = existing_from(true, tick);
    } else {
      if (q > 0 && tick < book_.best_ask)
        book_.best_ask = tick;
      else if (q == 0 && tick == book_.best_ask)
        book_.best_ask = existing_from(false, tick);
    }
    out.push_back({tick_px(tick), quantity::from_raw(q)});
  }

  void remove(bool bid, int64_t dist, std::vector<book_level>& out) {
    set(bid, existing_near(bid, dist), 0, out);
  }

  void insert(bool bid, int64_t dist, std::vector<book_level>& out) {
    // Inserts may also improve the top by up to 2 ticks (inside the spread).
    int64_t tick = away(bid, best(bid), dist - 2);
    const int64_t opp = bid ? book_.best_ask : book_.best_bid;
    if (bid ? tick >= opp : tick <= opp)
      tick = away(bid, opp, 1);
    while (shadow_book::in_window(tick) && at(bid, tick) != 0)
      tick = away(bid, tick, 1);
    if (!shadow_book::in_window(tick))
      return update(bid, 0, out);
    set(bid, tick, lot(), out);
  }

  void update(bool bid, int64_t dist, std::vector<book_level>& out) {
    set(bid, existing_near(bid, dist), lot(), out);
  }

  /// 0.001 to 5.000 in lots of 0.001.
  int64_t lot() { return lot_(rng_) * 100'000; }

  shadow_book& book_;
  std::mt19937_64 rng_;
  std::uniform_int_distribution<int> near_{0, 99};
  std::uniform_int_distribution<int64_t> near_dist_{0, 19};
  std::uniform_int_distribution<int64_t> far_dist_{20, levels_per_side - 1};
  std::uniform_int_distribution<int> op_{0, 99};
  std::uniform_int_distribution<int64_t> lot_{1, 5'000};
  std::uniform_int_distribution<int> changes_{1, 10};
  std::uniform_int_distribution<int> coin_{0, 1};
};

double ms_between(std::chrono::steady_clock::time_point a,
                  std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int64_t percentile(const std::vector<int64_t>& sorted, double p) {
  if (sorted.empty())
    return 0;
  auto i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

} // namespace

int main() {
  // Snapshot: bids 64999.9 down, asks 65000.0 up, 1,000 levels each.
  shadow_book shadow;
  book_snapshot snap;
  snap.last_update_id = 1'000'000;
  for (int64_t i = 0; i < levels_per_side; ++i) {
    const int64_t b = center_tick - 1 - i;
    const int64_t a = center_tick + i;
    const int64_t q = (i % 50 + 1) * 10'000'000; // 0.1 to 5.0
    shadow.bid(b) = q;
    shadow.ask(a) = q;
    snap.bids.push_back({tick_px(b), quantity::from_raw(q)});
    snap.asks.push_back({tick_px(a), quantity::from_raw(q)});
  }
  shadow.best_bid = center_tick - 1;
  shadow.best_ask = center_tick;
  shadow.bid_count = levels_per_side;
  shadow.ask_count = levels_per_side;

  // Pre-generate every delta before timing.
  delta_generator gen(shadow);
  std::vector<book_delta> deltas(delta_count);
  uint64_t next_id = snap.last_update_id + 1;
  size_t level_updates = 0;
  for (auto& d : deltas) {
    const size_t k = gen.fill(d);
    d.first_update_id = next_id;
    d.last_update_id = next_id + k - 1;
    next_id = d.last_update_id + 1;
    level_updates += d.bids.size() + d.asks.size();
  }

  order_book book;
  book.reserve(4'096);

  // Pass 1: throughput.
  book.load(snap);
  size_t applied = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& d : deltas)
    applied += book.apply(d) == apply_status::applied ? 1 : 0;
  const auto t1 = std::chrono::steady_clock::now();
  const double total_ms = ms_between(t0, t1);
  const size_t end_bids = book.bid_levels();
  const size_t end_asks = book.ask_levels();

  // Pass 2: sampled per-apply latency on the same sequence.
  book.load(snap);
  std::vector<int64_t> samples;
  samples.reserve(delta_count / sample_every + 1);
  size_t applied2 = 0;
  for (size_t i = 0; i < deltas.size(); ++i) {
    if (i % sample_every == 0) {
      const auto a = std::chrono::steady_clock::now();
      const auto st = book.apply(deltas[i]);
      const auto b = std::chrono::steady_clock::now();
      samples.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
      applied2 += st == apply_status::applied ? 1 : 0;
    } else {
      applied2 += book.apply(deltas[i]) == apply_status::applied ? 1 : 0;
    }
  }
  std::sort(samples.begin(), samples.end());

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);

  const double secs = total_ms / 1'000.0;
  std::printf("book_apply: %zu deltas, %zu level updates (%.2f per delta)\n",
              deltas.size(), level_updates,
              static_cast<double>(level_updates) / static_cast<double>(deltas.size()));
  std::printf("  applied: pass1 %zu, pass2 %zu of %zu%s\n", applied, applied2,
              deltas.size(),
              applied == deltas.size() && applied2 == deltas.size()
                ? ""
                : "  (WARNING: not every delta applied)");
  std::printf("  book at end: %zu bids, %zu asks\n", end_bids, end_asks);
  std::printf("  total: %.1f ms\n", total_ms);
  std::printf("  deltas/s: %.0f\n", static_cast<double>(deltas.size()) / secs);
  std::printf("  level updates/s: %.0f\n", static_cast<double>(level_updates) / secs);
  std::printf("  ns per delta (mean): %.1f\n",
              total_ms * 1e6 / static_cast<double>(deltas.size()));
  std::printf("  per-apply latency, every %zuth apply (%zu samples, includes "
              "steady_clock overhead): p50 %lld ns, p99 %lld ns, p99.9 %lld ns, "
              "max %lld ns\n",
              sample_every, samples.size(),
              static_cast<long long>(percentile(samples, 0.50)),
              static_cast<long long>(percentile(samples, 0.99)),
              static_cast<long long>(percentile(samples, 0.999)),
              static_cast<long long>(samples.empty() ? 0 : samples.back()));
  std::printf("  max RSS: %ld KiB (includes the pre-generated deltas)\n",
              ru.ru_maxrss);
  return 0;
}
