#include "actors/gateway/order_rules.hpp"

namespace agora {

namespace {

rounding_result refuse(reject_reason reason, std::string detail) {
  rounding_result r;
  r.ok = false;
  r.reason = reason;
  r.detail = std::move(detail);
  return r;
}

} // namespace

rounding_result apply_instrument_rules(const submit_order& o,
                                       const instrument_spec& spec,
                                       std::optional<price> reference) {
  // -- quantity: always floored to the lot, never rounded up.
  if (!spec.lot.is_positive())
    return refuse(reject_reason::invalid_quantity,
                  "instrument lot " + spec.lot.to_string() + " is not positive");
  if (!o.qty.is_positive())
    return refuse(reject_reason::invalid_quantity,
                  "quantity " + o.qty.to_string() + " <= 0");
  auto qty = o.qty.floor_to(spec.lot);
  if (qty.is_zero())
    return refuse(reject_reason::invalid_quantity,
                  "quantity " + o.qty.to_string() + " floors to 0 at lot "
                    + spec.lot.to_string());
  // -- price: never more aggressive than asked.
  auto px = o.px;
  if (o.type == order_type::limit) {
    if (!spec.tick.is_positive())
      return refuse(reject_reason::invalid_price,
                    "instrument tick " + spec.tick.to_string()
                      + " is not positive");
    if (!o.px.is_positive())
      return refuse(reject_reason::invalid_price,
                    "price " + o.px.to_string() + " <= 0");
    if (o.sd == side::buy) {
      px = o.px.floor_to(spec.tick);
      if (!px.is_positive())
        return refuse(reject_reason::invalid_price,
                      "price " + o.px.to_string() + " floors to 0 at tick "
                        + spec.tick.to_string());
    } else {
      if (o.px.raw() > fixed_max_raw - spec.tick.raw())
        return refuse(reject_reason::invalid_price,
                      "price " + o.px.to_string() + " out of range");
      px = o.px.ceil_to(spec.tick);
    }
  }
  // -- minimum notional, at the price the order will trade near.
  std::optional<price> at;
  if (o.type == order_type::limit)
    at = px;
  else if (reference && reference->is_positive())
    at = *reference;
  if (at) {
    auto value = mul(*at, qty); // saturates: a huge order is not "too small"
    if (value < spec.min_notional)
      return refuse(reject_reason::below_min_notional,
                    "notional " + value.to_string() + " < min "
                      + spec.min_notional.to_string());
  }
  rounding_result r;
  r.ok = true;
  r.px = px;
  r.qty = qty;
  return r;
}

} // namespace agora
