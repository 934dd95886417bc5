#include "actors/strategy/basis_arb.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <utility>

namespace agora {

namespace {

// 128-bit intermediates (GCC/Clang extension; spelled once here).
__extension__ typedef __int128 int128;

const char* to_text(int s) noexcept {
  switch (s) {
    case 0:
      return "open";
    case 1:
      return "open_reverse";
    default:
      return "close";
  }
}

} // namespace

basis_arb::basis_arb(basis_params p, instrument_spec spot, instrument_spec perp)
  : params_(std::move(p)), spot_(std::move(spot)), perp_(std::move(perp)) {
  coarse_lot_ = std::max(spot_.lot, perp_.lot);
  const int64_t a = spot_.lot.raw();
  const int64_t b = perp_.lot.raw();
  if (a > 0 && b > 0) {
    // The least common multiple: the coarser lot when the finer divides it.
    int64_t l = 0;
    if (!__builtin_mul_overflow(a / std::gcd(a, b), b, &l))
      lot_ = quantity::from_raw(l);
  }
  tolerance_raw_ = params_.slippage_tolerance_bps > 0
                     ? std::llround(params_.slippage_tolerance_bps * 1e4)
                     : 0;
  spot_taker_ = spot_.taker_fee.to_double();
  spot_maker_ = spot_.maker_fee.to_double();
  perp_taker_ = perp_.taker_fee.to_double();
  perp_maker_ = perp_.maker_fee.to_double();
}

// -- events -------------------------------------------------------------------

basis_actions basis_arb::on_spot_book(const book_view& v) {
  return on_book(spot_view_, perp_view_, v);
}

basis_actions basis_arb::on_perp_book(const book_view& v) {
  return on_book(perp_view_, spot_view_, v);
}

void basis_arb::on_spot_stale() {
  spot_view_.fresh = false;
}

void basis_arb::on_perp_stale() {
  perp_view_.fresh = false;
}

void basis_arb::on_funding(const funding_update& f) {
  if (f.venue != perp_.venue || f.symbol != perp_.symbol)
    return;
  funding_rate_ = f.funding_rate;
  next_funding_time_ = f.next_funding_time;
}

basis_actions basis_arb::on_timer(nanos now) {
  basis_actions out;
  bool due = false;
  if (phase_ == phase::cooldown && now >= cooldown_until_) {
    phase_ = phase::closed;
    due = true;
  }
  if (retry_after_ != 0 && now >= retry_after_) {
    retry_after_ = 0;
    due = true;
  }
  if (due && spot_view_.fresh && perp_view_.fresh)
    evaluate(now, out);
  return out;
}

basis_actions basis_arb::on_trade_result(const two_leg_result& r) {
  if (!working_ || r.trade != *working_)
    return {};
  for (const auto& l : r.legs)
    apply(l);
  for (const auto& u : r.unwinds)
    apply(u);
  const nanos t = r.finished != 0 ? r.finished : last_time_;
  const bool closing = phase_ == phase::closing;
  working_.reset();
  switch (r.outcome) {
    case two_leg_outcome::filled:
    case two_leg_outcome::none:
      settle(t, closing);
      return {};
    case two_leg_outcome::unwound:
    case two_leg_outcome::unwind_failed:
      phase_ = phase::halted;
      halt_reason_ = "leg_risk: ";
      halt_reason_ += to_string(r.outcome);
      return {};
  }
  phase_ = phase::halted; // an outcome we do not know: assume the worst
  halt_reason_ = "leg_risk: unknown outcome";
  return {};
}

basis_actions basis_arb::set_trading_state(trading_state s, nanos now) {
  basis_actions out;
  trading_ = s;
  if (spot_view_.fresh && perp_view_.fresh)
    evaluate(now, out);
  return out;
}

void basis_arb::restore_position(const std::vector<order_filled>& fills) {
  spot_pos_ = quantity{};
  perp_pos_ = quantity{};
  for (const auto& f : fills) {
    if (!f.fill_qty.is_positive())
      continue;
    const quantity delta = f.sd == side::buy ? f.fill_qty : -f.fill_qty;
    if (f.venue == spot_.venue && f.symbol == spot_.symbol)
      spot_pos_ += delta;
    else if (f.venue == perp_.venue && f.symbol == perp_.symbol)
      perp_pos_ += delta;
  }
  working_.reset();
  retry_after_ = 0;
  cooldown_until_ = 0;
  halt_reason_.clear();
  last_ = {};
  const bool spot_flat = is_flat(spot_pos_);
  const bool perp_flat = is_flat(perp_pos_);
  if (spot_flat && perp_flat) {
    phase_ = phase::closed;
  } else if (!spot_flat && !perp_flat && is_flat(spot_pos_ + perp_pos_)) {
    phase_ = phase::open;
  } else {
    phase_ = phase::halted;
    halt_reason_ = "unhedged at start";
  }
}

// -- inspection ---------------------------------------------------------------

std::string basis_arb::state_name() const {
  switch (phase_) {
    case phase::closed:
      return "closed";
    case phase::opening:
      return "opening";
    case phase::open:
      return "open";
    case phase::closing:
      return "closing";
    case phase::cooldown:
      return "cooldown";
    case phase::halted:
      return "halted";
  }
  return "halted";
}

// -- evaluation ---------------------------------------------------------------

basis_actions basis_arb::on_book(leg_view& mine, const leg_view& other,
                                 const book_view& v) {
  basis_actions out;
  const nanos t = v.venue_time != 0 ? v.venue_time : v.local_time;
  mine.bids.assign(v.bids.begin(), v.bids.end()); // reuses capacity
  mine.asks.assign(v.asks.begin(), v.asks.end());
  mine.time = t;
  mine.fresh = true;
  last_time_ = std::max(last_time_, t);
  if (!other.fresh)
    mark_stale(t, out);
  else
    evaluate(t, out);
  return out;
}

void basis_arb::evaluate(nanos now, basis_actions& out) {
  ++evaluations_;
  if (phase_ == phase::cooldown && now >= cooldown_until_)
    phase_ = phase::closed;
  if (retry_after_ != 0 && now >= retry_after_)
    retry_after_ = 0;
  bool entries = false;
  bool exit = false;
  switch (phase_) {
    case phase::closed:
    case phase::cooldown:
    case phase::opening:
      entries = true;
      break;
    case phase::open:
    case phase::closing:
      exit = true;
      break;
    case phase::halted: {
      const bool spot_flat = is_flat(spot_pos_);
      const bool perp_flat = is_flat(perp_pos_);
      entries = spot_flat && perp_flat;
      exit = !spot_flat && !perp_flat && is_flat(spot_pos_ + perp_pos_);
      break;
    }
  }
  if (entries) {
    evaluate_entry(false, now, out);
    if (params_.allow_reverse)
      evaluate_entry(true, now, out);
    else
      last_[slot_open_reverse] = {};
  } else {
    last_[slot_open] = {};
    last_[slot_open_reverse] = {};
  }
  if (exit)
    evaluate_exit(now, out);
  else
    last_[slot_close] = {};
}

void basis_arb::evaluate_entry(bool reverse, nanos now, basis_actions& out) {
  const slot s = reverse ? slot_open_reverse : slot_open;
  decision d;
  if (!lot_.is_positive()) {
    if (!reverse)
      last_yield_.reset();
    d.crossed = true;
    d.why = block::lot_mismatch;
    record(s, d, now, out);
    return;
  }
  const pricing p = price_entry(reverse, now);
  if (!reverse) {
    if (p.full)
      last_yield_ = p.yield;
    else
      last_yield_.reset();
  }
  if (!p.priced || !(p.yield.net_bps > params_.entry_threshold_bps)) {
    record(s, decision{}, now, out);
    return;
  }
  d.crossed = true;
  d.net_bps = p.yield.net_bps;
  d.gross_bps = p.yield.gross_bps;
  d.funding_bps = p.yield.funding_bps;
  leg_order spot_leg_order;
  leg_order perp_leg_order;
  if (phase_ == phase::halted) {
    d.why = block::halted_leg_risk;
  } else if (trading_ == trading_state::halted) {
    d.why = block::trading_halted;
  } else if (trading_ == trading_state::reducing) {
    d.why = block::trading_reducing;
  } else if (working_) {
    d.why = block::trade_working;
  } else if (phase_ == phase::cooldown) {
    d.why = block::cooldown;
  } else if (quotes_skewed()) {
    d.why = block::quote_skew;
  } else if (!p.full) {
    d.why = block::insufficient_depth;
  } else {
    spot_leg_order = spot_leg(reverse ? side::sell : side::buy, p.spot);
    perp_leg_order = perp_leg(reverse ? side::buy : side::sell, p.perp, false);
    if (!legs_meet_min_notional(spot_leg_order, perp_leg_order))
      d.why = block::below_min_notional;
  }
  record(s, d, now, out);
  if (d.why == block::none)
    send("open", std::move(spot_leg_order), std::move(perp_leg_order),
         phase::opening, out);
}

void basis_arb::evaluate_exit(nanos now, basis_actions& out) {
  const bool reverse = spot_pos_.is_negative();
  const quantity spot_qty = spot_.lot.is_positive()
                              ? spot_pos_.abs().floor_to(spot_.lot)
                              : spot_pos_.abs();
  const quantity perp_qty = perp_.lot.is_positive()
                              ? perp_pos_.abs().floor_to(perp_.lot)
                              : perp_pos_.abs();
  if (!spot_qty.is_positive() || !perp_qty.is_positive()) {
    record(slot_close, decision{}, now, out);
    return;
  }
  const pricing p = price_exit(reverse, spot_qty, perp_qty, now);
  if (!reverse) {
    if (p.full)
      last_yield_ = p.yield;
    else
      last_yield_.reset();
  }
  if (!p.priced || !(p.yield.net_bps < params_.exit_threshold_bps)) {
    record(slot_close, decision{}, now, out);
    return;
  }
  decision d;
  d.crossed = true;
  d.net_bps = p.yield.net_bps;
  d.gross_bps = p.yield.gross_bps;
  d.funding_bps = p.yield.funding_bps;
  leg_order spot_leg_order;
  leg_order perp_leg_order;
  if (phase_ == phase::halted) {
    d.why = block::halted_leg_risk;
  } else if (trading_ == trading_state::halted) {
    d.why = block::trading_halted;
  } else if (working_) {
    d.why = block::trade_working;
  } else if (retry_after_ != 0 && now < retry_after_) {
    d.why = block::retry_backoff;
  } else if (quotes_skewed()) {
    d.why = block::quote_skew;
  } else if (!p.full) {
    d.why = block::insufficient_depth;
  } else {
    spot_leg_order = spot_leg(reverse ? side::buy : side::sell, p.spot);
    perp_leg_order = perp_leg(reverse ? side::sell : side::buy, p.perp, true);
    if (!legs_meet_min_notional(spot_leg_order, perp_leg_order))
      d.why = block::below_min_notional;
  }
  record(slot_close, d, now, out);
  if (d.why == block::none)
    send("close", std::move(spot_leg_order), std::move(perp_leg_order),
         phase::closing, out);
}

void basis_arb::mark_stale(nanos now, basis_actions& out) {
  // Reasons known without pricing outrank a stale book.
  if (working_ || phase_ == phase::halted || trading_ == trading_state::halted)
    return;
  for (int i = 0; i < slot_count; ++i) {
    decision& last = last_[static_cast<size_t>(i)];
    if (!last.crossed || last.why == block::none || last.why == block::stale_book
        || last.why == block::lot_mismatch)
      continue;
    if (i != slot_close && trading_ == trading_state::reducing)
      continue;
    decision d = last;
    d.why = block::stale_book;
    record(static_cast<slot>(i), d, now, out);
  }
}

basis_arb::pricing basis_arb::price_entry(bool reverse,
                                          nanos now) const noexcept {
  const auto& spot_side = reverse ? spot_view_.bids : spot_view_.asks;
  const auto& perp_side = reverse ? perp_view_.asks : perp_view_.bids;
  pricing p;
  p.spot = walk_notional(spot_side, params_.trade_notional, lot_);
  if (p.spot.ok)
    p.perp = walk_quantity(perp_side, p.spot.qty);
  p.full = p.spot.ok && p.perp.ok;
  if (!p.full) {
    // Price what the books can take, to tell whether depth is what blocks.
    quantity q = std::min(total_quantity(spot_side), total_quantity(perp_side));
    if (p.spot.ok)
      q = std::min(q, p.spot.qty);
    q = q.floor_to(lot_);
    p.spot = walk_quantity(spot_side, q);
    p.perp = walk_quantity(perp_side, q);
    if (!p.spot.ok || !p.perp.ok)
      return p;
  }
  p.priced = true;
  p.yield = yield_of(reverse, p.spot, p.perp, now);
  return p;
}

basis_arb::pricing basis_arb::price_exit(bool reverse, quantity spot_qty,
                                         quantity perp_qty,
                                         nanos now) const noexcept {
  const auto& spot_side = reverse ? spot_view_.asks : spot_view_.bids;
  const auto& perp_side = reverse ? perp_view_.bids : perp_view_.asks;
  pricing p;
  p.spot = walk_quantity(spot_side, spot_qty);
  p.perp = walk_quantity(perp_side, perp_qty);
  p.full = p.spot.ok && p.perp.ok;
  if (!p.full) {
    quantity q = std::min({total_quantity(spot_side), total_quantity(perp_side),
                           spot_qty, perp_qty});
    const quantity step = lot_.is_positive() ? lot_ : coarse_lot_;
    if (step.is_positive())
      q = q.floor_to(step);
    p.spot = walk_quantity(spot_side, q);
    p.perp = walk_quantity(perp_side, q);
    if (!p.spot.ok || !p.perp.ok)
      return p;
  }
  p.priced = true;
  p.yield = yield_of(reverse, p.spot, p.perp, now);
  return p;
}

yield_breakdown basis_arb::yield_of(bool reverse, const vwap_fill& spot,
                                    const vwap_fill& perp,
                                    nanos now) const noexcept {
  yield_inputs in;
  if (reverse) {
    in.buy_vwap = perp.vwap;
    in.sell_vwap = spot.vwap;
    in.buy_taker_fee = perp_taker_;
    in.sell_taker_fee = spot_taker_;
    in.buy_maker_fee = perp_maker_;
    in.sell_maker_fee = spot_maker_;
  } else {
    in.buy_vwap = spot.vwap;
    in.sell_vwap = perp.vwap;
    in.buy_taker_fee = spot_taker_;
    in.sell_taker_fee = perp_taker_;
    in.buy_maker_fee = spot_maker_;
    in.sell_maker_fee = perp_maker_;
  }
  in.safety_buffer_bps = params_.safety_buffer_bps;
  in.funding_bps = funding_bps(reverse, now);
  return net_yield(in);
}

double basis_arb::funding_bps(bool reverse, nanos now) const noexcept {
  if (!params_.include_funding)
    return 0;
  const double f = expected_funding_bps(funding_rate_, next_funding_time_, now,
                                        params_.funding_horizon);
  return reverse ? -f : f;
}

// -- orders -------------------------------------------------------------------

bool basis_arb::legs_meet_min_notional(const leg_order& spot,
                                       const leg_order& perp) const noexcept {
  return mul(spot.px, spot.qty) >= spot_.min_notional
         && mul(perp.px, perp.qty) >= perp_.min_notional;
}

leg_order basis_arb::spot_leg(side sd, const vwap_fill& walk) const noexcept {
  leg_order l;
  l.venue = spot_.venue;
  l.symbol = spot_.symbol;
  l.sd = sd;
  l.tif = time_in_force::ioc;
  l.px = limit_for(sd, walk.worst, spot_.tick);
  l.qty = walk.qty;
  l.reduce_only = false;
  return l;
}

leg_order basis_arb::perp_leg(side sd, const vwap_fill& walk,
                              bool reduce_only) const noexcept {
  leg_order l;
  l.venue = perp_.venue;
  l.symbol = perp_.symbol;
  l.sd = sd;
  l.tif = time_in_force::ioc;
  l.px = limit_for(sd, walk.worst, perp_.tick);
  l.qty = walk.qty;
  l.reduce_only = reduce_only;
  return l;
}

price basis_arb::limit_for(side sd, price worst, price tick) const noexcept {
  const int128 offset = static_cast<int128>(worst.raw()) * tolerance_raw_
                        / fixed_scale;
  if (sd == side::buy) {
    const int128 raw = worst.raw() + offset;
    if (raw > fixed_max_raw - std::max<int64_t>(tick.raw(), 0))
      return worst; // out of range: no room to move or round outward
    const auto px = price::from_raw(static_cast<int64_t>(raw));
    return tick.is_positive() ? px.ceil_to(tick) : px;
  }
  auto px = price::from_raw(static_cast<int64_t>(worst.raw() - offset));
  if (tick.is_positive())
    px = px.floor_to(tick);
  if (!px.is_positive())
    return tick.is_positive() ? tick : worst;
  return px;
}

void basis_arb::send(const char* purpose, leg_order spot, leg_order perp,
                     phase next, basis_actions& out) {
  two_leg_request r;
  r.trade = ++trade_seq_;
  r.purpose = purpose;
  r.legs.reserve(2);
  r.legs.push_back(std::move(spot));
  r.legs.push_back(std::move(perp));
  r.deadline = params_.leg_deadline;
  working_ = r.trade;
  phase_ = next;
  out.trade = std::move(r);
}

// -- bookkeeping --------------------------------------------------------------

void basis_arb::settle(nanos t, bool after_close) {
  const bool spot_flat = is_flat(spot_pos_);
  const bool perp_flat = is_flat(perp_pos_);
  if (spot_flat && perp_flat) {
    phase_ = phase::cooldown;
    cooldown_until_ = t + params_.cooldown;
  } else if (!spot_flat && !perp_flat && is_flat(spot_pos_ + perp_pos_)) {
    phase_ = phase::open;
    if (after_close)
      retry_after_ = params_.retry_backoff > 0 ? t + params_.retry_backoff : 0;
  } else {
    phase_ = phase::halted;
    halt_reason_ = "unhedged after trade";
  }
}

void basis_arb::record(slot s, const decision& d, nanos now,
                       basis_actions& out) {
  static constexpr const char* why_text[] = {
    "",           "cooldown",        "insufficient_depth", "below_min_notional",
    "trading_halted", "trading_reducing", "stale_book",   "quote_skew",
    "trade_working",  "halted_leg_risk",  "lot_mismatch", "retry_backoff",
  };
  decision& last = last_[s];
  const bool acted = d.crossed && d.why == block::none;
  if (!acted) {
    if (!d.crossed || (last.crossed && last.why == d.why)) {
      last = d; // idle, or the same block as before: nothing new to report
      return;
    }
    if (d.why == block::trade_working && last.crossed
        && last.why == block::none)
      return; // the trade this crossing asked for is the one working
  }
  last = d;
  basis_signal sig;
  sig.time = now;
  sig.name = to_text(s);
  sig.net_bps = d.net_bps;
  sig.gross_bps = d.gross_bps;
  sig.funding_bps = d.funding_bps;
  sig.acted = acted;
  sig.why = why_text[static_cast<size_t>(d.why)];
  out.signals.push_back(std::move(sig));
}

void basis_arb::apply(const leg_report& r) noexcept {
  if (!r.filled.is_positive())
    return;
  const quantity delta = r.sd == side::buy ? r.filled : -r.filled;
  if (r.venue == spot_.venue && r.symbol == spot_.symbol)
    spot_pos_ += delta;
  else if (r.venue == perp_.venue && r.symbol == perp_.symbol)
    perp_pos_ += delta;
}

bool basis_arb::is_flat(quantity q) const noexcept {
  return coarse_lot_.is_positive() ? q.abs() < coarse_lot_ : q.is_zero();
}

bool basis_arb::quotes_skewed() const noexcept {
  const nanos d = spot_view_.time - perp_view_.time;
  return (d < 0 ? -d : d) > params_.max_quote_skew;
}

} // namespace agora
