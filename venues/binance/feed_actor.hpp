#pragma once

#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "messages/ids.hpp"
#include "messages/time.hpp"
#include "venues/binance/market.hpp"
#include "venues/common/tls.hpp"

namespace agora::binance {

struct feed_params {
  venue_id venue;
  market m = market::spot;
  std::string rest_url;            ///< "https://testnet.binance.vision"
  std::string ws_url;              ///< "wss://stream.testnet.binance.vision"
  net::tls_client_options tls;
  std::vector<symbol_id> symbols;  ///< Subscribed when the connection opens.
  size_t depth_limit = 1000;
  nanos heartbeat_timeout = 30 * ns_per_s;
  nanos ping_interval = 15 * ns_per_s;
  nanos connect_timeout = 10 * ns_per_s;
  caf::actor directory;
  caf::actor recorder; ///< Gets every raw frame and snapshot when set (`agora record`).
  const clock_source* clock = nullptr;
};

/// The market-data stream names of `symbol` on `m`: diff depth (100 ms),
/// bookTicker, aggTrade, and for USD-M markPrice@1s. Lowercase, as Binance
/// names them ("btcusdt@depth@100ms").
std::vector<std::string> stream_names(market m, const symbol_id& symbol);

/// Spawns the feed of one Binance market: one combined-stream WebSocket (its
/// own I/O thread; frames arrive as `wire_frame` messages), parsed once, with
/// diffs batched per symbol and routed to the book following each symbol, and
/// bookTicker / aggTrade / markPrice events passed to the same book. Books
/// sync as Binance documents it (the book actor buffers diffs while the feed
/// fetches the REST snapshot). A dropped, refused or silent connection ends
/// the feed with an error, so its supervisor restarts it with backoff and its
/// books resync.
///
/// - `follow_symbol` -> caf::ok_atom (subscribes the symbol's streams at
///   once if the connection did not start with them).
/// - `unfollow_symbol`.
/// - `snapshot_request` (from a book): GET depth; the book gets
///   `book_snapshot`, or `book_stale` if the venue did not give one.
caf::actor spawn_feed(caf::actor_system& sys, const std::string& path,
                      feed_params params);

} // namespace agora::binance
