#include "venues/exchange_sim/usdm_wallet.hpp"

namespace agora::xsim {

usdm_wallet::usdm_wallet(notional wallet_balance) : wallet_(wallet_balance) {
}

notional usdm_wallet::apply_fill(const std::string& symbol, side sd, price px,
                                 quantity qty, notional fee) {
  auto& p = positions_[symbol];
  quantity signed_qty = sd == side::buy ? qty : -qty;
  notional realized;
  bool adds = p.amount.is_zero() || (p.amount.is_positive() == (sd == side::buy));
  if (adds) {
    auto held = p.amount.abs();
    auto total = mul(p.entry, held) + mul(px, qty);
    p.amount += signed_qty;
    p.entry = div(total, p.amount.abs());
  } else {
    auto held = p.amount.abs();
    auto closed = qty < held ? qty : held;
    auto diff = p.amount.is_positive() ? px - p.entry : p.entry - px;
    realized = mul(diff, closed);
    p.amount += signed_qty;
    if (p.amount.is_zero())
      p.entry = price{};
    else if (qty > held)
      p.entry = px; // Flipped: the remainder opened at this fill's price.
  }
  p.realized += realized;
  p.fees += fee;
  wallet_ += realized - fee;
  return realized;
}

usdm_wallet::position usdm_wallet::get(const std::string& symbol) const {
  auto i = positions_.find(symbol);
  return i == positions_.end() ? position{} : i->second;
}

notional usdm_wallet::unrealized(const position& p, price mark) noexcept {
  if (p.amount.is_zero())
    return notional{};
  return mul(mark - p.entry, p.amount);
}

} // namespace agora::xsim
