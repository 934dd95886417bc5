#pragma once

// Shared set-up of the exchange-sim core tests: a spot and a USD-M core with
// one or two symbols and two accounts, manual time, and signed REST calls.

#include <cstdint>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "venues/binance/signing.hpp"
#include "venues/exchange_sim/binance_core.hpp"

namespace xsim_test {

using namespace agora;
using namespace agora::xsim;

inline constexpr nanos t0 = 1'700'000'000 * ns_per_s;
inline constexpr int64_t wall0 = 1'700'000'020'000; // 40 s into a minute.

inline const std::string alice_key = "alice-key";
inline const std::string alice_secret = "alice-secret";
inline const std::string bob_key = "bob-key";
inline const std::string bob_secret = "bob-secret";

inline price px(const char* s) {
  return *price::parse(s);
}

inline quantity qty(const char* s) {
  return *quantity::parse(s);
}

inline notional money(const char* s) {
  return *notional::parse(s);
}

/// BTCUSDT: tick 0.1, lot 0.001, min notional 5, maker 2 bp, taker 4 bp; a
/// quiet market around 65000 with 0.5 BTC typical level size.
inline listed_symbol btcusdt(uint64_t seed = 7) {
  listed_symbol s;
  s.spec.symbol = symbol_id{"BTCUSDT"};
  s.spec.tick = px("0.1");
  s.spec.lot = qty("0.001");
  s.spec.min_notional = money("5");
  s.spec.maker_fee = *rate::parse("0.0002");
  s.spec.taker_fee = *rate::parse("0.0004");
  s.params.seed = seed;
  s.params.start_price = px("65000");
  s.params.level_qty = qty("0.5");
  s.params.volatility = 0.00005;
  s.params.burst_probability = 0;
  s.params.depth_levels = 20;
  s.base_asset = "BTC";
  s.quote_asset = "USDT";
  return s;
}

inline listed_symbol ethusdt(uint64_t seed = 11) {
  listed_symbol s;
  s.spec.symbol = symbol_id{"ETHUSDT"};
  s.spec.tick = px("0.01");
  s.spec.lot = qty("0.001");
  s.spec.min_notional = money("5");
  s.spec.maker_fee = *rate::parse("0.0002");
  s.spec.taker_fee = *rate::parse("0.0004");
  s.params.seed = seed;
  s.params.start_price = px("3000");
  s.params.level_qty = qty("5");
  s.params.volatility = 0.00005;
  s.params.burst_probability = 0;
  s.params.depth_levels = 20;
  s.base_asset = "ETH";
  s.quote_asset = "USDT";
  return s;
}

inline core_config make_config(binance::market m) {
  core_config c;
  c.m = m;
  c.venue = venue_id{m == binance::market::spot ? "xsim-spot" : "xsim-usdm"};
  c.symbols = {btcusdt(), ethusdt()};
  c.accounts = {
    account_config{alice_key, alice_secret,
                   {{"USDT", money("100000")}, {"BTC", money("2")}}},
    account_config{bob_key, bob_secret, {{"USDT", money("50")}}},
  };
  c.listen_key_ttl = 60 * ns_per_s;
  return c;
}

/// A core with manual time: `now` (sim venue time) and `wall` (ms) move
/// together.
struct harness {
  binance_core core;
  nanos now = t0;
  int64_t wall = wall0;

  explicit harness(binance::market m) : core(make_config(m), t0) {
  }

  explicit harness(core_config c) : core(std::move(c), t0) {
  }

  bool spot() const {
    return core.kind() == binance::market::spot;
  }

  std::string api(const std::string& tail) const {
    return (spot() ? "/api/v3/" : "/fapi/v1/") + tail;
  }

  /// An unsigned call.
  rest_reply call(const std::string& method, const std::string& path,
                  const std::string& query = {}, const std::string& key = {}) {
    return core.handle_rest(rest_call{method, path, query, {}, key}, now, wall);
  }

  /// A SIGNED call: appends timestamp (= wall) and the signature.
  rest_reply signed_call(const std::string& method, const std::string& path,
                         const std::string& query,
                         const std::string& key = alice_key,
                         const std::string& secret = alice_secret) {
    auto q = query.empty() ? "timestamp=" + std::to_string(wall)
                           : query + "&timestamp=" + std::to_string(wall);
    return core.handle_rest(
      rest_call{method, path, binance::signed_query(q, {}, secret), {}, key},
      now, wall);
  }

  /// Moves time by `ms`.
  void advance(int64_t ms) {
    now += ms * ns_per_ms;
    wall += ms;
  }

  /// One market step 100 ms later.
  std::vector<outbound> step() {
    advance(100);
    return core.step(now, wall);
  }
};

/// Parses a JSON body (the test fails on a parse error).
inline rapidjson::Document parse(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  return d;
}

__extension__ using wide_int = __int128;

/// Raw 1e-8 units of price x quantity, truncated (independent arithmetic).
inline int64_t value_raw(int64_t px_raw, int64_t qty_raw) {
  return static_cast<int64_t>(static_cast<wide_int>(px_raw) * qty_raw
                              / 100'000'000);
}

/// Frames of one channel.
inline std::vector<std::string> on_channel(const std::vector<outbound>& out,
                                           const std::string& channel) {
  std::vector<std::string> texts;
  for (const auto& o : out)
    if (o.channel == channel)
      texts.push_back(o.text);
  return texts;
}

} // namespace xsim_test
