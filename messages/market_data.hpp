#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "messages/enums.hpp"
#include "messages/fixed_point.hpp"
#include "messages/ids.hpp"
#include "messages/time.hpp"

namespace agora {

/// One price level. In a delta, a zero quantity removes the level.
struct book_level {
  price px;
  quantity qty;

  friend bool operator==(const book_level&, const book_level&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, book_level& x) {
  return f(caf::meta::type_name("book_level"), x.px, x.qty);
}

/// What the venue says about an instrument: the rules every order obeys.
struct instrument_spec {
  venue_id venue;
  symbol_id symbol;
  price tick;              ///< Price increment.
  quantity lot;            ///< Quantity increment (sizes are floored to it).
  notional min_notional;   ///< Smallest price x quantity accepted.
  rate maker_fee;          ///< e.g. 0.0001 = 1 bp.
  rate taker_fee;
  bool perpetual = false;  ///< USD-M style linear perpetual.
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, instrument_spec& x) {
  return f(caf::meta::type_name("instrument_spec"), x.venue, x.symbol, x.tick,
           x.lot, x.min_notional, x.maker_fee, x.taker_fee, x.perpetual);
}

/// A full L2 book as of `last_update_id`.
struct book_snapshot {
  venue_id venue;
  symbol_id symbol;
  uint64_t last_update_id = 0;
  std::vector<book_level> bids; ///< Best (highest) first.
  std::vector<book_level> asks; ///< Best (lowest) first.
  nanos venue_time = 0;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, book_snapshot& x) {
  return f(caf::meta::type_name("book_snapshot"), x.venue, x.symbol,
           x.last_update_id, x.bids, x.asks, x.venue_time, x.local_time);
}

/// One sequenced diff: the updates with ids first_update_id..last_update_id.
/// Venues that chain diffs explicitly (USD-M futures) also give the previous
/// diff's last id; 0 means "not provided" and the first-id rule applies.
struct book_delta {
  venue_id venue;
  symbol_id symbol;
  uint64_t first_update_id = 0;
  uint64_t last_update_id = 0;
  uint64_t prev_last_update_id = 0;
  std::vector<book_level> bids;
  std::vector<book_level> asks;
  nanos venue_time = 0;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, book_delta& x) {
  return f(caf::meta::type_name("book_delta"), x.venue, x.symbol,
           x.first_update_id, x.last_update_id, x.prev_last_update_id, x.bids,
           x.asks, x.venue_time, x.local_time);
}

/// The diffs for one symbol that arrived in one burst, in order.
struct book_delta_batch {
  symbol_id symbol;
  std::vector<book_delta> deltas;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, book_delta_batch& x) {
  return f(caf::meta::type_name("book_delta_batch"), x.symbol, x.deltas);
}

/// A public trade.
struct trade_tick {
  venue_id venue;
  symbol_id symbol;
  trade_id id;
  price px;
  quantity qty;
  side aggressor = side::buy;
  nanos venue_time = 0;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, trade_tick& x) {
  return f(caf::meta::type_name("trade_tick"), x.venue, x.symbol, x.id, x.px,
           x.qty, x.aggressor, x.venue_time, x.local_time);
}

/// Best bid and ask.
struct top_of_book {
  venue_id venue;
  symbol_id symbol;
  book_level bid;
  book_level ask;
  nanos venue_time = 0;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, top_of_book& x) {
  return f(caf::meta::type_name("top_of_book"), x.venue, x.symbol, x.bid,
           x.ask, x.venue_time, x.local_time);
}

/// What a book publishes to its subscribers after every applied batch: the
/// top levels and the derived analytics. Only ever published by a fresh
/// (non-stale) book.
struct book_view {
  venue_id venue;
  symbol_id symbol;
  uint64_t update_id = 0;
  std::vector<book_level> bids; ///< Top N, best first.
  std::vector<book_level> asks; ///< Top N, best first.
  price mid;
  double microprice = 0;
  double imbalance = 0;         ///< rho over the configured N levels.
  nanos venue_time = 0;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, book_view& x) {
  return f(caf::meta::type_name("book_view"), x.venue, x.symbol, x.update_id,
           x.bids, x.asks, x.mid, x.microprice, x.imbalance, x.venue_time,
           x.local_time);
}

/// A book stopped being trustworthy; subscribers must not trade on it until
/// the next book_view.
struct book_stale {
  venue_id venue;
  symbol_id symbol;
  stale_reason reason = stale_reason::sequence_gap;
  std::string detail;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, book_stale& x) {
  return f(caf::meta::type_name("book_stale"), x.venue, x.symbol, x.reason,
           x.detail, x.local_time);
}

/// The venue's own best bid and ask, pushed on every change (Binance
/// bookTicker). Faster than a book's top and independent of its sync state.
struct book_ticker {
  venue_id venue;
  symbol_id symbol;
  uint64_t update_id = 0;
  book_level bid;
  book_level ask;
  nanos venue_time = 0; ///< 0 when the venue does not stamp it (Binance spot).
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, book_ticker& x) {
  return f(caf::meta::type_name("book_ticker"), x.venue, x.symbol, x.update_id,
           x.bid, x.ask, x.venue_time, x.local_time);
}

/// A perpetual's mark price and funding (Binance USD-M markPriceUpdate).
struct funding_update {
  venue_id venue;
  symbol_id symbol;
  price mark;
  price index;
  rate funding_rate;          ///< Rate applied at the next funding time.
  nanos next_funding_time = 0;
  nanos venue_time = 0;
  nanos local_time = 0;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, funding_update& x) {
  return f(caf::meta::type_name("funding_update"), x.venue, x.symbol, x.mark,
           x.index, x.funding_rate, x.next_funding_time, x.venue_time,
           x.local_time);
}

/// A funding payment of a perpetual: at `time` (the venue's funding time)
/// every position pays position x `mark` x `funding_rate` (a long pays a
/// positive rate, a short receives it). Derived from the funding updates
/// around that time: the rate and mark are the last announced before it.
struct funding_event {
  venue_id venue;
  symbol_id symbol;
  nanos time = 0;
  rate funding_rate;
  price mark;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, funding_event& x) {
  return f(caf::meta::type_name("funding_event"), x.venue, x.symbol, x.time, x.funding_rate,
           x.mark);
}

/// A 1-minute (or configured interval) OHLC bar.
struct bar {
  venue_id venue;
  symbol_id symbol;
  nanos open_time = 0;
  nanos interval = 0;
  price open;
  price high;
  price low;
  price close;
  quantity volume;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, bar& x) {
  return f(caf::meta::type_name("bar"), x.venue, x.symbol, x.open_time,
           x.interval, x.open, x.high, x.low, x.close, x.volume);
}

} // namespace agora
