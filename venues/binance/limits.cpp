#include "venues/binance/limits.hpp"

#include <algorithm>
#include <optional>
#include <string_view>

namespace agora::binance {

namespace {

constexpr nanos ns_per_minute = 60 * ns_per_s;

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto x = static_cast<unsigned char>(a[i]);
    auto y = static_cast<unsigned char>(b[i]);
    if (x >= 'A' && x <= 'Z')
      x = static_cast<unsigned char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z')
      y = static_cast<unsigned char>(y - 'A' + 'a');
    if (x != y)
      return false;
  }
  return true;
}

std::optional<uint32_t> parse_count(std::string_view s) noexcept {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ')
    s.remove_suffix(1);
  if (s.empty() || s.size() > 9)
    return std::nullopt;
  uint32_t x = 0;
  for (char c : s) {
    if (c < '0' || c > '9')
      return std::nullopt;
    x = x * 10 + static_cast<uint32_t>(c - '0');
  }
  return x;
}

nanos after(nanos now, std::chrono::milliseconds d) noexcept {
  return now + std::max<nanos>(0, d.count()) * ns_per_ms;
}

} // namespace

rate_limits::rate_limits(uint32_t weight_limit_per_minute)
  : weight_limit_(weight_limit_per_minute) {
}

void rate_limits::on_headers(const std::vector<net::http_header>& headers, nanos now) {
  for (const auto& [name, value] : headers) {
    auto n = parse_count(value);
    if (!n)
      continue;
    if (iequals(name, "x-mbx-used-weight-1m")) {
      used_weight_ = *n;
      // >= 90 % of the limit: wait for the next calendar minute.
      if (static_cast<uint64_t>(used_weight_) * 10
          >= static_cast<uint64_t>(weight_limit_) * 9)
        weight_block_until_ = (now / ns_per_minute + 1) * ns_per_minute;
      else
        weight_block_until_ = 0;
    } else if (iequals(name, "x-mbx-order-count-10s")) {
      order_count_10s_ = *n;
    } else if (iequals(name, "x-mbx-order-count-1d")) {
      order_count_1d_ = *n;
    } else if (iequals(name, "x-mbx-order-count-1m")) {
      order_count_1m_ = *n;
    }
  }
}

void rate_limits::on_rate_limited(std::chrono::milliseconds retry_after,
                                  nanos now) {
  backoff_until_ = std::max(backoff_until_, after(now, retry_after));
}

void rate_limits::on_banned(std::chrono::milliseconds retry_after, nanos now) {
  banned_until_ = std::max(banned_until_, after(now, retry_after));
}

bool rate_limits::can_send(nanos now) const noexcept {
  return now >= blocked_until();
}

nanos rate_limits::blocked_until() const noexcept {
  return std::max({backoff_until_, banned_until_, weight_block_until_});
}

bool rate_limits::banned(nanos now) const noexcept {
  return now < banned_until_;
}

uint32_t rate_limits::used_weight() const noexcept {
  return used_weight_;
}

uint32_t rate_limits::order_count_10s() const noexcept {
  return order_count_10s_;
}

uint32_t rate_limits::order_count_1d() const noexcept {
  return order_count_1d_;
}

uint32_t rate_limits::order_count_1m() const noexcept {
  return order_count_1m_;
}

uint32_t rate_limits::weight_limit() const noexcept {
  return weight_limit_;
}

} // namespace agora::binance
