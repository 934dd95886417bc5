#include "actors/strategy/net_yield.hpp"

#include <algorithm>

namespace agora {

namespace {

// 128-bit intermediates (GCC/Clang extension; spelled once here).
__extension__ typedef __int128 int128;

constexpr double bps = 10'000.0;

} // namespace

vwap_fill walk_quantity(const std::vector<book_level>& levels,
                        quantity qty) noexcept {
  vwap_fill out;
  if (!qty.is_positive())
    return out;
  int64_t left = qty.raw();
  int128 cost = 0; // in units of 1e-16 quote
  price worst;
  for (const auto& l : levels) {
    if (left == 0)
      break;
    if (!l.px.is_positive() || !l.qty.is_positive())
      continue;
    const int64_t take = std::min(left, l.qty.raw());
    cost += static_cast<int128>(l.px.raw()) * take;
    left -= take;
    worst = l.px;
  }
  if (left != 0)
    return out;
  const int128 scaled = cost / fixed_scale;
  if (scaled > fixed_max_raw)
    return out;
  out.ok = true;
  out.qty = qty;
  out.cost = notional::from_raw(static_cast<int64_t>(scaled));
  out.vwap = static_cast<double>(cost)
             / (static_cast<double>(qty.raw()) * static_cast<double>(fixed_scale));
  out.worst = worst;
  return out;
}

vwap_fill walk_notional(const std::vector<book_level>& levels, notional target,
                        quantity lot) noexcept {
  if (!target.is_positive())
    return {};
  int128 left = static_cast<int128>(target.raw()) * fixed_scale; // 1e-16 quote
  int128 qty = 0;
  for (const auto& l : levels) {
    if (left == 0)
      break;
    if (!l.px.is_positive() || !l.qty.is_positive())
      continue;
    const int128 level_cost = static_cast<int128>(l.px.raw()) * l.qty.raw();
    if (level_cost <= left) {
      qty += l.qty.raw();
      left -= level_cost;
    } else {
      qty += left / l.px.raw(); // floored: px x qty stays <= what is left
      left = 0;
    }
  }
  if (left != 0 || qty > fixed_max_raw)
    return {}; // the levels hold less than `target`
  auto q = quantity::from_raw(static_cast<int64_t>(qty));
  if (lot.is_positive())
    q = q.floor_to(lot);
  if (!q.is_positive())
    return {};
  return walk_quantity(levels, q);
}

quantity total_quantity(const std::vector<book_level>& levels) noexcept {
  int64_t sum = 0;
  for (const auto& l : levels)
    if (l.qty.is_positive() && l.px.is_positive())
      sum = l.qty.raw() > fixed_max_raw - sum ? fixed_max_raw : sum + l.qty.raw();
  return quantity::from_raw(sum);
}

yield_breakdown net_yield(const yield_inputs& in) noexcept {
  yield_breakdown y;
  if (in.buy_vwap > 0)
    y.gross_bps = (in.sell_vwap - in.buy_vwap) / in.buy_vwap * bps;
  y.fees_bps = (in.buy_taker_fee + in.sell_taker_fee + in.buy_maker_fee
                + in.sell_maker_fee)
               * bps;
  y.buffer_bps = in.safety_buffer_bps;
  y.funding_bps = in.funding_bps;
  y.net_bps = y.gross_bps - y.fees_bps - y.buffer_bps + y.funding_bps;
  return y;
}

double expected_funding_bps(rate funding_rate, nanos next_funding_time,
                            nanos now, nanos horizon) noexcept {
  const nanos until = next_funding_time - now;
  if (until <= 0 || until > horizon)
    return 0;
  return funding_rate.to_double() * bps;
}

} // namespace agora
