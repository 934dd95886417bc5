#include "actors/strategy/mean_reversion.hpp"

#include <utility>

namespace agora {

namespace {

/// How many finished orders are remembered (for late fills and duplicates).
constexpr size_t max_order_records = 16;

} // namespace

mean_reversion::mean_reversion(mean_reversion_params p, instrument_spec spec,
                               uint64_t cid_base)
  : params_(std::move(p)),
    spec_(std::move(spec)),
    cid_base_(cid_base),
    bars_(spec_.venue, spec_.symbol, params_.bar_interval),
    z_(params_.window) {
}

// -- events -------------------------------------------------------------------

strategy_actions mean_reversion::on_book(const book_view& v) {
  strategy_actions out;
  const nanos now = v.venue_time != 0 ? v.venue_time : v.local_time;
  fresh_ = true;
  best_bid_ = v.bids.empty() ? price{} : v.bids.front().px;
  best_ask_ = v.asks.empty() ? price{} : v.asks.front().px;
  mid_ = v.mid;
  rho_ = v.imbalance;
  bool bar_closed = false;
  if (mid_.is_positive()) {
    auto done = bars_.update(mid_, quantity{}, now);
    bar_closed = !done.empty();
    push_bars(done);
    out.bars = std::move(done);
  }
  check_stops(now, mid_.is_positive(), out);
  if (bar_closed)
    evaluate_signals(now, out);
  drive_exit(now, out);
  return out;
}

strategy_actions mean_reversion::on_timer(nanos now) {
  strategy_actions out;
  auto done = bars_.flush(now);
  push_bars(done);
  if (!done.empty())
    evaluate_signals(now, out);
  out.bars = std::move(done);
  check_stops(now, false, out);
  check_entry_timeout(now, out);
  drive_exit(now, out);
  return out;
}

strategy_actions mean_reversion::on_accepted(const order_accepted& e) {
  if (auto* r = find(e.cid))
    r->accepted = true;
  return {};
}

strategy_actions mean_reversion::on_fill(const order_filled& e) {
  if (!ours(e.cid) || !e.fill_qty.is_positive())
    return {};
  const nanos t = e.venue_time != 0 ? e.venue_time : e.local_time;
  if (auto* r = find(e.cid)) {
    if (e.cum_qty.is_positive() && e.cum_qty <= r->filled)
      return {}; // duplicate delivery of a fill already applied
    r->filled += e.fill_qty;
    apply_fill(e.sd, e.fill_px, e.fill_qty, t);
    if (e.leaves_qty.is_zero() || r->filled >= r->qty)
      finish(e.cid);
  } else {
    apply_fill(e.sd, e.fill_px, e.fill_qty, t);
  }
  return {};
}

strategy_actions mean_reversion::on_canceled(const order_canceled& e) {
  finish(e.cid);
  return {};
}

strategy_actions mean_reversion::on_rejected(const order_rejected& e) {
  auto* r = find(e.cid);
  if (r == nullptr || r->done)
    return {};
  if (r->accepted && r->cancel_sent) {
    // The cancel failed; the order itself was already accepted.
    if (e.reason == reject_reason::unknown_order)
      finish(e.cid);
    return {};
  }
  const bool entry = r->entry;
  finish(e.cid);
  if (!entry && !pending_exit_.empty()) {
    const nanos t = e.venue_time != 0 ? e.venue_time : e.local_time;
    exit_retry_after_ = t + params_.exit_retry_backoff;
  }
  return {};
}

void mean_reversion::on_stale() {
  fresh_ = false;
}

strategy_actions mean_reversion::set_trading_state(trading_state s,
                                                   nanos now) {
  strategy_actions out;
  trading_ = s;
  if (s == trading_state::active || !working_)
    return out;
  auto* r = find(*working_);
  if (r != nullptr && r->entry && !r->cancel_sent)
    cancel_working(s == trading_state::halted ? "trading_halted"
                                              : "trading_reducing",
                   now, out);
  return out;
}

void mean_reversion::warm_up(const std::vector<bar>& bars) {
  for (const auto& b : bars) {
    if (!bars_.resume_after(b))
      continue;
    z_.push(b.close.to_double());
    ++bars_seen_;
  }
}

void mean_reversion::restore_position(const std::vector<order_filled>& fills) {
  pos_ = quantity{};
  avg_px_ = price{};
  entry_time_.reset();
  for (const auto& f : fills) {
    if (!f.fill_qty.is_positive())
      continue;
    apply_fill(f.sd, f.fill_px, f.fill_qty,
               f.venue_time != 0 ? f.venue_time : f.local_time);
  }
}

// -- inspection ---------------------------------------------------------------

std::string mean_reversion::state_name() const {
  if (!pending_exit_.empty() && !is_flat())
    return "exiting";
  if (working_) {
    for (const auto& r : orders_)
      if (r.cid == *working_)
        return r.entry ? "entering" : "exiting";
  }
  if (is_flat())
    return "flat";
  return pos_.is_positive() ? "long" : "short";
}

// -- signals ------------------------------------------------------------------

void mean_reversion::push_bars(const std::vector<bar>& bars) {
  for (const auto& b : bars) {
    z_.push(b.close.to_double());
    ++bars_seen_;
  }
}

void mean_reversion::evaluate_signals(nanos now, strategy_actions& out) {
  const auto z = z_.zscore();
  if (!z)
    return;
  if (is_flat()) {
    if (*z < -params_.entry_z && rho_ > 0)
      try_entry(side::buy, now, *z, out);
    else if (*z > params_.entry_z && rho_ < 0)
      try_entry(side::sell, now, *z, out);
    return;
  }
  if (!pending_exit_.empty())
    return;
  if (pos_.is_positive() ? *z <= -params_.exit_z : *z >= params_.exit_z)
    return;
  if (!fresh_) {
    // A z-score exit from a stale book is recorded, not kept: the next bar
    // close decides again.
    strategy_signal sig;
    sig.time = now;
    sig.name = "exit_signal";
    sig.z = *z;
    sig.rho = rho_;
    sig.why = "stale_book";
    out.signals.push_back(std::move(sig));
    return;
  }
  start_exit("exit_signal", now, out);
}

void mean_reversion::try_entry(side sd, nanos now, double z,
                               strategy_actions& out) {
  strategy_signal sig;
  sig.time = now;
  sig.name = sd == side::buy ? "entry_long" : "entry_short";
  sig.z = z;
  sig.rho = rho_;
  const price px = sd == side::buy ? best_bid_ : best_ask_;
  quantity qty;
  if (sd == side::sell && !params_.allow_short) {
    sig.why = "short_disabled";
  } else if (!fresh_) {
    sig.why = "stale_book";
  } else if (trading_ == trading_state::halted) {
    sig.why = "trading_halted";
  } else if (trading_ == trading_state::reducing) {
    sig.why = "trading_reducing";
  } else if (working_) {
    sig.why = "order_working";
  } else if (!px.is_positive()) {
    sig.why = "no_price";
  } else {
    qty = spec_.lot.is_positive()
            ? div_floor(params_.order_notional, px).floor_to(spec_.lot)
            : div_floor(params_.order_notional, px);
    const auto value = checked_mul(px, qty);
    if (!qty.is_positive() || !value || *value < spec_.min_notional)
      sig.why = "below_min_notional";
  }
  if (sig.why.empty()) {
    send(sd, time_in_force::post_only, px, qty, false, sig.name, true, now,
         out);
    sig.acted = true;
  }
  out.signals.push_back(std::move(sig));
}

void mean_reversion::check_stops(nanos now, bool check_price,
                                 strategy_actions& out) {
  if (is_flat() || !pending_exit_.empty())
    return;
  if (check_price && fresh_ && avg_px_.is_positive()) {
    const double entry = avg_px_.to_double();
    const double mid = mid_.to_double();
    const double adverse = pos_.is_positive() ? (entry - mid) / entry
                                              : (mid - entry) / entry;
    if (adverse >= params_.stop_loss) {
      start_exit("stop_loss", now, out);
      return;
    }
  }
  if (entry_time_) {
    const nanos limit = off_hours(*entry_time_) ? params_.time_stop_off_hours
                                                : params_.time_stop;
    if (now - *entry_time_ >= limit)
      start_exit("time_stop", now, out);
  }
}

void mean_reversion::start_exit(const std::string& purpose, nanos now,
                                strategy_actions& out) {
  pending_exit_ = purpose;
  strategy_signal sig;
  sig.time = now;
  sig.name = purpose;
  sig.z = z_or_zero();
  sig.rho = rho_;
  sig.why = drive_exit(now, out);
  sig.acted = sig.why.empty();
  out.signals.push_back(std::move(sig));
}

std::string mean_reversion::drive_exit(nanos now, strategy_actions& out) {
  if (pending_exit_.empty())
    return {};
  if (is_flat()) {
    pending_exit_.clear();
    return {};
  }
  if (working_) {
    auto* r = find(*working_);
    if (r != nullptr && r->entry && !r->cancel_sent) {
      cancel_working(pending_exit_, now, out);
      return {};
    }
    return "order_working";
  }
  if (!fresh_)
    return "stale_book";
  if (trading_ == trading_state::halted)
    return "trading_halted";
  if (now < exit_retry_after_)
    return "exit_backoff";
  const side sd = pos_.is_positive() ? side::sell : side::buy;
  const price px = sd == side::sell ? best_bid_ : best_ask_;
  if (!px.is_positive())
    return "no_price";
  const quantity qty = spec_.lot.is_positive() ? pos_.abs().floor_to(spec_.lot)
                                               : pos_.abs();
  send(sd, time_in_force::ioc, px, qty, true, pending_exit_, false, now, out);
  return {};
}

void mean_reversion::cancel_working(const std::string& purpose, nanos now,
                                    strategy_actions& out) {
  auto* r = working_ ? find(*working_) : nullptr;
  if (r == nullptr)
    return;
  r->cancel_sent = true;
  r->cancel_at = now;
  out.cancels.push_back(strategy_cancel{r->cid, purpose});
}

void mean_reversion::check_entry_timeout(nanos now, strategy_actions& out) {
  auto* r = working_ ? find(*working_) : nullptr;
  if (r == nullptr || !r->entry)
    return;
  if (!r->cancel_sent) {
    if (now - r->sent_at >= params_.entry_timeout)
      cancel_working("entry_timeout", now, out);
  } else if (now - r->cancel_at >= params_.entry_timeout) {
    // No answer to the cancel: ask again.
    cancel_working("entry_timeout", now, out);
  }
}

// -- position -----------------------------------------------------------------

void mean_reversion::apply_fill(side sd, price px, quantity qty, nanos t) {
  const bool was_flat = is_flat();
  const quantity delta = sd == side::buy ? qty : -qty;
  const quantity before = pos_;
  const quantity after = before + delta;
  const bool adds = before.is_zero()
                    || before.is_positive() == delta.is_positive();
  if (adds) {
    const notional cost = mul(avg_px_, before.abs()) + mul(px, qty);
    avg_px_ = div(cost, after.abs());
  } else if (!after.is_zero()
             && after.is_positive() != before.is_positive()) {
    avg_px_ = px; // flipped through zero: the remainder opened at this fill
    entry_time_ = t;
  }
  pos_ = after;
  if (pos_.is_zero())
    avg_px_ = price{};
  if (is_flat()) {
    entry_time_.reset();
    pending_exit_.clear();
    exit_retry_after_ = 0;
  } else if (was_flat) {
    entry_time_ = t;
  }
}

bool mean_reversion::is_flat() const noexcept {
  if (!spec_.lot.is_positive())
    return pos_.is_zero();
  return pos_.abs() < spec_.lot;
}

bool mean_reversion::off_hours(nanos t) const noexcept {
  constexpr nanos ns_per_day = 24 * 3600 * ns_per_s;
  nanos in_day = t % ns_per_day;
  if (in_day < 0)
    in_day += ns_per_day;
  const int hour = static_cast<int>(in_day / (3600 * ns_per_s));
  const int start = params_.off_hours_start_utc;
  const int end = params_.off_hours_end_utc;
  if (start == end)
    return false;
  if (start < end)
    return hour >= start && hour < end;
  return hour >= start || hour < end;
}

double mean_reversion::z_or_zero() const noexcept {
  const auto z = z_.zscore();
  return z ? *z : 0.0;
}

// -- orders -------------------------------------------------------------------

mean_reversion::order_record*
mean_reversion::find(client_order_id cid) noexcept {
  for (auto& r : orders_)
    if (r.cid == cid)
      return &r;
  return nullptr;
}

bool mean_reversion::ours(client_order_id cid) const noexcept {
  return cid.value > cid_base_ && cid.value <= cid_base_ + cid_seq_;
}

void mean_reversion::finish(client_order_id cid) noexcept {
  if (auto* r = find(cid))
    r->done = true;
  if (working_ && *working_ == cid)
    working_.reset();
}

client_order_id mean_reversion::next_cid() noexcept {
  return client_order_id{cid_base_ + ++cid_seq_};
}

void mean_reversion::send(side sd, time_in_force tif, price px,
                                     quantity qty, bool reduce_only,
                                     const std::string& purpose, bool entry,
                                     nanos now, strategy_actions& out) {
  strategy_order o;
  o.cid = next_cid();
  o.sd = sd;
  o.type = order_type::limit;
  o.tif = tif;
  o.px = px;
  o.qty = qty;
  o.reduce_only = reduce_only;
  o.purpose = purpose;

  order_record r;
  r.cid = o.cid;
  r.sd = sd;
  r.qty = qty;
  r.purpose = purpose;
  r.entry = entry;
  r.sent_at = now;
  if (orders_.size() >= max_order_records) {
    for (auto i = orders_.begin(); i != orders_.end(); ++i) {
      if (i->done) {
        orders_.erase(i);
        break;
      }
    }
  }
  orders_.push_back(std::move(r));
  working_ = o.cid;
  out.orders.push_back(std::move(o));
}

} // namespace agora
