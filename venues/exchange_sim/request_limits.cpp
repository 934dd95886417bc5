#include "venues/exchange_sim/request_limits.hpp"

namespace agora::xsim {

namespace {

constexpr int64_t ms_10s = 10'000;
constexpr int64_t ms_1m = 60'000;
constexpr int64_t ms_1d = 86'400'000;

int64_t start_of(int64_t wall_ms, int64_t len) noexcept {
  int64_t s = wall_ms / len * len;
  if (s > wall_ms)
    s -= len; // Negative times round down too.
  return s;
}

} // namespace

uint32_t request_limits::window::at(int64_t wall_ms, int64_t len) const noexcept {
  return start == start_of(wall_ms, len) ? count : 0;
}

uint32_t request_limits::window::add(int64_t wall_ms, int64_t len,
                                     uint32_t n) noexcept {
  auto s = start_of(wall_ms, len);
  if (s != start) {
    start = s;
    count = 0;
  }
  count += n;
  return count;
}

request_limits::request_limits(size_t accounts, uint32_t weight_limit_1m,
                               uint32_t order_limit_10s)
  : weight_limit_(weight_limit_1m),
    order_limit_(order_limit_10s),
    accounts_(accounts) {
}

uint32_t request_limits::add_weight(uint32_t weight, int64_t wall_ms) {
  return weight_.add(wall_ms, ms_1m, weight);
}

uint32_t request_limits::used_weight(int64_t wall_ms) const noexcept {
  return weight_.at(wall_ms, ms_1m);
}

bool request_limits::weight_exceeded(int64_t wall_ms) const noexcept {
  return used_weight(wall_ms) > weight_limit_;
}

request_limits::order_counts request_limits::add_order(size_t account,
                                                       int64_t wall_ms) {
  if (account >= accounts_.size())
    return {};
  auto& a = accounts_[account];
  order_counts c;
  c.ten_s = a.ten_s.add(wall_ms, ms_10s, 1);
  c.one_m = a.one_m.add(wall_ms, ms_1m, 1);
  c.one_d = a.one_d.add(wall_ms, ms_1d, 1);
  return c;
}

request_limits::order_counts request_limits::orders(size_t account,
                                                    int64_t wall_ms) const noexcept {
  if (account >= accounts_.size())
    return {};
  const auto& a = accounts_[account];
  return {a.ten_s.at(wall_ms, ms_10s), a.one_m.at(wall_ms, ms_1m),
          a.one_d.at(wall_ms, ms_1d)};
}

bool request_limits::orders_exhausted(size_t account,
                                      int64_t wall_ms) const noexcept {
  return orders(account, wall_ms).ten_s >= order_limit_;
}

int64_t request_limits::seconds_to_next(int64_t wall_ms,
                                        int64_t interval_ms) noexcept {
  if (interval_ms <= 0)
    return 1;
  auto end = start_of(wall_ms, interval_ms) + interval_ms;
  auto secs = (end - wall_ms + 999) / 1000;
  return secs < 1 ? 1 : secs;
}

} // namespace agora::xsim
