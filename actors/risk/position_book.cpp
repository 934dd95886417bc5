#include "actors/risk/position_book.hpp"

namespace agora {

namespace {

__extension__ typedef __int128 int128;

int64_t saturate(int128 x) noexcept {
  if (x > fixed_max_raw)
    return fixed_max_raw;
  if (x < -fixed_max_raw)
    return -fixed_max_raw;
  return static_cast<int64_t>(x);
}

notional add(notional x, notional y) noexcept {
  return notional::from_raw(
    saturate(static_cast<int128>(x.raw()) + y.raw()));
}

/// (a - b) x q, through 128 bits, truncated toward zero.
notional diff_times(price a, price b, quantity q) noexcept {
  int128 d = static_cast<int128>(a.raw()) - b.raw();
  return notional::from_raw(saturate(d * q.raw() / fixed_scale));
}

/// Quantity-weighted mean of two prices, truncated toward zero.
price weighted(price p1, quantity q1, price p2, quantity q2) noexcept {
  int128 w = static_cast<int128>(q1.raw()) + q2.raw();
  if (w == 0)
    return price{};
  int128 num = static_cast<int128>(p1.raw()) * q1.raw()
                 + static_cast<int128>(p2.raw()) * q2.raw();
  return price::from_raw(saturate(num / w));
}

void refresh_unrealized(position_view& p) noexcept {
  p.unrealized_pnl = p.qty.is_zero() ? notional{}
                                     : diff_times(p.mark, p.avg_price, p.qty);
}

} // namespace

void position_book::apply_fill(const order_filled& f) {
  if (!f.fill_qty.is_positive())
    return;
  auto& p = positions_[key{f.venue, f.symbol}];
  if (!p.venue.valid()) {
    p.venue = f.venue;
    p.symbol = f.symbol;
  }
  // Signed change: + for buys, - for sells.
  auto delta = f.sd == side::buy ? f.fill_qty : -f.fill_qty;
  auto old_qty = p.qty;
  bool opening = old_qty.is_zero() || (old_qty.is_positive() == delta.is_positive());
  if (opening) {
    p.avg_price = weighted(p.avg_price, old_qty.abs(), f.fill_px, f.fill_qty);
    p.qty = old_qty + delta;
  } else {
    // Close up to the open quantity; open the rest on the other side.
    auto closed = f.fill_qty < old_qty.abs() ? f.fill_qty : old_qty.abs();
    auto signed_closed = old_qty.is_positive() ? closed : -closed;
    p.realized_pnl = add(p.realized_pnl,
                         diff_times(f.fill_px, p.avg_price, signed_closed));
    p.qty = old_qty + delta;
    if (p.qty.is_zero())
      p.avg_price = price{};
    else if (p.qty.is_positive() != old_qty.is_positive())
      p.avg_price = f.fill_px; // flipped through zero
    // else a partial close: the average of what remains is unchanged.
  }
  p.realized_pnl = add(p.realized_pnl, -f.fee);
  p.fees = add(p.fees, f.fee);
  p.mark = f.fill_px;
  refresh_unrealized(p);
  ++fills_;
}

void position_book::mark(const venue_id& v, const symbol_id& s, price px) {
  auto i = positions_.find(key{v, s});
  if (i == positions_.end())
    return;
  i->second.mark = px;
  refresh_unrealized(i->second);
}

const position_view* position_book::find(const venue_id& v,
                                         const symbol_id& s) const {
  auto i = positions_.find(key{v, s});
  return i == positions_.end() ? nullptr : &i->second;
}

std::vector<position_view> position_book::all() const {
  std::vector<position_view> out;
  out.reserve(positions_.size());
  for (const auto& [k, p] : positions_)
    out.push_back(p);
  return out;
}

quantity position_book::position(const venue_id& v, const symbol_id& s) const {
  auto* p = find(v, s);
  return p == nullptr ? quantity{} : p->qty;
}

notional position_book::gross_exposure() const {
  notional sum;
  for (const auto& [k, p] : positions_)
    sum = add(sum, mul(p.mark, p.qty.abs()));
  return sum;
}

notional position_book::realized_pnl() const {
  notional sum;
  for (const auto& [k, p] : positions_)
    sum = add(sum, p.realized_pnl);
  return sum;
}

notional position_book::unrealized_pnl() const {
  notional sum;
  for (const auto& [k, p] : positions_)
    sum = add(sum, p.unrealized_pnl);
  return sum;
}

notional position_book::fees() const {
  notional sum;
  for (const auto& [k, p] : positions_)
    sum = add(sum, p.fees);
  return sum;
}

uint64_t position_book::fills() const noexcept {
  return fills_;
}

} // namespace agora
