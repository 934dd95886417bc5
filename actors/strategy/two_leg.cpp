#include "actors/strategy/two_leg.hpp"

#include <algorithm>
#include <utility>

namespace agora {

namespace {

std::string word(side sd, bool past) {
  if (!past)
    return std::string{to_string(sd)};
  return sd == side::buy ? "bought" : "sold";
}

/// "+0.015" / "-0.015" / "0".
std::string signed_text(quantity q) {
  return q.is_positive() ? "+" + q.to_string() : q.to_string();
}

} // namespace

two_leg::two_leg(two_leg_request req, std::vector<instrument_spec> specs,
                 uint64_t cid_base, two_leg_params p)
  : req_(std::move(req)),
    specs_(std::move(specs)),
    cid_base_(cid_base),
    params_(std::move(p)) {
  if (params_.max_unwind_attempts < 1)
    params_.max_unwind_attempts = 1;
  if (params_.unwind_retry < 0)
    params_.unwind_retry = 0;
  for (size_t i = 0; i < req_.legs.size(); ++i) {
    auto& leg = req_.legs[i];
    tracked t;
    t.report.cid = client_order_id{cid_base_ + 1 + i};
    t.report.venue = leg.venue;
    t.report.symbol = leg.symbol;
    t.report.sd = leg.sd;
    t.report.px = leg.px;
    t.report.qty = leg.qty;
    legs_.push_back(std::move(t));
  }
  if (req_.legs.size() != 2) {
    invalid_why_ = "a two-leg trade needs exactly two legs, got "
                   + std::to_string(req_.legs.size());
  } else if (specs_.size() != 2) {
    invalid_why_ = "one instrument spec per leg needed, got "
                   + std::to_string(specs_.size());
  } else if (req_.legs[0].sd == req_.legs[1].sd) {
    invalid_why_ = "both legs " + std::string{to_string(req_.legs[0].sd)}
                   + ": the legs of a hedge are of opposite sides";
  } else {
    for (size_t i = 0; i < 2 && invalid_why_.empty(); ++i) {
      auto& leg = req_.legs[i];
      auto n = "leg " + std::to_string(i + 1) + ": ";
      if (!leg.qty.is_positive())
        invalid_why_ = n + "quantity " + leg.qty.to_string()
                       + " is not positive";
      else if (specs_[i].symbol != leg.symbol)
        invalid_why_ = n + "spec is for " + specs_[i].symbol.str()
                       + ", not " + leg.symbol.str();
      else if (!specs_[i].lot.is_positive())
        invalid_why_ = n + "lot " + specs_[i].lot.to_string()
                       + " is not positive";
    }
  }
  valid_ = invalid_why_.empty();
}

// -- commands -----------------------------------------------------------------

two_leg_actions two_leg::start(nanos now) {
  two_leg_actions out;
  if (phase_ != phase::idle)
    return out;
  started_ = now;
  last_now_ = now;
  deadline_at_ = now + req_.deadline;
  if (!valid_) {
    finish(two_leg_outcome::none, now, out);
    return out;
  }
  phase_ = phase::legs;
  for (size_t i = 0; i < 2; ++i) {
    auto& leg = req_.legs[i];
    submit_order o;
    o.cid = legs_[i].report.cid;
    o.venue = leg.venue;
    o.symbol = leg.symbol;
    o.sd = leg.sd;
    o.type = order_type::limit;
    o.tif = leg.tif;
    o.px = leg.px;
    o.qty = leg.qty;
    o.reduce_only = leg.reduce_only;
    o.strategy = req_.strategy;
    o.local_time = now;
    out.orders.push_back(std::move(o));
  }
  return out;
}

two_leg_actions two_leg::on_deadline(nanos now) {
  two_leg_actions out;
  now = time_of(now);
  if (phase_ != phase::legs)
    return out;
  for (auto& leg : legs_)
    if (!terminal(leg.report.status) && !leg.cancel_sent)
      out.cancels.push_back(make_cancel(leg, now));
  return out;
}

two_leg_actions two_leg::on_timer(nanos now, std::optional<price> ref0,
                                  std::optional<price> ref1) {
  two_leg_actions out;
  if (ref0)
    set_reference(0, *ref0);
  if (ref1)
    set_reference(1, *ref1);
  if (phase_ == phase::idle || phase_ == phase::over)
    return out;
  now = time_of(now);
  for (auto& leg : legs_)
    if (leg.cancel_retry_at != 0 && now >= leg.cancel_retry_at
        && !leg.cancel_sent && !terminal(leg.report.status))
      out.cancels.push_back(make_cancel(leg, now));
  if (phase_ == phase::unwinding && retry_at_ != 0 && now >= retry_at_)
    send_unwind(now, out);
  return out;
}

void two_leg::set_reference(size_t leg, price px) {
  if (leg < refs_.size() && px.is_positive())
    refs_[leg] = px;
}

// -- events -------------------------------------------------------------------

two_leg_actions two_leg::on_accepted(const order_accepted& e) {
  two_leg_actions out;
  auto* o = find(e.cid);
  if (o == nullptr || phase_ == phase::over)
    return out;
  time_of(e.local_time);
  if (o->report.status == order_status::pending_new)
    o->report.status = order_status::accepted;
  return out;
}

two_leg_actions two_leg::on_filled(const order_filled& e) {
  two_leg_actions out;
  auto* o = find(e.cid);
  if (o == nullptr || phase_ == phase::over)
    return out;
  auto now = time_of(e.local_time);
  if (!apply_fill(*o, e))
    return out;
  advance(now, out);
  return out;
}

two_leg_actions two_leg::on_canceled(const order_canceled& e) {
  two_leg_actions out;
  auto* o = find(e.cid);
  if (o == nullptr || phase_ == phase::over)
    return out;
  auto now = time_of(e.local_time);
  auto& r = o->report;
  if (terminal(r.status))
    return out;
  // A fill still in flight is counted from the venue's cum_qty.
  auto cum = std::min(e.cum_qty, r.qty);
  if (cum > r.filled)
    r.filled = cum;
  o->cancel_retry_at = 0;
  if (r.filled >= r.qty)
    r.status = order_status::filled;
  else
    r.status = e.reason == cancel_reason::expired ? order_status::expired
                                                  : order_status::canceled;
  r.detail = std::string{to_string(e.reason)};
  advance(now, out);
  return out;
}

two_leg_actions two_leg::on_rejected(const order_rejected& e) {
  two_leg_actions out;
  auto* o = find(e.cid);
  if (o == nullptr || phase_ == phase::over)
    return out;
  auto now = time_of(e.local_time);
  auto& r = o->report;
  // A refused cancel of an order that is over: harmless.
  if (terminal(r.status))
    return out;
  // A refused cancel of an order still working (acknowledged, or the cancel
  // overtook it): send it again later.
  bool acknowledged = r.status == order_status::accepted
                      || r.status == order_status::partially_filled;
  if (o->cancel_sent
      && (acknowledged || e.reason == reject_reason::unknown_order)) {
    o->cancel_sent = false;
    o->cancel_retry_at = now + std::max<nanos>(params_.unwind_retry, 1);
    return out;
  }
  r.status = order_status::rejected;
  r.detail = std::string{to_string(e.reason)};
  if (!e.detail.empty())
    r.detail += ": " + e.detail;
  o->cancel_retry_at = 0;
  advance(now, out);
  return out;
}

// -- queries ------------------------------------------------------------------

bool two_leg::done() const noexcept {
  return phase_ == phase::over;
}

two_leg_result two_leg::snapshot(nanos now) const {
  two_leg_result r;
  r.trade = req_.trade;
  r.strategy = req_.strategy;
  r.purpose = req_.purpose;
  r.outcome = phase_ == phase::over ? outcome_ : two_leg_outcome::none;
  for (auto& l : legs_)
    r.legs.push_back(l.report);
  for (auto& u : unwinds_)
    r.unwinds.push_back(u.report);
  r.detail = summary();
  r.started = started_;
  r.legs_sent = valid_ && phase_ != phase::idle ? started_ : 0;
  r.finished = phase_ == phase::over ? finished_at_ : now;
  return r;
}

bool two_leg::ours(client_order_id cid) const noexcept {
  auto match = [cid](const tracked& t) { return t.report.cid == cid; };
  return std::any_of(legs_.begin(), legs_.end(), match)
         || std::any_of(unwinds_.begin(), unwinds_.end(), match);
}

nanos two_leg::deadline_at() const noexcept {
  return deadline_at_;
}

quantity two_leg::exposure() const noexcept {
  quantity e;
  for (auto& l : legs_)
    e += signed_filled(l);
  for (auto& u : unwinds_)
    e += signed_filled(u);
  return e;
}

// -- internals ----------------------------------------------------------------

bool two_leg::terminal(order_status s) noexcept {
  return s == order_status::filled || s == order_status::canceled
         || s == order_status::rejected || s == order_status::expired;
}

bool two_leg::failed(const tracked& o) noexcept {
  auto s = o.report.status;
  return s == order_status::rejected
         || ((s == order_status::canceled || s == order_status::expired)
             && o.report.filled < o.report.qty);
}

quantity two_leg::signed_filled(const tracked& o) noexcept {
  return o.report.sd == side::buy ? o.report.filled : -o.report.filled;
}

two_leg::tracked* two_leg::find(client_order_id cid) noexcept {
  for (auto& l : legs_)
    if (l.report.cid == cid)
      return &l;
  for (auto& u : unwinds_)
    if (u.report.cid == cid)
      return &u;
  return nullptr;
}

nanos two_leg::time_of(nanos event_time) noexcept {
  last_now_ = std::max(last_now_, event_time);
  return last_now_;
}

cancel_order two_leg::make_cancel(tracked& o, nanos now) const {
  o.cancel_sent = true;
  o.cancel_retry_at = 0;
  return cancel_order{o.report.cid, o.report.venue, o.report.symbol,
                      req_.strategy, now};
}

bool two_leg::apply_fill(tracked& o, const order_filled& e) {
  auto& r = o.report;
  auto cum = std::min(e.cum_qty, r.qty);
  if (cum <= o.applied)
    return false;
  auto delta = cum - o.applied;
  o.applied = cum;
  o.value += mul(e.fill_px, delta);
  r.fees += e.fee;
  r.avg_px = div(o.value, o.applied);
  if (o.applied > r.filled)
    r.filled = o.applied;
  if (!terminal(r.status))
    r.status = r.filled >= r.qty ? order_status::filled
                                 : order_status::partially_filled;
  return true;
}

void two_leg::advance(nanos now, two_leg_actions& out) {
  if (phase_ == phase::legs) {
    for (size_t i = 0; i < 2; ++i) {
      auto& other = legs_[1 - i];
      if (failed(legs_[i]) && !terminal(other.report.status)
          && !other.cancel_sent)
        out.cancels.push_back(make_cancel(other, now));
    }
    if (!terminal(legs_[0].report.status) || !terminal(legs_[1].report.status))
      return;
    auto e = exposure();
    unwind_leg_ = legs_[0].report.filled >= legs_[1].report.filled ? 0 : 1;
    if (e.abs() < specs_[unwind_leg_].lot) {
      bool nothing = legs_[0].report.filled.is_zero()
                     && legs_[1].report.filled.is_zero();
      finish(nothing ? two_leg_outcome::none : two_leg_outcome::filled, now,
             out);
      return;
    }
    phase_ = phase::unwinding;
    risk_exposure_ = e;
    out.leg_risk = true;
    auto& spec = specs_[unwind_leg_];
    out.detail = "leg risk: " + legs_text() + "; exposure " + signed_text(e)
                 + " -> unwinding " + word(e.is_positive() ? side::sell : side::buy, false)
                 + " " + e.abs().floor_to(spec.lot).to_string() + " "
                 + spec.symbol.str() + " at market";
    send_unwind(now, out);
    return;
  }
  if (phase_ != phase::unwinding || unwinds_.empty())
    return;
  if (!terminal(unwinds_.back().report.status))
    return;
  if (exposure().abs() < specs_[unwind_leg_].lot) {
    finish(two_leg_outcome::unwound, now, out);
    return;
  }
  if (retry_at_ != 0)
    return;
  if (unwinds_.size() >= static_cast<size_t>(params_.max_unwind_attempts)) {
    finish(two_leg_outcome::unwind_failed, now, out);
    return;
  }
  retry_at_ = now + params_.unwind_retry;
}

void two_leg::send_unwind(nanos now, two_leg_actions& out) {
  retry_at_ = 0;
  auto& spec = specs_[unwind_leg_];
  auto& leg = req_.legs[unwind_leg_];
  auto e = exposure();
  auto q = e.abs().floor_to(spec.lot);
  if (!q.is_positive()) {
    finish(two_leg_outcome::unwound, now, out);
    return;
  }
  submit_order o;
  o.cid = client_order_id{cid_base_ + 3 + unwinds_.size()};
  o.venue = leg.venue;
  o.symbol = leg.symbol;
  o.sd = e.is_positive() ? side::sell : side::buy;
  o.type = order_type::market;
  o.tif = time_in_force::ioc;
  o.px = refs_[unwind_leg_].value_or(price{});
  o.qty = q;
  o.reduce_only = spec.perpetual;
  o.strategy = req_.strategy;
  o.local_time = now;
  o.emergency = true;
  tracked t;
  t.report.cid = o.cid;
  t.report.venue = o.venue;
  t.report.symbol = o.symbol;
  t.report.sd = o.sd;
  t.report.px = o.px;
  t.report.qty = o.qty;
  unwinds_.push_back(std::move(t));
  out.orders.push_back(std::move(o));
}

void two_leg::finish(two_leg_outcome outcome, nanos now,
                     two_leg_actions& out) {
  outcome_ = outcome;
  phase_ = phase::over;
  finished_at_ = now;
  retry_at_ = 0;
  out.finished = snapshot(now);
  if (!out.leg_risk)
    out.detail = out.finished->detail;
}

std::string two_leg::order_text(const tracked& o) {
  auto& r = o.report;
  auto s = r.symbol.str() + " " + std::string{to_string(r.sd)} + " "
           + r.filled.to_string() + "/" + r.qty.to_string() + " "
           + std::string{to_string(r.status)};
  if (r.avg_px.is_positive())
    s += " at " + r.avg_px.to_string();
  if (!r.detail.empty())
    s += " (" + r.detail + ")";
  return s;
}

std::string two_leg::legs_text() const {
  std::string s;
  for (size_t i = 0; i < legs_.size(); ++i) {
    if (i > 0)
      s += "; ";
    s += "leg " + std::to_string(i + 1) + " " + order_text(legs_[i]);
  }
  return s;
}

std::string two_leg::summary() const {
  if (!valid_)
    return "invalid request: " + invalid_why_;
  auto s = legs_text();
  quantity unwound;
  for (auto& u : unwinds_)
    unwound += u.report.filled;
  auto attempts = std::to_string(unwinds_.size()) + " attempt"
                  + (unwinds_.size() == 1 ? "" : "s");
  auto unwind_side = unwinds_.empty() ? side::sell : unwinds_.front().report.sd;
  switch (phase_) {
    case phase::idle:
      return s + " -> not started";
    case phase::legs:
      return s + " -> working";
    case phase::unwinding:
      return s + " -> leg risk: exposure " + signed_text(exposure())
             + ", unwinding (" + attempts + " so far)";
    case phase::over:
      break;
  }
  switch (outcome_) {
    case two_leg_outcome::filled: {
      bool full = legs_[0].report.filled == legs_[0].report.qty
                  && legs_[1].report.filled == legs_[1].report.qty;
      return s + (full ? " -> hedged" : " -> hedged (partial fills)");
    }
    case two_leg_outcome::none:
      return s + " -> nothing filled";
    case two_leg_outcome::unwound:
      s += " -> unwound " + word(unwind_side, false) + " "
           + unwound.to_string();
      if (unwinds_.size() > 1)
        s += " in " + attempts;
      return s;
    case two_leg_outcome::unwind_failed:
      return s + " -> unwind failed after " + attempts + ": "
             + word(unwind_side, true) + " " + unwound.to_string() + " of "
             + risk_exposure_.abs().to_string() + ", exposure "
             + signed_text(exposure()) + " remains";
  }
  return s;
}

} // namespace agora
