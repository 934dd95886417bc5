#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "messages/ids.hpp"
#include "messages/time.hpp"

namespace agora {

struct book_params {
  venue_id venue;
  symbol_id symbol;
  std::string feed_path;        ///< Directory name of the venue's feed.
  caf::actor directory;
  size_t view_levels = 20;      ///< Levels per side in each book_view.
  size_t imbalance_levels = 20; ///< N for rho.
  size_t max_buffered = 10'000; ///< Diffs kept while waiting for a snapshot.
  const clock_source* clock = nullptr;
};

/// Spawns the book actor of one symbol: follows the symbol on the feed,
/// syncs from a snapshot plus buffered diffs, detects gaps and crossed
/// books, marks itself stale (telling subscribers) and resyncs. Only a fresh
/// book publishes `book_view`s; trades and funding are passed through. The
/// venue's `book_ticker`s are checked against the book (`report_atom` ->
/// book_report) and go no further.
///
/// - `(caf::subscribe_atom)`: the sender gets book_view / book_stale /
///   trade_tick from now on (and the current view at once if fresh).
/// - `(unsub_atom)`.
/// - `(caf::get_atom)` -> top_of_book (an error while stale).
/// - `inject_fault{"crash-book"}`: throws (supervision drills).
caf::actor spawn_book(caf::actor_system& sys, const std::string& path,
                      book_params params);

} // namespace agora
