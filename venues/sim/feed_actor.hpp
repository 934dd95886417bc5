#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "messages/ids.hpp"
#include "messages/time.hpp"

namespace agora::sim {

struct feed_params {
  venue_id venue;
  std::string exchange_path;   ///< Directory name of the exchange.
  caf::actor directory;
  caf::actor recorder;         ///< Gets every raw frame and snapshot when set (`agora record`).
  nanos heartbeat_timeout = 3 * ns_per_s; ///< Silence longer than this kills the feed.
  const clock_source* clock = nullptr;
};

/// Spawns the sim venue's feed: connects to the exchange, parses every frame
/// once with the Binance spot codec (the sim's wire format is Binance's, see
/// wire.hpp; malformed frames are logged, counted and dropped), and routes
/// diffs, trades and perpetuals' funding (markPriceUpdate -> funding_update)
/// to the book actor following each symbol, as the Binance feed does; the
/// book passes funding on to its subscribers. Diffs are batched:
/// parsed diffs wait in a per-symbol batch until a flush message the feed
/// sends itself, which runs after every frame already in its mailbox, so a
/// burst leaves as one `book_delta_batch` per symbol (at most 256 diffs). A dropped or silent
/// connection ends the feed with an error so its supervisor restarts it.
///
/// - `follow_symbol` (from a book) -> caf::ok_atom.
/// - `unfollow_symbol`.
/// - `snapshot_request` (from a book): the feed fetches the snapshot and sends
///   `book_snapshot` back to that book (or `book_stale` on failure).
caf::actor spawn_feed(caf::actor_system& sys, const std::string& path,
                      feed_params params);

} // namespace agora::sim
