#include "venues/sim/order_faults.hpp"

#include <algorithm>
#include <string>

namespace agora::sim {

std::optional<order_fault_kind> parse_order_fault(std::string_view kind) noexcept {
  if (kind == "reject-next")
    return order_fault_kind::reject;
  if (kind == "expire-next")
    return order_fault_kind::expire;
  if (kind == "partial-next")
    return order_fault_kind::partial;
  return std::nullopt;
}

std::string_view to_string(order_fault_kind kind) noexcept {
  switch (kind) {
    case order_fault_kind::reject: return "reject-next";
    case order_fault_kind::expire: return "expire-next";
    case order_fault_kind::partial: return "partial-next";
  }
  return "unset";
}

void order_faults::arm(order_fault_kind kind, symbol_id symbol) {
  armed_.emplace_back(kind, std::move(symbol));
}

std::optional<order_fault_kind> order_faults::take(const symbol_id& symbol) {
  auto i = std::find_if(armed_.begin(), armed_.end(), [&](const auto& a) {
    return !a.second.valid() || a.second == symbol;
  });
  if (i == armed_.end())
    return std::nullopt;
  auto kind = i->first;
  armed_.erase(i);
  return kind;
}

size_t order_faults::armed() const noexcept {
  return armed_.size();
}

std::vector<exec_report> order_faults::play(order_fault_kind kind,
                                            const sim_order& o,
                                            const instrument_spec& spec,
                                            std::optional<price> touch,
                                            nanos now) {
  std::vector<exec_report> out;
  exec_report base;
  base.cid = o.cid;
  base.sd = o.sd;
  base.px = o.px;
  base.qty = o.qty;
  base.venue_time = now;
  auto refuse = [&](reject_reason reason, std::string detail) {
    auto r = base;
    r.what = exec_report::kind::rejected;
    r.reason = reason;
    r.detail = std::move(detail);
    out.push_back(std::move(r));
    return out;
  };
  if (kind == order_fault_kind::reject)
    return refuse(reject_reason::venue_rejected, "injected reject");
  bool is_market = o.type == order_type::market;
  if (!o.qty.is_positive())
    return refuse(reject_reason::invalid_quantity,
                  "quantity " + o.qty.to_string() + " is not positive");
  if (spec.lot.is_positive() && !o.qty.is_multiple_of(spec.lot))
    return refuse(reject_reason::invalid_quantity,
                  "quantity " + o.qty.to_string() + " is not a multiple of lot "
                    + spec.lot.to_string());
  price fill_px;
  if (is_market) {
    if (!touch || !touch->is_positive())
      return refuse(reject_reason::no_liquidity, "nothing to take");
    fill_px = *touch;
  } else {
    if (!o.px.is_positive())
      return refuse(reject_reason::invalid_price,
                    "price " + o.px.to_string() + " is not positive");
    if (spec.tick.is_positive() && !o.px.is_multiple_of(spec.tick))
      return refuse(reject_reason::invalid_price,
                    "price " + o.px.to_string() + " is not a multiple of tick "
                      + spec.tick.to_string());
    fill_px = o.px;
  }
  auto value = checked_mul(fill_px, o.qty);
  if (!value)
    return refuse(reject_reason::invalid_quantity, "notional overflows");
  if (*value < spec.min_notional)
    return refuse(reject_reason::below_min_notional,
                  "notional " + value->to_string() + " is below the minimum "
                    + spec.min_notional.to_string());
  auto oid = order_id{next_order_id_++};
  auto acc = base;
  acc.what = exec_report::kind::accepted;
  acc.oid = oid;
  if (is_market)
    acc.px = price{};
  acc.leaves_qty = o.qty;
  out.push_back(acc);
  quantity cum;
  if (kind == order_fault_kind::partial) {
    auto half = quantity::from_raw(o.qty.raw() / 2);
    if (spec.lot.is_positive())
      half = half.floor_to(spec.lot);
    if (half.is_positive()) {
      cum = half;
      exec_report f = base;
      f.what = exec_report::kind::fill;
      f.oid = oid;
      f.tid = trade_id{next_trade_id_++};
      f.px = fill_px;
      f.qty = half;
      f.cum_qty = half;
      f.leaves_qty = o.qty - half;
      f.fee = mul(mul(fill_px, half), spec.taker_fee);
      f.liq = liquidity::taker;
      out.push_back(std::move(f));
    }
  }
  auto c = base;
  c.what = exec_report::kind::canceled;
  c.oid = oid;
  c.px = acc.px;
  c.cum_qty = cum;
  c.why = cancel_reason::expired;
  out.push_back(std::move(c));
  return out;
}

} // namespace agora::sim
