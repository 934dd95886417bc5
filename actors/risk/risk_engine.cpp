#include "actors/risk/risk_engine.hpp"

#include <algorithm>
#include <set>
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

namespace {

std::string at_scope(const scoped_state& s) {
  return s.scope.global() ? std::string{} : " at " + s.scope.to_string();
}

} // namespace

risk_decision risk_engine::check(const submit_order& o,
                                 std::optional<price> reference,
                                 nanos now) const {
  auto eff = scopes_.effective(o.venue, o.strategy, o.symbol);
  auto pos = book_.position(o.venue, o.symbol);
  // Buys add, sells subtract; computed wide so no quantity can overflow.
  int128 before = pos.raw();
  int128 after = before + (o.sd == side::buy ? o.qty.raw() : -o.qty.raw());
  auto abs128 = [](int128 x) { return x < 0 ? -x : x; };
  // Strictly reduces |position| without crossing zero.
  bool reduces = o.qty.is_positive() && before != 0
                 && (o.sd == side::buy) == (before < 0)
                 && o.qty.raw() <= abs128(before);
  bool increases = abs128(after) > abs128(before);
  if (eff.state == trading_state::halted && !(o.emergency && reduces))
    return deny(reject_reason::trading_halted,
                "trading halted" + at_scope(eff) + ": " + eff.reason);
  if (!o.qty.is_positive())
    return deny(reject_reason::invalid_quantity,
                "quantity " + o.qty.to_string() + " <= 0");
  if (o.type == order_type::limit && !o.px.is_positive())
    return deny(reject_reason::invalid_price,
                "price " + o.px.to_string() + " <= 0");
  if (reduces) {
    auto v = venue_positions_.find({o.venue, o.symbol});
    if (v != venue_positions_.end()
        && now - v->second.at <= limits_.flip_guard_max_age
        && (v->second.qty.is_zero()
            || v->second.qty.is_positive() != pos.is_positive())) {
      auto d = deny(reject_reason::position_mismatch,
                    "venue holds " + v->second.qty.to_string()
                      + ", our record " + pos.to_string() + ": "
                      + std::string{to_string(o.sd)} + " "
                      + o.qty.to_string()
                      + " would open a position on the venue");
      d.correction = position_correction{o.venue, o.symbol, pos, v->second.qty};
      return d;
    }
  }
  if (eff.state == trading_state::reducing && !reduces)
    return deny(reject_reason::reduce_only,
                "state reducing" + at_scope(eff) + ": "
                  + std::string{to_string(o.sd)} + " " + o.qty.to_string()
                  + " does not reduce position " + pos.to_string());
  if (o.reduce_only && !reduces)
    return deny(reject_reason::reduce_only,
                "reduce-only " + std::string{to_string(o.sd)} + " "
                  + o.qty.to_string() + " does not reduce position "
                  + pos.to_string());
  if (macro_ && !reduces)
    return deny(reject_reason::macro_window,
                "macro window: " + *macro_ + ": no new entries ("
                  + std::string{to_string(o.sd)} + " " + o.qty.to_string()
                  + " on position " + pos.to_string() + ")");
  if (before == 0) {
    auto g = limits_.symbol_groups.find(o.symbol.str());
    if (g != limits_.symbol_groups.end()) {
      auto cap = limits_.max_open_positions_per_group.find(g->second);
      if (cap != limits_.max_open_positions_per_group.end()) {
        auto open = count_group(g->second, o.venue, o.symbol);
        if (open >= cap->second)
          return deny(reject_reason::group_cap,
                      "group " + g->second + " holds " + std::to_string(open)
                        + " open position(s), max "
                        + std::to_string(cap->second));
      }
    }
  }
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

uint64_t risk_engine::count_group(const std::string& group,
                                  const venue_id& skip_venue,
                                  const symbol_id& skip_symbol) const {
  auto in_group = [&](const symbol_id& s) {
    auto g = limits_.symbol_groups.find(s.str());
    return g != limits_.symbol_groups.end() && g->second == group;
  };
  std::set<std::pair<venue_id, symbol_id>> keys;
  for (auto& p : book_.all())
    if (!p.qty.is_zero() && in_group(p.symbol))
      keys.emplace(p.venue, p.symbol);
  for (auto& [cid, x] : open_)
    if (x.opening && in_group(x.symbol))
      keys.emplace(x.venue, x.symbol);
  keys.erase({skip_venue, skip_symbol});
  return keys.size();
}

std::vector<open_entry> risk_engine::open_entries() const {
  std::vector<open_entry> out;
  for (auto& [cid, x] : open_) {
    if (x.reduce_only)
      continue;
    auto pos = book_.position(x.venue, x.symbol);
    bool reduces = !pos.is_zero() && (x.sd == side::buy) == pos.is_negative()
                   && x.remaining <= pos.abs();
    if (!reduces)
      out.push_back(open_entry{cid, x.venue, x.symbol, x.strategy});
  }
  std::sort(out.begin(), out.end(), [](const open_entry& a, const open_entry& b) {
    return a.cid < b.cid;
  });
  return out;
}

uint64_t risk_engine::group_open_positions(const std::string& group) const {
  return count_group(group, venue_id{}, symbol_id{});
}

void risk_engine::venue_position(const venue_id& v, const symbol_id& s,
                                 quantity qty, nanos at) {
  // Only a quiet symbol's venue position is comparable with ours: with an
  // order of ours open there, the venue may fill it at any moment and the
  // two records pass each other.
  for (auto& [cid, o] : open_)
    if (o.venue == v && o.symbol == s) {
      venue_positions_.erase({v, s});
      return;
    }
  venue_positions_[{v, s}] = venue_report{qty, at};
}

void risk_engine::on_sent(const submit_order& o,
                          std::optional<price> reference) {
  on_done(o.cid);
  venue_positions_.erase({o.venue, o.symbol}); // older than this order now
  price px = o.px;
  if (o.type == order_type::market && reference && reference->is_positive())
    px = *reference;
  auto remaining = o.qty.is_positive() ? o.qty : quantity{};
  open_order x{px, remaining, mul(px, remaining).abs(), o.venue, o.symbol,
               book_.position(o.venue, o.symbol).is_zero(), o.sd, o.reduce_only,
               o.strategy};
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
  venue_positions_.erase({f.venue, f.symbol}); // older than this fill now
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
  return scopes_.global();
}

const std::string& risk_engine::state_reason() const noexcept {
  return scopes_.global_entry().reason;
}

uint64_t risk_engine::epoch() const noexcept {
  return epoch_;
}

bool risk_engine::set_state(trading_state s, std::string reason, std::string by,
                            nanos now) {
  return set_scope_state(trading_scope{}, s, std::move(reason), std::move(by), now);
}

bool risk_engine::set_scope_state(const trading_scope& scope, trading_state s,
                                  std::string reason, std::string by, nanos now) {
  if (!scopes_.set(scope, s, std::move(reason), std::move(by), now))
    return false;
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
