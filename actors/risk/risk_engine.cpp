#include "actors/risk/risk_engine.hpp"

#include <utility>

namespace agora {

namespace {

__extension__ typedef __int128 int128;

notional add(notional x, notional y) noexcept {
  int128 r = static_cast<int128>(x.raw()) + y.raw();
  if (r > fixed_max_raw)
    return notional::max();
  if (r < -fixed_max_raw)
    return -notional::max();
  return notional::from_raw(static_cast<int64_t>(r));
}

risk_decision deny(reject_reason reason, std::string detail) {
  risk_decision d;
  d.allowed = false;
  d.reason = reason;
  d.detail = std::move(detail);
  return d;
}

risk_decision allow() {
  risk_decision d;
  d.allowed = true;
  return d;
}

} // namespace

risk_engine::risk_engine(risk_limits limits) : limits_(limits) {
  // nop
}

risk_decision risk_engine::check(const submit_order& o,
                                 std::optional<price> reference) const {
  if (state_ == trading_state::halted)
    return deny(reject_reason::trading_halted,
                "trading halted: " + state_reason_);
  if (!o.qty.is_positive())
    return deny(reject_reason::invalid_quantity,
                "quantity " + o.qty.to_string() + " <= 0");
  if (o.type == order_type::limit && !o.px.is_positive())
    return deny(reject_reason::invalid_price,
                "price " + o.px.to_string() + " <= 0");
  auto pos = book_.position(o.venue, o.symbol);
  // Buys add, sells subtract; computed wide so no quantity can overflow.
  int128 before = pos.raw();
  int128 after = before + (o.sd == side::buy ? o.qty.raw() : -o.qty.raw());
  auto abs128 = [](int128 x) { return x < 0 ? -x : x; };
  // Strictly reduces |position| without crossing zero.
  bool reduces = before != 0 && (o.sd == side::buy) == (before < 0)
                 && o.qty.raw() <= abs128(before);
  bool increases = abs128(after) > abs128(before);
  if (state_ == trading_state::reducing && !reduces)
    return deny(reject_reason::reduce_only,
                "state reducing: " + std::string{to_string(o.sd)} + " "
                  + o.qty.to_string() + " does not reduce position "
                  + pos.to_string());
  if (o.reduce_only && !reduces)
    return deny(reject_reason::reduce_only,
                "reduce-only " + std::string{to_string(o.sd)} + " "
                  + o.qty.to_string() + " does not reduce position "
                  + pos.to_string());
  price px = o.px;
  if (o.type == order_type::market) {
    if (!reference || !reference->is_positive()) {
      if (reduces)
        return allow();
      return deny(reject_reason::invalid_price,
                  "market order without a reference price");
    }
    px = *reference;
  }
  auto value = mul(px, o.qty);
  if (value > limits_.max_order_notional)
    return deny(reject_reason::max_order_notional,
                "order " + value.to_string() + " > max "
                  + limits_.max_order_notional.to_string());
  if (!increases)
    return allow();
  // |after| exceeds the 64-bit range only for absurd sizes: saturate.
  auto abs_after = abs128(after) > fixed_max_raw
                     ? quantity::max()
                     : quantity::from_raw(static_cast<int64_t>(abs128(after)));
  auto position_value = mul(px, abs_after);
  if (position_value > limits_.max_position_notional)
    return deny(reject_reason::position_cap,
                "position " + position_value.to_string() + " > max "
                  + limits_.max_position_notional.to_string());
  auto gross = add(add(book_.gross_exposure(), open_exposure_), value);
  if (gross > limits_.max_gross_exposure)
    return deny(reject_reason::gross_exposure,
                "gross " + gross.to_string() + " > max "
                  + limits_.max_gross_exposure.to_string());
  return allow();
}

void risk_engine::on_sent(const submit_order& o,
                          std::optional<price> reference) {
  on_done(o.cid);
  price px = o.px;
  if (o.type == order_type::market && reference && reference->is_positive())
    px = *reference;
  auto remaining = o.qty.is_positive() ? o.qty : quantity{};
  open_order x{px, remaining, mul(px, remaining).abs()};
  open_exposure_ = add(open_exposure_, x.exposure);
  open_.emplace(o.cid, x);
}

void risk_engine::release(open_order& x, quantity filled) {
  x.remaining = filled >= x.remaining ? quantity{} : x.remaining - filled;
  auto exposure = mul(x.px, x.remaining).abs();
  open_exposure_ = add(open_exposure_, exposure - x.exposure);
  x.exposure = exposure;
}

void risk_engine::on_fill(const order_filled& f) {
  book_.apply_fill(f);
  auto i = open_.find(f.cid);
  if (i == open_.end() || !f.fill_qty.is_positive())
    return;
  release(i->second, f.fill_qty);
  if (i->second.remaining.is_zero())
    open_.erase(i);
}

void risk_engine::adjust(const venue_id& v, const symbol_id& s, quantity delta,
                         price fallback) {
  if (delta.is_zero())
    return;
  order_filled f;
  f.venue = v;
  f.symbol = s;
  f.sd = delta.is_positive() ? side::buy : side::sell;
  f.fill_qty = delta.abs();
  f.fill_px = fallback;
  if (auto* p = book_.find(v, s)) {
    if (p->avg_price.is_positive())
      f.fill_px = p->avg_price;
    else if (p->mark.is_positive())
      f.fill_px = p->mark;
  }
  book_.apply_fill(f);
}

void risk_engine::on_done(client_order_id cid) {
  auto i = open_.find(cid);
  if (i == open_.end())
    return;
  release(i->second, i->second.remaining);
  open_.erase(i);
}

void risk_engine::mark(const venue_id& v, const symbol_id& s, price px) {
  book_.mark(v, s, px);
}

trading_state risk_engine::state() const noexcept {
  return state_;
}

const std::string& risk_engine::state_reason() const noexcept {
  return state_reason_;
}

uint64_t risk_engine::epoch() const noexcept {
  return epoch_;
}

bool risk_engine::set_state(trading_state s, std::string reason) {
  if (s == state_)
    return false;
  state_ = s;
  state_reason_ = std::move(reason);
  ++epoch_;
  return true;
}

const position_book& risk_engine::positions() const noexcept {
  return book_;
}

notional risk_engine::open_order_exposure() const noexcept {
  return open_exposure_;
}

const risk_limits& risk_engine::limits() const noexcept {
  return limits_;
}

void risk_engine::set_limits(risk_limits l) {
  limits_ = l;
}

} // namespace agora
