#include "venues/sim/paper_matcher.hpp"

#include <algorithm>
#include <string>

#include "venues/sim/exec_reports.hpp"

namespace agora::sim {

namespace {

std::string side_word(side sd) { return sd == side::buy ? "bid" : "ask"; }

/// `a` is at or better than `b` for an order on `sd` (higher for a buy).
bool at_or_better(side sd, price a, price b) { return sd == side::buy ? a >= b : a <= b; }

/// `a` is strictly better than `b` for an order on `sd`.
bool better(side sd, price a, price b) { return sd == side::buy ? a > b : a < b; }

} // namespace

paper_matcher::paper_matcher(instrument_spec spec, uint64_t first_trade_id)
  : spec_(std::move(spec)), next_trade_id_(first_trade_id == 0 ? 1 : first_trade_id) {
  if (!spec_.tick.is_positive())
    spec_.tick = price::from_raw(1);
  if (!spec_.lot.is_positive())
    spec_.lot = quantity::from_raw(1);
}

std::optional<quantity> paper_matcher::shown_at(side sd, price px) const {
  const auto& lv = levels(sd);
  if (lv.empty())
    return std::nullopt;
  for (const auto& l : lv) {
    if (l.px == px)
      return l.qty;
    if (better(sd, px, l.px))
      return quantity{}; // inside the shown range, no level there
  }
  return std::nullopt; // deeper than the view shows
}

exec_report paper_matcher::fill(resting& o, price px, quantity qty, liquidity liq,
                                nanos now) {
  return fill_report(o, trade_id{next_trade_id_++}, px, qty, liq, spec_, now);
}

exec_report paper_matcher::cancel_report(const resting& o, cancel_reason why,
                                         nanos now) const {
  return sim::cancel_report(o, why, now);
}

exec_report paper_matcher::reject(const sim_order& o, reject_reason reason,
                                  std::string detail, nanos now) const {
  return reject_report(o, reason, std::move(detail), now);
}

void paper_matcher::prune() {
  std::erase_if(resting_, [](const resting& r) { return !r.leaves.is_positive(); });
}

// -- the venue's market data ---------------------------------------------------

std::vector<exec_report> paper_matcher::on_book(const book_view& v, nanos now) {
  std::vector<exec_report> out;
  bids_ = v.bids;
  asks_ = v.asks;
  update_id_ = v.update_id;
  fresh_ = true;
  // A level whose shown quantity changed was refreshed by the venue: what
  // our taker orders took there is no longer held back.
  for (auto sd : {side::buy, side::sell}) {
    auto& t = taken_on(sd);
    for (auto i = t.begin(); i != t.end();) {
      auto shown = shown_at(sd, price::from_raw(i->first));
      i = (!shown || *shown != i->second.shown) ? t.erase(i) : std::next(i);
    }
  }
  for (auto& o : resting_) {
    auto sd = o.order.sd;
    const auto& opposite_levels = levels(opposite(sd));
    if (!opposite_levels.empty() && at_or_better(sd, o.order.px, opposite_levels.front().px)) {
      // The other side reached our price: the market traded through us.
      out.push_back(fill(o, o.order.px, o.leaves, liquidity::maker, now));
      continue;
    }
    if (auto shown = shown_at(sd, o.order.px); shown && *shown < o.ahead)
      o.ahead = *shown;
  }
  prune();
  return out;
}

std::vector<exec_report> paper_matcher::on_trade(const trade_tick& t, nanos now) {
  std::vector<exec_report> out;
  // A sell aggressor hits bids (our buys); a buy aggressor lifts asks.
  auto hit = opposite(t.aggressor);
  std::vector<resting*> eligible;
  for (auto& o : resting_)
    if (o.order.sd == hit && at_or_better(hit, o.order.px, t.px))
      eligible.push_back(&o);
  // Price priority, then time (resting_ is oldest first).
  std::stable_sort(eligible.begin(), eligible.end(), [hit](const resting* a, const resting* b) {
    return better(hit, a->order.px, b->order.px);
  });
  auto remaining = t.qty;
  for (auto* o : eligible) {
    if (o->order.px != t.px) {
      // The trade printed beyond our price: everything at ours went first.
      out.push_back(fill(*o, o->order.px, o->leaves, liquidity::maker, now));
      continue;
    }
    if (remaining <= o->ahead) {
      o->ahead -= remaining;
      remaining = quantity{};
      continue;
    }
    remaining -= o->ahead;
    o->ahead = quantity{};
    auto qty = std::min(remaining, o->leaves).floor_to(spec_.lot);
    if (!qty.is_positive())
      continue;
    remaining -= qty;
    out.push_back(fill(*o, o->order.px, qty, liquidity::maker, now));
  }
  prune();
  return out;
}

// -- orders --------------------------------------------------------------------

void paper_matcher::cancel_self_trades(side sd, price reached, nanos now,
                                       std::vector<exec_report>& out) {
  auto other = opposite(sd);
  for (auto& o : resting_)
    if (o.order.sd == other && o.leaves.is_positive() && at_or_better(sd, reached, o.order.px)) {
      out.push_back(cancel_report(o, cancel_reason::self_trade, now));
      o.leaves = quantity{};
    }
}

void paper_matcher::sweep(resting& o, std::optional<price> limit, nanos now,
                          std::vector<exec_report>& out) {
  auto sd = o.order.sd;
  auto& taken = taken_on(opposite(sd));
  for (const auto& level : levels(opposite(sd))) {
    if (!o.leaves.is_positive())
      break;
    if (limit && !at_or_better(sd, *limit, level.px))
      break;
    // Our own resting orders the taker meets first go, as on the venue.
    cancel_self_trades(sd, level.px, now, out);
    auto& t = taken[level.px.raw()];
    if (t.shown != level.qty) // first taken since the venue showed this quantity
      t = {level.qty, quantity{}};
    auto available = level.qty - t.used;
    auto qty = std::min(available, o.leaves).floor_to(spec_.lot);
    if (!qty.is_positive())
      continue;
    t.used += qty;
    out.push_back(fill(o, level.px, qty, liquidity::taker, now));
  }
}

std::vector<exec_report> paper_matcher::submit(const sim_order& o, nanos now) {
  std::vector<exec_report> out;
  auto refuse = [&](reject_reason reason, std::string detail) {
    out.push_back(reject(o, reason, std::move(detail), now));
    return out;
  };
  bool is_market = o.type == order_type::market;
  if (!o.cid.valid())
    return refuse(reject_reason::venue_rejected, "client order id must be nonzero");
  for (const auto& r : resting_)
    if (r.order.cid == o.cid)
      return refuse(reject_reason::duplicate_client_id,
                    "client order id " + std::to_string(o.cid.value) + " is already live");
  if (is_market && o.tif == time_in_force::post_only)
    return refuse(reject_reason::venue_rejected, "a market order cannot be post-only");
  if (!o.qty.is_positive())
    return refuse(reject_reason::invalid_quantity,
                  "quantity " + o.qty.to_string() + " is not positive");
  if (!o.qty.is_multiple_of(spec_.lot))
    return refuse(reject_reason::invalid_quantity,
                  "quantity " + o.qty.to_string() + " is not a multiple of lot "
                    + spec_.lot.to_string());
  if (!fresh_)
    return refuse(reject_reason::venue_unavailable,
                  "paper: no fresh book for " + spec_.symbol.str()
                    + " (fills are simulated against the venue's book)");
  const auto& opposite_levels = levels(opposite(o.sd));
  std::optional<price> opposite_best;
  if (!opposite_levels.empty())
    opposite_best = opposite_levels.front().px;
  price reference;
  if (is_market) {
    if (!opposite_best)
      return refuse(reject_reason::no_liquidity, "no " + side_word(opposite(o.sd)) + " to take");
    reference = *opposite_best;
  } else {
    if (!o.px.is_positive())
      return refuse(reject_reason::invalid_price, "price " + o.px.to_string() + " is not positive");
    if (!o.px.is_multiple_of(spec_.tick))
      return refuse(reject_reason::invalid_price,
                    "price " + o.px.to_string() + " is not a multiple of tick "
                      + spec_.tick.to_string());
    reference = o.px;
  }
  auto value = checked_mul(reference, o.qty);
  if (!value)
    return refuse(reject_reason::invalid_quantity, "notional overflows");
  if (*value < spec_.min_notional)
    return refuse(reject_reason::below_min_notional,
                  "notional " + value->to_string() + " is below the minimum "
                    + spec_.min_notional.to_string());
  bool crosses = !is_market && opposite_best && at_or_better(o.sd, o.px, *opposite_best);
  if (o.tif == time_in_force::post_only && crosses)
    return refuse(reject_reason::post_only_would_cross,
                  "price " + o.px.to_string() + " would cross the best "
                    + side_word(opposite(o.sd)) + " " + opposite_best->to_string());
  resting ro;
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
  auto limit = is_market ? std::nullopt : std::optional<price>{o.px};
  if (is_market || crosses || o.tif == time_in_force::ioc) {
    sweep(ro, limit, now, out);
    prune();
  }
  if (!ro.leaves.is_positive())
    return out;
  if (is_market || o.tif == time_in_force::ioc) {
    out.push_back(cancel_report(ro, cancel_reason::ioc_remainder, now));
    return out;
  }
  ro.ahead = shown_at(o.sd, o.px).value_or(quantity{});
  resting_.push_back(std::move(ro));
  return out;
}

std::vector<exec_report> paper_matcher::cancel(client_order_id cid, nanos now) {
  std::vector<exec_report> out;
  auto i = std::find_if(resting_.begin(), resting_.end(),
                        [cid](const resting& r) { return r.order.cid == cid; });
  if (i == resting_.end()) {
    sim_order o;
    o.cid = cid;
    out.push_back(reject(o, reject_reason::unknown_order,
                         "order " + std::to_string(cid.value) + " is not resting", now));
    return out;
  }
  out.push_back(cancel_report(*i, cancel_reason::requested, now));
  resting_.erase(i);
  return out;
}

std::vector<exec_report> paper_matcher::cancel_all(nanos now, cancel_reason why) {
  std::vector<exec_report> out;
  for (const auto& r : resting_)
    out.push_back(cancel_report(r, why, now));
  resting_.clear();
  return out;
}

std::vector<sim_order> paper_matcher::open_orders() const {
  std::vector<sim_order> out;
  for (const auto& r : resting_) {
    auto o = r.order;
    o.qty = r.leaves;
    out.push_back(o);
  }
  return out;
}

std::optional<quantity> paper_matcher::queue_ahead(client_order_id cid) const {
  for (const auto& r : resting_)
    if (r.order.cid == cid)
      return r.ahead;
  return std::nullopt;
}

} // namespace agora::sim
