// Cost of paper fills against a real venue's book (venues/sim/paper_matcher).
//
// A fixed seed generates 1,024 book views of 20 levels a side (mid
// random-walking around 65000, 1-3 ticks between levels, 0.01-2 BTC a
// level). Three scenarios, each in batches of 1,000 operations timed with
// steady_clock:
// - "book": on_book with 20 resting post-only orders to update (the cost every
//   book update pays while paper orders rest);
// - "taker": an IOC order walking 1-3 levels (submit + fills), then a fresh view;
// - "maker": a post-only submit, a trade at its price, a cancel.
// Prints operations per second and ns per operation at the batch p50 and p99.
// Prints figures only; asserts nothing about time.

#include "venues/sim/paper_matcher.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

using namespace agora;
using namespace agora::sim;

namespace {

constexpr uint64_t seed = 0x9a9e'5eed;
constexpr size_t view_count = 1'024;
constexpr size_t batch = 1'000;
constexpr size_t batches = 400;
constexpr nanos t0 = 1'700'000'000 * ns_per_s;
constexpr int64_t tick_raw = 1'000'000; // 0.01

instrument_spec make_spec() {
  instrument_spec s;
  s.venue = venue_id{"bn-spot"};
  s.symbol = symbol_id{"BTCUSDT"};
  s.tick = price::from_raw(tick_raw);
  s.lot = quantity::from_raw(1'000); // 0.00001
  s.min_notional = notional::from_units(5);
  s.maker_fee = rate::from_raw(100'000);
  s.taker_fee = rate::from_raw(100'000);
  return s;
}

std::vector<book_view> make_views() {
  std::mt19937_64 rng{seed};
  std::uniform_int_distribution<int> step(-3, 3), gap(1, 3);
  std::uniform_int_distribution<int64_t> size(1'000'000, 200'000'000); // 0.01 .. 2
  std::vector<book_view> out;
  int64_t mid = 6'500'000; // in ticks
  for (size_t i = 0; i < view_count; ++i) {
    mid += step(rng);
    book_view v;
    v.symbol = symbol_id{"BTCUSDT"};
    v.update_id = i + 1;
    int64_t b = mid, a = mid + 1;
    for (int l = 0; l < 20; ++l) {
      v.bids.push_back({price::from_raw(b * tick_raw), quantity::from_raw(size(rng))});
      v.asks.push_back({price::from_raw(a * tick_raw), quantity::from_raw(size(rng))});
      b -= gap(rng);
      a += gap(rng);
    }
    out.push_back(std::move(v));
  }
  return out;
}

struct figures {
  double per_second;
  double p50_ns;
  double p99_ns;
};

template <class Op>
figures run(Op op) {
  std::vector<double> ns;
  auto start = std::chrono::steady_clock::now();
  size_t n = 0;
  for (size_t b = 0; b < batches; ++b) {
    auto s = std::chrono::steady_clock::now();
    for (size_t i = 0; i < batch; ++i)
      op(n++);
    auto e = std::chrono::steady_clock::now();
    ns.push_back(std::chrono::duration<double, std::nano>(e - s).count() / batch);
  }
  auto total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::sort(ns.begin(), ns.end());
  return {static_cast<double>(n) / total, ns[ns.size() / 2], ns[ns.size() * 99 / 100]};
}

void print(const char* name, const figures& f) {
  std::printf("paper_match scenario=%-6s ops_per_s=%.0f p50_ns=%.0f p99_ns=%.0f\n", name,
              f.per_second, f.p50_ns, f.p99_ns);
}

} // namespace

int main() {
  auto views = make_views();
  size_t sink = 0;
  {
    paper_matcher m{make_spec(), 1};
    m.on_book(views[0], t0);
    for (uint64_t k = 0; k < 20; ++k) {
      auto px = price::from_raw((6'400'000 - static_cast<int64_t>(k) * 10) * tick_raw);
      m.submit({client_order_id{k + 1}, side::buy, order_type::limit, time_in_force::post_only, px,
                quantity::from_raw(100'000)},
               t0);
    }
    print("book", run([&](size_t i) { sink += m.on_book(views[i % view_count], t0).size(); }));
  }
  {
    paper_matcher m{make_spec(), 1};
    uint64_t cid = 1;
    print("taker", run([&](size_t i) {
            const auto& v = views[i % view_count];
            m.on_book(v, t0);
            auto limit = v.asks[2].px;
            sink += m.submit({client_order_id{cid++}, side::buy, order_type::limit,
                              time_in_force::ioc, limit, quantity::from_raw(150'000'000)},
                             t0)
                      .size();
          }));
  }
  {
    paper_matcher m{make_spec(), 1};
    m.on_book(views[0], t0);
    uint64_t cid = 1;
    auto px = views[0].bids[0].px;
    trade_tick t;
    t.symbol = symbol_id{"BTCUSDT"};
    t.px = px;
    t.qty = quantity::from_raw(1'000'000);
    t.aggressor = side::sell;
    print("maker", run([&](size_t) {
            client_order_id id{cid++};
            sink += m.submit({id, side::buy, order_type::limit, time_in_force::post_only, px,
                              quantity::from_raw(100'000)},
                             t0)
                      .size();
            sink += m.on_trade(t, t0).size();
            sink += m.cancel(id, t0).size();
          }));
  }
  std::printf("paper_match checksum=%zu\n", sink);
  return 0;
}
