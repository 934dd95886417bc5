#pragma once

#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "messages/ids.hpp"
#include "messages/time.hpp"
#include "venues/binance/exchange_info_loader.hpp"

namespace agora::sim {

struct paper_entry_params {
  venue_id venue;
  std::vector<symbol_id> symbols;    ///< Books followed from the start.
  caf::actor directory;              ///< Where the venue's books are found.
  binance::specs_loader load_specs;  ///< The venue's instruments (exchangeInfo).
  nanos spec_retry = 2 * ns_per_s;   ///< After a failed load.
  nanos latency = 10 * ns_per_ms;    ///< Simulated one-way order-entry latency.
  nanos jitter = 2 * ns_per_ms;
  uint64_t latency_seed = 11;
  const clock_source* clock = nullptr;
};

/// Spawns the PAPER order entry of a real venue: the endpoint its gateway
/// talks to instead of the venue's order API, so nothing is sent to the
/// venue. It loads the venue's instruments (tick, lot, min notional),
/// follows the venue's books (`book_view`, `trade_tick`, `book_stale`
/// from the book actors, found by name in the directory and followed across
/// their restarts) and fills orders against them with a `paper_matcher`
/// per symbol, after the simulated latency.
///
/// The protocol is the embedded exchange's order entry:
/// - `submit_order`, `cancel_order` -> order events to the sender.
/// - `(cancel_all_atom)` -> uint64_t (orders cancelled).
/// - `(spec_atom)` -> std::vector<instrument_spec> (waits for the load).
/// - `(venue_atom)` -> venue_state_report (open paper orders; no account
///   outlives the service), `adopt_order`, `cancel_orphan`.
/// - `spawn_symbol` -> instrument_spec: follows one more book (runtime
///   `agora spawn`); an error when the venue does not list the symbol.
/// - `(stats_atom)` -> actor_stats.
/// Orders on a symbol whose book is not followed are rejected
/// `unknown_symbol`; before the instruments are loaded, or while the book is
/// stale, `venue_unavailable`.
caf::actor spawn_paper_entry(caf::actor_system& sys, const std::string& path,
                             paper_entry_params params);

} // namespace agora::sim
