#pragma once

#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/time.hpp"
#include "venues/binance/credentials.hpp"
#include "venues/binance/market.hpp"
#include "venues/common/tls.hpp"

namespace agora::binance {

struct order_entry_params {
  venue_id venue;
  market m = market::spot;
  std::string rest_url;             ///< "https://testnet.binance.vision"
  std::string ws_url;               ///< USD-M user stream base ("wss://.../ws/<listenKey>").
  std::string ws_api_url;           ///< Spot user stream (WebSocket API).
  net::tls_client_options tls;
  agora::binance::credentials keys; ///< Never logged.
  std::vector<symbol_id> symbols;   ///< Traded symbols (their holdings are reconciled).
  rate maker_fee;                   ///< Fees are not in exchangeInfo.
  rate taker_fee;
  int64_t recv_window_ms = 5000;
  nanos heartbeat_timeout = 30 * ns_per_s;
  nanos ping_interval = 15 * ns_per_s;
  nanos listen_key_keepalive = 30 * 60 * ns_per_s;
  nanos reconcile_interval = 30 * ns_per_s;
  nanos clock_sync_interval = 60 * ns_per_s;
  nanos unknown_query_delay = 200 * ns_per_ms; ///< First query of an unknown outcome.
  const clock_source* clock = nullptr;
};

/// Spawns the order entry of one Binance account: the venue endpoint the
/// gateway talks to, as the sim exchange is for the sim venue.
///
/// Orders leave as signed REST calls (HMAC-SHA256 over query and body,
/// timestamp from the venue's clock offset, recvWindow, X-MBX-APIKEY) on a
/// keep-alive HTTPS pool whose thread hands answers back as `rest_reply`
/// messages. Post-only is LIMIT_MAKER on spot and GTX on USD-M; client ids
/// are "ag-<cid>" both ways. Fills come from the user-data stream (spot: the
/// WebSocket API subscription; USD-M: a listenKey stream kept alive and
/// recreated on expiry), deduplicated by trade id; a lost stream is
/// reconnected with backoff and followed by a reconciliation of open orders.
///
/// Venue rules: used-weight and order-count headers are tracked; 429 backs
/// off for Retry-After and 418 stops all sending (CRITICAL alert) until it
/// ends, new orders meanwhile being rejected RATE_LIMITED /
/// VENUE_UNAVAILABLE; an unknown outcome (spot -1006/-1007, a 5xx, a
/// connection lost after the request left) is never taken as a failure: the
/// order is queried until the venue says what became of it; -1021 resyncs
/// the clock offset and retries once; post-only rejections (-2010, -5022,
/// GTX expired) are plain `order_rejected` with POST_ONLY_WOULD_CROSS.
///
/// - `(spec_atom)` -> std::vector<instrument_spec> (from exchangeInfo).
/// - `submit_order`, `cancel_order` -> order events to the sender.
/// - `(cancel_all_atom)` -> uint64_t (orders asked to cancel).
/// - `(positions_atom)` -> positions_report: the account as the venue sees
///   it (USD-M positions; spot balances, one row per asset).
/// - `(venue_atom)` -> venue_state_report: open orders (all symbols, also
///   ones not placed by Agora), holdings (spot balances by asset, USD-M
///   positions by symbol) and the holding key of each traded symbol.
/// - `adopt_order`: an order a previous run left open: queried, then
///   reported like any other (only fills beyond its `cum_qty`).
/// - `cancel_orphan`: cancels a venue order by its order id.
/// - `(stats_atom)` -> actor_stats.
caf::actor spawn_order_entry(caf::actor_system& sys, const std::string& path,
                             order_entry_params params);

} // namespace agora::binance
