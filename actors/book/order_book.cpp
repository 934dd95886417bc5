#include "actors/book/order_book.hpp"

#include <algorithm>
#include <cstddef>

namespace agora {

namespace {

/// 128-bit accumulator for sums of fixed-point raws (no overflow on any
/// realistic book; clamped when converted back).
__extension__ using i128 = __int128;

using levels = std::vector<book_level>;

/// Storage order of the bid side: ascending, so the best bid is back().
struct bid_order {
  bool operator()(price a, price b) const noexcept { return a < b; }
};

/// Storage order of the ask side: descending, so the best ask is back().
struct ask_order {
  bool operator()(price a, price b) const noexcept { return a > b; }
};

/// First position whose price is not before `px` in storage order (the
/// lower bound). Gallops from the top (the back) because updates cluster
/// there, then binary-searches the bracket: O(log d) for a level d places
/// from the top.
template <class Before>
levels::iterator find_level(levels& v, price px, Before before) noexcept {
  const size_t n = v.size();
  size_t hi = n;
  size_t bound = 1;
  while (bound <= n && !before(v[n - bound].px, px)) {
    hi = n - bound;
    bound *= 2;
  }
  const size_t lo = bound > n ? 0 : n - bound + 1;
  return std::lower_bound(v.begin() + static_cast<std::ptrdiff_t>(lo),
                          v.begin() + static_cast<std::ptrdiff_t>(hi), px,
                          [before](const book_level& l, price p) {
                            return before(l.px, p);
                          });
}

/// Sets (quantity > 0) or removes (quantity <= 0) the level at `lv.px`.
template <class Before>
void set_level(levels& v, book_level lv, Before before) {
  auto it = find_level(v, lv.px, before);
  const bool found = it != v.end() && it->px == lv.px;
  if (!lv.qty.is_positive()) {
    if (found)
      v.erase(it);
    return;
  }
  if (found)
    it->qty = lv.qty;
  else
    v.insert(it, lv);
}

/// Fills `out` (storage order, best at back) from `in` (best first), dropping
/// non-positive quantities; sorts and de-duplicates (later entry wins) if
/// `in` was not strictly best-first.
template <class Before>
void load_side(levels& out, const levels& in, Before before) {
  out.clear();
  for (const auto& lv : in)
    if (lv.qty.is_positive())
      out.push_back(lv);
  // Best first means strictly "after" in storage order, element to element.
  bool best_first = true;
  for (size_t i = 1; i < out.size() && best_first; ++i)
    best_first = before(out[i].px, out[i - 1].px);
  if (best_first) {
    std::reverse(out.begin(), out.end());
    return;
  }
  std::stable_sort(out.begin(), out.end(),
                   [before](const book_level& a, const book_level& b) {
                     return before(a.px, b.px);
                   });
  size_t w = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    if (w > 0 && out[w - 1].px == out[i].px)
      out[w - 1] = out[i];
    else
      out[w++] = out[i];
  }
  out.resize(w);
}

int64_t clamp_raw(i128 x) noexcept {
  if (x > fixed_max_raw)
    return fixed_max_raw;
  if (x < -fixed_max_raw)
    return -fixed_max_raw;
  return static_cast<int64_t>(x);
}

/// Packs walked totals into a vwap_result.
vwap_result make_result(bool sufficient, i128 cost, i128 qty) noexcept {
  vwap_result r;
  r.sufficient = sufficient;
  r.cost = notional::from_raw(clamp_raw(cost));
  r.qty = quantity::from_raw(clamp_raw(qty));
  r.avg_px = div(r.cost, r.qty);
  return r;
}

/// Walks `v` from the top until the cost reaches `target`.
vwap_result walk_notional(const levels& v, notional target) noexcept {
  if (!target.is_positive())
    return {};
  i128 cost = 0;
  i128 qty = 0;
  for (auto it = v.rbegin(); it != v.rend(); ++it) {
    const i128 remaining = static_cast<i128>(target.raw()) - cost;
    const i128 level_cost = mul(it->px, it->qty).raw();
    if (level_cost >= remaining) {
      // level_cost >= remaining > 0 implies px > 0. Smallest quantity whose
      // truncated cost reaches `remaining`: ceil(remaining * scale / px).
      const i128 num = remaining * fixed_scale;
      const i128 px = it->px.raw();
      i128 q = (num + px - 1) / px;
      if (q > it->qty.raw())
        q = it->qty.raw();
      cost += static_cast<i128>(it->px.raw()) * q / fixed_scale;
      qty += q;
      return make_result(true, cost, qty);
    }
    cost += level_cost;
    qty += it->qty.raw();
  }
  return make_result(false, cost, qty);
}

/// Walks `v` from the top until the quantity reaches `target`.
vwap_result walk_quantity(const levels& v, quantity target) noexcept {
  if (!target.is_positive())
    return {};
  i128 cost = 0;
  i128 qty = 0;
  for (auto it = v.rbegin(); it != v.rend(); ++it) {
    const i128 remaining = static_cast<i128>(target.raw()) - qty;
    if (it->qty.raw() >= remaining) {
      const auto take = quantity::from_raw(static_cast<int64_t>(remaining));
      cost += mul(it->px, take).raw();
      qty += remaining;
      return make_result(true, cost, qty);
    }
    cost += mul(it->px, it->qty).raw();
    qty += it->qty.raw();
  }
  return make_result(false, cost, qty);
}

/// Sum of the quantities of the top `n` levels of `v`, in raw units.
i128 top_volume(const levels& v, size_t n) noexcept {
  i128 sum = 0;
  const size_t k = std::min(n, v.size());
  for (size_t i = 0; i < k; ++i)
    sum += v[v.size() - 1 - i].qty.raw();
  return sum;
}

} // namespace

const char* to_string(apply_status x) noexcept {
  switch (x) {
    case apply_status::applied: return "applied";
    case apply_status::outdated: return "outdated";
    case apply_status::gap: return "gap";
    case apply_status::crossed: return "crossed";
    case apply_status::not_synced: return "not_synced";
  }
  return "unset";
}

order_book::order_book() = default;

void order_book::reserve(size_t levels_per_side) {
  bids_.reserve(levels_per_side);
  asks_.reserve(levels_per_side);
}

void order_book::load(const book_snapshot& s) {
  load_side(bids_, s.bids, bid_order{});
  load_side(asks_, s.asks, ask_order{});
  last_update_id_ = s.last_update_id;
  last_venue_time_ = s.venue_time;
  synced_ = true;
  first_after_load_ = true;
}

apply_status order_book::check_sequence(const book_delta& d) const noexcept {
  if (!synced_)
    return apply_status::not_synced;
  const uint64_t prev = last_update_id_;
  if (d.last_update_id <= prev)
    return apply_status::outdated;
  // From here on d.last_update_id >= prev + 1.
  if (first_after_load_) {
    if (d.prev_last_update_id != 0)
      return d.first_update_id <= prev || d.prev_last_update_id == prev
               ? apply_status::applied
               : apply_status::gap;
    return d.first_update_id <= prev + 1 ? apply_status::applied
                                         : apply_status::gap;
  }
  if (d.prev_last_update_id != 0)
    return d.prev_last_update_id == prev ? apply_status::applied
                                         : apply_status::gap;
  return d.first_update_id == prev + 1 ? apply_status::applied
                                       : apply_status::gap;
}

apply_status order_book::apply(const book_delta& d) {
  const auto verdict = check_sequence(d);
  if (verdict == apply_status::gap)
    synced_ = false;
  if (verdict != apply_status::applied)
    return verdict;
  for (const auto& lv : d.bids)
    set_bid(lv);
  for (const auto& lv : d.asks)
    set_ask(lv);
  last_update_id_ = d.last_update_id;
  last_venue_time_ = d.venue_time;
  first_after_load_ = false;
  if (crossed()) {
    synced_ = false;
    return apply_status::crossed;
  }
  return apply_status::applied;
}

void order_book::set_bid(book_level lv) {
  set_level(bids_, lv, bid_order{});
}

void order_book::set_ask(book_level lv) {
  set_level(asks_, lv, ask_order{});
}

void order_book::clear() {
  bids_.clear();
  asks_.clear();
  last_update_id_ = 0;
  last_venue_time_ = 0;
  synced_ = false;
  first_after_load_ = false;
}

bool order_book::synced() const noexcept {
  return synced_;
}

uint64_t order_book::last_update_id() const noexcept {
  return last_update_id_;
}

nanos order_book::last_venue_time() const noexcept {
  return last_venue_time_;
}

std::optional<book_level> order_book::best_bid() const noexcept {
  if (bids_.empty())
    return std::nullopt;
  return bids_.back();
}

std::optional<book_level> order_book::best_ask() const noexcept {
  if (asks_.empty())
    return std::nullopt;
  return asks_.back();
}

std::optional<price> order_book::mid() const noexcept {
  if (bids_.empty() || asks_.empty())
    return std::nullopt;
  const i128 sum = static_cast<i128>(bids_.back().px.raw()) + asks_.back().px.raw();
  return price::from_raw(static_cast<int64_t>(sum / 2));
}

std::optional<price> order_book::spread() const noexcept {
  if (bids_.empty() || asks_.empty())
    return std::nullopt;
  return asks_.back().px - bids_.back().px;
}

std::optional<double> order_book::microprice() const noexcept {
  if (bids_.empty() || asks_.empty())
    return std::nullopt;
  const double bid = bids_.back().px.to_double();
  const double ask = asks_.back().px.to_double();
  const double bid_qty = bids_.back().qty.to_double();
  const double ask_qty = asks_.back().qty.to_double();
  return (bid * ask_qty + ask * bid_qty) / (bid_qty + ask_qty);
}

double order_book::imbalance(size_t levels) const noexcept {
  const double scale = static_cast<double>(fixed_scale);
  const double vb = static_cast<double>(top_volume(bids_, levels)) / scale;
  const double va = static_cast<double>(top_volume(asks_, levels)) / scale;
  return (vb - va) / (vb + va + 1e-8);
}

vwap_result order_book::vwap(side taker_side, notional target) const {
  return walk_notional(taker_side == side::buy ? asks_ : bids_, target);
}

vwap_result order_book::vwap_qty(side taker_side, quantity target) const {
  return walk_quantity(taker_side == side::buy ? asks_ : bids_, target);
}

void order_book::top(size_t n, std::vector<book_level>& bids,
                     std::vector<book_level>& asks) const {
  bids.clear();
  asks.clear();
  const size_t nb = std::min(n, bids_.size());
  const size_t na = std::min(n, asks_.size());
  bids.reserve(nb);
  asks.reserve(na);
  bids.insert(bids.end(), bids_.rbegin(), bids_.rbegin() + static_cast<std::ptrdiff_t>(nb));
  asks.insert(asks.end(), asks_.rbegin(), asks_.rbegin() + static_cast<std::ptrdiff_t>(na));
}

size_t order_book::bid_levels() const noexcept {
  return bids_.size();
}

size_t order_book::ask_levels() const noexcept {
  return asks_.size();
}

bool order_book::crossed() const noexcept {
  return !bids_.empty() && !asks_.empty()
         && bids_.back().px >= asks_.back().px;
}

} // namespace agora
