#pragma once

// What the mean-reversion tests share: one instrument (sim BTCUSDT, tick
// 0.01, lot 0.001), client ids by family, book views and venue events.

#include "actors/strategy/mean_reversion.hpp"

namespace agora::strategy_test {

inline constexpr nanos minute = 60 * ns_per_s;
inline constexpr uint64_t cid_base = 1000;

/// The client id of `member` of `family`: cid_base + (family << 8) + member.
constexpr uint64_t cid(uint64_t family, uint64_t member = 0) {
  return cid_base + (family << 8) + member;
}

inline price px(const char* text) {
  return *price::parse(text);
}

inline quantity qty(const char* text) {
  return *quantity::parse(text);
}

/// Sim BTCUSDT: tick 0.01, lot 0.001, minimum notional 5.
inline instrument_spec test_spec() {
  instrument_spec s;
  s.venue = venue_id{"sim"};
  s.symbol = symbol_id{"BTCUSDT"};
  s.tick = px("0.01");
  s.lot = qty("0.001");
  s.min_notional = notional::from_units(5);
  return s;
}

/// Defaults (watchdog: threshold 0.1%, 2 s, 30 s, 5 reprices), but a 5-bar
/// window so z-scores can be worked out by hand.
inline mean_reversion_params test_params() {
  mean_reversion_params p;
  p.window = 5;
  return p;
}

/// A book whose mid is `mid`, best bid mid - 0.01, best ask mid + 0.01 (two
/// levels of 5 a side, 0.01 apart), imbalance `rho`, at `t`.
inline book_view make_view(const char* mid, double rho, nanos t) {
  book_view v;
  v.venue = venue_id{"sim"};
  v.symbol = symbol_id{"BTCUSDT"};
  v.mid = px(mid);
  v.bids = {{v.mid - px("0.01"), qty("5")}, {v.mid - px("0.02"), qty("5")}};
  v.asks = {{v.mid + px("0.01"), qty("5")}, {v.mid + px("0.02"), qty("5")}};
  v.microprice = v.mid.to_double();
  v.imbalance = rho;
  v.venue_time = t;
  v.local_time = t;
  return v;
}

inline order_filled make_fill(uint64_t id, side sd, const char* price_text,
                              const char* fill_qty, const char* cum,
                              const char* leaves, nanos t) {
  order_filled f;
  f.cid = client_order_id{id};
  f.venue = venue_id{"sim"};
  f.symbol = symbol_id{"BTCUSDT"};
  f.sd = sd;
  f.fill_px = px(price_text);
  f.fill_qty = qty(fill_qty);
  f.cum_qty = qty(cum);
  f.leaves_qty = qty(leaves);
  f.venue_time = t;
  f.local_time = t;
  return f;
}

/// Order `id` canceled at `t` with `cum` filled before.
inline order_canceled make_canceled(uint64_t id, nanos t, const char* cum = "0",
                                    cancel_reason why = cancel_reason::requested) {
  order_canceled c;
  c.cid = client_order_id{id};
  c.cum_qty = qty(cum);
  c.reason = why;
  c.venue_time = t;
  c.local_time = t;
  return c;
}

inline order_rejected make_rejected(uint64_t id, reject_reason why, nanos t) {
  order_rejected r;
  r.cid = client_order_id{id};
  r.reason = why;
  r.venue_time = t;
  r.local_time = t;
  return r;
}

inline order_accepted make_accepted(uint64_t id, nanos t) {
  order_accepted a;
  a.cid = client_order_id{id};
  a.venue_time = t;
  a.local_time = t;
  return a;
}

} // namespace agora::strategy_test
