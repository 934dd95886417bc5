#pragma once

#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "messages/market_data.hpp"
#include "messages/time.hpp"
#include "venues/sim/sim_market.hpp"

namespace agora::sim {

/// One instrument the embedded exchange lists.
struct listed_symbol {
  instrument_spec spec;
  market_params params;
  /// An anchored market (params.anchored) follows this symbol's fair mid.
  symbol_id index_symbol;
};

/// How the embedded exchange runs.
struct exchange_params {
  venue_id venue;
  nanos step_interval = 100 * ns_per_ms; ///< Market generator tick.
  nanos latency = 1 * ns_per_ms;         ///< Order-entry latency (one way).
  nanos jitter = 500 * ns_per_us;
  uint64_t latency_seed = 7;
  std::vector<listed_symbol> symbols;
  listed_symbol default_symbol;          ///< Template for runtime listings.
  const clock_source* clock = nullptr;
};

/// Spawns the embedded simulated exchange, the in-process stand-in for a
/// venue: a seeded market per symbol publishing Binance-shaped JSON frames,
/// and a matching engine behind an order-entry latency model.
///
/// Market data (the "socket" is a message):
/// - `(caf::connect_atom)` from a feed -> std::vector<instrument_spec>; from
///   then on the feed receives `wire_frame`s, and `connection_lost` if the
///   exchange drops it. Each step sends a symbol's diff and trades; once a
///   second (on the first step at or after each whole second) every
///   perpetual listing also sends a USD-M markPriceUpdate (wire.hpp) whose
///   funding follows Binance's rules (funding_model.hpp): the mark is the
///   market's mid, the index the fair mid of the symbol an anchored
///   perpetual follows (its own fair mid otherwise), funding every 8 h at
///   00:00, 08:00 and 16:00 UTC of the exchange's clock.
/// - `snapshot_request` -> std::string (the REST depth snapshot as JSON).
/// Order entry (answers go to the sender, after the latency):
/// - `submit_order`, `cancel_order` -> `order_accepted` / `order_rejected` /
///   `order_filled` / `order_canceled`.
/// - `(cancel_all_atom)` -> uint64_t (orders cancelled).
/// - `(spec_atom)` -> std::vector<instrument_spec>.
/// Operations:
/// - `spawn_symbol` -> instrument_spec (lists a symbol from the template);
///   `stop_symbol` -> caf::ok_atom.
/// - `inject_fault` -> std::string (what was done): "feed-drop" closes every
///   market-data connection; "seq-gap" makes the next diff skip an update id;
///   "malformed" sends broken frames; "stall" stops publishing for a while.
///   Order entry, one shot each, for the next new order on `symbol` (any
///   symbol when empty; see order_faults): "reject-next" rejects it
///   (venue_rejected), "expire-next" accepts it and expires it unfilled,
///   "partial-next" accepts it, fills half (floored to the lot) and expires
///   the rest.
caf::actor spawn_exchange(caf::actor_system& sys, const std::string& path,
                          exchange_params params);

} // namespace agora::sim
