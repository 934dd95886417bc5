#include <catch2/catch.hpp>

#include <chrono>

#include "actors/journal/journal_db.hpp"
#include "tests/actors/journal/journal_test_support.hpp"

using namespace agora;
using namespace agora::journal;
using namespace agora::journal::test;

namespace {

/// order_new + fill pairs per second, one transaction (one commit) per pair.
double pairs_per_second(sync_mode sync, int pairs) {
  temp_dir d;
  auto j = must_open(options(d.file("bench.db"), sync));
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; i <= pairs; ++i) {
    auto o = make_order(static_cast<uint64_t>(i), "BTCUSDT", side::buy,
                        "65000.1", "0.002");
    j->begin();
    j->order_new(o, 1, i);
    j->fill(make_fill(o, static_cast<uint64_t>(i), "0.002", "0.002", "0", i));
    j->commit();
  }
  const std::chrono::duration<double> took
    = std::chrono::steady_clock::now() - start;
  return pairs / took.count();
}

} // namespace

TEST_CASE("journal throughput of order and fill pairs per commit", "[.bench]") {
  const double normal = pairs_per_second(sync_mode::normal, 3000);
  const double full = pairs_per_second(sync_mode::full, 500);
  WARN("order_new+fill pairs/s, one commit each: synchronous=NORMAL "
       << static_cast<long>(normal) << ", synchronous=FULL "
       << static_cast<long>(full));
  CHECK(normal > 0);
  CHECK(full > 0);
}
