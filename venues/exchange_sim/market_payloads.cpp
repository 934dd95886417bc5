#include "venues/exchange_sim/market_payloads.hpp"

#include <algorithm>

#include "venues/exchange_sim/json_out.hpp"

namespace agora::xsim {

namespace {

void write_levels(json_out& j, const char* name,
                  const std::vector<book_level>& levels, size_t limit,
                  decimal_format f) {
  j.key(name).begin_array();
  size_t n = std::min(limit, levels.size());
  for (size_t i = 0; i < n; ++i)
    j.begin_array()
      .dec(levels[i].px.raw(), f.price_decimals)
      .dec(levels[i].qty.raw(), f.qty_decimals)
      .end_array();
  j.end_array();
}

} // namespace

decimal_format format_of(binance::market m, const instrument_spec& spec) noexcept {
  if (m == binance::market::spot)
    return {fixed_decimals, fixed_decimals};
  return {decimals_of(spec.tick.raw()), decimals_of(spec.lot.raw())};
}

std::string encode_depth_update(binance::market m, const book_delta& d,
                                decimal_format f, int64_t event_ms) {
  json_out j;
  j.begin_object().kv("e", "depthUpdate").kv_i64("E", event_ms);
  if (m == binance::market::usdm)
    j.kv_i64("T", event_ms);
  j.kv("s", d.symbol.str())
    .kv_u64("U", d.first_update_id)
    .kv_u64("u", d.last_update_id);
  if (m == binance::market::usdm)
    j.kv_u64("pu", d.prev_last_update_id);
  write_levels(j, "b", d.bids, d.bids.size(), f);
  write_levels(j, "a", d.asks, d.asks.size(), f);
  j.end_object();
  return j.take();
}

std::string encode_book_ticker(binance::market m, const std::string& symbol,
                               uint64_t update_id, book_level bid,
                               book_level ask, decimal_format f,
                               int64_t event_ms) {
  json_out j;
  j.begin_object();
  if (m == binance::market::usdm)
    j.kv("e", "bookTicker");
  j.kv_u64("u", update_id)
    .kv("s", symbol)
    .kv_dec("b", bid.px.raw(), f.price_decimals)
    .kv_dec("B", bid.qty.raw(), f.qty_decimals)
    .kv_dec("a", ask.px.raw(), f.price_decimals)
    .kv_dec("A", ask.qty.raw(), f.qty_decimals);
  if (m == binance::market::usdm)
    j.kv_i64("T", event_ms).kv_i64("E", event_ms);
  j.end_object();
  return j.take();
}

std::string encode_agg_trade(binance::market m, const trade_tick& t,
                             decimal_format f, int64_t event_ms,
                             int64_t trade_ms) {
  json_out j;
  j.begin_object()
    .kv("e", "aggTrade")
    .kv_i64("E", event_ms)
    .kv("s", t.symbol.str())
    .kv_u64("a", t.id.value)
    .kv_dec("p", t.px.raw(), f.price_decimals)
    .kv_dec("q", t.qty.raw(), f.qty_decimals)
    .kv_u64("f", t.id.value)
    .kv_u64("l", t.id.value)
    .kv_i64("T", trade_ms)
    .kv_bool("m", t.aggressor == side::sell);
  if (m == binance::market::spot)
    j.kv_bool("M", true);
  j.end_object();
  return j.take();
}

std::string encode_mark_price(const std::string& symbol, price mark,
                              price index, rate funding_rate,
                              int64_t next_funding, int64_t event_ms) {
  json_out j;
  j.begin_object()
    .kv("e", "markPriceUpdate")
    .kv_i64("E", event_ms)
    .kv("s", symbol)
    .kv_dec("p", mark.raw(), fixed_decimals)
    .kv_dec("i", index.raw(), fixed_decimals)
    .kv_dec("P", mark.raw(), fixed_decimals)
    .kv_dec("r", funding_rate.raw(), fixed_decimals)
    .kv_i64("T", next_funding)
    .end_object();
  return j.take();
}

std::string encode_depth_snapshot(binance::market m, const book_snapshot& s,
                                  size_t limit, decimal_format f,
                                  int64_t event_ms) {
  json_out j;
  j.begin_object().kv_u64("lastUpdateId", s.last_update_id);
  if (m == binance::market::usdm)
    j.kv_i64("E", event_ms).kv_i64("T", event_ms);
  write_levels(j, "bids", s.bids, limit, f);
  write_levels(j, "asks", s.asks, limit, f);
  j.end_object();
  return j.take();
}

int64_t next_funding_ms(int64_t wall_ms) noexcept {
  constexpr int64_t period = 8 * 3600 * 1000;
  int64_t start = wall_ms / period * period;
  if (start > wall_ms)
    start -= period;
  return start + period;
}

} // namespace agora::xsim
