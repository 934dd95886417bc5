#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "messages/ids.hpp"
#include "messages/time.hpp"
#include "venues/binance/market.hpp"

namespace agora::replay {

struct replay_feed_params {
  venue_id venue;
  binance::market m = binance::market::spot; ///< The recorded streams' format.
  const clock_source* clock = nullptr;
};

/// Spawns the feed of a replay venue: the recorded frames of that venue
/// arrive as `wire_frame` messages (from the backtest's player, in receive
/// time order) and are parsed once with the Binance codec, exactly as the
/// live Binance feed parses them, then batched and routed to the books
/// (book_routes). A recorded REST depth snapshot is the answer to the
/// books' `snapshot_request`s: a book asking for one gets the next snapshot
/// of its symbol that appears in the data (never an older one, which could
/// not chain with what the book buffered); with no later snapshot the book
/// stays stale. Malformed frames are counted and dropped.
///
/// - `wire_frame`: one recorded message.
/// - `follow_symbol` (from a book) -> caf::ok_atom; `unfollow_symbol`.
/// - `snapshot_request` (from a book).
/// - `(stop_atom, nanos ended)`: the venue's recording ended: every book it
///   feeds gets `book_stale` (feed_lost) and stays stale.
/// - `(report_atom)` -> feed_report; `(stats_atom)` -> actor_stats.
caf::actor spawn_replay_feed(caf::actor_system& sys, const std::string& path,
                             replay_feed_params params);

} // namespace agora::replay
