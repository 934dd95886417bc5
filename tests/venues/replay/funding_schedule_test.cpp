#include "venues/replay/funding_schedule.hpp"

#include <catch2/catch.hpp>

using namespace agora;
using namespace agora::replay;

namespace {

constexpr nanos hour = 3600 * ns_per_s;
constexpr nanos t8 = 1'723'190'400'000'000'000; // 2024-08-09T08:00:00Z

funding_update update(nanos at, const char* mark, const char* r, nanos next) {
  funding_update u;
  u.venue = venue_id{"usdm"};
  u.symbol = symbol_id{"ETHUSDT"};
  u.mark = *price::parse(mark);
  u.funding_rate = *rate::parse(r);
  u.next_funding_time = next;
  u.venue_time = at;
  u.local_time = at + 5 * ns_per_ms;
  return u;
}

} // namespace

TEST_CASE("a funding time passes once an update names the next one", "[funding]") {
  funding_schedule s;
  CHECK_FALSE(s.on_update(update(t8 - 2 * ns_per_s, "2600.10", "0.0001", t8)));
  CHECK_FALSE(s.on_update(update(t8 - ns_per_s, "2600.20", "0.00012", t8)));
  auto e = s.on_update(update(t8 + ns_per_s, "2600.90", "0.00003", t8 + 8 * hour));
  REQUIRE(e);
  CHECK(e->time == t8);
  CHECK(e->funding_rate == *rate::parse("0.00012")); // the last rate announced before it
  CHECK(e->mark == *price::parse("2600.20"));
  CHECK(e->symbol == symbol_id{"ETHUSDT"});
  // Later updates of the same period make none.
  CHECK_FALSE(s.on_update(update(t8 + 2 * ns_per_s, "2601", "0.00003", t8 + 8 * hour)));
}

TEST_CASE("no funding event without a funding time or before it", "[funding]") {
  funding_schedule s;
  // Delivery contracts: "T":0.
  CHECK_FALSE(s.on_update(update(t8 - ns_per_s, "2600", "0", 0)));
  CHECK_FALSE(s.on_update(update(t8, "2600", "0", 0)));
  // A funding time moved later before it came is not a payment.
  funding_schedule moved;
  CHECK_FALSE(moved.on_update(update(t8 - hour, "2600", "0.0001", t8)));
  CHECK_FALSE(moved.on_update(update(t8 - hour + ns_per_s, "2600", "0.0001", t8 + 4 * hour)));
  // Symbols are apart: a first update of another symbol makes none.
  auto other = update(t8 + ns_per_s, "60000", "0.0001", t8 + 8 * hour);
  other.symbol = symbol_id{"BTCUSDT"};
  CHECK_FALSE(moved.on_update(other));
}
