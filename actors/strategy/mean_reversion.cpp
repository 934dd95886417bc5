#include "actors/strategy/mean_reversion.hpp"

#include <cmath>
#include <utility>

namespace agora {

namespace {

__extension__ typedef __int128 int128;

/// How many finished orders are remembered (for late fills and duplicates):
/// room for a thin symbol's 16 members of one entry family and its exits.
constexpr size_t max_order_records = 64;

/// Bits of a client id's member field (below the family).
constexpr uint64_t member_bits = 8;
constexpr uint64_t max_member = (uint64_t{1} << member_bits) - 1;

nanos time_of(nanos venue_time, nanos local_time) noexcept {
  return venue_time != 0 ? venue_time : local_time;
}

} // namespace

mean_reversion::mean_reversion(mean_reversion_params p, instrument_spec spec,
                               uint64_t cid_base)
  : params_(std::move(p)),
    spec_(std::move(spec)),
    cid_base_(cid_base),
    bars_(spec_.venue, spec_.symbol, params_.bar_interval),
    z_(params_.window) {
}

uint64_t mean_reversion::family_of(client_order_id cid,
                                   uint64_t cid_base) noexcept {
  if (cid.value <= cid_base)
    return 0;
  return (cid.value - cid_base) >> member_bits;
}

// -- events -------------------------------------------------------------------

strategy_actions mean_reversion::on_book(const book_view& v) {
  strategy_actions out;
  const nanos now = time_of(v.venue_time, v.local_time);
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
  watch_entry(now, true, out);
  if (bar_closed)
    evaluate_signals(now, out);
  drive_exit(now, out);
  settle_family();
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
  watch_entry(now, false, out);
  drive_exit(now, out);
  settle_family();
  return out;
}

strategy_actions mean_reversion::on_accepted(const order_accepted& e) {
  if (auto* r = find(e.cid))
    r->accepted = true;
  return {};
}

strategy_actions mean_reversion::on_fill(const order_filled& e) {
  strategy_actions out;
  if (!ours(e.cid) || !e.fill_qty.is_positive())
    return out;
  const nanos t = time_of(e.venue_time, e.local_time);
  if (auto* r = find(e.cid)) {
    if (e.cum_qty.is_positive() && e.cum_qty <= r->filled)
      return out; // duplicate delivery of a fill already applied
    r->filled += e.fill_qty;
    if (e.cum_qty > r->venue_cum)
      r->venue_cum = e.cum_qty;
    apply_fill(e.sd, e.fill_px, e.fill_qty, t);
    if (e.leaves_qty.is_zero() || r->filled >= r->qty)
      finish(e.cid);
  } else {
    apply_fill(e.sd, e.fill_px, e.fill_qty, t);
  }
  if (family_ && family_->id == family_of(e.cid, cid_base_)) {
    family_->filled += e.fill_qty;
    watch_late_fill(t, out);
  }
  settle_family();
  return out;
}

strategy_actions mean_reversion::on_canceled(const order_canceled& e) {
  strategy_actions out;
  auto* r = find(e.cid);
  if (r == nullptr || r->done) {
    finish(e.cid);
    return out;
  }
  if (e.cum_qty > r->venue_cum)
    r->venue_cum = e.cum_qty;
  member_gone(*r, r->cancel_sent, e.reason == cancel_reason::expired,
              time_of(e.venue_time, e.local_time), out);
  settle_family();
  return out;
}

strategy_actions mean_reversion::on_rejected(const order_rejected& e) {
  strategy_actions out;
  auto* r = find(e.cid);
  if (r == nullptr || r->done)
    return out;
  const nanos t = time_of(e.venue_time, e.local_time);
  if (r->accepted && r->cancel_sent) {
    // The cancel failed; the order itself was already accepted.
    if (e.reason == reject_reason::unknown_order) {
      member_gone(*r, true, false, t, out); // gone already
    } else if (r->cancel_purpose == "reprice"
               || r->cancel_purpose == "entry_resize") {
      // Still resting at its price: the watchdog may try again.
      r->cancel_sent = false;
      r->cancel_purpose.clear();
      if (family_ && family_->id == r->family)
        family_->replace = false;
    }
    settle_family();
    return out;
  }
  const bool entry = r->entry;
  const uint64_t family = r->family;
  finish(e.cid);
  if (entry) {
    if (family_ && family_->id == family && !family_->ending) {
      if (e.reason == reject_reason::post_only_would_cross)
        on_cross(t, out);
      else
        end_family();
    }
  } else if (!pending_exit_.empty()) {
    exit_retry_after_ = t + params_.exit_retry_backoff;
  }
  settle_family();
  return out;
}

void mean_reversion::on_stale() {
  fresh_ = false;
}

strategy_actions mean_reversion::set_trading_state(trading_state s,
                                                   nanos now) {
  strategy_actions out;
  trading_ = s;
  if (s == trading_state::active)
    return out;
  end_family();
  auto* w = working_entry();
  if (w != nullptr && !w->cancel_sent)
    request_cancel(*w,
                   s == trading_state::halted ? "trading_halted"
                                              : "trading_reducing",
                   now, out);
  settle_family();
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
    apply_fill(f.sd, f.fill_px, f.fill_qty, time_of(f.venue_time, f.local_time));
  }
}

// -- inspection ---------------------------------------------------------------

std::string mean_reversion::state_name() const {
  if (!pending_exit_.empty() && !is_flat())
    return "exiting";
  if (family_)
    return "entering";
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
    signal("exit_signal", "stale_book", now, out);
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
  } else if (working_ || family_) {
    sig.why = "order_working";
  } else if (!px.is_positive()) {
    sig.why = "no_price";
  } else {
    qty = floor_lot(div_floor(params_.order_notional, px));
    const auto value = checked_mul(px, qty);
    if (!qty.is_positive() || !value || *value < spec_.min_notional)
      sig.why = "below_min_notional";
  }
  if (sig.why.empty()) {
    entry_family f;
    f.id = ++family_seq_;
    f.sd = sd;
    f.purpose = sig.name;
    f.intent = qty;
    f.started = now;
    f.last_reprice = now;
    f.next_member = 1;
    family_ = std::move(f);
    send(make_cid(family_->id, 0), sd, time_in_force::post_only, px, qty,
         false, sig.name, true, now, out);
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
  exit_family_ = 0;
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
  // An exit ends any entry at work: nothing of it is placed again.
  end_family();
  if (working_) {
    auto* r = find(*working_);
    if (r != nullptr && r->entry && !r->cancel_sent) {
      request_cancel(*r, pending_exit_, now, out);
      return {};
    }
    return "order_working";
  }
  settle_family();
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
  const quantity qty = floor_lot(pos_.abs());
  if (exit_family_ == 0 || exit_member_ > max_member) {
    exit_family_ = ++family_seq_;
    exit_member_ = 0;
  }
  send(make_cid(exit_family_, exit_member_++), sd, time_in_force::ioc, px,
       qty, true, pending_exit_, false, now, out);
  return {};
}

void mean_reversion::request_cancel(order_record& r, const std::string& purpose,
                                    nanos now, strategy_actions& out) {
  r.cancel_sent = true;
  r.cancel_at = now;
  r.cancel_purpose = purpose;
  out.cancels.push_back(strategy_cancel{r.cid, purpose});
}

void mean_reversion::signal(const std::string& name, const std::string& why,
                            nanos now, strategy_actions& out) const {
  strategy_signal sig;
  sig.time = now;
  sig.name = name;
  sig.z = z_or_zero();
  sig.rho = rho_;
  sig.acted = why.empty();
  sig.why = why;
  out.signals.push_back(std::move(sig));
}

// -- entry watchdog -----------------------------------------------------------

mean_reversion::order_record* mean_reversion::working_entry() noexcept {
  if (!working_)
    return nullptr;
  auto* r = find(*working_);
  return r != nullptr && r->entry ? r : nullptr;
}

quantity mean_reversion::committed() const noexcept {
  // Fills applied, plus what a member's venue total says was filled but has
  // not arrived yet (a cancel confirmation ahead of its last fill).
  quantity c = family_->filled;
  for (const auto& r : orders_)
    if (r.family == family_->id && r.venue_cum > r.filled)
      c += r.venue_cum - r.filled;
  return c;
}

bool mean_reversion::moved_away(const order_record& r) const noexcept {
  price diff;
  if (r.sd == side::buy) {
    if (!best_bid_.is_positive() || best_bid_ <= r.px)
      return false;
    diff = best_bid_ - r.px;
  } else {
    if (!best_ask_.is_positive() || best_ask_ >= r.px)
      return false;
    diff = r.px - best_ask_;
  }
  // diff / px > threshold, exactly: diff * scale > px * threshold * scale.
  const auto threshold = static_cast<int64_t>(
    std::llround(params_.reprice_threshold * static_cast<double>(fixed_scale)));
  return static_cast<int128>(diff.raw()) * fixed_scale
         > static_cast<int128>(r.px.raw()) * threshold;
}

void mean_reversion::watch_entry(nanos now, bool with_prices,
                                 strategy_actions& out) {
  if (!family_)
    return;
  auto& f = *family_;
  auto* w = working_entry();
  if (w != nullptr && w->cancel_sent) {
    if (now - w->cancel_at >= params_.maker_lifetime) {
      // No answer to the cancel: ask again.
      const std::string purpose = w->cancel_purpose;
      request_cancel(*w, purpose, now, out);
    }
    return;
  }
  if (f.ending)
    return;
  if (now - f.started >= params_.maker_lifetime) {
    give_up("lifetime", now, out);
    return;
  }
  if (!with_prices || !fresh_ || trading_ != trading_state::active)
    return;
  if (w == nullptr) {
    if (f.replace)
      place_member(now, out);
    return;
  }
  // Only a member the venue acknowledged is repriced: a cancel racing its
  // acceptance would be ambiguous.
  if (!w->accepted || !moved_away(*w))
    return;
  if (now - f.last_reprice < params_.reprice_min_interval)
    return;
  if (f.reprices >= params_.max_reprices) {
    give_up("reprice_limit", now, out);
    return;
  }
  ++f.reprices;
  f.last_reprice = now;
  f.replace = true;
  request_cancel(*w, "reprice", now, out);
  signal("reprice", "", now, out);
}

void mean_reversion::watch_late_fill(nanos now, strategy_actions& out) {
  auto& f = *family_;
  auto* w = working_entry();
  if (f.ending || w == nullptr || w->family != f.id || w->cancel_sent)
    return;
  const quantity done = w->venue_cum > w->filled ? w->venue_cum : w->filled;
  const quantity open = w->qty - done;
  const quantity remaining = f.intent - committed();
  if (remaining < min_lot()) {
    end_family();
    request_cancel(*w, "entry_complete", now, out);
  } else if (open - remaining >= min_lot()) {
    f.replace = true;
    request_cancel(*w, "entry_resize", now, out);
  }
}

void mean_reversion::place_member(nanos now, strategy_actions& out) {
  auto& f = *family_;
  f.replace = false;
  if (trading_ != trading_state::active) {
    end_family();
    return;
  }
  if (now - f.started >= params_.maker_lifetime) {
    give_up("lifetime", now, out);
    return;
  }
  const price px = f.sd == side::buy ? best_bid_ : best_ask_;
  if (!fresh_ || !px.is_positive()) {
    f.replace = true; // on the next fresh view
    return;
  }
  const quantity sized = floor_lot(div_floor(params_.order_notional, px));
  if (sized < f.intent)
    f.intent = sized;
  const quantity left = f.intent - committed();
  if (left < min_lot())
    return; // complete: the family ends
  const quantity qty = floor_lot(left);
  const auto value = checked_mul(px, qty);
  if (!value || *value < spec_.min_notional) {
    give_up("below_min_notional", now, out);
    return;
  }
  if (f.next_member > max_member) {
    give_up("reprice_limit", now, out);
    return;
  }
  send(make_cid(f.id, f.next_member++), f.sd, time_in_force::post_only, px,
       qty, false, f.purpose, true, now, out);
}

void mean_reversion::on_cross(nanos now, strategy_actions& out) {
  auto& f = *family_;
  if (f.reprices >= params_.max_reprices) {
    give_up("reprice_limit", now, out);
    return;
  }
  ++f.reprices;
  f.last_reprice = now;
  f.replace = true; // on the next view
  signal("reprice", "", now, out);
}

void mean_reversion::member_gone(order_record& r, bool requested, bool expired,
                                 nanos now, strategy_actions& out) {
  const bool entry = r.entry;
  const uint64_t family = r.family;
  finish(r.cid);
  if (!entry || !family_ || family_->id != family || family_->ending)
    return;
  if (requested) {
    // Cancelled for a reprice or a resize: placed again at once.
    if (family_->replace)
      place_member(now, out);
  } else if (expired) {
    on_cross(now, out); // a post-only the venue expired instead of rejecting
  } else {
    end_family();
  }
}

void mean_reversion::give_up(const std::string& why, nanos now,
                             strategy_actions& out) {
  end_family();
  auto* w = working_entry();
  if (w != nullptr && !w->cancel_sent)
    request_cancel(*w, "entry_give_up", now, out);
  signal("entry_give_up", why, now, out);
}

void mean_reversion::end_family() noexcept {
  if (!family_)
    return;
  family_->ending = true;
  family_->replace = false;
}

void mean_reversion::settle_family() noexcept {
  if (!family_ || working_entry() != nullptr)
    return;
  if (family_->ending || !family_->replace)
    family_.reset();
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

quantity mean_reversion::floor_lot(quantity q) const noexcept {
  return spec_.lot.is_positive() ? q.floor_to(spec_.lot) : q;
}

quantity mean_reversion::min_lot() const noexcept {
  return spec_.lot.is_positive() ? spec_.lot : quantity::from_raw(1);
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
  const uint64_t family = family_of(cid, cid_base_);
  return family >= 1 && family <= family_seq_;
}

void mean_reversion::finish(client_order_id cid) noexcept {
  if (auto* r = find(cid))
    r->done = true;
  if (working_ && *working_ == cid)
    working_.reset();
}

client_order_id mean_reversion::make_cid(uint64_t family,
                                         uint64_t member) const noexcept {
  return client_order_id{cid_base_ + (family << member_bits) + member};
}

void mean_reversion::send(client_order_id cid, side sd, time_in_force tif,
                          price px, quantity qty, bool reduce_only,
                          const std::string& purpose, bool entry, nanos now,
                          strategy_actions& out) {
  strategy_order o;
  o.cid = cid;
  o.sd = sd;
  o.type = order_type::limit;
  o.tif = tif;
  o.px = px;
  o.qty = qty;
  o.reduce_only = reduce_only;
  o.purpose = purpose;

  order_record r;
  r.cid = cid;
  r.family = family_of(cid, cid_base_);
  r.sd = sd;
  r.px = px;
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
  working_ = cid;
  out.orders.push_back(std::move(o));
}

} // namespace agora
