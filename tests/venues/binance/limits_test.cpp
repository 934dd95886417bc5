#include <catch2/catch.hpp>

#include "venues/binance/limits.hpp"

using namespace agora;
using namespace agora::binance;
using std::chrono::milliseconds;

namespace {

// 2023-11-14 22:13:20 UTC, 20 s into a minute.
constexpr nanos t0 = 1'700'000'000 * ns_per_s;
constexpr nanos next_minute = 1'700'000'040 * ns_per_s;

using headers = std::vector<std::pair<std::string, std::string>>;

} // namespace

TEST_CASE("rate limits read the usage headers case-insensitively") {
  rate_limits r;
  CHECK(r.weight_limit() == 6000);
  r.on_headers({{"Content-Type", "application/json"},
                {"x-mbx-used-weight-1m", "120"},
                {"X-MBX-ORDER-COUNT-10S", "3"},
                {"X-Mbx-Order-Count-1d", "250"}},
               t0);
  CHECK(r.used_weight() == 120);
  CHECK(r.order_count_10s() == 3);
  CHECK(r.order_count_1d() == 250);
  CHECK(r.order_count_1m() == 0);
  CHECK(r.can_send(t0));
  CHECK(r.blocked_until() == 0);
  r.on_headers({{"X-MBX-USED-WEIGHT-1M", "oops"},
                {"X-MBX-ORDER-COUNT-1M", "17"}},
               t0);
  CHECK(r.used_weight() == 120);
  CHECK(r.order_count_1m() == 17);
}

TEST_CASE("used weight at 90 percent pauses sending until the next minute") {
  rate_limits r{2400};
  r.on_headers({{"X-MBX-USED-WEIGHT-1M", "2159"}}, t0);
  CHECK(r.can_send(t0));
  r.on_headers({{"X-MBX-USED-WEIGHT-1M", "2160"}}, t0);
  CHECK_FALSE(r.can_send(t0));
  CHECK(r.blocked_until() == next_minute);
  CHECK_FALSE(r.can_send(next_minute - 1));
  CHECK(r.can_send(next_minute));
  CHECK_FALSE(r.banned(t0));
  // A fresh minute's lower weight lifts the pause at once.
  r.on_headers({{"X-MBX-USED-WEIGHT-1M", "10"}}, t0 + ns_per_s);
  CHECK(r.can_send(t0 + ns_per_s));
}

TEST_CASE("a 429 blocks sending for the retry-after time") {
  rate_limits r;
  r.on_rate_limited(milliseconds{1500}, t0);
  CHECK_FALSE(r.can_send(t0));
  CHECK(r.blocked_until() == t0 + 1500 * ns_per_ms);
  CHECK_FALSE(r.can_send(t0 + 1499 * ns_per_ms));
  CHECK(r.can_send(t0 + 1500 * ns_per_ms));
  CHECK_FALSE(r.banned(t0));
  // A shorter back-off never shortens a longer one.
  r.on_rate_limited(milliseconds{100}, t0);
  CHECK(r.blocked_until() == t0 + 1500 * ns_per_ms);
}

TEST_CASE("a 418 ban blocks sending and reports the ban") {
  rate_limits r;
  r.on_banned(milliseconds{120'000}, t0);
  CHECK(r.banned(t0));
  CHECK_FALSE(r.can_send(t0 + 119 * ns_per_s));
  CHECK(r.blocked_until() == t0 + 120 * ns_per_s);
  CHECK_FALSE(r.banned(t0 + 120 * ns_per_s));
  CHECK(r.can_send(t0 + 120 * ns_per_s));
}
