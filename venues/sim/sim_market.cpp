#include "venues/sim/sim_market.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "venues/sim/exec_reports.hpp"

namespace agora::sim {

namespace {

/// Chance per step that an external level gets a fresh quantity.
constexpr double refresh_probability = 0.05;

/// A public trade's size is the best level's quantity times
/// sweep_factor * u^4 for u uniform in [0, 1): mostly small (a quarter of the
/// level on average), about one in sixteen sweeps into the next level.
constexpr double sweep_factor = 1.3;

/// Extra size per level of depth for external liquidity (4% per level).
constexpr double depth_growth = 0.04;

/// Bounds on the generator's fair mid, in whole units.
constexpr double max_fair_units = 1e10;

constexpr size_t max_depth_levels = 10'000;

template <class Fixed>
Fixed min_of(Fixed x, Fixed y) noexcept {
  return x < y ? x : y;
}

template <class Fixed>
Fixed floor_zero(Fixed x) noexcept {
  return x.is_negative() ? Fixed{} : x;
}

std::string side_word(side sd) {
  return sd == side::buy ? "bid" : "ask";
}

} // namespace

// -- construction -------------------------------------------------------------

sim_market::sim_market(venue_id venue, instrument_spec spec,
                       market_params params)
  : venue_(std::move(venue)),
    spec_(std::move(spec)),
    params_(params),
    rng_(params.seed) {
  if (!spec_.tick.is_positive())
    spec_.tick = price::from_raw(1);
  if (!spec_.lot.is_positive())
    spec_.lot = quantity::from_raw(1);
  if (!params_.level_qty.is_positive())
    params_.level_qty = spec_.lot.times(100);
  params_.depth_levels = std::clamp<size_t>(params_.depth_levels, 1,
                                            max_depth_levels);
  fair_ = params_.start_price.is_positive() ? params_.start_price
                                            : spec_.tick.times(1000);
  basis_ = params_.anchored ? params_.basis_mean : 0;
  quote_external();
  published_bids_ = totals(side::buy);
  published_asks_ = totals(side::sell);
  last_update_id_ = 1;
}

// -- book access --------------------------------------------------------------

int64_t sim_market::key_of(side sd, price px) noexcept {
  return sd == side::buy ? -px.raw() : px.raw();
}

price sim_market::price_of(side sd, int64_t key) noexcept {
  return price::from_raw(sd == side::buy ? -key : key);
}

sim_market::side_levels& sim_market::levels(side sd) noexcept {
  return sd == side::buy ? bids_ : asks_;
}

const sim_market::side_levels& sim_market::levels(side sd) const noexcept {
  return sd == side::buy ? bids_ : asks_;
}

sim_market::level_totals sim_market::totals(side sd) const {
  level_totals out;
  for (const auto& [key, lvl] : levels(sd)) {
    quantity total = lvl.ext;
    for (const auto& o : lvl.ours)
      total += o.leaves;
    if (total.is_positive())
      out.emplace_hint(out.end(), key, total);
  }
  return out;
}

std::optional<price> sim_market::best(side sd) const {
  for (const auto& [key, lvl] : levels(sd))
    if (lvl.ext.is_positive() || !lvl.ours.empty())
      return price_of(sd, key);
  return std::nullopt;
}

// -- the generator ------------------------------------------------------------

quantity sim_market::draw_level_qty(size_t depth_index) {
  double factor = (0.5 + rng_.uniform())
                  * (1.0 + depth_growth * static_cast<double>(depth_index));
  double units = std::min(params_.level_qty.to_double() * factor,
                          max_fair_units);
  auto q = quantity::from_double(units).floor_to(spec_.lot);
  return q.is_positive() ? q : spec_.lot;
}

void sim_market::walk_fair() {
  if (burst_left_ > 0)
    --burst_left_;
  else if (rng_.chance(params_.burst_probability))
    burst_left_ = params_.burst_steps;
  double sigma = params_.volatility
                 * (burst_left_ > 0 ? params_.burst_multiplier : 1.0);
  double next = fair_.to_double() * std::exp(sigma * rng_.normal());
  if (params_.anchored && index_.is_positive()) {
    // The index carries the market's moves; the basis mean-reverts.
    basis_ += params_.basis_reversion * (params_.basis_mean - basis_)
              + params_.basis_volatility * rng_.normal();
    next = index_.to_double() * std::exp(basis_);
  }
  double lo = spec_.tick.times(2).to_double();
  if (!(next >= lo)) // also catches NaN from odd parameters
    next = lo;
  else if (next > max_fair_units)
    next = max_fair_units;
  fair_ = price::from_double(next);
}

void sim_market::quote_external() {
  double u = rng_.uniform();
  int64_t spread_ticks = u < 0.5 ? 1 : (u < 0.8 ? 2 : 3);
  auto half = price::from_raw(spec_.tick.raw() * spread_ticks / 2);
  auto best_bid = (fair_ - half).floor_to(spec_.tick);
  if (!best_bid.is_positive())
    best_bid = spec_.tick;
  auto best_ask = best_bid + spec_.tick.times(spread_ticks);
  auto depth = static_cast<int64_t>(params_.depth_levels);
  for (side sd : {side::buy, side::sell}) {
    auto& lv = levels(sd);
    // In key space the window is [top, top + (depth - 1) ticks] on both sides.
    int64_t first = key_of(sd, sd == side::buy ? best_bid : best_ask);
    int64_t last = first + (depth - 1) * spec_.tick.raw();
    for (auto it = lv.begin(); it != lv.end();) {
      if (it->first < first || it->first > last) {
        it->second.ext = quantity{};
        if (it->second.ours.empty()) {
          it = lv.erase(it);
          continue;
        }
      }
      ++it;
    }
    for (int64_t k = 0; k < depth; ++k) {
      int64_t key = first + k * spec_.tick.raw();
      if (!price_of(sd, key).is_positive())
        break;
      bool refresh = rng_.chance(refresh_probability);
      auto it = lv.find(key);
      if (it == lv.end() || !it->second.ext.is_positive() || refresh)
        lv[key].ext = draw_level_qty(static_cast<size_t>(k));
    }
  }
}

void sim_market::trade_public(nanos now, market_step& out) {
  auto count = rng_.poisson(params_.trades_per_step);
  for (uint32_t i = 0; i < count; ++i) {
    side aggressor = rng_.chance(0.5) ? side::buy : side::sell;
    double u = rng_.uniform();
    double f = sweep_factor * u * u * u * u;
    const auto& opp = levels(opposite(aggressor));
    if (opp.empty())
      continue;
    const auto& top = opp.begin()->second;
    quantity top_qty = top.ext;
    for (const auto& o : top.ours)
      top_qty += o.leaves;
    auto qty = quantity::from_double(top_qty.to_double() * f)
                 .floor_to(spec_.lot);
    if (!qty.is_positive())
      qty = spec_.lot;
    sweep(aggressor, qty, std::nullopt, nullptr, now, out.trades,
          out.executions);
  }
}

void sim_market::cross_through(side resting, nanos now, market_step& out) {
  side ext_side = opposite(resting);
  auto& mine = levels(resting);
  auto& theirs = levels(ext_side);
  for (auto it = theirs.begin(); it != theirs.end();) {
    level& incoming = it->second;
    auto ext_px = price_of(ext_side, it->first);
    while (incoming.ext.is_positive()) {
      auto m = std::find_if(mine.begin(), mine.end(),
                            [](const auto& kv) { return !kv.second.ours.empty(); });
      if (m == mine.end())
        break;
      auto my_px = price_of(resting, m->first);
      bool crosses = resting == side::buy ? my_px >= ext_px : my_px <= ext_px;
      if (!crosses)
        break;
      auto& o = m->second.ours.front();
      auto qty = min_of(o.leaves, incoming.ext);
      auto t = print(ext_side, my_px, qty, now);
      out.trades.push_back(t);
      out.executions.push_back(fill(o, t.id, my_px, qty, liquidity::maker, now));
      incoming.ext -= qty;
      if (!o.leaves.is_positive()) {
        live_.erase(o.order.cid);
        m->second.ours.erase(m->second.ours.begin());
        if (m->second.ours.empty() && !m->second.ext.is_positive())
          mine.erase(m);
      }
    }
    if (incoming.ext.is_positive())
      break; // Nothing of ours crosses this level, hence no worse one either.
    if (incoming.ours.empty())
      it = theirs.erase(it);
    else
      ++it;
  }
}

void sim_market::clip_queues() {
  for (auto* lv : {&bids_, &asks_})
    for (auto& [key, lvl] : *lv)
      for (auto& o : lvl.ours)
        o.queue_ahead = min_of(o.queue_ahead, lvl.ext);
}

std::optional<book_delta> sim_market::publish(nanos now) {
  auto diff = [](const level_totals& cur, const level_totals& pub, side sd,
                 std::vector<book_level>& out) {
    auto c = cur.begin();
    auto p = pub.begin();
    while (c != cur.end() || p != pub.end()) {
      if (p == pub.end() || (c != cur.end() && c->first < p->first)) {
        out.push_back({price_of(sd, c->first), c->second});
        ++c;
      } else if (c == cur.end() || p->first < c->first) {
        out.push_back({price_of(sd, p->first), quantity{}});
        ++p;
      } else {
        if (c->second != p->second)
          out.push_back({price_of(sd, c->first), c->second});
        ++c;
        ++p;
      }
    }
  };
  book_delta d;
  auto cur_bids = totals(side::buy);
  auto cur_asks = totals(side::sell);
  diff(cur_bids, published_bids_, side::buy, d.bids);
  diff(cur_asks, published_asks_, side::sell, d.asks);
  published_bids_ = std::move(cur_bids);
  published_asks_ = std::move(cur_asks);
  auto changes = static_cast<uint64_t>(d.bids.size() + d.asks.size());
  if (changes == 0)
    return std::nullopt;
  uint64_t skipped = skip_next_ ? 1 : 0;
  skip_next_ = false;
  d.venue = venue_;
  d.symbol = spec_.symbol;
  d.first_update_id = last_update_id_ + 1 + skipped;
  d.last_update_id = d.first_update_id + changes - 1;
  d.prev_last_update_id = spec_.perpetual ? last_update_id_ + skipped : 0;
  d.venue_time = now;
  d.local_time = now;
  last_update_id_ = d.last_update_id;
  return d;
}

market_step sim_market::step(nanos now) {
  market_step out;
  out.trades = std::move(pending_trades_);
  pending_trades_.clear();
  walk_fair();
  trade_public(now, out);
  quote_external();
  cross_through(side::buy, now, out);
  cross_through(side::sell, now, out);
  clip_queues();
  out.delta = publish(now);
  return out;
}

// -- matching -----------------------------------------------------------------

trade_tick sim_market::print(side aggressor, price px, quantity qty,
                             nanos now) {
  trade_tick t;
  t.venue = venue_;
  t.symbol = spec_.symbol;
  t.id = trade_id{next_trade_id_++};
  t.px = px;
  t.qty = qty;
  t.aggressor = aggressor;
  t.venue_time = now;
  t.local_time = now;
  return t;
}

exec_report sim_market::fill(resting_order& o, trade_id tid, price px,
                             quantity qty, liquidity liq, nanos now) const {
  return fill_report(o, tid, px, qty, liq, spec_, now);
}

exec_report sim_market::cancel_report(const resting_order& o, cancel_reason why,
                                      nanos now) const {
  return sim::cancel_report(o, why, now);
}

exec_report sim_market::reject(const sim_order& o, reject_reason reason,
                               std::string detail, nanos now) const {
  return reject_report(o, reason, std::move(detail), now);
}

quantity sim_market::sweep(side aggressor, quantity qty,
                           std::optional<price> limit, resting_order* taker,
                           nanos now, std::vector<trade_tick>& trades,
                           std::vector<exec_report>& reports) {
  side maker_side = opposite(aggressor);
  auto& lv = levels(maker_side);
  quantity remaining = qty;
  for (auto it = lv.begin(); it != lv.end() && remaining.is_positive();) {
    auto px = price_of(maker_side, it->first);
    if (limit && (aggressor == side::buy ? px > *limit : px < *limit))
      break;
    level& lvl = it->second;
    quantity ext_taken;
    quantity unprinted; // External quantity taken since the last print.
    auto flush = [&] {
      if (!unprinted.is_positive())
        return;
      trades.push_back(print(aggressor, px, unprinted, now));
      if (taker != nullptr)
        reports.push_back(fill(*taker, trades.back().id, px, unprinted,
                               liquidity::taker, now));
      unprinted = quantity{};
    };
    // Queue order: the external quantity ahead of each of our orders, then
    // the order itself; external quantity behind all of ours comes last.
    for (size_t i = 0; i < lvl.ours.size() && remaining.is_positive();) {
      auto& o = lvl.ours[i];
      auto ahead = floor_zero(min_of(o.queue_ahead, lvl.ext) - ext_taken);
      auto take = min_of(ahead, remaining);
      ext_taken += take;
      unprinted += take;
      remaining -= take;
      if (!remaining.is_positive())
        break;
      flush();
      if (taker != nullptr) {
        // Self-trade prevention: our taker expires our resting maker.
        reports.push_back(cancel_report(o, cancel_reason::self_trade, now));
        live_.erase(o.order.cid);
        lvl.ours.erase(lvl.ours.begin() + static_cast<std::ptrdiff_t>(i));
        continue;
      }
      auto qty_here = min_of(o.leaves, remaining);
      trades.push_back(print(aggressor, px, qty_here, now));
      reports.push_back(fill(o, trades.back().id, px, qty_here,
                             liquidity::maker, now));
      remaining -= qty_here;
      if (!o.leaves.is_positive()) {
        live_.erase(o.order.cid);
        lvl.ours.erase(lvl.ours.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    if (remaining.is_positive()) {
      auto take = min_of(remaining, floor_zero(lvl.ext - ext_taken));
      ext_taken += take;
      unprinted += take;
      remaining -= take;
    }
    flush();
    lvl.ext -= ext_taken;
    for (auto& o : lvl.ours)
      o.queue_ahead = floor_zero(o.queue_ahead - ext_taken);
    if (!lvl.ext.is_positive() && lvl.ours.empty())
      it = lv.erase(it);
    else
      ++it;
  }
  return qty - remaining;
}

std::vector<exec_report> sim_market::submit(const sim_order& o, nanos now) {
  std::vector<exec_report> out;
  auto refuse = [&](reject_reason reason, std::string detail) {
    out.push_back(reject(o, reason, std::move(detail), now));
    return out;
  };
  bool is_market = o.type == order_type::market;
  if (!o.cid.valid())
    return refuse(reject_reason::venue_rejected,
                  "client order id must be nonzero");
  if (live_.count(o.cid) != 0)
    return refuse(reject_reason::duplicate_client_id,
                  "client order id " + std::to_string(o.cid.value)
                    + " is already live");
  if (is_market && o.tif == time_in_force::post_only)
    return refuse(reject_reason::venue_rejected,
                  "a market order cannot be post-only");
  if (!o.qty.is_positive())
    return refuse(reject_reason::invalid_quantity,
                  "quantity " + o.qty.to_string() + " is not positive");
  if (!o.qty.is_multiple_of(spec_.lot))
    return refuse(reject_reason::invalid_quantity,
                  "quantity " + o.qty.to_string() + " is not a multiple of lot "
                    + spec_.lot.to_string());
  auto opposite_best = best(opposite(o.sd));
  price reference;
  if (is_market) {
    if (!opposite_best)
      return refuse(reject_reason::no_liquidity,
                    "no " + side_word(opposite(o.sd)) + " to take");
    reference = *opposite_best;
  } else {
    if (!o.px.is_positive())
      return refuse(reject_reason::invalid_price,
                    "price " + o.px.to_string() + " is not positive");
    if (!o.px.is_multiple_of(spec_.tick))
      return refuse(reject_reason::invalid_price,
                    "price " + o.px.to_string()
                      + " is not a multiple of tick " + spec_.tick.to_string());
    reference = o.px;
  }
  auto value = checked_mul(reference, o.qty);
  if (!value)
    return refuse(reject_reason::invalid_quantity, "notional overflows");
  if (*value < spec_.min_notional)
    return refuse(reject_reason::below_min_notional,
                  "notional " + value->to_string() + " is below the minimum "
                    + spec_.min_notional.to_string());
  bool crosses = !is_market && opposite_best
                 && (o.sd == side::buy ? o.px >= *opposite_best
                                       : o.px <= *opposite_best);
  if (o.tif == time_in_force::post_only && crosses)
    return refuse(reject_reason::post_only_would_cross,
                  "price " + o.px.to_string() + " would cross the best "
                    + side_word(opposite(o.sd)) + " "
                    + opposite_best->to_string());
  resting_order ro;
  ro.order = o;
  if (is_market)
    ro.order.px = price{};
  ro.oid = order_id{next_order_id_++};
  ro.leaves = o.qty;
  exec_report acc;
  acc.what = exec_report::kind::accepted;
  acc.cid = o.cid;
  acc.oid = ro.oid;
  acc.sd = o.sd;
  acc.px = ro.order.px;
  acc.qty = o.qty;
  acc.leaves_qty = o.qty;
  acc.venue_time = now;
  out.push_back(std::move(acc));
  if (is_market || crosses)
    sweep(o.sd, o.qty, is_market ? std::nullopt : std::optional<price>{o.px},
          &ro, now, pending_trades_, out);
  if (!ro.leaves.is_positive())
    return out;
  if (is_market || o.tif == time_in_force::ioc) {
    out.push_back(cancel_report(ro, cancel_reason::ioc_remainder, now));
    return out;
  }
  auto& lvl = levels(o.sd)[key_of(o.sd, o.px)];
  ro.queue_ahead = lvl.ext;
  lvl.ours.push_back(ro);
  live_.emplace(o.cid, locator{o.sd, o.px});
  return out;
}

// -- cancels and queries ------------------------------------------------------

std::vector<exec_report> sim_market::cancel(client_order_id cid, nanos now) {
  std::vector<exec_report> out;
  auto loc = live_.find(cid);
  if (loc == live_.end()) {
    exec_report r;
    r.what = exec_report::kind::rejected;
    r.cid = cid;
    r.reason = reject_reason::unknown_order;
    r.detail = "no resting order with client order id "
               + std::to_string(cid.value);
    r.venue_time = now;
    out.push_back(std::move(r));
    return out;
  }
  auto sd = loc->second.sd;
  auto& lv = levels(sd);
  auto it = lv.find(key_of(sd, loc->second.px));
  live_.erase(loc);
  if (it == lv.end())
    return out; // Unreachable: live_ and the book change together.
  auto& ours = it->second.ours;
  auto o = std::find_if(ours.begin(), ours.end(),
                        [cid](const auto& x) { return x.order.cid == cid; });
  if (o != ours.end()) {
    out.push_back(cancel_report(*o, cancel_reason::requested, now));
    ours.erase(o);
  }
  if (ours.empty() && !it->second.ext.is_positive())
    lv.erase(it);
  return out;
}

std::vector<exec_report> sim_market::cancel_all(nanos now) {
  std::vector<std::pair<order_id, client_order_id>> ids;
  for (const auto* lv : {&bids_, &asks_})
    for (const auto& [key, lvl] : *lv)
      for (const auto& o : lvl.ours)
        ids.emplace_back(o.oid, o.order.cid);
  std::sort(ids.begin(), ids.end());
  std::vector<exec_report> out;
  for (const auto& [oid, cid] : ids)
    for (auto& r : cancel(cid, now))
      out.push_back(std::move(r));
  return out;
}

book_snapshot sim_market::snapshot(nanos now) const {
  book_snapshot s;
  s.venue = venue_;
  s.symbol = spec_.symbol;
  s.last_update_id = last_update_id_;
  for (const auto& [key, qty] : published_bids_)
    s.bids.push_back({price_of(side::buy, key), qty});
  for (const auto& [key, qty] : published_asks_)
    s.asks.push_back({price_of(side::sell, key), qty});
  s.venue_time = now;
  s.local_time = now;
  return s;
}

std::vector<sim_order> sim_market::open_orders() const {
  std::vector<std::pair<order_id, sim_order>> all;
  for (const auto* lv : {&bids_, &asks_})
    for (const auto& [key, lvl] : *lv)
      for (const auto& o : lvl.ours) {
        auto x = o.order;
        x.qty = o.leaves;
        all.emplace_back(o.oid, x);
      }
  std::sort(all.begin(), all.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<sim_order> out;
  out.reserve(all.size());
  for (auto& [oid, o] : all)
    out.push_back(std::move(o));
  return out;
}

const instrument_spec& sim_market::spec() const noexcept {
  return spec_;
}

uint64_t sim_market::last_update_id() const noexcept {
  return last_update_id_;
}

price sim_market::mid() const noexcept {
  if (published_bids_.empty() || published_asks_.empty())
    return fair_;
  auto bid = price_of(side::buy, published_bids_.begin()->first);
  auto ask = price_of(side::sell, published_asks_.begin()->first);
  return price::from_raw((bid.raw() + ask.raw()) / 2);
}

void sim_market::skip_next_sequence() noexcept {
  skip_next_ = true;
}

} // namespace agora::sim
